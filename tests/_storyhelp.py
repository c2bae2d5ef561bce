"""Helpers for the story-tool tests (kept out of conftest.py on purpose: plain functions, no fixtures)."""

from __future__ import annotations

import contextlib
import io
import os
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MINI_DIR = ROOT / "tests" / "fixtures" / "mini"
STORY_DIR = ROOT / "story"


def run_cli(*args, cwd=None):
    """``pizzaborg.cli.main(args)`` in-process: (exit code, stdout, stderr)."""
    from pizzaborg.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        os.chdir(old)
    return code, out.getvalue(), err.getvalue()


def write_story(root: Path, story_yaml: str, rounds: dict) -> Path:
    """A story folder at ``root``: story.yaml and rounds/<name> (texts dedented)."""
    root = Path(root)
    (root / "rounds").mkdir(parents=True, exist_ok=True)
    (root / "story.yaml").write_text(textwrap.dedent(story_yaml), encoding="utf-8")
    for name, text in rounds.items():
        (root / "rounds" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


# A tiny story whose every number is known: two decisions, three endings.
TINY_STORY = """\
id: tiny
title: Tiny story
version: "1"
shuffle: false  # the bot tests name the first and last choice as written
start: r1.one
intro: You start here today.
company:
  name: Co
kpis:
  - { id: trust, name: Trust, min: 0, max: 100, start: 50 }
learning:
  areas:
    - id: lp
      name: Area
      points:
        - { id: lp.one, name: Point one }
        - { id: lp.two, name: Point two }
  worst_practices:
    - { id: W1, name: Worst one }
endings:
  - id: low
    title: Low
    when: trust < 40
    text: Low end.
  - id: high
    title: High
    when: trust >= 60
    text: High end, well done.
  - id: mid
    title: Mid
    text: Middle end.
"""

TINY_ROUND = """\
round:
  id: r1
  title: Round one
  intro: The round begins now.
  reflection:
    question: What did we see?
scenes:
  - id: r1.one
    text: First scene text.
    choices:
      - id: tie-a
        text: Tie A.
        effects: { trust: 5 }
        evidence: { lp.one: 1, lp.two: 1 }
        borg: Borg a.
        note: Note a.
      - id: tie-b
        text: Tie B here.
        effects: { trust: 6 }
        evidence: { lp.one: 2 }
        borg: Borg b.
        note: Note b.
      - id: lowest
        text: Lowest one.
        effects: { trust: -20 }
        evidence: { lp.one: -2, lp.two: -1 }
        borg: Borg c.
        note: Note c.
      - id: worst-mild
        text: Worst but mild.
        effects: { trust: -5 }
        evidence: { lp.one: -1 }
        worst: [W1]
        borg: Borg d.
        note: Note d.
    next: r1.two
  - id: r1.two
    text: Second scene text.
    choices:
      - id: good
        text: Good.
        effects: { trust: 10 }
        evidence: { lp.two: 2 }
        borg: Borg e.
        note: Note e.
      - id: bad
        text: Bad.
        effects: { trust: -10 }
        evidence: { lp.two: -2 }
        borg: Borg f.
        note: Note f.
      - id: hidden
        text: Only when trust is high.
        when: trust >= 55
        effects: { trust: 1 }
        borg: Borg g.
        note: Note g.
    next: end
"""


def tiny_story(tmp_path) -> Path:
    return write_story(Path(tmp_path) / "tiny", TINY_STORY, {"01.yaml": TINY_ROUND})
