"""Issue 20, numbers: a story's numbers are bounded by ``story check`` (a weight of 1.0e+308, 10**400 in a
KPI are ``path:line:col`` problems, not an internal error in every tool), and scoring never gives NaN."""

from __future__ import annotations

import math

import pytest
from conftest import BASE_ROUND, BASE_STORY, pos_of, write_story

from pizzaborg.engine import load_story
from pizzaborg.engine.numbers import MAX_MAGNITUDE, in_range
from pizzaborg.engine.scoring import _pct


@pytest.mark.parametrize(
    "story, round_, needle, shown",
    ids=["weight", "kpi", "effect"],
    argvalues=[
        (
            BASE_STORY,
            BASE_ROUND.replace("evidence: { lp.one: 1 }", "evidence: { lp.one: 1.0e+308 }"),
            "1.0e+308",
            "1e+308",
        ),
        (
            BASE_STORY.replace("start: 50 }", "start: 50, max: " + "1" + "0" * 400 + " }").replace("max: 100, ", ""),
            BASE_ROUND,
            "1" + "0" * 400,
            "a 401-digit number",
        ),
        (
            BASE_STORY,
            BASE_ROUND.replace("effects: { trust: 10 }", "effects: { trust: -2.0e+9 }"),
            "-2.0e+9",
            "-2000000000.0",
        ),
    ],
)
def test_story_check_bounds_numbers_with_a_position(tmp_path, run_cli, story, round_, needle, shown):
    root = write_story(tmp_path, story, {"01.yaml": round_})
    code, out, err = run_cli("story", "check", root)
    assert code == 1 and "Traceback" not in out + err and "internal error" not in (out + err).lower()
    text = story if needle in story else round_
    line, col = pos_of(text, needle)
    where = "story.yaml" if needle in story else "01.yaml"
    hits = [ln for ln in out.splitlines() if "out of range" in ln]
    assert len(hits) == 1, out
    assert f"{where}:{line}:{col}" in hits[0] and f"the number {shown} is out of range" in hits[0]
    code, out, err = run_cli("play", "--story", root, "--choices", "1")
    assert code == 2 and "Traceback" not in err and "out of range" in err


def test_the_limit_leaves_room_for_any_real_story(mini_dir):
    assert in_range(MAX_MAGNITUDE) and in_range(-MAX_MAGNITUDE) and in_range(0.5)
    assert not in_range(MAX_MAGNITUDE + 1) and not in_range(1e308) and not in_range(math.nan) and not in_range(True)
    assert not in_range(10**400)
    load_story(None)  # the shipped story loads: none of its numbers is near the limit
    load_story(mini_dir)


def test_scoring_never_gives_nan():
    assert _pct(math.inf, math.inf) is None and _pct(1.0, math.inf) is None and _pct(math.nan, 1.0) is None
    assert _pct(1e308, 1e-308) is None
    assert _pct(1, 2) == 50.0
