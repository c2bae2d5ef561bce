"""The trainer commands on the command line: ``assignment new``, ``report``, ``verify``, ``cohort``,
``send``, and ``--assignment`` for the plain mode, the terminal UI and ``play``.

A face (it moved up from ``trainer/``, which holds the domain only): it may start the other faces
(plain, the TUI, headless play); the assignment's rules are the play layer's ``AssignmentRun``.

``register`` adds them to pizzaborg's parser; ``dispatch`` runs them. This module stays light (only
argparse at import): the work is imported when a command runs.
"""

from __future__ import annotations

import argparse
import sys

from .engine.i18n import _

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from .engine import Game

COMMANDS = ("assignment", "report", "verify", "cohort", "send")
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class TrainerUsage(Exception):
    """Bad input to a trainer command: exit 2 with this one-line message."""


def register(parser, sub, common, seed_type, story_only=None, commands: bool = True) -> None:
    """Add the trainer options and commands to pizzaborg's parser (``sub``: its subparsers).
    ``common`` carries --story and --saves-dir, ``story_only`` --story alone (for the commands that
    use no saves). ``commands=False``: the options of the game and of ``play`` only (cli.py's parser for
    a ``play`` command, built without the other commands)."""
    story_only = common if story_only is None else story_only
    parser.add_argument("--assignment", metavar="FILE", help=_("play an assignment your trainer sent (a .yaml file)"))
    play = sub.choices.get("play")
    if play is not None:
        play.add_argument(
            "--assignment",
            metavar="FILE",
            default=argparse.SUPPRESS,
            help=_("play an assignment: its seed; the report is written at the end"),
        )
        play.add_argument("--learner", metavar="NAME", help=_("the learner's name or id (with --assignment)"))
    if not commands:
        return

    asg = sub.add_parser(
        "assignment", help=_("trainer: make an assignment file"), description=_("Make assignment files for a cohort.")
    )
    asg_sub = asg.add_subparsers(dest="assignment_command", metavar="TOOL", parser_class=type(parser))
    new = asg_sub.add_parser(
        "new",
        parents=[story_only],
        help=_("write a new assignment file"),
        description=_(
            "Write an assignment: the story (pinned by id, version and hash), a seed everyone plays, "
            "an optional mastery score, deadline and note. Learners play it with 'pizzaborg --assignment FILE'."
        ),
    )
    new.add_argument(
        "--cohort", required=True, metavar="NAME", help=_("the group's name, e.g. 'CIO workshop December'")
    )
    new.add_argument(
        "--seed", type=seed_type, help=_("the game everyone plays (default: a random one, written in the file)")
    )
    new.add_argument(
        "--mastery", metavar="SCORE", help=_("the scaled score (above 0, at most 1) that passes, e.g. 0.7")
    )
    new.add_argument("--deadline", metavar="DATE", help=_("hand-in date, YYYY-MM-DD"))
    new.add_argument("--note", metavar="TEXT", help=_("a note shown to the learner before the game"))
    new.add_argument("--xapi-home", metavar="URL", help=_("homePage of the learners' xAPI accounts (your LMS)"))
    new.add_argument(
        "--undo",
        choices=("recorded", "free", "off"),
        help=_(
            "undo recorded and first answers scored "
            "(the default), free (recorded, the path kept scored) or off (docs/reports.md)"
        ),
    )
    new.add_argument(
        "--lrs", metavar="URL", help=_("an LRS's xAPI endpoint: each learner's game sends its results there at the end")
    )
    new.add_argument(
        "--lrs-key",
        metavar="KEY",
        help=_(
            "the LRS key the games use (give it write-only rights: every learner "
            "gets it); its secret from --lrs-secret or PIZZABORG_LRS_SECRET"
        ),
    )
    new.add_argument("--lrs-secret", metavar="SECRET", help=_("the secret of --lrs-key"))
    new.add_argument(
        "--game-lang",
        metavar="LANG",
        help=_(
            "the language the learners play in (language: in the file; a learner's own --lang or "
            "PIZZABORG_LANG still wins)"
        ),
    )
    new.add_argument("-o", "--output", required=True, metavar="FILE", help=_("the assignment file to write (.yaml)"))
    new.add_argument("--force", action="store_true", help=_("replace FILE if it exists"))

    rep = sub.add_parser(
        "report",
        parents=[common],
        help=_("trainer: a learner's report from a save"),
        description=_(
            "Write the report of a saved game: decisions with evidence, scores, the KPI "
            "timeline and debrief questions. Only the json (and xapi) format can be verified."
        ),
    )
    rep.add_argument("save", metavar="SAVE", help=_("a save name in the save folder, or the path of a save file"))
    rep.add_argument("--format", choices=("md", "html", "json", "xapi"), default="md", help=_("default md"))
    rep.add_argument("-o", "--output", metavar="FILE", help=_("write to FILE instead of standard output"))
    rep.add_argument("--learner", metavar="NAME", help=_("the learner's name or id (default: the one in the save)"))
    rep.add_argument("--assignment", metavar="FILE", help=_("the assignment the game was played for"))

    ver = sub.add_parser(
        "verify",
        parents=[story_only],
        help=_("trainer: check reports by replaying them"),
        description=_(
            "Replay each report's decisions against the story with the report's hash (the "
            "shipped story, or --story DIR) and compare every number. Exit 0 when all verify, 1 otherwise."
        ),
    )
    ver.add_argument(
        "reports",
        nargs="+",
        metavar="REPORT",
        help=_("report files (.json reports or xAPI statements), or folders of them"),
    )
    ver.add_argument("--assignment", metavar="FILE", help=_("also check the reports belong to this assignment"))
    _lang_option(ver)

    coh = sub.add_parser(
        "cohort",
        parents=[story_only],
        help=_("trainer: the whole group's results"),
        description=_(
            "Verify every report and summarise the verified ones: endings, mean and median "
            "per learning point, the worst-practice choices taken most often, a table per learner."
        ),
    )
    coh.add_argument("reports", nargs="*", metavar="REPORTS-OR-DIR", help=_("report files, or folders of them"))
    _lang_option(coh)
    coh.add_argument("--format", choices=("md", "html", "csv", "json"), default="md", help=_("default md"))
    coh.add_argument("-o", "--output", metavar="FILE", help=_("write to FILE instead of standard output"))
    coh.add_argument("--assignment", metavar="FILE", help=_("leave out reports that do not belong to this assignment"))
    coh.add_argument(
        "--lrs",
        metavar="URL",
        help=_(
            "read the assignment's statements from this LRS (xAPI endpoint) instead of report files; needs --assignment"
        ),
    )
    _lrs_credentials(coh)

    coh.add_argument(
        "--counts",
        choices=("best", "latest", "first"),
        default="best",
        help=_(
            "which of a learner's attempts counts: best (default: the highest score), or latest/first "
            "by the finish time the report claims; every attempt is listed either way"
        ),
    )
    coh.add_argument(
        "--class-key",
        metavar="FILE",
        help=_(
            "the class server's key (.pizzaborg-class-key) that "
            "checks its records (default: the one in each hand-ins folder named here)"
        ),
    )
    coh.add_argument(
        "--count-flagged",
        action="store_true",
        help=_(
            "count in the figures the learners whose report "
            "is flagged as a copy of another's playthrough (held back until you have checked them)"
        ),
    )
    coh.add_argument(
        "--names",
        action="store_true",
        help=_(
            "html only: show the learners' names and a table per learner (the page is anonymous by default, to project)"
        ),
    )

    snd = sub.add_parser(
        "send",
        parents=[common],
        help=_("trainer: send results to a Learning Record Store"),
        description=_(
            "Send the xAPI statements of saves and reports to an LRS (reports are "
            "replay-verified first). One line per item; re-sending the same results changes nothing. "
            "Exit 0 when all were sent, 1 otherwise."
        ),
    )
    snd.add_argument(
        "items",
        nargs="+",
        metavar="SAVE|REPORT",
        help=_("a save (name or file), a report (.json or xAPI statements), or a folder of reports"),
    )
    snd.add_argument(
        "--lrs", required=True, metavar="URL", help=_("the LRS's xAPI endpoint, e.g. https://lrs.example.org/xAPI/")
    )
    _lrs_credentials(snd)
    snd.add_argument("--assignment", metavar="FILE", help=_("the assignment the games were played for"))
    snd.add_argument(
        "--learner", metavar="NAME", help=_("for a save: the learner's name or id (default: the one in the save)")
    )


