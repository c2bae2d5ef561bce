"""The ``pizzaborg`` command line. Imports stay light: no Textual on the headless paths."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__
from .cliargs import seed
from .engine.errors import PizzaBorgError
from .engine.i18n import N_, _

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class UsageError(PizzaBorgError):
    pass


def _formatter(prog):
    # argparse's default formatter imports shutil to find the width: a measurable share of start-up
    try:
        width = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size().columns
    except (ValueError, OSError):
        width = 80
    return argparse.HelpFormatter(prog, width=max(40, width - 2))


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _formatter)
        super().__init__(*args, **kwargs)

    def error(self, message):  # one line, not a usage dump
        raise UsageError(_("{message} (see {prog} --help)").format(message=message, prog=self.prog))


_seed = seed  # the one validator of numbers on the command line (cliargs)


def _common(default: object, saves: bool = True, lang: bool = True) -> _Parser:
    """The options most commands share: --story, --lang (not for the author tools, whose own --lang
    names the translation they check), and --saves-dir for the commands that use saves (an option that
    would do nothing is not offered)."""
    common = _Parser(add_help=False)
    common.add_argument(
        "--story", metavar="DIR", default=default, help=_("play or check the story in DIR instead of the shipped one")
    )
    if lang:
        common.add_argument(
            "--lang",
            metavar="LANG",
            default=default,
            help=_(
                "the language of the game and its messages (nl, sv, nb, es-419, fr, qps; default: "
                "$PIZZABORG_LANG, your settings, the assignment's, the system's, English)"
            ),
        )
    if saves:
        common.add_argument(
            "--saves-dir",
            metavar="DIR",
            default=default,
            help=_("where saves live (default: $PIZZABORG_SAVES or ./saves)"),
        )
    return common


EPILOG = N_(
    "Commands: play (headless scripted play), story check|audit|bots|map|randomtest|graph|answer-key, "
    "story l10n (author tools), "
    "assignment new, report, verify, cohort, send (trainer tools), serve (a class in the browser), "
    "package cmi5|scorm12|scorm2004 (a course for an LMS). "
    "With no command the game starts. "
    "Run 'pizzaborg COMMAND --help' for each."
)


COMMANDS = ("play", "story", "assignment", "report", "verify", "cohort", "send", "serve", "package")


def _play_only(argv: list) -> bool:
    """True when the command is ``play`` (the first word that names a command): headless play, run by
    test suites and CI many times over, then builds the parser without the other commands' parsers
    (about a tenth of a whole game's time: benchmarks/bench_headless.py). A wrong guess (an option's
    value that reads "play") fails to parse and is parsed again with every command (:func:`main`)."""
    first = next((a for a in argv if a in COMMANDS), None)
    return first == "play" and not any(a in ("-h", "--help") for a in argv)


def build_parser(play_only: bool = False) -> argparse.ArgumentParser:
    # Options may stand before or after COMMAND. A subcommand's copy of an option defaults to
    # SUPPRESS, so that leaving it out there keeps what was given before the command.
    common = _common(argparse.SUPPRESS)
    story_only = _common(argparse.SUPPRESS, saves=False, lang=False)

    parser = _Parser(
        prog="pizzaborg",
        description=_("PizzaBorg: you are the new CIO of Grab@Pizza. We are IT. Your business will be assimilated."),
        parents=[_common(None)],
        epilog=_(EPILOG),
    )
    parser.add_argument("--version", action="version", version=f"pizzaborg {__version__}")
    parser.add_argument(
        "--plain", action="store_true", help=_("play as plain lines of text (screen readers, dumb terminals)")
    )
    parser.add_argument("--seed", type=_seed, help=_("the game's seed: the same seed gives the same game"))
    parser.add_argument("--load", metavar="SLOT", help=_("start from a saved game"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    play = sub.add_parser(
        "play",
        parents=[common],
        help=_("play headless from a list of choices or a script"),
        description=_(
            "Play without a terminal UI. Exit 0 when played (and a script's expectations hold), "
            "1 when an expectation fails, 2 on bad input."
        ),
    )
    how = play.add_mutually_exclusive_group()
    how.add_argument(
        "--choices", metavar="LIST", help=_("comma-separated choice numbers as shown on screen (or choice ids)")
    )
    how.add_argument("--script", metavar="FILE", help=_("a YAML script with seed, choices and expect"))
    play.add_argument("--seed", type=_seed, default=argparse.SUPPRESS, help=_("the seed (default 0, or the script's)"))
    play.add_argument("--load", metavar="SLOT", default=argparse.SUPPRESS, help=_("start from a saved game"))
    play.add_argument("--save", metavar="SLOT", help=_("save the game at the end"))
    play.add_argument(
        "--json", action="store_true", help=_("print one JSON object at the end instead of the transcript")
    )

    if play_only:
        from .trainer_cli import register as register_trainer_options

        register_trainer_options(parser, sub, common, _seed, story_only, commands=False)
        return parser
    story = sub.add_parser("story", help=_("author tools"), description=_("Author tools for story folders."))
    story_sub = story.add_subparsers(dest="story_command", metavar="TOOL", parser_class=_Parser)
    from .author.cli import add_commands  # story check, bots, map, randomtest, graph

    add_commands(story_sub, story_only)
    from .trainer_cli import register as register_trainer  # assignment, report, verify, cohort, --assignment

    register_trainer(parser, sub, common, _seed, story_only)
    from .web.command import register as register_serve  # serve (argparse only; the server comes on use)

    register_serve(sub, common)
    _register_package(sub, story_only)
    return parser


def _register_package(sub, story_only) -> None:
    """``pizzaborg package cmi5|scorm12|scorm2004``: an assignment as a course for an LMS (trainer/lms_package.py)."""
    pkg = sub.add_parser(
        "package",
        parents=[story_only],
        help=_("trainer: an assignment as a cmi5 course or a SCORM 1.2 / 2004 package for an LMS"),
        description=_(
            "Write an LMS package whose activity is the game on your class server (pizzaborg serve --assignment): "
            "cmi5 (a .zip, or the bare cmi5.xml), scorm12 or scorm2004 (a .zip to upload)."
        ),
    )
    pkg.add_argument("kind", choices=("cmi5", "scorm12", "scorm2004"), metavar="cmi5|scorm12|scorm2004")
    pkg.add_argument("--assignment", metavar="FILE", required=True, help=_("the assignment file (.yaml)"))
    pkg.add_argument("--url", required=True, help=_("the class server's address as learners reach it"))
    pkg.add_argument(
        "--hand-ins",
        metavar="DIR",
        default="pizzaborg-class/hand-ins",
        help=_("the class server's hand-ins folder, whose key signs the package (default: serve's)"),
    )
    pkg.add_argument("-o", "--output", required=True, metavar="FILE", help=_("the package to write (.zip or .xml)"))
    pkg.add_argument("--force", action="store_true", help=_("replace FILE if it exists"))


def cmd_package(args) -> int:
    from .engine.files import shown_path
    from .engine.text import clean
    from .trainer.assignment import load_assignment
    from .trainer.classrecord import ensure_key
    from .trainer.lms_package import write_package

    assignment = load_assignment(args.assignment)
    # the story as written (every language it has goes into the course), not in the reader's language
    story = _load(getattr(args, "story", None), translated=False)
    key = b""
    if args.kind != "cmi5":  # only a SCORM package carries a token signed with the class key
        try:
            key = ensure_key(args.hand_ins)
        except OSError as exc:
            return _fail(f"the class key in {args.hand_ins} cannot be read or made: {exc}")
    path = write_package(
        args.kind, assignment, story, args.url, key, args.output, getattr(args, "story", None), args.force
    )
    print(_("Written to {path}").format(path=clean(shown_path(path), oneline=True)), file=sys.stderr)
    return EXIT_OK


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    from .engine.text import clean

    print(f"pizzaborg: {clean(str(message), oneline=True)}", file=sys.stderr)
    return code


def _load(story_dir, translated: bool = True):
    """The story to play, in the game's language (:mod:`.play.language`); ``translated=False``: as written."""
    from .engine import StoryError, load_story

    try:
        story = load_story(story_dir)
    except StoryError as exc:
        raise UsageError(
            _("the story cannot be played: {problem}; run 'pizzaborg story check' for every problem").format(
                problem=exc
            )
        ) from None
    if not translated:
        return story
    from .play.language import story_in

    return story_in(story)


