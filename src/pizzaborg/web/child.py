"""One browser session's game: the terminal game under Textual's web driver, run by the class server.

The server starts ``python -m pizzaborg.web.child`` for every connected browser and passes everything
in the environment, all of it made by the server (nothing typed in the browser):

- ``PIZZABORG_SAVES``: '.', the session's own saves folder, which is the working directory (so the
  paths the game shows are short and say nothing about the server);
- ``PIZZABORG_WEB_STORY``: the story folder ('' for the shipped story);
- ``PIZZABORG_LANG``: the browser's language (its Accept-Language, chosen in web/lang.py); an
  assignment's ``language:`` comes before it;
- ``PIZZABORG_WEB_QUOTA_MB`` and ``PIZZABORG_WEB_QUOTA_FILES``: the session folder's quota (web/quota.py);
- ``PIZZABORG_WEB_ASSIGNMENT`` and ``PIZZABORG_WEB_HANDINS``: the assignment file and the trainer's
  hand-ins folder, with ``PIZZABORG_WEB_SESSION`` (the session's id) and ``PIZZABORG_WEB_CREATED``
  (when the session began) for the server record written beside each report.

Nothing may be printed on standard output: it is the channel to the server. A game that cannot start
(an assignment removed during class, a full disk) prints one line on standard error and exits with 2;
a game whose last autosave could not be written (the disk filled during play) says why in one line and
exits with 3. The server turns each into a true message for the page.

The same ``main`` runs in a game forked by the fork server (``web/forkserver.py``), which has called
:func:`preload` once for every game: the story and the assignment are then already read. Everything
taken from the environment is read in ``main``, after the fork.
"""

from __future__ import annotations

import os
import sys

from ..engine.i18n import _
from ..play.session import Session

TYPE_CHECKING = False
if TYPE_CHECKING:
    from datetime import datetime

    from ..play.assignment import AssignmentRun, HandIn


def server_run(
    assignment, hand_ins: str | None, session_id: str, created: str, lms_registration: str | None = None
) -> AssignmentRun:
    """The assignment run of a class-server session: the report goes straight into the trainer's
    hand-ins folder, named by the server (cohort, session id, time), with the server's record beside it;
    the learner is told it is handed in (no path); the server, not the game, deals with any LRS."""
    from ..play.assignment import SERVER_WORDS, AssignmentRun, ReportError
    from ..trainer.files import slug

    def name(finished) -> str:
        return f"{slug(assignment.cohort)}-{session_id}-{finished.strftime('%Y%m%d-%H%M%S')}"

    def record(hand_in: HandIn, started: datetime | None, learner: str) -> None:
        from ..trainer.classrecord import write_record

        write_record(
            hand_in.path,
            session=session_id,
            session_started=created,
            game_started=started.isoformat() if started else None,
            finished=hand_in.finished.isoformat(),
            learner_as_typed=learner,
            lms_registration=lms_registration,
        )
        from .driver import tell_server
        from .lms import HANDED_IN

        tell_server({"type": HANDED_IN, "name": hand_in.path.name})  # the server need not watch the folder

    class ServerRun(AssignmentRun):
        def finish(self, *args, **kwargs) -> HandIn:
            try:
                return super().finish(*args, **kwargs)
            except ReportError as exc:  # the learner is told to tell the trainer: the trainer's terminal says why
                tell_server(f"pizzaborg: session {session_id}: the report could not be handed in: {exc}")
                raise

    return ServerRun(assignment, folder=hand_ins, name=name, record=record, words=SERVER_WORDS, send=False)


def tell_server(line: str) -> None:
    """One line on the game's standard error, which the server shows on its terminal; written to the file
    descriptor itself, as Textual holds ``sys.stderr`` while the game runs."""
    try:
        os.write(2, (line + "\n").encode("utf-8", "replace"))
    except OSError:
        pass


def _app_class():
    from pathlib import Path

    from ..tui import app as tui_app
    from ..tui.app import PizzaBorgApp

    class WebApp(PizzaBorgApp):
        """The terminal game itself; only its style sheet is found from the installed package (what the
        class server does differently is in the session's run: see :func:`server_run`)."""

        CSS_PATH = str(Path(tui_app.__file__).resolve().parent / PizzaBorgApp.CSS_PATH)

        def get_system_commands(self, screen):
            # Screenshot would send a download the class server does not serve: not offered in a browser
            for cmd in super().get_system_commands(screen):
                if cmd.title not in ("Screenshot", _("Screenshot")):
                    yield cmd

        def deliver_screenshot(self, *args, **kwargs) -> None:
            self.notify(_("Screenshots are not available in the browser: use your computer's own screenshot keys."))

        # The server is told whether the game is over (its ending and debrief reached, a resumed game that
        # was over already, or left again by an undo or a new game): a closed page of an ended game then
        # gives its seat back after a short grace instead of the whole reattach grace (web/server.py).
        _told_over: bool | None = None

        def _tell_over(self) -> None:
            game = self.session.game
            over = game is not None and bool(game.over)
            if over != self._told_over:
                from .driver import GAME_OVER, tell_server

                self._told_over = over
                tell_server({"type": GAME_OVER, "over": over})

        def show_debrief(self) -> None:
            super().show_debrief()
            self._tell_over()

        def _after_debrief(self, what: str | None) -> None:
            super()._after_debrief(what)
            self._tell_over()

        def _new_game(self, settings) -> None:
            super()._new_game(settings)
            self._tell_over()

        def _load(self, slot: str | None) -> None:
            super()._load(slot)
            self._tell_over()

    return WebApp


