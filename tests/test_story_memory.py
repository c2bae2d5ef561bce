"""Story 0.3.0 remembers (issue 19, months 4-6 and the endings): each seam the review found, pinned.

The memory checks of ``story check`` (``author.memory``) see what the YAML shows in general; these
tests play the shipped story along the paths that used to forget: a payment provider switched and
offered again, a change freeze that constrained nothing, Elif "still not refunded" after a refund, a
cost card read before it could be set, an Outsourced epilogue that described the team at work after
it had left.
"""

from __future__ import annotations

import os

import pytest

from pizzaborg.author import bots
from pizzaborg.author.memory import memory_warnings
from pizzaborg.engine import Game, load_story

SEEDS = range(6)


@pytest.fixture(scope="module")
def story():
    return load_story(os.environ.get("PIZZABORG_SCENARIO_STORY") or None)


def _play(story, seed: int, force: dict) -> dict:
    """Play one game: the forced choice where one is given (a scene id -> a choice id, or a list of ids
    for a portfolio, tried first), else the best evidence. Returns {scene id: (offered ids, scene text,
    flags when shown)} and the game under the key None."""
    game = Game(story, seed)
    seen: dict = {}
    while not game.over:
        sid = game.state
        offered = game.available()
        seen[sid] = ([c.id for c in offered], story.scenes[sid].text.render(game.view), set(game.flags))
        want = force.get(sid)
        if game.pick is not None:
            want = want or []
            ranked = [c for c in offered if c.id in want]
            ranked += sorted((c for c in offered if c.id not in want), key=lambda c: -bots.evidence_sum(c))
            game.choose(game.portfolio(ranked))
        else:
            ids = [c.id for c in offered]
            game.choose(want if want in ids else bots._best_evidence(offered, game).id)
    seen[None] = game
    return seen


def _portfolio5(seen) -> tuple:
    return seen.get("r5.portfolio") or seen.get("r5.portfolio-three")


@pytest.mark.parametrize("seed", SEEDS)
def test_a_payment_provider_switched_is_not_offered_again(story, seed):
    seen = _play(story, seed, {"r4.portfolio": ["payment"]})
    offered, _, flags = _portfolio5(seen)
    assert "payment_switched" in flags and "cheap-pay" not in offered


@pytest.mark.parametrize("seed", SEEDS)
def test_the_peak_freeze_constrains_the_cup_final_portfolio(story, seed):
    frozen = _portfolio5(_play(story, seed, {"r4.cause": "freeze"}))
    free = _portfolio5(_play(story, seed, {"r4.cause": "vocr-cost"}))
    new_features = {"match-scores", "double-points", "cheap-pay", "reorder"}
    assert not new_features & set(frozen[0]) and len(frozen[0]) >= 2
    assert "freeze you agreed" in frozen[1] and "freeze you agreed" not in free[1]
    assert "match-scores" in free[0]


@pytest.mark.parametrize("seed", SEEDS)
def test_elif_is_not_still_unrefunded_after_a_refund(story, seed):
    not_refunded = "still has not had her double charge back"
    for refund in ("restore-by-hand", "joint-review"):
        offered, text, _ = _play(story, seed, {"r5.after": refund})["r6.complaint"]
        assert not_refunded not in text and "refund-call" not in offered
    offered, text, _ = _play(story, seed, {"r5.after": "vendor-blame"})["r6.complaint"]
    assert not_refunded in text and "refund-call" in offered


def test_the_cost_card_of_month_five_counts_in_month_six(story):
    seen = _play(story, 0, {"r5.ci": "ci-cost-card"})
    game = seen[None]
    assert "outage_cost_card" in seen["r6.complaint"][2]
    assert any("cost-of-an-hour card" in t for cond, t in story.rounds["r6"].intro.parts if cond is not None)
    assert game.over


def test_the_outsourced_epilogue_does_not_show_the_team_at_work(story):
    """The ending texts carry their epilogues as conditional parts: Outsourced shares none of them with
    Converged (whose lines describe the team at work), and none of its own says the team works on."""
    outsourced, converged = story.ending("outsourced"), story.ending("converged")
    own = {t for cond, t in outsourced.text.parts if cond is not None}
    shared = {t for cond, t in converged.text.parts if cond is not None}
    assert own and not own & shared


def test_months_four_to_six_have_no_memory_seam(story):
    seams = [w for w in memory_warnings(story) if any(m in w.pos.path for m in ("04-", "05-", "06-", "story.yaml"))]
    assert not seams, [str(w) for w in seams]