def _lang_option(p) -> None:
    """--lang for a command whose parent options (--story alone) carry none: the language of its output."""
    p.add_argument(
        "--lang",
        metavar="LANG",
        default=argparse.SUPPRESS,
        help=_("the language of the report or page (default: $PIZZABORG_LANG, your settings, the system's)"),
    )


def _lrs_credentials(p) -> None:
    p.add_argument("--user", metavar="USER", help=_("LRS user or key (default: $PIZZABORG_LRS_USER)"))
    p.add_argument(
        "--password",
        metavar="PASSWORD",
        help=_(
            "LRS password or secret (default: $PIZZABORG_LRS_PASSWORD; "
            "the environment keeps it out of the process list)"
        ),
    )


def wants(args) -> bool:
    """True when a trainer command (or a game with --assignment) is asked for."""
    if args.command in COMMANDS:
        return True
    return args.command in (None, "play") and getattr(args, "assignment", None) is not None


def dispatch(args) -> int:
    from .trainer.assignment import AssignmentError
    from .trainer.classrecord import KeyProblem
    from .trainer.report import ReportError

    try:
        if args.command == "assignment":
            return cmd_assignment(args)
        if args.command == "report":
            return cmd_report(args)
        if args.command == "verify":
            return cmd_verify(args)
        if args.command == "cohort":
            return cmd_cohort(args)
        if args.command == "send":
            return cmd_send(args)
        if args.command == "play":
            return cmd_play_assignment(args)
        if getattr(args, "plain", False):
            return cmd_plain_assignment(args)
        return cmd_tui_assignment(args)
    except (TrainerUsage, AssignmentError, ReportError, KeyProblem) as exc:
        return fail(str(exc))
    except Exception as exc:
        from .trainer.lrs import LrsError

        if isinstance(exc, LrsError):
            return fail(str(exc), EXIT_BAD_INPUT if exc.status is None and not exc.retry else EXIT_FAILED)
        raise


