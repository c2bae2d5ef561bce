"""Playing an assignment in plain mode: the trainer's note, the learner's name, the report at the end.

A face (it moved up from ``trainer/``, which holds the domain only): the plain mode's input and output
around the play layer's assignment run (:class:`pizzaborg.play.assignment.AssignmentRun`), which decides
whether a save belongs to the assignment, writes the hand-in and sends it to the LRS.
"""

from __future__ import annotations

from datetime import datetime

from .engine.i18n import _
from .engine.text import clean
from .engine.times import utcnow
from .plain import PlainSession
from .play import render
from .trainer.assignment import Assignment, AssignmentError, check_learner
from .trainer.report import ReportError


def assignment_intro(assignment: Assignment, now: datetime | None = None) -> str:
    now = now or utcnow()
    lines = [render.rule(_("Assignment: {cohort}").format(cohort=assignment.cohort)), ""]
    if assignment.note:
        lines += [render.wrap(_("From your trainer: {note}").format(note=assignment.note)), ""]
    facts = [_("Everyone in the cohort plays the same game (seed {seed}).").format(seed=assignment.seed)]
    if assignment.deadline:
        late = assignment.days_late(now)
        if late is not None and late > 0:
            facts.append(
                _("The deadline was {deadline}: your report will show it came in late.").format(
                    deadline=assignment.deadline
                )
            )
        else:
            facts.append(_("Hand in your report by {deadline}.").format(deadline=assignment.deadline))
    if assignment.mastery is not None:
        facts.append(
            _("To pass, reach a learning score of {score}.").format(
                score=render.fmt_num(round(assignment.mastery * 100, 2))
            )
        )
    facts.append(_("At the end the game writes your report and tells you which file to hand in."))
    lines.append(render.wrap(" ".join(facts)))
    return "\n".join(lines)


class AssignmentSession(PlainSession):
    def __init__(
        self,
        story,
        saves_dir,
        assignment: Assignment,
        load: str | None = None,
        learner: str | None = None,
        stdin=None,
        stdout=None,
    ):
        super().__init__(
            story, saves_dir, seed=assignment.seed, load=load, stdin=stdin, stdout=stdout, assignment=assignment
        )
        self.assignment = assignment
        self.mastery = assignment.mastery
        self.quit_at_name = False  # q at the name prompt: the learner left, not an error
        self.learner = learner
        self.autosaved = False

    def run(self) -> int:
        self.say(assignment_intro(self.assignment))
        self.say("")
        note = self.session.retry_pending()
        if note:
            self.say(render.wrap(note))
            self.say("")
        if self.load_slot is None and self.learner is None and not self.ask_learner():
            return 0 if self.quit_at_name else 2
        return super().run()

    def ask_learner(self) -> bool:
        for _attempt in range(3):
            line = self.ask(_("Your name or learner id (as your trainer knows you) > "))
            if line is None:
                break
            if line.lower() in ("q", "quit", "exit"):  # q quits here as at every other prompt: not a name
                self.say(_("Quit: nothing was played."))
                self.quit_at_name = True
                return False
            try:
                self.learner = check_learner(line)
                self.session.learner = self.learner
                self.say(_("Welcome, {name}.").format(name=clean(self.learner)))
                return True
            except AssignmentError as exc:
                self.say(f"{exc}.")
        self.say(_("No name given: nothing was played. Start again when you are ready."))
        return False

    def load(self, name: str) -> bool:
        if not super().load(name):  # the session refuses a save that is not a game of this assignment
            return False
        if self.learner is None and not self.ask_learner():
            return False
        self.maybe_finish()
        return True

    def choose_many(self, numbers: list) -> None:
        super().choose_many(numbers)
        self.maybe_finish()

    def autosave(self) -> bool:
        self.autosaved = super().autosave()
        return self.autosaved

    def maybe_finish(self) -> None:
        """At the game's end, once (the session forgets the hand-in on undo, load or a new game)."""
        if self.game is None or not self.game.over or self.session.hand_in is not None:
            return
        try:
            path = self.session.finish_assignment()
        except ReportError as exc:
            if self.autosaved:
                self.say(
                    "\n"
                    + _(
                        "Your report could not be written: {why}. Your game is saved as 'autosave'; "
                        "'pizzaborg report autosave --assignment FILE --learner NAME' writes it later."
                    ).format(why=exc)
                )
            else:
                self.say(
                    "\n"
                    + _(
                        "Your report could not be written: {why}. Your game could not be saved either: "
                        "free some space or choose another save folder (--saves-dir) and play again."
                    ).format(why=exc)
                )
            return
        if path is None:
            return
        self.say("")
        self.say(render.rule(_("Your report")))
        self.say(_("Hand in this file to your trainer:\n  {path}").format(path=path))
        self.say(_("A printable copy to read: {path}").format(path=path.with_suffix(".html")))
        try:
            line = self.session.deliver()
        except ReportError as exc:
            line = _("Your results were not sent to your trainer's LRS: {why}; hand in the file above.").format(why=exc)
        if line:
            self.say(render.wrap(line))
