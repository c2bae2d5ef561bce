"""Playing an assignment in plain mode: the trainer's note, the learner's name, the report at the end."""

from __future__ import annotations

from datetime import datetime, timezone

from .. import render
from ..engine import saves as S
from ..engine.text import clean
from ..plain import PlainSession
from .assignment import Assignment, AssignmentError, check_learner
from .formats import finish_assignment
from .report import ReportError, parse_iso


def assignment_intro(assignment: Assignment, now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
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
    def __init__(self, story, saves_dir, assignment: Assignment, load: str | None = None, learner: str | None = None,
                 stdin=None, stdout=None):
        super().__init__(story, saves_dir, seed=assignment.seed, load=load, stdin=stdin, stdout=stdout)
        self.assignment = assignment
        self.mastery = assignment.mastery
        self.learner = learner
        self.started = datetime.now(timezone.utc).replace(microsecond=0)
        self.reported: tuple | None = None
        self.report_path = None
        self.quit_at_name = False  # q at the name prompt: the learner left, not an error

    def run(self) -> int:
        self.say(assignment_intro(self.assignment))
        self.say("")
        if self.assignment.lrs:
            from .send import retry_pending

            note = retry_pending(self.assignment, self.dir)
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
                self.say(f"Welcome, {clean(self.learner)}.")
                return True
            except AssignmentError as exc:
                self.say(f"{exc}.")
        self.say("No name given: nothing was played. Start again when you are ready.")
        return False

    def load(self, name: str) -> bool:
        try:
            info = S.read_save(self.dir, name)
        except S.SaveError as exc:
            self.say(f"Cannot load: {exc}")
            return False
        if info.seed != self.assignment.seed or info.story.get("hash") != self.assignment.story["hash"]:
            self.say(f"Cannot load: '{clean(name)}' is not a game of this assignment (it was played with seed {info.seed}).")
            return False
        if not super().load(name):
            return False
        self.started = parse_iso(info.created) or self.started
        if self.learner is None and not self.ask_learner():
            return False
        self.maybe_finish()
        return True

    def choose(self, n: int) -> None:
        super().choose(n)
        self.maybe_finish()

    def autosave(self) -> bool:
        self.autosaved = super().autosave()
        return self.autosaved

    def maybe_finish(self) -> None:
        if self.game is None or not self.game.over:
            return
        key = tuple((d.scene, d.choice) for d in self.game.decisions)
        if key == self.reported:
            return
        try:
            path = finish_assignment(self.game, self.assignment, self.learner, self.dir, started=self.started,
                                     times=self.times)
        except ReportError as exc:
            if getattr(self, "autosaved", False):
                self.say(f"\nYour report could not be written: {exc}. Your game is saved as 'autosave'; "
                         f"'pizzaborg report autosave --assignment FILE --learner NAME' writes it later.")
            else:
                self.say(f"\nYour report could not be written: {exc}. Your game could not be saved either: "
                         "free some space or choose another save folder (--saves-dir) and play again.")
            return
        self.reported = key
        self.report_path = path
        self.say("")
        self.say(render.rule("Your report"))
        self.say(f"Hand in this file to your trainer:\n  {path}")
        self.say(f"A printable copy to read: {path.with_suffix('.html')}")
        if self.assignment.lrs:
            from .report import read_json_file
            from .send import deliver

            try:
                line = deliver(read_json_file(path), self.assignment, self.dir)
            except ReportError as exc:
                line = f"Your results were not sent to your trainer's LRS: {exc}; hand in the file above."
            self.say(render.wrap(line))
