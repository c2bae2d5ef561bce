"""One browser session's game: the terminal game under Textual's web driver, run by the class server.

The server starts ``python -m pizzaborg.web.child`` for every connected browser and passes everything
in the environment, all of it made by the server (nothing typed in the browser):

- ``PIZZABORG_SAVES``: '.', the session's own saves folder, which is the working directory (so the
  paths the game shows are short and say nothing about the server);
- ``PIZZABORG_WEB_STORY``: the story folder ('' for the shipped story);
- ``PIZZABORG_WEB_ASSIGNMENT`` and ``PIZZABORG_WEB_HANDINS``: the assignment file and the trainer's
  hand-ins folder, with ``PIZZABORG_WEB_SESSION`` (the session's id) and ``PIZZABORG_WEB_CREATED``
  (when the session began) for the server record written beside each report.

Nothing may be printed on standard output: it is the channel to the server.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timezone

from ..play.session import Session


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


class WebSession(Session):
    """A session whose assignment report goes straight into the trainer's hand-ins folder, named by the
    server (cohort, session id, time), with the class server's record beside it."""

    def __init__(self, *args, hand_ins=None, session_id: str = "", created: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.hand_ins = hand_ins
        self.session_id = session_id
        self.created = created

    @property
    def hand_in_note(self) -> str | None:
        if self.handed_in is None:
            return None
        return "Your report is handed in: the class server gave it to your trainer. Nothing else to send."

    def finish_assignment(self):
        if self.assignment is None or self.game is None or not self.game.over or not self.learner:
            return None
        if self.handed_in is None:
            from ..trainer.classrecord import write_record
            from ..trainer.files import slug
            from ..trainer.formats import finish_assignment
            from ..trainer.report import ReportError

            finished = _now()
            name = f"{slug(self.assignment.cohort)}-{self.session_id}-{finished.strftime('%Y%m%d-%H%M%S')}"
            path = finish_assignment(self.game, self.assignment, self.learner, self.dir, started=self.started,
                                     finished=finished, times=self.times, folder=self.hand_ins, name=name)
            try:
                write_record(path, session=self.session_id, session_started=self.created,
                             game_started=self.started.isoformat() if self.started else None,
                             finished=finished.isoformat(), learner_as_typed=self.learner)
            except OSError as exc:
                raise ReportError(f"the class server could not record the hand-in: {exc.strerror or exc}") from None
            self.handed_in = path
        return self.handed_in


def _app_class():
    from pathlib import Path

    from ..tui import app as tui_app
    from ..tui.app import PizzaBorgApp

    class WebApp(PizzaBorgApp):
        """The terminal game; at the end of an assignment it says the report is with the trainer (the
        learner has no file to hand in, and no server path is shown in the browser)."""

        CSS_PATH = str(Path(tui_app.__file__).resolve().parent / PizzaBorgApp.CSS_PATH)

        def _hand_in(self) -> None:
            from ..trainer import ReportError

            if not self.session.learner:
                return super()._hand_in()
            fresh = self.session.handed_in is None
            try:
                self.session.finish_assignment()
            except ReportError:
                self.notify("Your report could not be handed in: tell your trainer.", severity="error", timeout=20)
                return
            if fresh:
                self.notify("Your report is handed in: your trainer has it. Nothing else to send.", timeout=20)

    return WebApp


def main() -> int:
    env = os.environ
    story_dir = env.get("PIZZABORG_WEB_STORY") or None
    assignment = None
    if env.get("PIZZABORG_WEB_ASSIGNMENT"):
        from ..trainer.assignment import load_assignment

        assignment = load_assignment(env["PIZZABORG_WEB_ASSIGNMENT"])

    def load_story():
        from ..engine import load_story as load

        story = load(story_dir)
        if assignment is not None:
            assignment.check_story(story)
        return story

    session = WebSession(None, env.get("PIZZABORG_SAVES") or None, seed=assignment.seed if assignment else None,
                         assignment=assignment, hand_ins=env.get("PIZZABORG_WEB_HANDINS") or None,
                         session_id=env.get("PIZZABORG_WEB_SESSION", ""), created=env.get("PIZZABORG_WEB_CREATED", ""))
    app = _app_class()(session, theme=env.get("PIZZABORG_THEME") or None, load_story=load_story)
    try:
        app.run()
    finally:
        session.quit()  # the autosave: a closed tab, an idle timeout or q all keep the game
    if app.startup_error is not None:
        print(f"pizzaborg: {app.startup_error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
