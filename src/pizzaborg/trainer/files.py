"""Small file helpers: atomic writes (temp file, fsync, rename) and safe file-name parts."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path


def write_atomic(target: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``target`` via a temp file in the same folder; raises OSError on failure and
    leaves any previous file as it was."""
    target = Path(target)
    directory = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise IsADirectoryError(21, "it is a folder", str(target))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        tmp = None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return target


def slug(text: str, limit: int = 40) -> str:
    """A file-name-safe part: letters, digits, '-' and '_' (other characters become '-')."""
    s = re.sub(r"[^A-Za-z0-9_]+", "-", text).strip("-")
    return (s[:limit].rstrip("-") or "x")
