"""Small file helpers: atomic writes (the engine's, re-exported) and safe file-name parts."""

from __future__ import annotations

import re

from ..engine.files import write_atomic  # noqa: F401  (trainer code imports it from here)


def slug(text: str, limit: int = 40) -> str:
    """A file-name-safe part: letters, digits, '-' and '_' (other characters become '-')."""
    s = re.sub(r"[^A-Za-z0-9_]+", "-", text).strip("-")
    return s[:limit].rstrip("-") or "x"
