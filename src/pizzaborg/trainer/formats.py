"""The report's formats and where they go: ``render`` (md, html, json, xapi), writing a file, and the
report written at the end of an assignment.

The imports run one way: this module uses the report model (``report.py``) and the renderers
(``markdown.py``, ``html.py``, ``xapi.py``); none of those imports this module, and the model imports
no renderer.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from ..engine import Game
from ..engine.text import json_text
from .report import ReportError, _now, build_report

FORMATS = ("md", "html", "json", "xapi")


def render(report: dict, fmt: str) -> str:
    """The report as md, html, json or xapi (a JSON array of statements)."""
    if fmt == "json":
        return json_text(report, indent=2) + "\n"
    if fmt == "md":
        from .markdown import render_md

        return render_md(report)
    if fmt == "html":
        from .html import render_html

        return render_html(report)
    if fmt == "xapi":
        from .xapi import statements

        return json_text(statements(report), indent=2) + "\n"
    raise ReportError(f"unknown report format '{fmt}' (known: {', '.join(FORMATS)})")


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write a page or report to share (the umask's mode, or the mode of the file it replaces)."""
    from .files import write_atomic

    try:
        return write_atomic(path, text, shared=True)
    except FileNotFoundError:
        raise ReportError(f"cannot write {path}: the folder {Path(path).parent} does not exist") from None
    except OSError as exc:
        raise ReportError(f"cannot write {path}: {exc.strerror or exc}") from None


# ---- the end of an assignment ------------------------------------------------------------------


def report_filename(assignment, learner: str, finished: datetime) -> str:
    from .files import slug

    stamp = finished.strftime("%Y%m%d-%H%M%S")
    return f"{slug(assignment.cohort)}-{slug(learner)}-{stamp}"


def finish_assignment(
    game: Game,
    assignment,
    learner: str,
    saves_dir,
    started: datetime | None = None,
    finished: datetime | None = None,
    times: list | None = None,
    folder=None,
    name: str | None = None,
) -> Path:
    """Write the learner's report into ``<saves_dir>/reports/`` (JSON to hand in, HTML to read or print)
    and return the JSON file's path. Raises ReportError when it cannot be written. The class server
    passes ``folder`` (its hand-ins folder) and ``name`` (a file name it made, without extension)."""
    return write_hand_in(game, assignment, learner, saves_dir, started, finished, times, folder, name)[0]


def write_hand_in(
    game: Game,
    assignment,
    learner: str,
    saves_dir,
    started: datetime | None = None,
    finished: datetime | None = None,
    times: list | None = None,
    folder=None,
    name: str | None = None,
    undo_times: list | None = None,
) -> tuple:
    """:func:`finish_assignment`, returning (the JSON file's path, the report written): whoever sends the
    report on (xAPI to an LRS) uses the report object, never a read-back of the file."""
    finished = finished or _now()
    report = build_report(
        game,
        learner=learner,
        assignment=assignment,
        started=started,
        finished=finished,
        times=times,
        undo_times=undo_times,
    )
    folder = Path(folder) if folder is not None else Path(saves_dir) / "reports"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"cannot create {folder}: {exc.strerror or exc}") from None
    base = name or report_filename(assignment, learner, finished)
    target = folder / f"{base}.json"
    write_text(target, render(report, "json"))
    try:
        write_text(folder / f"{base}.html", render(report, "html"))
    except ReportError:
        pass  # the JSON is what counts; the printable copy is a courtesy
    return target, report
