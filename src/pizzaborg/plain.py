"""Plain line mode: the whole game as lines of text on stdin/stdout (screen readers, dumb terminals).

Commands at the prompt: a number chooses (in a portfolio scene several: ``2 5 7``), ``u`` undo,
``s`` save, ``l`` load, ``h`` history, ``k`` the numbers, ``?`` help, ``q`` quit (autosaves): the keys of
the terminal UI (``render.KEYS``). End of input counts as ``q``.

A face only: reading lines and printing words. The session (decisions and their times, undo, saves,
the autosave, "continue", an assignment's saves and hand-in) is :class:`pizzaborg.play.session.Session`,
the one the terminal UI and the class server drive too.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .engine import Game, GameError, Outcome, SceneView
from .engine import saves as S
from .engine.i18n import _, ngettext, pgettext
from .engine.text import clean
from .play import render
from .play.session import Session


def help_text() -> str:
    """The commands, from the keys both faces share (render.KEYS)."""
    lines = [_("Commands (the same keys as in the terminal UI):")]
    for key, what, where in render.KEYS:
        if where == "tui":
            continue
        what = _(what)
        if key == "Enter":
            key = pgettext("key", "Enter")
        if key == "s":
            what = _("save (s NAME saves under NAME; without a name it asks)")
        elif key == "l":
            what = _("load a saved game (l NAME; without a name it lists them)")
        elif key == "1-9":
            key, what = _("A number"), _("make that choice")
            lines.append(render.item(_("{key}: {what}.").format(key=key, what=what), "  ", "    "))
            key, what = (
                _("Several numbers, such as 2 5 7"),
                _("where a scene asks you to pick several: those choices together"),
            )
        lines.append(render.item(_("{key}: {what}.").format(key=key, what=what), "  ", "    "))
    return "\n".join(lines)


class PlainSession:
    def __init__(
        self,
        story,
        saves_dir: Path,
        seed: int | None = None,
        load: str | None = None,
        stdin=None,
        stdout=None,
        assignment=None,
    ):
        self.story = story
        self.session = Session(story, Path(saves_dir), seed=seed, assignment=assignment)
        self.inp = stdin or sys.stdin
        self.out = stdout or sys.stdout
        self.seed = seed
        self.load_slot = load
        self.learner: str | None = None  # the name to start a new game with (an assignment asks for it)
        self.mastery: float | None = None  # the pass mark (0-1] of an assignment, shown in the debrief

    # ---- the session's state, read by the face ----------------------------------------------
    @property
    def dir(self) -> Path:
        return self.session.dir

    @property
    def game(self) -> Game:
        """The game being played (the session's; there is one from the start of :meth:`run`)."""
        return self.session.current

    @property
    def scene(self) -> SceneView:
        """The scene waiting for a choice: asked for only while the game is not over."""
        scene = self.game.scene
        if scene is None:
            raise RuntimeError("the game is over: no scene waits for a choice")
        return scene

    @property
    def times(self) -> list:
        return self.session.times

    @property
    def loaded_from(self) -> str | None:
        return self.session.loaded_from

    def say_notes(self) -> None:
        """The session's notes for the player (an autosave that failed, an older autosave kept), in brackets."""
        for note in self.session.notes:
            self.say(f"({note})")
        self.session.notes.clear()

    # ---- io ----------------------------------------------------------------------------------
    def say(self, text: str = "") -> None:
        """Write ``text``; a line longer than the width is wrapped at word boundaries (a path or a
        long word stays whole on a line of its own). The edge: the text is cleaned, so nothing from a
        story, a save or a file drives the terminal."""
        text = clean(text)
        if any(len(line) > render.WIDTH for line in text.split("\n")):
            import textwrap  # only for the rare long line

            def fill(line: str) -> str:
                indent = line[: len(line) - len(line.lstrip())]
                return textwrap.fill(
                    line.lstrip(),
                    render.WIDTH,
                    initial_indent=indent,
                    subsequent_indent=indent + "  ",
                    break_long_words=False,
                    break_on_hyphens=False,
                )

            text = "\n".join(line if len(line) <= render.WIDTH else fill(line) for line in text.split("\n"))
        self.out.write(text + "\n")
        self.out.flush()

    def ask(self, prompt: str) -> str | None:
        self.out.write(prompt)
        self.out.flush()
        line = self.inp.readline()
        if not line:
            self.say()
            return None
        return line.strip()

    # ---- flow --------------------------------------------------------------------------------
    def play(self) -> int:
        """Run the session; ctrl+c leaves like q does (with an autosave), exit code 130."""
        try:
            return self.run()
        except KeyboardInterrupt:
            self.say("")
            self.quit()
            return 130

    def run(self) -> int:
        if self.load_slot:
            if not self.load(self.load_slot):
                return 2
        else:
            self.new_game()
        self.show_scene()
        while True:
            if self.game.over:
                self.say(
                    "\n"
                    + _("The game is over. u undoes the last decision, h shows the history, l loads a game, q quits.")
                )
            n = len(self.scene.choices) if not self.game.over else 0
            pick = self.game.pick
            if pick is not None:
                many = str(pick[0]) if pick[0] == pick[1] else _("{low} to {high}").format(low=pick[0], high=pick[1])
                example = " ".join(str(i) for i in range(1, pick[1] + 1))
                prompt = "\n" + _("Pick {many} of 1-{n} (e.g. {example}), or ? for help > ").format(
                    many=many, n=n, example=example
                )
            elif n == 1:
                prompt = "\n" + _("Type 1 to go on, or ? for help > ")
            else:
                prompt = "\n" + _("Choose 1 to {n}, or ? for help > ").format(n=n) if n else "> "
            line = self.ask(prompt)
            if line is None or line.lower() in ("q", "quit", "exit"):
                self.quit()
                return 0
            self.command(line)

    def new_game(self) -> None:
        self.session.new_game(learner=self.learner)
        self.say(render.title_block(self.game))
        self.hint_autosave()
        self.say("")
        self.say(render.round_intro(self.game))

    def hint_autosave(self) -> None:
        """The game "continue" would take up (the session's one rule): how to load it."""
        latest = self.session.latest_autosave()
        if latest is not None and latest.save is not None:  # latest_autosave gives only readable saves
            month = latest.save.summary.get("round", "?")
            self.say(
                _("You have an unfinished game (month {month}): type l {slot} to continue it.").format(
                    month=month, slot=clean(latest.slot)
                )
            )

    def show_scene(self) -> None:
        if self.game.over:
            self.say(render.ending_block(self.game, self.mastery, self.session.undo_mode))
            return
        self.say(render.scene_block(self.scene))

    def command(self, line: str) -> None:
        word, _sep, arg = line.partition(" ")
        word = word.lower()
        arg = arg.strip()
        numbers = line.replace("+", " ").replace(",", " ").split()
        if len(numbers) > 1 and all(n.isascii() and n.isdigit() for n in numbers):
            self.choose_many([int(n) for n in numbers])
        elif word.isascii() and word.isdigit():
            self.choose(int(word))
        elif word in ("u", "undo"):
            self.undo()
        elif word in ("s", "save"):
            self.save(arg)
        elif word in ("l", "load"):
            self.load_prompt(arg)
        elif word in ("k", "numbers"):
            self.say(render.numbers_block(self.game, self.session.undo_mode))
        elif word in ("h", "history"):
            self.say(render.history_block(self.game))
        elif word in ("?", "help"):
            self.say(help_text())
        elif word == "":  # never a choice: a second Enter pressed fast must not pick the next scene unread
            n = 0 if self.game.over else len(self.scene.choices)
            if n == 1:
                self.say(_("An empty line chooses nothing: type 1 and Enter."))
            elif n:
                self.say(_("An empty line chooses nothing: type a number from 1 to {n} and Enter.").format(n=n))
            else:
                self.say(_("Type u, h, l or q, or ? for help."))
        else:
            self.say(
                _("'{line}' is not a command. Type a number to choose, or ? for help.").format(line=clean(line)[:40])
            )

    def choose(self, n: int) -> None:
        self.choose_many([n])

    def choose_many(self, numbers: list) -> None:
        """One number, or several in a portfolio scene."""
        game = self.game
        if game.over:
            self.say(_("The game is over: there is nothing to choose. u undoes, q quits."))
            return
        count = len(self.scene.choices)
        bad = [n for n in numbers if not 1 <= n <= count]
        if bad:
            self.say(_("There is no choice {n} here: pick 1 to {count}.").format(n=bad[0], count=count))
            return
        if game.pick is None and len(numbers) > 1:
            self.say(_("Pick one choice here: 1 to {count}.").format(count=count))
            return
        offered = game.offered()
        for n in numbers:
            why = game.reason(offered[n - 1])
            if why:
                self.say(_("Choice {n} is not available: {why}.").format(n=n, why=why))
                return
        before_round = game.round_id
        try:
            outcome = self.session.choose_numbers(numbers, autosave=False)
        except GameError as exc:  # e.g. too few or too many picks, or more than the capacity left
            self.say(_("Not possible: {why}.").format(why=exc))
            return
        self.show_outcome(outcome, before_round)
        self.autosave()

    def show_outcome(self, outcome: Outcome, before_round: str) -> None:
        block = render.outcome_block(self.game, outcome)
        if block:
            self.say(block)
        if outcome.round_end:
            self.say(render.round_block(self.game, outcome.round_end))
        if not self.game.over and self.game.round_id != before_round:
            self.say("")
            self.say(render.round_intro(self.game))
        self.show_scene()

    def undo(self) -> None:
        if not self.session.undo():  # the session autosaves
            self.say(self.session.why_no_undo() or _(render.NO_UNDO_YET))
            return
        self.say(self.session.undone_line())
        self.say_notes()
        self.show_scene()

    # ---- saving ------------------------------------------------------------------------------
    def autosave(self) -> bool:
        """Write the autosave; True when it was written (a failure is said, once, here)."""
        written = self.session.autosave() is not None
        self.say_notes()
        return written

    def save(self, name: str) -> None:
        if not name:
            given = self.ask(_("Save as (a name, Enter for 'save1') > "))
            if given is None:
                return
            name = given or "save1"
        try:
            if self.session.needs_overwrite_confirmation(name):
                answer = self.ask(_("'{name}' exists. Overwrite it? (y/N) > ").format(name=name))
                if (answer or "").lower() not in ("y", "yes", _("y"), _("yes")):
                    self.say(_("Not saved."))
                    return
            path = self.session.save(name)
        except S.SaveError as exc:
            self.say(_("Not saved: {why}").format(why=exc))
            return
        self.say(_("Saved as '{name}' ({path}).").format(name=name, path=path))

    def load_prompt(self, name: str) -> None:
        if not name:
            infos = S.list_saves(self.dir)
            if not infos:
                self.say(_("No saved games in {folder}.").format(folder=self.dir))
                return
            self.say(_("Saved games in {folder}:").format(folder=self.dir))
            for info in infos:
                if info.save:
                    sm = info.save.summary
                    if sm.get("over"):
                        state = _("ending {ending}").format(ending=sm.get("ending"))
                    else:
                        state = _("month {month}").format(month=sm.get("round", "?"))
                    score = sm.get("score")
                    if isinstance(score, (int, float)):
                        state += _(", score {score}").format(score=render.fmt_num(score))
                    self.say(f"  {clean(info.slot)}  ({info.save.updated[:16].replace('T', ' ')}, {state})")
                else:
                    self.say(f"  {clean(info.slot)}  " + _("(unreadable: {why})").format(why=info.error))
            given = self.ask(_("Load which? (Enter to cancel) > "))
            if not given:
                return
            name = given
        if self.load(name):
            self.show_scene()

    def load(self, name: str) -> bool:
        try:
            warning = self.session.load(name)
        except S.SaveError as exc:
            self.say(_("Cannot load: {why}").format(why=exc))
            return False
        self.learner = self.session.learner
        self.say(
            ngettext(
                "Loaded '{name}': seed {seed}, {n} decisions.",
                "Loaded '{name}': seed {seed}, {n} decisions.",
                len(self.game.decisions),
            ).format(name=clean(name), seed=self.game.seed, n=len(self.game.decisions))
        )
        if warning:
            self.say(_("Note: {warning}").format(warning=warning))
        if not self.game.over:
            self.say(render.round_intro(self.game))
        return True

    def quit(self) -> None:
        if self.session.game is not None and self.session.game.decisions:
            if self.autosave():
                self.say(
                    _("Goodbye. Your game is saved in {path}.").format(path=clean(str(self.session.autosave_path)))
                )
            else:
                self.say(_("Goodbye. Your game could NOT be saved (see the message above)."))
        else:
            self.say(_("Goodbye."))
