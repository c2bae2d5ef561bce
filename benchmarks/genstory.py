"""Generate a synthetic story of N scenes (for the loader benchmark and scaling tests)."""

from __future__ import annotations

from pathlib import Path

STORY = """\
id: synthetic
title: Synthetic story
version: "1"
start: s0
company: {{name: Synth}}
kpis:
  - {{id: revenue, name: Revenue, min: 0, max: 1000, start: 500}}
  - {{id: trust, name: Trust, min: 0, max: 100, start: 50}}
learning:
  areas:
    - id: a
      name: Area
      points:
        - {{id: a.one, name: One}}
        - {{id: a.two, name: Two}}
  worst_practices:
    - {{id: W1, name: Worst}}
endings:
  - {{id: low, title: Low, when: trust < 40, text: Low.}}
  - {{id: high, title: High, text: High.}}
"""

SCENE = """\
  - id: s{i}
    text: Scene {i}. The business asks for something again, and you decide what IT does about it.
    choices:
      - id: good
        text: Talk to the business first.
        effects: {{trust: 1}}
        evidence: {{a.one: 2}}
        borg: Irrelevant.
        note: Relationship first.
      - id: bad
        text: Follow the process.
        effects: {{trust: -1, revenue: 1}}
        evidence: {{a.one: -1, a.two: -1}}
        worst: [W1]
        when: trust > 10 or flag.f
        set: [f]
        note: The process is not the goal.
    next: {next}
"""


def write_story(root: Path, scenes: int, per_file: int = 1000) -> Path:
    root = Path(root)
    (root / "rounds").mkdir(parents=True, exist_ok=True)
    (root / "story.yaml").write_text(STORY.format(), encoding="utf-8")
    for f, first in enumerate(range(0, scenes, per_file)):
        last = min(scenes, first + per_file)
        body = [f"round:\n  id: r{f}\n  title: Round {f}\nscenes:\n"]
        for i in range(first, last):
            body.append(SCENE.format(i=i, next="end" if i == scenes - 1 else f"s{i + 1}"))
        (root / "rounds" / f"{f:04d}.yaml").write_text("".join(body), encoding="utf-8")
    return root
