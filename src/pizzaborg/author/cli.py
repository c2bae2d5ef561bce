"""Author tools under ``pizzaborg story``: check, audit, bots, map, randomtest, graph, answer-key, l10n.

``pizzaborg.cli`` calls :func:`add_commands` to register them and :func:`run` to dispatch; the logic
lives in the sibling modules :mod:`.check`, :mod:`.audit`, :mod:`.bots`, :mod:`.randomtest`, :mod:`.map`,
:mod:`.graph`, :mod:`.answerkey` and :mod:`.l10n`, imported only when their tool runs. Exit codes: 0 fine, 1 the
tool found problems (check problems, audit thresholds that fail, randomtest failures), 2 bad input (an unreadable
story, a bad option, a file that cannot be written).
"""

from __future__ import annotations

import sys

from ..cliargs import MAX_SEED, seed, whole_number
from ..engine.errors import PizzaBorgError

COMMANDS = ("check", "audit", "bots", "map", "randomtest", "graph", "answer-key", "l10n")


class ToolError(PizzaBorgError):
    """Bad input: one line, exit 2."""


_count = whole_number(1, 10_000_000, "the number of games")
_seed = seed  # games run seeds SEED..SEED+N-1: run() checks the last one is a seed too
_jobs = whole_number(1, 256, "--jobs")


