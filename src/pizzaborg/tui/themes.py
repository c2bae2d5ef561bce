"""The themes: the Collective's green on black, and a plain light and dark one."""

from __future__ import annotations

from textual.theme import Theme

BORG = Theme(
    name="borg",
    primary="#22dd55",
    secondary="#66ff99",
    accent="#aaff66",
    foreground="#33ff66",
    background="#000000",
    surface="#000f00",
    panel="#002a0a",
    success="#66ddff",  # good news in a colour of its own: the body text is green already
    warning="#eeff55",
    error="#ff6655",
    dark=True,
)

PLAIN_DARK = Theme(
    name="plain-dark",
    primary="#5f9ee8",
    secondary="#a0a0a0",
    accent="#e8b85f",
    foreground="#e6e6e6",
    background="#1c1c1c",
    surface="#262626",
    panel="#333333",
    success="#6cc070",
    warning="#e0b050",
    error="#e06c6c",
    dark=True,
)

PLAIN_LIGHT = Theme(
    name="plain-light",
    primary="#1f5fa8",
    secondary="#555555",
    accent="#8a5a00",
    foreground="#1a1a1a",
    background="#fafafa",
    surface="#f0f0f0",
    panel="#e2e2e2",
    success="#1d7a30",
    warning="#8a6200",
    error="#b22222",
    dark=False,
)

THEMES = (BORG, PLAIN_DARK, PLAIN_LIGHT)
DEFAULT = BORG.name
