"""Export of the end-of-game report from the debrief: the same report as ``pizzaborg report`` (the
trainer tools' ``build_report``/``render``), as Markdown plus a printable HTML copy beside it.
"""

from __future__ import annotations

from pathlib import Path

from ..engine.times import parse_iso, utcnow

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from datetime import datetime

    from ..engine import Game
    from ..trainer.assignment import Assignment


def export_report(
    game: Game,
    directory: str | Path,
    learner: str | None = None,
    now: str | None = None,
    assignment: Assignment | None = None,
    started: datetime | None = None,
    times: list | None = None,
    undo_times: list | None = None,
) -> Path:
    """Write the report of ``game`` into ``directory`` as ``report-….md`` and ``report-….html``;
    return the Markdown file's path. Raises OSError when it cannot be written."""
    from ..trainer.files import write_atomic
    from ..trainer.formats import render
    from ..trainer.report import ReportError, build_report

    finished = parse_iso(now) or utcnow()
    report = build_report(
        game,
        learner=learner,
        assignment=assignment,
        started=started,
        finished=finished,
        times=times,
        undo_times=undo_times,
    )
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = finished.strftime("%Y%m%d-%H%M%S")
    base = f"report-{game.story.id}-seed{game.seed}-{stamp}"
    n = 1
    while (directory / f"{base}.md").exists() or (directory / f"{base}.html").exists():
        n += 1
        base = f"report-{game.story.id}-seed{game.seed}-{stamp}-{n}"
    try:
        target = write_atomic(directory / f"{base}.md", render(report, "md"), shared=True)
        write_atomic(directory / f"{base}.html", render(report, "html"), shared=True)
    except ReportError as exc:
        raise OSError(str(exc)) from None
    return target
