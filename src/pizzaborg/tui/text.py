"""Turning text we did not write into something safe to show: escaped unless the story asked for markup."""

from __future__ import annotations

from textual.content import Content

from ..engine.text import clean


def shown(text: str | None, markup: bool = False) -> Content:
    """Story, learner or file text as Content: literal, or parsed as markup when the scene allows it."""
    text = clean(text or "")
    if markup:
        try:
            return Content.from_markup(text)
        except Exception:  # broken markup in a story is shown as typed, never a crash
            return Content(text)
    return Content(text)


def delta_style(good: bool) -> str:
    return "bold $success" if good else "bold $error"