def add_commands(story_sub, common) -> None:
    """Register the tools on the ``story`` subparsers; ``common`` carries --story."""
    p = story_sub.add_parser(
        "check",
        parents=[common],
        help="validate a story folder",
        description="Validate a story: YAML, references, conditions, reachability, dead ends, endings, "
        "learning coverage. Problems print as path:line:column: message. Warnings (an ending that contradicts the "
        "numbers; memory seams: a character who left named later, an option offered again after it was taken, a flag "
        "never read, a flag read before it can be set) print the same way on standard error and do not fail the "
        "check. Exit 0 clean, 1 problems.",
    )
    p.add_argument("dir", nargs="?", metavar="DIR", help="the story folder (default: the shipped story)")

    p = story_sub.add_parser(
        "audit",
        parents=[common],
        help="the answer-key audit: every tell a test-wise learner could exploit",
        description="Measure what gives the answer away without the substance: length, position, the numbers, "
        "missing temptation, one right answer, stamps in notes and Borg lines, and test-wise learners who play "
        "by such rules. Each figure is printed with its threshold (defaults, or the story's 'audit:' mapping) and "
        "the worst scenes as path:line:column. Exit 0 when every threshold holds, 1 when one fails.",
    )
    p.add_argument("dir", nargs="?", metavar="DIR", help="the story folder (default: the shipped story)")
    p.add_argument("--seeds", type=_count, default=50, metavar="N", help="games per test-wise learner (default 50)")
    p.add_argument("--seed", type=_seed, default=0, help="the first seed (default 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    p.add_argument("--lang", metavar="XX", help="audit the story's translation into XX (l10n/XX.yaml) instead")

    p = story_sub.add_parser(
        "l10n",
        parents=[common],
        help="the story's translations: extract, check, pseudo",
        description="Translations of the story by its ids, one file per language in l10n/XX.yaml beside the story "
        "(docs/story-format.md, 'Translations'). extract writes or updates a file; check reports what is missing, "
        "untranslated, stale, obsolete, with placeholders or markup that differ, control or bidirectional characters, "
        "or text that will not fit 80x24, as path:line: message (exit 1 on problems); pseudo writes l10n/qps.yaml.",
    )
    l10n_sub = p.add_subparsers(dest="l10n_command", metavar="ACTION", parser_class=type(p))
    for name, text in (
        ("extract", "write or update l10n/XX.yaml"),
        ("check", "report every problem of the translations"),
        ("pseudo", "write the pseudo-locale l10n/qps.yaml"),
    ):
        q = l10n_sub.add_parser(name, parents=[common], help=text, description=text)
        q.add_argument("dir", nargs="?", metavar="DIR", help="the story folder (default: the shipped story)")
        if name != "pseudo":
            q.add_argument(
                "--lang",
                metavar="XX",
                required=name == "extract",
                help="the language (check: default every file in l10n/)",
            )

    p = story_sub.add_parser(
        "bots",
        parents=[common],
        help="strategy players and test-wise learners: endings and scores per strategy (the balance check)",
        description="Play whole games with fixed strategies (best-evidence, worst-practice, always-first, "
        "always-last, random, random-leaning) and the test-wise learners of 'story audit' (longest, virtuous, "
        "trust-gain, myopic), and print the endings, the learning scores and the words shown per strategy. "
        "Exit 1 when a game cannot finish.",
    )
    p.add_argument(
        "-n", type=_count, default=20, metavar="N", help="games per strategy, seeds SEED..SEED+N-1 (default 20)"
    )
    p.add_argument("--seed", type=_seed, default=0, help="the first seed (default 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the table")

    p = story_sub.add_parser(
        "map",
        parents=[common],
        help="Markdown table: learning point / worst practice -> the decisions that test it",
        description="Print the learning map of a story as Markdown: for each learning point and worst "
        "practice, the decisions (scene/choice, with evidence weight) that test it.",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")

    p = story_sub.add_parser(
        "answer-key",
        parents=[common],
        help="Markdown: every option scored negative or tagged as a worst practice, with the principle it breaks",
        description="Print the story's answer key as Markdown: every option whose summed evidence is negative or "
        "that carries a worst-practice tag, with its scene, its evidence, its tags and its note (the principle "
        "it breaks). The shipped key is docs/answer-key.md: pizzaborg story answer-key -o docs/answer-key.md.",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")

    p = story_sub.add_parser(
        "randomtest",
        parents=[common],
        help="seeded random playthroughs: coverage, endings, scores, failures",
        description="Play N seeded random games that prefer the least-used choices. Prints per-scene and "
        "per-choice hits, choices never taken, endings, the score distribution and every failure with the "
        "seed and choices that reproduce it. Exit 1 when a game fails.",
    )
    p.add_argument("-n", type=_count, default=10_000, metavar="N", help="number of games (default 10000)")
    p.add_argument("--seed", type=_seed, default=0, help="run seed: game k uses seed SEED+k (default 0)")
    p.add_argument("--jobs", type=_jobs, default=None, metavar="J", help="processes (default: one per CPU)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the report")

    p = story_sub.add_parser(
        "graph",
        parents=[common],
        help="the story as a Mermaid or Graphviz graph",
        description="Print scenes and choices as a graph: rounds as subgraphs, event pools, endings marked.",
    )
    p.add_argument("--format", choices=("mermaid", "dot"), default="mermaid", help="mermaid (default) or dot")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")


def _story(args):
    from ..engine import StoryError, load_story

    target = getattr(args, "dir", None) or getattr(args, "story", None)
    try:
        return load_story(target)
    except StoryError as exc:
        raise ToolError(f"the story cannot be read: {exc}; run 'pizzaborg story check' for every problem") from None


def _translated(story, lang: str):
    from ..engine.l10n import L10nError
    from .l10n import translated

    try:
        return translated(story, lang)
    except L10nError as exc:
        raise ToolError(str(exc)) from None


def _write(text: str, output) -> None:
    if not output:
        sys.stdout.write(text)
        return
    import os
    from pathlib import Path

    path = Path(output)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise ToolError(f"{output}: cannot be written ({exc.strerror or exc})") from None
    print(f"wrote {output}", file=sys.stderr)


def cmd_check(args) -> int:
    from .check import check_story

    target = args.dir or getattr(args, "story", None)
    story, problems = check_story(target)
    from ..engine.text import clean

    for p in problems:
        print(clean(str(p), oneline=True))
    if problems:
        print(f"{len(problems)} problem(s)", file=sys.stderr)
        return 1
    from .check import ending_warnings
    from .memory import memory_warnings

    for w in ending_warnings(story) + memory_warnings(story):  # warnings do not fail the check
        print(clean(str(w), oneline=True), file=sys.stderr)
    events = sum(len(v) for v in story.pools.values())
    print(
        f"{clean(story.id)} {clean(story.version, oneline=True)}: OK — {len(story.rounds)} round(s), "
        f"{len(story.scenes) - events} scene(s), "
        f"{events} event(s), {len(story.endings)} ending(s)"
    )
    return 0


def cmd_audit(args) -> int:
    import json

    from .audit import format_report, run_audit

    story = _story(args)
    if getattr(args, "lang", None):
        story = _translated(story, args.lang)
    report = run_audit(story, args.seeds, args.seed)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_report(report))
    return 1 if report.failed or report.errors else 0


def cmd_bots(args) -> int:
    from .bots import format_table, run_bots

    story = _story(args)
    summaries = run_bots(story, args.n, args.seed)
    if args.json:
        data = {"story": story.ref, "games": args.n, "seed": args.seed, "strategies": [s.as_dict() for s in summaries]}
        from ..engine.text import json_text

        print(json_text(data, indent=2))
    else:
        print(format_table(story, summaries, args.n, args.seed))
    return 1 if any(s.errors for s in summaries) else 0


def cmd_map(args) -> int:
    from .map import learning_map

    _write(learning_map(_story(args)), args.output)
    return 0


def cmd_answer_key(args) -> int:
    from .answerkey import answer_key

    _write(answer_key(_story(args)), args.output)
    return 0


def cmd_randomtest(args) -> int:
    from .randomtest import format_report, run_randomtest

    story = _story(args)
    report = run_randomtest(story, args.n, args.seed, jobs=args.jobs, story_dir=getattr(args, "story", None))
    if args.json:
        from ..engine.text import json_text

        print(json_text(report.as_dict(), indent=2))
    else:
        print(format_report(report, story))
    return 1 if report.failures else 0


def cmd_graph(args) -> int:
    from .graph import render

    _write(render(_story(args), args.format), args.output)
    return 0


def cmd_l10n(args) -> int:
    from .l10n import run

    return run(args, _story(args), ToolError)


_COMMANDS = {
    "check": cmd_check,
    "audit": cmd_audit,
    "bots": cmd_bots,
    "map": cmd_map,
    "randomtest": cmd_randomtest,
    "graph": cmd_graph,
    "answer-key": cmd_answer_key,
    "l10n": cmd_l10n,
}


def run(args) -> int:
    """Dispatch ``pizzaborg story TOOL``; bad input prints one line and returns 2."""
    try:
        games = max(getattr(args, "n", None) or 1, getattr(args, "seeds", None) or 1)
        if (getattr(args, "seed", None) or 0) + games - 1 > MAX_SEED:  # the last game's seed is a seed too
            raise ToolError(f"--seed must be at most {MAX_SEED - games + 1} for {games} games (seeds up to 2^63-1)")
        return _COMMANDS[args.story_command](args)
    except ToolError as exc:
        print(f"pizzaborg: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("pizzaborg: interrupted", file=sys.stderr)
        return 130
