"""Author tools under ``pizzaborg story``: bots, map, randomtest, graph.

``cli.py`` calls :func:`add_commands` to register them and :func:`run` to dispatch; the logic lives in
:mod:`pizzaborg.bots`, :mod:`pizzaborg.randomtest`, :mod:`pizzaborg.storymap` and
:mod:`pizzaborg.storygraph`. Exit codes: 0 fine, 1 the tool found problems (randomtest failures),
2 bad input (an unreadable story, a bad option, a file that cannot be written).
"""

from __future__ import annotations

import argparse
import sys

COMMANDS = ("bots", "map", "randomtest", "graph")


class ToolError(Exception):
    """Bad input: one line, exit 2."""


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= value <= 10_000_000:
        raise argparse.ArgumentTypeError("the number of games must be between 1 and 10000000")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 0 <= value < 2**62:
        raise argparse.ArgumentTypeError("the seed must be between 0 and 2^62-1")
    return value


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= value <= 256:
        raise argparse.ArgumentTypeError("--jobs must be between 1 and 256")
    return value


def add_commands(story_sub, common) -> None:
    """Register the tools on the ``story`` subparsers; ``common`` carries --story."""
    p = story_sub.add_parser(
        "bots",
        parents=[common],
        help="strategy players: endings and scores per strategy (the balance check)",
        description="Play whole games with fixed strategies (best-evidence, worst-practice, always-first, "
        "always-last, random, random-leaning) and print the endings, the learning scores and the words shown per "
        "strategy. Exit 1 when a game cannot finish.",
    )
    p.add_argument("-n", type=_count, default=20, metavar="N", help="games per strategy, seeds SEED..SEED+N-1 (default 20)")
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
    from .engine import StoryError, load_story

    target = getattr(args, "story", None)
    try:
        return load_story(target)
    except StoryError as exc:
        raise ToolError(f"the story cannot be read: {exc}; run 'pizzaborg story check' for every problem") from None


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


def cmd_bots(args) -> int:
    from .bots import format_table, run_bots

    story = _story(args)
    summaries = run_bots(story, args.n, args.seed)
    if args.json:
        data = {"story": story.ref, "games": args.n, "seed": args.seed, "strategies": [s.as_dict() for s in summaries]}
        from .engine.text import json_text

        print(json_text(data, indent=2))
    else:
        print(format_table(story, summaries, args.n, args.seed))
    return 1 if any(s.errors for s in summaries) else 0


def cmd_map(args) -> int:
    from .storymap import learning_map

    _write(learning_map(_story(args)), args.output)
    return 0


def cmd_randomtest(args) -> int:
    from .randomtest import format_report, run_randomtest

    story = _story(args)
    report = run_randomtest(story, args.n, args.seed, jobs=args.jobs, story_dir=getattr(args, "story", None))
    if args.json:
        from .engine.text import json_text

        print(json_text(report.as_dict(), indent=2))
    else:
        print(format_report(report, story))
    return 1 if report.failures else 0


def cmd_graph(args) -> int:
    from .storygraph import render

    _write(render(_story(args), args.format), args.output)
    return 0


def run(args) -> int:
    """Dispatch ``pizzaborg story TOOL``; bad input prints one line and returns 2."""
    try:
        return {"bots": cmd_bots, "map": cmd_map, "randomtest": cmd_randomtest, "graph": cmd_graph}[args.story_command](args)
    except ToolError as exc:
        print(f"pizzaborg: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("pizzaborg: interrupted", file=sys.stderr)
        return 130
