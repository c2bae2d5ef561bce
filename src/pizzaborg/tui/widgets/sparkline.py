"""A one-line trend of a KPI drawn with block characters (plain text: cheap and stable in snapshots)."""

from __future__ import annotations

BLOCKS = "▁▂▃▄▅▆▇█"


def spark(values: list, width: int) -> str:
    """The last ``width`` values scaled between their own lowest and highest; a flat line when constant."""
    if width <= 0 or not values:
        return ""
    values = list(values)[-width:]
    lo, hi = min(values), max(values)
    if hi == lo:
        return BLOCKS[3] * len(values)
    top = len(BLOCKS) - 1
    return "".join(BLOCKS[int(round((v - lo) / (hi - lo) * top))] for v in values)


def meter(percent: float, width: int) -> tuple:
    """A filled and an empty part for a 0-100 meter of ``width`` cells."""
    percent = max(0.0, min(100.0, float(percent)))
    filled = int(round(percent / 100 * width))
    return "█" * filled, "░" * (width - filled)
