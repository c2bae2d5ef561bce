"""Trainer tools: assignments, learner reports, replay verification, the cohort view, xAPI.

The domain only: no Textual or Rich, no face. The faces reach it through the play layer
(``pizzaborg.play.assignment.AssignmentRun`` plays an assignment: whether a save belongs to it, the
hand-in, the LRS); the trainer commands are the face ``pizzaborg.trainer_cli``.

The API
-------

``load_assignment(path) -> Assignment``
    Read and validate an assignment file (``pizzaborg assignment new`` writes them). Raises
    :class:`AssignmentError` with a one-line message. ``assignment.check_story(story)`` raises the
    same error when the loaded story is not the one the assignment pins (id, version and hash).
    Show ``assignment.note`` (plain text: escape it before it meets markup), play with
    ``Game(story, assignment.seed)``, and ask the learner for a name or id
    (``check_learner(text)`` validates it).

``finish_assignment(game, assignment, learner, saves_dir, started=None, finished=None, times=None,
folder=None, name=None) -> Path``
    Call it when ``game.over``. Writes the learner's report (JSON, the file to hand in, plus a
    printable HTML copy beside it) into ``<saves_dir>/reports/`` (or ``folder``) and returns the JSON
    file's path. Raises :class:`ReportError` when it cannot be written. ``started`` is the UTC datetime
    the game began (the xAPI duration uses it), ``times`` each decision's time.
    ``formats.write_hand_in`` (same arguments) returns the path and the report together.

``build_report(game, learner=None, assignment=None, started=None, finished=None, registration=None,
times=None, undo_times=None) -> dict``
    The report of any game (finished or not) as a JSON-ready dict (schema in docs/reports.md): the
    decisions and their times, the undo record and each undo's time, the first-answer score a
    trainer sees, the changed answers, and an estimate per learning point with its 90 % interval.

``render(report, fmt) -> str``
    The report as ``md``, ``html`` (one self-contained printable page), ``json`` or ``xapi``
    (a JSON array of xAPI statements). The TUI's debrief export writes ``render(build_report(game,
    learner, assignment), "html")`` (or the format the user picks) to a file.

Everything else (verification, cohort figures) is used by the trainer commands: see ``trainer_cli.py``.
The report is three modules: the model (``report.py``, no renderer), reading a handed-in report as
hostile input (``handin.py``) and the words its renderings share (``reporttext.py``); ``formats.py``
holds ``render`` and the writers.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "Assignment": "assignment",
    "AssignmentError": "assignment",
    "check_learner": "assignment",
    "load_assignment": "assignment",
    "new_assignment": "assignment",
    "ReportError": "report",
    "build_report": "report",
    "finish_assignment": "formats",
    "render": "formats",
    "read_report_file": "handin",
    "Verifier": "verify",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'pizzaborg.trainer' has no attribute '{name}'")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
