"""A one-line note for the player that knows how it should look.

The play layer, the trainer's delivery code and the class server's quota write notes; the faces show them
(a Textual notification, a line in plain mode, stderr after the game). A face used to pick a note's colour by
looking for English words in it ("failed", " were sent"), which broke in every other language: the note says
its own severity instead, and stays a ``str`` so that everything which only prints it keeps working.
"""

from __future__ import annotations

from typing import Literal

Severity = Literal["information", "warning"]
INFORMATION: Severity = "information"
WARNING: Severity = "warning"


class Note(str):
    """A line of text for the player with a ``severity``: ``"information"`` or ``"warning"``."""

    severity: Severity

    def __new__(cls, text: str, severity: Severity = INFORMATION) -> Note:
        note = super().__new__(cls, text)
        note.severity = severity
        return note


def information(text: str) -> Note:
    return Note(text, INFORMATION)


def warning(text: str) -> Note:
    return Note(text, WARNING)


def severity(note: str) -> Severity:
    """The severity a face shows ``note`` with: a plain ``str`` is information."""
    return note.severity if isinstance(note, Note) else INFORMATION


def is_warning(note: str) -> bool:
    return severity(note) == WARNING
