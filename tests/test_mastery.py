"""The mastery estimate: exact on small cases, said in words, and calibrated on simulated learners."""

from __future__ import annotations

import random
import time

from pizzaborg.engine.mastery import cdf, estimate, estimates, posterior, say
from pizzaborg.engine.scoring import likelihood


def test_one_decision_by_hand():
    # posterior ∝ θ + ½(1 − θ): mean = (1/4 + 1/6) / (3/4)
    est = estimate([(1.0, 0.5)])
    assert est.value == round(100 * (1 / 4 + 1 / 6) / 0.75, 1)
    assert est.decisions == 1
    assert 0 < est.low < est.value < est.high < 100


def test_posterior_is_a_distribution():
    w = posterior([(1.0, 1 / 3), (0.0, 1 / 3), (1.0, 0.5)])
    assert abs(sum(w) - 1) < 1e-12 and all(v >= 0 for v in w)
    assert cdf(w, 0) == 0 and cdf(w, 1) == 1
    xs = [i / 20 for i in range(21)]
    assert all(cdf(w, a) <= cdf(w, b) + 1e-12 for a, b in zip(xs, xs[1:], strict=False))


def test_more_decisions_narrow_the_interval():
    few = estimate([(1.0, 1 / 3)] * 3)
    many = estimate([(1.0, 1 / 3)] * 20)
    assert many.high - many.low < few.high - few.low
    assert many.value > few.value


def test_guessing_is_corrected():
    # a best choice among two options says less than a best choice among four
    assert estimate([(1.0, 0.5)] * 5).value < estimate([(1.0, 0.25)] * 5).value


def test_no_evidence():
    est = estimate([])
    assert est.value is None and est.decisions == 0
    assert say("Relationship", est) == "Relationship: no decision bore on it"


def test_words():
    est = estimate([(1.0, 1 / 3)] * 5 + [(0.0, 1 / 3)])
    text = say("Change management", est)
    assert text.startswith("Change management: about ")
    assert f"likely between {round(est.low)} and {round(est.high)}, from 6 decisions" in text
    assert say("X", estimate([(1.0, 0.5)])).endswith("from 1 decision")


def test_likelihood_of_a_choice():
    assert likelihood([2, 0, -1], 2) == (1.0, 1 / 3)
    assert likelihood([2, 0, 0], 0) == (0.0, 2 / 3)


def test_estimates_of_a_game():
    from pizzaborg.engine import Game, load_story

    story = load_story(None)
    game = Game(story, 3)
    for _ in range(5):
        game.choose_number(1)
    out = estimates(game.report())
    assert set(out) == set(story.points)
    assert any(e.decisions for e in out.values())


def test_calibration_10000_simulated_learners():
    """10,000 learners with a known mastery θ (uniform): each meets 3–15 decisions on one point with
    2–4 choices of random weights, takes a best one with probability θ, else guesses. The 90 %
    intervals must cover θ in 87–93 % of the learners; the whole test in under 30 s."""
    rng = random.Random(20261206)
    start = time.perf_counter()
    covered = 0
    learners = 10_000
    for _ in range(learners):
        theta = rng.random()
        evidence = []
        for _ in range(rng.randint(3, 15)):
            weights = [rng.randint(-1, 2) for _ in range(rng.randint(2, 4))]
            if max(weights) == min(weights):
                weights[0] = max(weights) + 1
            if rng.random() < theta:
                earned = max(weights)
            else:
                earned = rng.choice(weights)
            evidence.append(likelihood(weights, earned))
        est = estimate(evidence)
        covered += est.low <= 100 * theta <= est.high
    took = time.perf_counter() - start
    share = covered / learners
    print(f"coverage {share:.4f} in {took:.2f} s")
    assert 0.87 <= share <= 0.93, share
    assert took < 30, took


def test_lines_for_the_faces():
    from pizzaborg.engine import Game, load_story
    from pizzaborg.engine.mastery import lines, score_words

    story = load_story(None)
    game = Game(story, 3)
    game.choose_number(1)
    assert score_words(game.report()).startswith("Learning score (first answers): ")
    assert "changed" not in score_words(game.report())
    game.undo()
    game.choose_number(2)
    text = score_words(game.report())
    assert "the path you kept" in text and "you changed 1 answer after seeing the feedback" in text
    out = lines(story, game.report())
    assert out[0] == text and len(out) == 1 + len(story.points)
    assert all(":" in line for line in out[1:])
