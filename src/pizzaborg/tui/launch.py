"""Starting the terminal game: checks that need no Textual first, then the app.

A bare ``pizzaborg`` comes here. Without a terminal it explains ``--plain`` and ``play``; a bad
``--load`` is a one-line message before the screen changes; q, ctrl+c, SIGTERM and a closed
terminal (SIGHUP) all leave an autosave.
"""

from __future__ import annotations

import os
import signal
import sys

from ..engine.i18n import N_, _
from ..engine.notes import is_warning

NOT_A_TERMINAL = N_(
    "the terminal game needs a terminal (stdin and stdout must be a TTY). "
    "Use 'pizzaborg --plain' to play as plain lines of text, or "
    "'pizzaborg play --choices 1,2,...' for scripted play (see 'pizzaborg --help')"
)


WEB_DRIVER = "textual.drivers.web_driver:WebDriver"  # what textual-serve sets in $TEXTUAL_DRIVER


def need_terminal(stdin=None, stdout=None, environ=None) -> str | None:
    """The message to print when the game cannot start a terminal UI here, else None. Under Textual's
    web driver (a browser through textual-serve) the pipes are the screen: no terminal is needed."""
    if (os.environ if environ is None else environ).get("TEXTUAL_DRIVER") == WEB_DRIVER:
        return None
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    try:
        ok = stdin.isatty() and stdout.isatty()
    except (AttributeError, ValueError):
        ok = False
    return None if ok else _(NOT_A_TERMINAL)


def starting_theme() -> str | None:
    """$PIZZABORG_THEME, else the theme the player picked last time (settings.py), else None."""
    from .. import settings

    return os.environ.get("PIZZABORG_THEME") or settings.load().get("theme") or None


def run_tui(load_story, saves_dir=None, seed: int | None = None, load: str | None = None, assignment=None) -> int:
    """Run the game. ``load_story`` is a callable returning the story (its errors propagate as they
    are). Without ``load`` the story is read once the title screen is on the terminal, so that the
    screen appears as fast as Textual allows; with ``load`` both are read before the screen changes.
    ``assignment`` (from the trainer tools) fixes the seed, asks for the learner's name and writes the
    report to hand in when the game ends."""
    from ..play.session import Session

    session = Session(None, saves_dir, seed=seed, assignment=assignment)
    if load:
        from ..engine import saves as S

        session.story = load_story()
        try:
            warning = session.load(load)
        except S.SaveError as exc:
            print("pizzaborg: " + _("cannot load: {error}").format(error=exc), file=sys.stderr)
            return 2
        if warning:
            session.notes.append(warning)

    def closed(signum, frame):  # the terminal went away: save, and leave without touching it
        try:
            session.quit()
        finally:
            os._exit(128 + signum)

    # SIGTERM (the terminal is still there) is handled by the app: it autosaves and restores the terminal
    old = {signal.SIGHUP: signal.signal(signal.SIGHUP, closed)}
    try:
        from .app import PizzaBorgApp

        app = PizzaBorgApp(session, theme=starting_theme(), load_story=load_story, remember_theme=True)
        try:
            app.run()
        except KeyboardInterrupt:
            pass
        if app.startup_error is not None:
            raise app.startup_error
    finally:
        saved = session.quit()
        for s, handler in old.items():
            signal.signal(s, handler)
    if session.handed_in is not None:
        print(_("Your report for the trainer: {path} (hand in this file).").format(path=session.handed_in))
    if saved is not None:
        print(_("Goodbye. Your game is saved in {path}.").format(path=saved))
    elif session.game is None or not session.game.decisions:
        print(_("Goodbye."))
    for note in session.notes:
        if is_warning(note):
            print(f"pizzaborg: {note}", file=sys.stderr)
    return 0