def _language(args) -> None:
    """Choose the game's language once (``play.language.choose``: --lang, $PIZZABORG_LANG, the settings,
    the system's, English; an assignment's is added where it is read) and say, on stderr, when the story
    has no translation into it. The author tools stay English."""
    if args.command == "story":
        return
    from .play.language import choose, notice

    lang = choose(getattr(args, "lang", None), getattr(args, "story", None))
    if args.command in (None, "play") and not getattr(args, "assignment", None):
        said = notice(lang, getattr(args, "story", None))
        if said:
            print(f"pizzaborg: {said}", file=sys.stderr)


def _saves(args) -> Path:
    from .engine.saves import saves_dir

    return saves_dir(args.saves_dir)


def cmd_play(args) -> int:
    from .headless import BadInput, load_script, parse_choices, run_play

    try:
        if args.script:
            script = load_script(args.script)
            choices, expect = script.choices, script.expect
            seed = args.seed if args.seed is not None else (script.seed if script.seed is not None else 0)
        else:
            choices = parse_choices(args.choices or "")
            expect = None
            seed = args.seed if args.seed is not None else 0
        story = _load(args.story)
        return run_play(
            story,
            choices=choices,
            seed=seed,
            load=args.load,
            save=args.save,
            saves_dir=_saves(args),
            as_json=args.json,
            expect=expect,
        )
    except BadInput as exc:
        return _fail(str(exc))


