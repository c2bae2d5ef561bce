"""One assignment run: whether a save belongs to it, finishing (the hand-in), and delivery to the LRS.

Every face that plays an assignment (the terminal UI, plain mode, ``play --assignment``, the class
server) drives this one class, so each rule has one home:

- a save belongs to the assignment when it was played with the assignment's seed AND its story's
  content hash (:meth:`AssignmentRun.belongs`); nothing else decides it;
- :meth:`AssignmentRun.finish` writes the report and returns a :class:`HandIn`, the path and the report
  object together: the xAPI statements are built from the object, never from a read-back of the file;
- :meth:`AssignmentRun.deliver` sends a hand-in's statements to the LRS through the outbox, and
  :meth:`AssignmentRun.retry_pending` sends what earlier games left there.

The class server passes what differs as parameters instead of subclassing a session: its hand-ins
``folder``, a ``name`` for the file, a ``record`` hook that writes its record beside the report, and its
own ``words`` for the learner (no path to show: the report is already with the trainer).

Plain Python: the trainer tools are imported on first use (the title screen does not wait for them).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from ..engine.i18n import N_, _
from ..engine.times import utcnow

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from ..engine import Game
    from ..engine.saves import SaveData
    from ..trainer.assignment import Assignment

    # what __getattr__ below returns, for the type checker
    from ..trainer.assignment import AssignmentError as AssignmentError
    from ..trainer.assignment import check_learner as check_learner
    from ..trainer.report import ReportError as ReportError


class HandIn:
    """A report written at the end of an assignment's game: ``path`` (the JSON file to hand in) and
    ``report`` (the dict written to it, from which the xAPI statements are built)."""

    __slots__ = ("path", "report", "finished")

    def __init__(self, path: Path, report: dict, finished: datetime) -> None:
        self.path, self.report, self.finished = path, report, finished

    def __repr__(self) -> str:
        return f"HandIn({str(self.path)!r})"


class HandInWords:
    """What a face tells the learner about the hand-in. ``note`` may name ``{path}``; ``failed`` ``{exc}``.
    The words are marked with N_ and translated where they are shown (``_(words.failed)``)."""

    __slots__ = ("note", "written", "failed", "show_path")

    def __init__(
        self,
        note: str = N_("Hand in this file to your trainer:\n{path}"),
        written: str = N_("Your report for the trainer is written: the debrief says which file to hand in."),
        failed: str = N_("Your report could not be written: {exc}"),
        show_path: bool = True,
    ) -> None:
        self.note, self.written, self.failed, self.show_path = note, written, failed, show_path


#: The class server's words: the report is already with the trainer; no server path is shown.
SERVER_WORDS = HandInWords(
    note=N_("Your report is handed in: the class server gave it to your trainer. Nothing else to send."),
    written=N_("Your report is handed in: your trainer has it. Nothing else to send."),
    failed=N_("Your report could not be handed in: tell your trainer."),
    show_path=False,
)


class AssignmentRun:
    """An assignment played by one learner, wherever it is played.

    ``folder``: where reports go (default ``<saves_dir>/reports``); ``name``: the file name (without
    extension) for a report finished at a given time (default: cohort, learner, time); ``record``: called
    with the hand-in, when the game started and the learner as typed, once the report is written (the
    class server's record; an OSError from it is a ReportError); ``send``: whether this face sends to the
    assignment's LRS itself (the class server does not)."""

    def __init__(
        self,
        assignment: Assignment,
        *,
        folder: str | Path | None = None,
        name: Callable[[datetime], str] | None = None,
        record: Callable[[HandIn, datetime | None, str], None] | None = None,
        words: HandInWords | None = None,
        send: bool = True,
    ) -> None:
        self.assignment = assignment
        self.folder = Path(folder) if folder is not None else None
        self.name = name
        self.record = record
        self.words = words or HandInWords()
        self.send = send

    @property
    def seed(self) -> int:
        return self.assignment.seed

    @property
    def lrs(self) -> bool:
        """Whether this face sends the results to an LRS."""
        return bool(self.send and getattr(self.assignment, "lrs", None))

    # ---- the one rule: does a save belong to this assignment ----------------------------------
    def belongs(self, save: SaveData) -> bool:
        """A save (engine.saves.SaveData) belongs to the assignment when it was played with its seed and
        its story (the content hash the assignment pins)."""
        return save.seed == self.assignment.seed and save.story.get("hash") == self.assignment.story["hash"]

    def check(self, save: SaveData) -> None:
        """Raise SaveError with one line when ``save`` does not belong to the assignment."""
        if not self.belongs(save):
            from ..engine.saves import SaveError

            if save.seed != self.assignment.seed:
                why = _("it was played with seed {seed}, not the assignment's seed {wanted}").format(
                    seed=save.seed, wanted=self.assignment.seed
                )
            else:
                why = _("it was played with another version of the story")
            raise SaveError(_("'{slot}' is not a game of this assignment ({why})").format(slot=save.slot, why=why))

    # ---- finishing ---------------------------------------------------------------------------
    def finish(
        self,
        game: Game,
        learner: str,
        saves_dir: str | Path,
        started: datetime | None = None,
        times: list | None = None,
        finished: datetime | None = None,
        undo_times: list | None = None,
    ) -> HandIn:
        """Write the learner's report (JSON to hand in, HTML beside it) and return the hand-in. Raises the
        trainer tools' ReportError when it cannot be written (or recorded)."""
        from ..trainer.formats import write_hand_in
        from ..trainer.report import ReportError

        finished = finished or utcnow()
        name = self.name(finished) if self.name is not None else None
        path, report = write_hand_in(
            game,
            self.assignment,
            learner,
            saves_dir,
            started=started,
            finished=finished,
            times=times,
            folder=self.folder,
            name=name,
            undo_times=undo_times,
        )
        hand_in = HandIn(path, report, finished)
        if self.record is not None:
            try:
                self.record(hand_in, started, learner)
            except OSError as exc:
                raise ReportError(f"the class server could not record the hand-in: {exc.strerror or exc}") from None
        return hand_in

    def note(self, hand_in: HandIn | None) -> str | None:
        """What the debrief says about the hand-in (None before there is one)."""
        if hand_in is None:
            return None
        return _(self.words.note).format(path=hand_in.path)

    # ---- the LRS -----------------------------------------------------------------------------
    def deliver(self, hand_in: HandIn, saves_dir: str | Path) -> str | None:
        """Send the hand-in's statements to the assignment's LRS (kept in the outbox until it took them).
        One line for the learner, or None when there is no LRS to send to."""
        if not self.lrs:
            return None
        from ..trainer.send import deliver

        return deliver(hand_in.report, self.assignment, saves_dir)

    def retry_pending(self, saves_dir: str | Path) -> str | None:
        """Send what earlier games of an assignment for the same LRS left in the outbox. One line, or None."""
        if not self.lrs:
            return None
        from ..trainer.send import retry_pending

        return retry_pending(self.assignment, saves_dir)


# What the terminal UI needs of the trainer's domain, reached through this layer (the import contracts
# forbid tui/ to import trainer/): imported on first use, so the title screen does not wait for them.
_FROM_TRAINER = {"AssignmentError": "assignment", "check_learner": "assignment", "ReportError": "report"}


def __getattr__(name: str) -> object:
    module = _FROM_TRAINER.get(name)
    if module is None:
        raise AttributeError(f"module '{__name__}' has no attribute '{name}'")
    import importlib

    value = getattr(importlib.import_module(f"..trainer.{module}", __package__), name)
    globals()[name] = value
    return value