def fail(message: str, code: int = EXIT_BAD_INPUT) -> int:
    from .engine.text import clean

    print(f"pizzaborg: {clean(str(message), oneline=True)}", file=sys.stderr)
    return code


def _story(args):
    from .engine import StoryError, load_story

    try:
        return load_story(getattr(args, "story", None))
    except StoryError as exc:
        raise TrainerUsage(
            _("the story cannot be loaded: {problem}; run 'pizzaborg story check' for every problem").format(
                problem=exc
            )
        ) from None


def _saves_dir(args):
    from .engine.saves import saves_dir

    return saves_dir(getattr(args, "saves_dir", None))


def _assignment(args):
    from .trainer.assignment import load_assignment

    path = getattr(args, "assignment", None)
    return load_assignment(path) if path else None


def _emit(text: str, output: str | None) -> None:
    if output:
        from .engine.files import shown_path
        from .engine.text import clean
        from .trainer.formats import write_text

        path = write_text(output, text)
        print(_("Written to {path}").format(path=clean(shown_path(path), oneline=True)), file=sys.stderr)
    else:
        from .engine.text import clean

        sys.stdout.write(clean(text))  # every renderer cleans its fields; this is the last edge


# ---- assignment new ----------------------------------------------------------------------------


def cmd_assignment(args) -> int:
    from .trainer.assignment import new_assignment, write_assignment

    if getattr(args, "assignment_command", None) != "new":
        raise TrainerUsage("assignment needs a tool: new (see pizzaborg assignment --help)")
    story = _story(args)
    if args.game_lang:  # the learners' games would refuse it: say so now, to the trainer
        from .engine import i18n
        from .play.language import story_languages

        if i18n.match(args.game_lang, [*i18n.available(), i18n.PSEUDO, *story_languages(story.root)]) is None:
            raise TrainerUsage(
                _("--game-lang: '{lang}' is not a language this game has").format(lang=args.game_lang[:40])
            )
    lrs = None
    if args.lrs:
        import os

        secret = args.lrs_secret if args.lrs_secret is not None else os.environ.get("PIZZABORG_LRS_SECRET")
        lrs = {"endpoint": args.lrs, "key": args.lrs_key, "secret": secret}
    elif args.lrs_key or args.lrs_secret:
        raise TrainerUsage("--lrs-key and --lrs-secret go with --lrs URL")
    a = new_assignment(
        story,
        args.cohort,
        seed=args.seed,
        mastery=args.mastery,
        deadline=args.deadline,
        note=args.note,
        xapi_home=args.xapi_home,
        lrs=lrs,
        undo=args.undo,
        language=args.game_lang,
    )
    path = write_assignment(a, args.output, force=args.force)
    from .engine.text import clean

    print(
        f"Assignment for '{a.cohort}' written to {clean(str(path), oneline=True)}: {clean(story.id)} "
        f"{clean(story.version, oneline=True)}, seed {a.seed}"
        + (f", mastery {a.mastery:g}" if a.mastery is not None else "")
        + (f", deadline {a.deadline}" if a.deadline else "")
        + (f", results sent to {a.lrs['endpoint']}" if a.lrs else "")
        + "."
    )
    if a.lrs and a.lrs.get("key"):
        print("Every learner gets this file and its LRS key: give the key the right to write statements only.")
    print(f"Learners play it with: pizzaborg --assignment {clean(path.name, oneline=True)}")
    return EXIT_OK