def cmd_plain(args) -> int:
    from .plain import PlainSession

    story = _load(args.story)
    session = PlainSession(story, _saves(args), seed=args.seed, load=args.load)
    return session.play()


def cmd_tui(args) -> int:
    from .tui.launch import need_terminal, run_tui

    problem = need_terminal()
    if problem:
        return _fail(problem, EXIT_FAILED)
    return run_tui(lambda: _load(args.story), args.saves_dir, seed=args.seed, load=args.load)


def main(argv: list | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if "--lang" in argv or any(a.startswith("--lang=") for a in argv) or os.environ.get("PIZZABORG_LANG"):
            from .play.language import early

            early(argv)
        try:
            args = build_parser(play_only=_play_only(argv)).parse_args(argv)
        except UsageError:
            if not _play_only(argv):
                raise
            args = build_parser().parse_args(argv)  # "play" was an option's value: every command
        _language(args)
        from . import trainer_cli

        if trainer_cli.wants(args):
            return trainer_cli.dispatch(args)
        if args.command == "play":
            return cmd_play(args)
        if args.command == "package":
            return cmd_package(args)
        if args.command == "serve":
            from .web.command import run as serve

            return serve(args)
        if args.command == "story":
            from .author import cli as author_cli

            if args.story_command in author_cli.COMMANDS:
                return author_cli.run(args)
            raise UsageError(
                _("story needs a tool: {tools} (see pizzaborg story --help)").format(
                    tools=", ".join(author_cli.COMMANDS)
                )
            )
        return cmd_plain(args) if args.plain else cmd_tui(args)
    except PizzaBorgError as exc:  # every user-facing error, UsageError included: its one line, exit 2
        return _fail(str(exc))
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_FAILED
    except Exception as exc:  # the last line of defence: a message, never a traceback
        if os.environ.get("PIZZABORG_DEBUG"):
            raise
        return _fail(
            _("internal error: {kind}: {error} (set PIZZABORG_DEBUG=1 for details)").format(
                kind=type(exc).__name__, error=exc
            ),
            3,
        )


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
