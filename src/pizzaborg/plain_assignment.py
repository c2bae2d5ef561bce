"""Playing an assignment in plain mode: the trainer's note, the learner's name, the report at the end.

A face (it moved up from ``trainer/``, which holds the domain only): the plain mode's input and output
around the play layer's assignment run (:class:`pizzaborg.play.assignment.AssignmentRun`), which decides
whether a save belongs to the assignment, writes the hand-in and sends it to the LRS.
"""

from __future__ import annotations

from datetime import datetime

from .engine.text import clean
from .engine.times import utcnow
from .plain import PlainSession
from .play import render
from .trainer.assignment import Assignment, AssignmentError, check_learner
from .trainer.report import ReportError


def assignment_intro(assignment: Assignment, now: datetime | None = None) -> str:
    now = now or utcnow()
    lines = [render.rule(f"Assignment: {assignment.cohort}"), ""]
    if assignment.note:
        lines += [render.wrap(f"From your trainer: {assignment.note}"), ""]
    facts = [f"Everyone in the cohort plays the same game (seed {assignment.seed})."]
    if assignment.deadline:
        late = assignment.days_late(now)
        if late is not None and late > 0:
            facts.append(f"The deadline was {assignment.deadline}: your report will show it came in late.")
        else:
            facts.append(f"Hand in your report by {assignment.deadline}.")
    if assignment.mastery is not None:
        facts.append(f"To pass, reach a learning score of {render.fmt_num(round(assignment.mastery * 100, 2))}.")
    facts.append("At the end the game writes your report and tells you which file to hand in.")
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
        for _ in range(3):
            line = self.ask("Your name or learner id (as your trainer knows you) > ")
            if line is None:
                break
            if line.lower() in ("q", "quit", "exit"):  # q quits here as at every other prompt: not a name
                self.say("Quit: nothing was played.")
                self.quit_at_name = True
                return False
            try:
                self.learner = check_learner(line)
                self.session.learner = self.learner
                self.say(f"Welcome, {clean(self.learner)}.")
                return True
            except AssignmentError as exc:
                self.say(f"{exc}.")
        self.say("No name given: nothing was played. Start again when you are ready.")
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
                    f"\nYour report could not be written: {exc}. Your game is saved as 'autosave'; "
                    f"'pizzaborg report autosave --assignment FILE --learner NAME' writes it later."
                )
            else:
                self.say(
                    f"\nYour report could not be written: {exc}. Your game could not be saved either: "
                    "free some space or choose another save folder (--saves-dir) and play again."
                )
            return
        if path is None:
            return
        self.say("")
        self.say(render.rule("Your report"))
        self.say(f"Hand in this file to your trainer:\n  {path}")
        self.say(f"A printable copy to read: {path.with_suffix('.html')}")
        try:
            line = self.session.deliver()
        except ReportError as exc:
            line = f"Your results were not sent to your trainer's LRS: {exc}; hand in the file above."
        if line:
            self.say(render.wrap(line))