# ---- report ------------------------------------------------------------------------------------


def _read_save(args):
    from pathlib import Path

    from .engine import saves as S

    target = args.save
    p = Path(target)
    try:
        if p.suffix == ".json" or "/" in target or "\\" in target or p.exists():
            return S.read_save_file(p)
        return S.read_save(_saves_dir(args), target)
    except S.SaveError as exc:
        raise TrainerUsage(str(exc)) from None


def cmd_report(args) -> int:
    from .trainer.assignment import check_learner
    from .trainer.formats import render
    from .trainer.report import report_from_save

    save = _read_save(args)
    assignment = _assignment(args)
    story = _story(args)
    if assignment is not None:
        from .engine.saves import SaveError
        from .play.assignment import AssignmentRun

        assignment.check_story(story)
        try:
            AssignmentRun(assignment).check(save)  # the one rule: the assignment's seed and story hash
        except SaveError as exc:
            raise TrainerUsage(str(exc)) from None
    learner = check_learner(args.learner) if args.learner is not None else None
    report = report_from_save(story, save, learner=learner, assignment=assignment)
    _emit(render(report, args.format), args.output)
    return EXIT_OK


# ---- verify ------------------------------------------------------------------------------------


def _verifier(args):
    from .trainer.verify import Verifier, load_stories

    story_dir = getattr(args, "story", None)
    stories, problems = load_stories([story_dir] if story_dir else [])
    if problems:
        raise TrainerUsage(problems[0])
    return Verifier(stories, assignment=_assignment(args))


def cmd_verify(args) -> int:
    from pathlib import Path

    from .engine.text import clean
    from .trainer.verify import search_reports

    verifier = _verifier(args)
    code = EXIT_OK
    for given in args.reports:
        paths, problems = search_reports([given])
        if not paths and [why for _where, why in problems] == ["no such file or folder"]:
            paths, problems = [Path(given)], []  # its verdict says so, in order with the others
        for where, why in problems:
            print(
                _("{file}: NOT verified: {why}").format(file=clean(where, oneline=True), why=clean(why, oneline=True))
            )
            code = EXIT_FAILED
        for item in paths:
            code = max(code, _verify_one(verifier, item))
    return code


def _verify_one(verifier, item) -> int:
    """Print one file's verdict on one line; return its exit code."""
    from .engine.text import clean

    v = verifier.verify_file(item)
    if not v.ok:
        print(
            _("{file}: NOT verified: {why}").format(
                file=clean(v.name, oneline=True), why=clean(v.message, oneline=True)
            )
        )
        return EXIT_FAILED
    r = v.report
    who = r.get("learner") or _("anonymous")
    ending = r["ending"]["title"] if r.get("ending") else _("not finished")
    print(
        _("{file}: verified ({ending}, score {score}; claimed: learner {learner}, finished {finished})").format(
            file=clean(v.name, oneline=True),
            ending=clean(ending, oneline=True),
            score=_fmt(r["score"]),
            learner=clean(who, oneline=True),
            finished=clean(r.get("finished") or "–", oneline=True),
        )
        + (f"; {v.note}" if v.note else "")
    )
    return EXIT_OK


def _fmt(v) -> str:
    from .trainer.reporttext import fmt_value as f

    return f(v)


# ---- cohort ------------------------------------------------------------------------------------


