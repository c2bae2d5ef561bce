"""A one-line trend of a KPI drawn with block characters (plain text: cheap and stable in snapshots)."""

from __future__ import annotations

BLOCKS = "▁▂▃▄▅▆▇█"


def spark(values: list, width: int, lo: float | None = None, hi: float | None = None) -> str:
    """The last ``width`` values as exactly ``width`` cells (blank on the left until there are enough).

    ``lo`` and ``hi`` fix the scale: a KPI's whole range, the same all game, so that 180 -> 177
    customers stays a small step instead of a cliff. Without them the values' own range is used.
    """
    if width <= 0:
        return ""
    values = list(values)[-width:]
    pad = " " * (width - len(values))
    if not values:
        return pad
    lo = min(values) if lo is None else lo
    hi = max(values) if hi is None else hi
    if hi <= lo:
        return pad + BLOCKS[3] * len(values)
    top = len(BLOCKS) - 1
    return pad + "".join(BLOCKS[int(round((min(hi, max(lo, v)) - lo) / (hi - lo) * top))] for v in values)


def meter(percent: float, width: int) -> tuple:
    """A filled and an empty part for a 0-100 meter of ``width`` cells."""
    percent = max(0.0, min(100.0, float(percent)))
    filled = int(round(percent / 100 * width))
    return "█" * filled, "░" * (width - filled)
