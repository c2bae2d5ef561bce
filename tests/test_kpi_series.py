"""The engine owns the history of the numbers: one series, month starts as entries of their own.

Every face reads its numbers from ``Game.history`` / ``Game.kpi_series``; these tests pin the series
itself on whole games of the shipped story (several seeds, random available choices)."""

from __future__ import annotations

import random

import pytest

from pizzaborg.engine import Game, load_story
from pizzaborg.play.render import fmt_num, kpi_line, outcome_block

MAX_STEPS = 500


@pytest.fixture(scope="module")
def story():
    return load_story()


def play_random(story, seed: int, pick_seed: int):
    """A whole game with random available choices; yields (game, outcome) after each decision."""
    game = Game(story, seed)
    rng = random.Random(pick_seed)
    for _ in range(MAX_STEPS):
        if game.over:
            return
        available = game.available()
        if game.pick is not None:
            choice = game.portfolio(rng.sample(available, len(available)))
        else:
            choice = rng.choice(available).id
        yield game, game.choose(choice)
    raise AssertionError("the game did not end")


@pytest.mark.parametrize("seed", [1, 7, 42])
def test_series_follows_every_change(story, seed):
    """Each decision adds an entry (the values right after it), each month start another; the last entry
    is what the game holds; the changes recorded add up to the values."""
    month_starts = 0
    for game, outcome in play_random(story, seed, seed + 100):
        entry = game.entries_through(len(game.decisions))[-1]
        assert entry.kind == "decision" and entry.values == outcome.after
        assert game.history[-1].values == game.kpis
        if outcome.round_start:
            month_starts += 1
            assert game.history[-1].kind == "month_start" and game.history[-1].changes == outcome.round_start
    assert month_starts >= 3  # the shipped story drifts every month
    series = game.kpi_series()
    for k, kpi in story.kpis.items():
        assert series[k][0] == kpi.start
        assert series[k][-1] == game.kpis[k]
    assert len(game.history) == 1 + len(game.decisions) + sum(e.kind == "month_start" for e in game.history)


def test_series_is_replayed_and_undone(story):
    played = list(play_random(story, 7, 3))
    game = played[-1][0]
    again = Game.replay(story, 7, game.decision_list)
    entries = [(e.kind, e.decisions, e.values) for e in game.history]
    assert [(e.kind, e.decisions, e.values) for e in again.history] == entries
    game.undo()
    shorter = Game.replay(story, 7, game.decision_list)
    assert [e.values for e in game.history] == [e.values for e in shorter.history]


def test_now_after_a_months_last_decision_is_before_the_next_month(story):
    """The bug: "up 0.8, now 70.4" where the month summary said 72.4. "now" is right after the decision."""
    for game, outcome in play_random(story, 7, 5):
        if outcome.round_start and outcome.deltas:
            k = next(iter(outcome.deltas))
            if k in outcome.round_start:
                assert f"now {fmt_num(outcome.after[k])}" in kpi_line(game, outcome.deltas, outcome.after)
                block = outcome_block(game, outcome)
                assert f"now {fmt_num(outcome.after[k])}" in " ".join(block.split()) or not block
                assert outcome.after[k] == outcome.round_end.kpi_end[k]
                return
    pytest.skip("no month ended with a decision moving a drifting number on this path")
