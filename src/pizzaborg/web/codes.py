"""Codes people type: access codes and resume codes. Plain Python (the CLI imports it)."""

from __future__ import annotations

import secrets

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
MAX_FIELD = 64


def new_code(groups: int = 3) -> str:
    """A code to type: groups of four letters and digits, e.g. 'K7QM-3XHD-P9RT' (60 bits for three)."""
    return "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(4)) for _ in range(groups))


def normal_code(text: str) -> str:
    """A typed resume code as stored: upper case, no spaces; dashes where the learner left them out."""
    s = "".join(ch for ch in str(text)[:MAX_FIELD].upper() if ch.isalnum())
    return "-".join(s[i : i + 4] for i in range(0, len(s), 4))