COULD_NOT_START = 2  # exit statuses the server turns into the page's message (web/server.py)
NOT_SAVED = 3  # the game ended but its last autosave could not be written (a full disk)

_preloaded: dict[str, object] = {}  # set once in the fork server, before any game is forked


def preload(story_dir: str | None, assignment_path: str | None) -> None:
    """Read the story and the assignment now (in the fork server), for every game forked later."""
    from ..engine import load_story as load

    _preloaded["story"] = (story_dir, load(story_dir))
    if assignment_path:
        from ..trainer.assignment import load_assignment

        _preloaded["assignment"] = (assignment_path, load_assignment(assignment_path))


def _kept(kind: str, key: str | None):
    found = _preloaded.get(kind)
    return found[1] if isinstance(found, tuple) and found[0] == key else None


def _assignment_language(lang: str, story_dir: str | None) -> None:
    """Play in the assignment's ``language:`` when the game has it (else the browser's stays)."""
    from ..engine import i18n
    from ..play.language import story_languages

    found = i18n.match(lang, set(i18n.available()) | set(story_languages(story_dir)) | {i18n.PSEUDO})
    if found is not None:
        i18n.use(found)


def main() -> int:
    from ..engine.errors import PizzaBorgError

    try:
        return _main()
    except (OSError, PizzaBorgError) as exc:  # an assignment or story that cannot be read; ENOSPC
        print(f"pizzaborg: the game could not start: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
        return COULD_NOT_START


def _main() -> int:
    env = os.environ
    from ..engine.i18n import use

    use(env.get("PIZZABORG_LANG") or None)  # the browser's language, chosen by the server
    if env.get("PIZZABORG_WEB_PARENT", "").isdigit():  # started by the server itself: leave when it does
        from .forkserver import die_with_parent

        die_with_parent(int(env["PIZZABORG_WEB_PARENT"]))
    story_dir = env.get("PIZZABORG_WEB_STORY") or None
    assignment = None
    if env.get("PIZZABORG_WEB_ASSIGNMENT"):
        from ..trainer.assignment import load_assignment

        assignment = _kept("assignment", env["PIZZABORG_WEB_ASSIGNMENT"]) or load_assignment(
            env["PIZZABORG_WEB_ASSIGNMENT"]
        )
        if assignment.language and not env.get("PIZZABORG_WEB_LANG_FIXED"):
            # the assignment's language comes before the browser's, after the server's --lang (issue 21 §5)
            _assignment_language(assignment.language, story_dir)

    def load_story():
        from ..engine import load_story as load

        story = _kept("story", story_dir) or load(story_dir)
        if assignment is not None:
            assignment.check_story(story)
        from ..play.language import story_in

        return story_in(story)  # in the browser's language, by the story's ids (same hash: reports verify)

    run = None
    # launched from an LMS (web/cmi5.py): its learner plays; Browse and Review record nothing (cmi5 10.2.2)
    lms_learner = env.get("PIZZABORG_WEB_LMS_LEARNER") or None
    recording = lms_learner is None or env.get("PIZZABORG_WEB_LMS_MODE") == "Normal"
    if assignment is not None and recording:
        run = server_run(
            assignment,
            env.get("PIZZABORG_WEB_HANDINS") or None,
            env.get("PIZZABORG_WEB_SESSION", ""),
            env.get("PIZZABORG_WEB_CREATED", ""),
            env.get("PIZZABORG_WEB_LMS_REGISTRATION") or None,
        )
    from .quota import Quota

    quota = Quota.from_env(env)  # the session folder's quota: named saves and kept autosaves
    session = Session(
        None,
        env.get("PIZZABORG_SAVES") or None,
        seed=assignment.seed if assignment else None,
        run=run,
        room=quota.room if quota is not None else None,
    )
    session.identity = lms_learner
    app = _app_class()(session, theme=env.get("PIZZABORG_THEME") or None, load_story=load_story)
    try:
        app.run()
    finally:
        session.quit()  # the autosave: a closed tab, an idle timeout or q all keep the game
    if app.startup_error is not None:
        print(f"pizzaborg: {app.startup_error}", file=sys.stderr)
        return COULD_NOT_START
    if session.save_problem is not None and session.game is not None and session.game.decisions:
        # a full disk: one line for the trainer, and the server tells the learner what is (not) saved
        print(f"pizzaborg: session {env.get('PIZZABORG_WEB_SESSION', '')}: {session.save_problem}", file=sys.stderr)
        return NOT_SAVED
    return 0


if __name__ == "__main__":
    sys.exit(main())