def cmd_cohort(args) -> int:
    from .trainer.cohort import render_cohort, summarise
    from .trainer.verify import report_paths

    if args.lrs:
        return cmd_cohort_lrs(args)
    if not args.reports:
        raise TrainerUsage("cohort needs report files or folders, or --lrs URL with --assignment FILE")
    if args.names and args.format != "html":
        raise TrainerUsage(f"--names is for --format html (the {args.format} view always has the names)")
    paths, problems = report_paths(args.reports)
    if not paths:
        raise TrainerUsage(problems[0] if problems else "no report files given")
    verifier = _verifier(args)
    verdicts = [verifier.verify_file(p) for p in paths]
    from .trainer.classrecord import trainer_keys  # the trainer's key, never one found beside a hand-in

    keys, notes = trainer_keys(args.reports, getattr(args, "class_key", None))
    summary = summarise(
        verdicts,
        problems + notes,
        rule=args.counts,
        class_keys=keys,
        roots=args.reports,
        count_flagged=getattr(args, "count_flagged", False),
    )
    _emit(render_cohort(summary, args.format, names=args.names), args.output)
    from .engine.text import clean

    for p in summary["problems"]:  # the folders' problems and class-server records that do not hold
        print("pizzaborg: " + _("note: {note}").format(note=clean(p, oneline=True)), file=sys.stderr)
    if summary["rejected"]:
        print(
            "pizzaborg: "
            + _("note: {n} report(s) failed verification and were left out").format(n=len(summary["rejected"])),
            file=sys.stderr,
        )
    return EXIT_OK if summary["verified"] else EXIT_FAILED


def _lrs(args):
    from .trainer.lrs import Lrs, credentials

    user, password = credentials(args.user, args.password)
    return Lrs(args.lrs, user, password)


def cmd_cohort_lrs(args) -> int:
    from .trainer.cohort import render_cohort, summarise
    from .trainer.lrs_cohort import verdicts_from_lrs

    if args.reports:
        raise TrainerUsage("cohort --lrs reads the LRS: leave out the report files")
    if not getattr(args, "assignment", None):
        raise TrainerUsage("cohort --lrs needs --assignment FILE (whose statements to read)")
    lrs = _lrs(args)
    verifier = _verifier(args)
    verdicts, notes = verdicts_from_lrs(lrs, verifier.assignment, verifier)
    if not verdicts:
        print(f"pizzaborg: the LRS at {lrs.where} holds no statements of this assignment", file=sys.stderr)
        return EXIT_FAILED
    summary = summarise(verdicts, [], count_flagged=getattr(args, "count_flagged", False))
    _emit(render_cohort(summary, args.format), args.output)
    for n in notes:
        print(f"pizzaborg: note: {n}", file=sys.stderr)
    if summary["rejected"]:
        print(
            f"pizzaborg: note: {len(summary['rejected'])} attempt(s) failed verification and were left out",
            file=sys.stderr,
        )
    return EXIT_OK if summary["verified"] else EXIT_FAILED


# ---- send --------------------------------------------------------------------------------------


def cmd_send(args) -> int:
    from pathlib import Path

    from .engine import saves as S
    from .engine.text import clean
    from .trainer.assignment import AssignmentError
    from .trainer.handin import read_json_file
    from .trainer.report import ReportError
    from .trainer.send import SendError, send_statements, statements_of_report
    from .trainer.verify import report_paths

    lrs = _lrs(args)
    verifier = _verifier(args)
    items = []  # (name, path or None for a save name)
    for item in args.items:
        p = Path(item)
        if p.is_dir():
            found, problems = report_paths([p])
            if not found:
                print(f"{clean(str(p))}: NOT sent: {clean(problems[0])}")
            items += [(str(q), q) for q in found]
        elif p.exists() or p.suffix == ".json" or "/" in item or "\\" in item:
            items.append((str(p), p))
        else:
            items.append((item, None))
    code = EXIT_OK if items else EXIT_FAILED
    for name, path in items:
        try:
            if path is None:
                stmts = _save_statements(args, S.read_save(_saves_dir(args), name), verifier)
            else:
                data = read_json_file(path)
                if isinstance(data, dict) and data.get("format") == S.FORMAT:
                    stmts = _save_statements(args, S.read_save_file(path), verifier)
                else:
                    stmts = statements_of_report(data, name, verifier)
        except (SendError, ReportError, S.SaveError, AssignmentError) as exc:
            why = str(exc)
            if why.startswith(f"{name}: "):  # the readers name the file themselves
                why = why[len(name) + 2 :]
            print(f"{clean(name)}: NOT sent: {clean(why)}")
            code = EXIT_FAILED
            continue
        outcome = send_statements(lrs, stmts, clean(name))
        print(clean(outcome.line))
        if not outcome.ok:
            code = EXIT_FAILED
    return code


