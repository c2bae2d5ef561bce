"""Undo is part of the record: the game keeps every undo, replays it, and scores first answers."""

from __future__ import annotations

import pytest

from pizzaborg.engine import Game, ReplayError, load_story
from pizzaborg.engine.game import action_log


@pytest.fixture(scope="module")
def story():
    return load_story(None)


def _peeker(story, seed: int, steps: int) -> Game:
    """A learner who tries every choice, reads the score, undoes, and keeps the best."""
    game = Game(story, seed)
    for _ in range(steps):
        if game.over:
            break
        best = None
        for c in game.available():
            game.choose(c.id)
            score = game.report().overall or 0
            game.undo()
            if best is None or score > best[0]:
                best = (score, c.id)
        game.choose(best[1])
    return game


def test_undo_is_recorded(story):
    game = Game(story, 7)
    game.choose_number(1)
    game.choose_number(1)
    taken = game.decisions[-1]
    assert game.undo()
    assert len(game.undos) == 1
    u = game.undos[0]
    assert (u.index, u.scene, u.choice) == (1, taken.scene, taken.choice)
    assert u.decision.deltas == taken.deltas and u.decision.stakes == taken.stakes
    assert game.undo_list == [{"decision": 2, "scene": taken.scene, "choice": taken.choice}]


def test_state_does_not_depend_on_undos(story):
    plain = Game.replay(story, 7, [{"scene": "r1.arrival", "choice": "directors"}])
    game = Game(story, 7)
    game.choose("listen") if "listen" in {c.id for c in game.offered()} else game.choose_number(2)
    game.undo()
    game.choose("directors")
    assert game.state_dict()["kpis"] == plain.state_dict()["kpis"]
    assert game.state == plain.state


def test_replay_rebuilds_the_undos(story):
    game = Game(story, 7)
    for _ in range(6):
        game.choose_number(1)
    game.undo()
    game.choose_number(2)
    game.undo()
    game.undo()
    game.choose_number(2)
    game.choose_number(3)
    again = Game.replay(story, 7, game.decision_list, game.undo_list)
    assert again.state_dict() == game.state_dict()
    assert again.undos == game.undos
    assert again.report() == game.report()
    assert again.undo_record


def test_action_log_order():
    kept = [("s1", "a"), ("s2", "c")]
    undos = [{"decision": 2, "scene": "s2", "choice": "b"}, {"decision": 2, "scene": "s2", "choice": "x"}]
    log = action_log(kept, undos)
    assert [(a, i if a == "choose" else i["choice"]) for a, i, _ in log] == [
        ("choose", ("s1", "a")),
        ("choose", ("s2", "b")),
        ("undo", "b"),
        ("choose", ("s2", "x")),
        ("undo", "x"),
        ("choose", ("s2", "c")),
    ]


def test_action_log_refuses_an_impossible_record():
    with pytest.raises(ValueError, match="undo 1 takes back decision 5"):
        action_log([("s1", "a")], [{"decision": 5, "scene": "s", "choice": "c"}])
    with pytest.raises(ValueError, match="whole number"):
        action_log([], [{"decision": "1", "scene": "s", "choice": "c"}])


def test_replay_refuses_an_undo_the_story_does_not_have(story):
    game = Game(story, 7)
    game.choose_number(1)
    with pytest.raises(ReplayError, match="undo 1"):
        Game.replay(story, 7, game.decision_list, [{"decision": 2, "scene": game.state, "choice": "no-such"}])


def test_missing_record_is_said_not_invented(story):
    game = Game.replay(story, 7, [], None)
    assert not game.undo_record and game.undo_list == []


def test_first_answers_count(story):
    game = Game(story, 7)
    game.choose_number(1)
    first = game.decisions[-1]
    game.undo()
    other = next(c.id for c in game.available() if c.id != first.choice)
    game.choose(other)
    r = game.report()
    assert r.changed == 1 and r.undone == 1 and r.abandoned == 0
    alone = Game.replay(story, 7, [{"scene": first.scene, "choice": first.choice}])
    assert r.first.overall == alone.report().overall
    assert r.reported == r.first.overall
    assert r.overall == Game.replay(story, 7, game.decision_list).report().overall


def test_same_answer_again_is_not_a_change(story):
    game = Game(story, 7)
    game.choose_number(1)
    game.undo()
    game.choose_number(1)
    r = game.report()
    assert r.changed == 0 and r.undone == 1 and r.first.overall == r.overall


def test_abandoned_branch_is_not_scored(story):
    game = Game(story, 7)
    game.choose_number(1)
    game.choose_number(1)
    game.undo()
    game.undo()
    # a different first decision: the second decision point may be another scene
    second = [c.id for c in game.available()][1]
    game.choose(second)
    r = game.report()
    assert r.undone == 2
    assert r.abandoned in (0, 1)
    assert r.changed == 1


def test_peek_and_undo_learner_is_scored_by_first_answers(story):
    game = _peeker(story, 11, 12)
    r = game.report()
    assert r.changed > 0
    assert r.reported is not None and r.overall is not None
    assert r.reported <= r.overall
    # the first answers at each kept point: the first undone one there
    firsts = {}
    for u in game.undos:
        firsts.setdefault(u.key, u.decision.choice)
    assert len(firsts) == len(game.decisions)


@pytest.mark.parametrize("seed", range(8))
def test_replay_with_snapshots_equals_the_live_game(story, seed):
    """Replays restore a snapshot at each undo; the live game replays: the same game either way."""
    import random

    rng = random.Random(seed)
    game = Game(story, seed)
    while not game.over and len(game.decisions) < 60:
        if game.decisions and rng.random() < 0.3:
            game.undo()
            continue
        game.choose(rng.choice(game.available()).id)
    if game.over and rng.random() < 0.5:
        game.undo()  # after the ending too
    again = Game.replay(story, seed, game.decision_list, game.undo_list)
    assert again.state_dict() == game.state_dict()
    assert again.undos == game.undos and again.report() == game.report()
    assert again.offered() == game.offered() and again.capacity_left == game.capacity_left
    assert again.round_start_deltas == game.round_start_deltas and again.spent == game.spent
    snap = again.snapshot()
    if again.decisions:
        before = dict(again.kpis)
        again.undo()
        again._restore(snap)
        assert again.kpis == before


def test_undos_are_bounded(story, monkeypatch):
    from pizzaborg.engine import game as G

    monkeypatch.setattr(G, "MAX_UNDOS", 3)
    game = Game(story, 7)
    game.choose_number(1)
    results = []
    for _ in range(5):
        results.append(game.undo())
        if not game.decisions:
            game.choose_number(1)
    assert results == [True, True, True, False, False] and len(game.undos) == 3 and len(game.decisions) == 1
    with pytest.raises(ValueError, match="more than a game records"):
        action_log([], [{"decision": 1, "scene": "s", "choice": "c"}] * 4)