def _save_statements(args, save, verifier) -> list:
    from .trainer.assignment import check_learner
    from .trainer.report import report_from_save
    from .trainer.send import SendError
    from .trainer.xapi import statements

    story = verifier.stories.get(save.story.get("hash"))
    if story is None:
        raise SendError(
            f"played with '{save.story.get('id')}' version {save.story.get('version')}, which is not here: "
            "pass --story DIR with that version"
        )
    a = verifier.assignment
    if a is not None and (save.seed != a.seed or save.story.get("hash") != a.story["hash"]):
        raise SendError(f"not a game of this assignment (played with seed {save.seed}, the assignment's is {a.seed})")
    learner = check_learner(args.learner) if args.learner is not None else None
    return statements(report_from_save(story, save, learner=learner, assignment=a))


# ---- playing an assignment ---------------------------------------------------------------------


def _assignment_and_story(args):
    a = _assignment(args)
    story = _story(args)
    a.check_story(story)
    from .play.language import choose, notice, story_in

    lang = choose(getattr(args, "lang", None), getattr(args, "story", None), assignment=a.language)
    said = notice(lang, getattr(args, "story", None))
    if said:
        print(f"pizzaborg: {said}", file=sys.stderr)
    story = story_in(story, lang)  # the same hash: the assignment's check holds
    if getattr(args, "seed", None) is not None and args.seed != a.seed:
        raise TrainerUsage(
            _("--seed {seed} differs from the assignment's seed {wanted}: leave --seed out").format(
                seed=args.seed, wanted=a.seed
            )
        )
    return a, story


def cmd_plain_assignment(args) -> int:
    from .plain_assignment import AssignmentSession

    a, story = _assignment_and_story(args)
    session = AssignmentSession(story, _saves_dir(args), a, load=getattr(args, "load", None))
    return session.play()


def cmd_tui_assignment(args) -> int:
    from .tui.launch import need_terminal, run_tui

    problem = need_terminal()
    if problem:
        return fail(problem, 1)
    a, story = _assignment_and_story(args)
    return run_tui(lambda: story, _saves_dir(args), seed=a.seed, load=getattr(args, "load", None), assignment=a)


def cmd_play_assignment(args) -> int:
    from .engine import saves as S
    from .engine.times import parse_iso, utcnow
    from .headless import BadInput, load_script, parse_choices, run_play
    from .play.assignment import AssignmentRun
    from .trainer.assignment import check_learner
    from .trainer.files import slug

    if not getattr(args, "learner", None):
        raise TrainerUsage(_("play --assignment needs --learner NAME (the learner's name or id)"))
    learner = check_learner(args.learner)
    a, story = _assignment_and_story(args)
    run = AssignmentRun(a)
    saves = _saves_dir(args)
    started = utcnow()
    out = sys.stderr if args.json else sys.stdout
    note = run.retry_pending(saves)
    if note:
        print(note, file=out)
    ended: dict = {}

    def finished(game: Game, times: list, undo_times: list) -> None:
        """run_play's hook once the choices are played: the game, its decision and undo times, no save read back."""
        ended["game"], ended["times"], ended["undo_times"] = game, times, undo_times

    try:
        if args.script:
            script = load_script(args.script)
            if script.seed is not None and script.seed != a.seed:
                raise TrainerUsage(f"the script's seed {script.seed} differs from the assignment's seed {a.seed}")
            choices, expect = script.choices, script.expect
        else:
            choices, expect = parse_choices(args.choices or ""), None
        load = getattr(args, "load", None)
        if load:
            info = S.read_save(saves, load)
            run.check(info)  # the one rule: the assignment's seed and story hash
            started = parse_iso(info.created) or started
        slot = args.save or f"assignment-{slug(learner)}"
        code = run_play(
            story,
            choices=choices,
            seed=a.seed,
            load=load,
            save=slot,
            saves_dir=saves,
            as_json=args.json,
            expect=expect,
            extra_ok=True,
            learner=learner,
            on_end=finished,
        )
    except BadInput as exc:
        return fail(str(exc))
    except S.SaveError as exc:
        return fail(str(exc))
    game = ended["game"]
    if game.over:
        hand_in = run.finish(
            game, learner, saves, started=started, times=ended["times"], undo_times=ended["undo_times"]
        )
        print("\n" + _("Hand in this file to your trainer: {path}").format(path=hand_in.path), file=out)
        line = run.deliver(hand_in, saves)
        if line:
            print(line, file=out)
    else:
        print(
            "\n"
            + _("The game is not finished (saved as '{slot}'): the report is written when it ends.").format(slot=slot),
            file=out,
        )
    game.close()
    return code
