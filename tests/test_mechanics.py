"""Mechanics for real trade-offs (tests/fixtures/mech): capacity, portfolios, conditional effects,
round-start effects and drift, saturation, conditional event odds, reflections that read the month,
endings with epilogues, and what `story check`, randomtest and bots make of them."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import TESTS

from pizzaborg.author import bots
from pizzaborg.author.check import ending_warnings
from pizzaborg.author.randomtest import run_randomtest
from pizzaborg.engine import Game, GameError, cache, load_story
from pizzaborg.engine import saves as S
from pizzaborg.engine.loader import read_story

MECH_DIR = TESTS / "fixtures" / "mech"


@pytest.fixture(scope="module")
def mech():
    return load_story(MECH_DIR)


def play(story, ids: list, seed: int = 1) -> Game:
    game = Game(story, seed)
    for cid in ids:
        if game.state.startswith("ev."):
            game.choose(game.offered()[0].id)  # the news of month one, whichever it is
        game.choose(cid)
    return game


def to_peak(story, first: str, plan: str, seed: int = 1) -> Game:
    game = play(story, [first, plan], seed)
    while game.state != "m2.peak":
        game.choose(game.offered()[0].id)
    return game


# ---- capacity ------------------------------------------------------------------------------------
def test_a_choice_the_capacity_cannot_pay_for_is_shown_unavailable_with_the_reason(mech):
    game = play(mech, ["team"])  # 6 of 8 Team weeks spent
    assert game.capacity_left == 2 and game.capacity_total == 8
    shown = {c.id: c for c in game.scene.choices}
    assert set(shown) == {"app", "crm", "infra", "tidy"}  # shown, all of them
    assert not shown["app"].available and shown["app"].reason == "needs 3 team weeks, 2 left this month"
    assert not shown["infra"].available and "needs 4 team weeks" in shown["infra"].reason
    assert shown["crm"].available and shown["crm"].reason == "" and shown["tidy"].available
    assert {c.id for c in game.available()} == {"crm", "tidy"}
    with pytest.raises(GameError, match="'app' in scene 'm1.plan' is not available: needs 3 team weeks"):
        game.choose("app")
    n = next(c.n for c in game.scene.choices if c.id == "app")
    with pytest.raises(GameError, match="not available"):
        game.choose_numbers([n])


def test_capacity_starts_anew_each_round_with_the_round_s_own_amount(mech):
    game = to_peak(mech, "careful", "app+crm")
    assert game.capacity_total == 4 and game.capacity_left == 4  # month two sets capacity: 4
    game.choose("migrate")
    assert game.over


# ---- portfolios ----------------------------------------------------------------------------------
def test_a_portfolio_sums_effects_evidence_and_cost_and_is_stored_in_story_order(mech):
    game = play(mech, ["careful"])  # trust 50 -> 55 (saturated +10), 3 weeks spent
    assert game.kpis["trust"] == 55 and game.pick == (1, 2)
    outcome = game.choose("crm+app")  # in any order; stored in the order written
    assert outcome.choice == "app+crm" and game.decisions[-1].choice == "app+crm"
    assert game.decisions[-1].picks == ("app", "crm")
    assert outcome.evidence == {"lp.value": 3}
    assert outcome.deltas == {"trust": 1.8, "revenue": 40}  # trust +4 at 55: 4 x (1 - 0.55)
    assert game.spent == 8 and game.capacity_left == 0
    assert outcome.choice_text == "The delivery app. + The loyalty scheme."
    assert ("m1.plan", "app") in game.chosen and ("m1.plan", "crm") in game.chosen


@pytest.mark.parametrize(
    "ids, message",
    [
        ("app+crm+tidy", "asks for 1 to 2 choices at once, not 3"),
        ("app+app", "picked twice"),
        ("app+nope", "no choice 'nope'"),
    ],
)
def test_a_wrong_portfolio_is_refused_and_changes_nothing(mech, ids, message):
    game = play(mech, ["rush"])
    before = game.state_dict()
    with pytest.raises(GameError, match=message):
        game.choose(ids)
    assert game.state_dict() == before


def test_a_portfolio_over_the_capacity_left_is_refused(mech):
    game = play(mech, ["rush"])  # 7 weeks left: 3 + 4 fits exactly
    game.choose("app+infra")
    assert game.capacity_left == 0
    game = play(mech, ["careful"])  # 5 left
    with pytest.raises(GameError, match="the choices picked in scene 'm1.plan' need 7 team weeks, 5 left this month"):
        game.choose("app+infra")


def test_a_portfolio_is_scored_against_the_best_and_worst_sets_the_capacity_allows(mech):
    # after 'team' only crm (2 weeks) and tidy fit: the best possible is crm alone (+1), the worst tidy (-1)
    game = play(mech, ["team", "crm"])
    stake = game.decisions[1].stakes["lp.value"]
    assert (stake.earned, stake.low, stake.high) == (1, -1, 1)
    assert game.report().points["lp.value"].score == 100.0  # 100 is reachable within the capacity
    # with 5 weeks left, app+crm (3 + 2 weeks, 2 + 1) is the best set, tidy alone the worst
    game = play(mech, ["careful", "crm+tidy"])
    stake = game.decisions[1].stakes["lp.value"]
    assert (stake.earned, stake.low, stake.high) == (0, -1, 3)
    assert game.report().points["lp.value"].score == 25.0


def test_numbers_pick_a_portfolio_as_shown(mech):
    game = play(mech, ["rush"])
    numbers = {c.id: c.n for c in game.scene.choices}
    game.choose_numbers([numbers["tidy"], numbers["app"]])
    assert game.decisions[-1].choice == "app+tidy"


def test_replay_and_undo_rebuild_portfolio_and_capacity_games(mech):
    game = to_peak(mech, "team", "crm+tidy", seed=4)
    game.choose("steady")
    again = Game.replay(mech, 4, game.decision_list)
    assert again.state_dict() == game.state_dict()
    assert game.undo() and game.state == "m2.peak" and game.capacity_left == 4


def test_a_save_holds_a_portfolio_as_ids_joined_with_plus(mech, tmp_path):
    game = play(mech, ["careful", "app+crm"])
    S.save_game(tmp_path, "p", game)
    data = json.loads((tmp_path / "p.json").read_text())
    assert data["decisions"][1] == {"scene": "m1.plan", "choice": "app+crm"}
    assert S.load_game(tmp_path, "p", mech).game.state_dict() == game.state_dict()


# ---- conditional effects, round starts, drift, saturation -----------------------------------------
def test_effects_if_makes_the_bill_of_an_earlier_flag_arrive_in_numbers(mech):
    rushed = to_peak(mech, "rush", "tidy")
    careful = to_peak(mech, "careful", "tidy")
    r, c = rushed.choose("promo"), careful.choose("promo")
    assert c.deltas["revenue"] == 50 and "trust" not in c.deltas
    assert r.deltas["revenue"] == -30  # 50, and -80 because the change was rushed in month one
    assert r.deltas["trust"] < 0


def test_a_round_s_on_enter_effects_and_drift_apply_as_it_begins(mech):
    rushed = to_peak(mech, "rush", "tidy")
    careful = to_peak(mech, "careful", "tidy")
    # revenue drifts -10 each new round; the rushed change costs 50 more as month two begins
    assert rushed.round_start_deltas["revenue"] == -60
    assert careful.round_start_deltas["revenue"] == -10
    # trust drifts toward 50 by at most 2: careful left it above 50 (55 - 1 for tidy), so down 2
    assert careful.round_start_deltas["trust"] == -2
    summary = careful.last_round
    assert summary.id == "m1" and summary.kpi_end["trust"] == careful.kpis["trust"] + 2
    # the month's scoreboard counts its start: month two starts from month one's end
    careful.choose("wait")
    assert careful.last_round.kpi_start == summary.kpi_end


def test_saturation_shrinks_gains_near_the_maximum_and_losses_near_the_minimum(mech):
    trust = mech.kpis["trust"]
    assert trust.apply(50, 10) == 55  # 10 x (1 - 50/100)
    assert trust.apply(90, 10) == 91  # 10 x (1 - 90/100)
    assert trust.apply(10, -10) == 9  # -10 x (1 - (100-10)/100)
    assert trust.apply(100, 10) == 100 and trust.apply(0, -10) == 0
    assert mech.kpis["revenue"].apply(990, 50) == 1000  # no saturate: added and clamped


def test_drift_moves_toward_its_target_and_never_past_it(mech):
    trust, revenue = mech.kpis["trust"], mech.kpis["revenue"]
    assert trust.drifted(55) == 53 and trust.drifted(51) == 50 and trust.drifted(40) == 42
    assert revenue.drifted(500) == 490 and revenue.drifted(5) == 0


# ---- event odds ----------------------------------------------------------------------------------
def test_event_odds_follow_the_flags_of_play_and_stay_seeded(mech):
    def drawn(first, seed):
        game = play(mech, [first, "tidy"], seed)
        return game.state

    rushed = [drawn("rush", s) for s in range(40)]
    careful = [drawn("careful", s) for s in range(40)]
    assert rushed.count("ev.outage") >= 34  # weight 50 to 1 after a rushed change
    assert careful.count("ev.outage") <= 6  # 1 to 50 otherwise
    assert rushed == [drawn("rush", s) for s in range(40)]  # the same seed draws the same


def test_a_conditional_effect_halves_a_later_outage(mech):
    def outage(first):
        for seed in range(200):
            game = play(mech, [first, "tidy"], seed)
            if game.state == "ev.outage":
                return game.choose("fix").deltas["stability"]

    assert outage("team") == -10 and outage("careful") == -20


# ---- reflections and endings ---------------------------------------------------------------------
def test_the_reflection_asks_the_first_question_that_matches_the_month(mech):
    def question(first, plan):
        return to_peak(mech, first, plan).last_round.question

    assert question("rush", "crm") == "Was the rush worth it?"
    assert question("careful", "crm") == "What earned you the trust this month?"
    assert question("team", "tidy") == "What did you learn this month?"  # trust fell: tidy


def test_endings_read_the_whole_game_and_epilogues_follow_the_flags(mech):
    game = to_peak(mech, "team", "crm")
    game.choose("steady")
    assert game.ending == "good"
    text = mech.ending("good").text.render(game.view)
    assert "The problem team keeps Friday calm." in text and "still a gamble" not in text
    game = to_peak(mech, "careful", "app+crm")
    game.choose("steady")
    assert game.ending == "good" and "Friday is still a gamble." in mech.ending("good").text.render(game.view)
    game = to_peak(mech, "rush", "tidy", seed=0)
    game.choose("promo")
    assert game.kpis["trust"] < 50 and game.kpis["revenue"] < 500 and game.kpis["stability"] < 60
    assert game.ending == "slipping"


def test_story_check_warns_when_the_catch_all_ending_contradicts_the_numbers(mech, mini, run_cli, mini_dir):
    assert ending_warnings(mech) == []  # 'slipping' covers every number worse than the start
    [w] = ending_warnings(mini)
    assert "ending 'meh' (the last, with no 'when') is reached with every number worse than at the start" in str(w)
    code, out, err = run_cli("story", "check", mini_dir)
    assert code == 0 and "mini/story.yaml:" in err and ": warning: ending 'meh'" in err


# ---- author tools --------------------------------------------------------------------------------
def test_randomtest_plays_only_available_choices_and_valid_portfolios(mech):
    report = run_randomtest(mech, n=300, seed=0, jobs=1)
    assert report.failures == []
    assert report.never_taken == []
    assert set(report.endings) >= {"good", "ok", "slipping"}


def test_every_bot_finishes_a_story_with_portfolios_and_capacity(mech):
    for name in bots.STRATEGIES:
        for seed in range(5):
            r = bots.play(mech, name, seed)
            assert r.ending is not None
    assert bots.play(mech, "best-evidence", 0).score == 100.0


def test_the_cache_keeps_every_new_field(tmp_path, monkeypatch):
    monkeypatch.setenv("PIZZABORG_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "mech"
    shutil.copytree(MECH_DIR, root)
    fresh = load_story(root)
    cached = cache.load(root, cache.key_of(root))
    assert cached is not None and cache._enc(cached) == cache._enc(fresh)
    assert cached.capacity.per_round == 8 and cached.rounds["m2"].on_enter[0].effects == {"revenue": -50}
    assert cached.scenes["m1.plan"].pick == (1, 2) and cached.kpis["trust"].saturate == 1.0
    a, b = to_peak(fresh, "rush", "app+crm", 3), to_peak(cached, "rush", "app+crm", 3)
    assert a.state_dict() == b.state_dict() and a.last_round.question == b.last_round.question


# ---- story check ---------------------------------------------------------------------------------
def broken(tmp_path, old: str, new: str, file: str = "rounds/01.yaml"):
    root = tmp_path / "s"
    if not root.exists():
        shutil.copytree(MECH_DIR, root)
    path = root / file
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))
    return root


def problems(root) -> list:
    story, found = read_story(root)
    return [str(p) for p in found]


@pytest.mark.parametrize(
    "file, old, new, message",
    [
        (
            "rounds/01.yaml",
            "cost: { weeks: 1 }",
            "cost: { hours: 1 }",
            "unknown capacity 'hours' in the cost of choice 'rush'",
        ),
        (
            "rounds/01.yaml",
            "cost: { weeks: 6 }",
            "cost: { weeks: 9 }",
            "costs 9 Team weeks, more than its round ('m1') ever has (8)",
        ),
        (
            "rounds/02.yaml",
            "cost: { weeks: 3 }",
            "cost: { weeks: 5 }",
            "costs 5 Team weeks, more than its round ('m2') ever has (4)",
        ),
        ("rounds/01.yaml", "pick: { min: 1, max: 2 }", "pick: 5", "picks up to 5 but has only 4 choice(s)"),
        (
            "rounds/01.yaml",
            "pick: { min: 1, max: 2 }",
            "pick: { min: 3, max: 2 }",
            "'pick' of scene 'm1.plan': min is above max",
        ),
        ("rounds/01.yaml", "pick: { min: 1, max: 2 }", "pick: 0", "must be a whole number of at least 1"),
        (
            "rounds/01.yaml",
            "            effects: { stability: 10 }",
            "            effects: { stabilty: 10 }",
            "unknown KPI 'stabilty' in effects of an entry of 'effects_if'",
        ),
        (
            "rounds/01.yaml",
            "- when: flag.problem_team",
            "- when: flag.problem_teem",
            "flag 'problem_teem' is tested but never set",
        ),
        (
            "rounds/01.yaml",
            "- when: flag.rushed\n          weight: 50",
            "- when: trust > 100\n          weight: 50",
            "condition 'trust > 100' can never hold: trust is always between 0 and 100",
        ),
        (
            "rounds/01.yaml",
            "        - weight: 50\n",
            "        - when: flag.rushed\n          weight: 50\n",
            "the last entry of 'weight' of event 'ev.calm' must have no 'when'",
        ),
        (
            "rounds/01.yaml",
            "      - when: delta(trust) > 0",
            "      - when: delta(score) > 0",
            "delta() needs a KPI id, not 'score'",
        ),
        (
            "rounds/02.yaml",
            "        pin: last",
            "        pin: bottom",
            "'pin' of choice 'wait' of scene 'm2.peak' must be first or last",
        ),
        ("rounds/02.yaml", "  capacity: 4", "  capacity: -1", "'capacity' of a round must be 0 or more"),
        ("story.yaml", "saturate: true", "saturate: 2", "'saturate' must be true, false or a number from 0 to 1"),
        (
            "story.yaml",
            "drift: { toward: 50, step: 2 }",
            "drift: { toward: 500, step: 2 }",
            "KPI 'trust': 'toward' is outside min..max",
        ),
        ("story.yaml", "drift: -10", "drift: lots", "KPI 'revenue': 'drift' must be a number or {toward, step}"),
    ],
)
def test_story_check_reports_each_mistake_with_its_position(tmp_path, file, old, new, message):
    found = problems(broken(tmp_path, old, new, file))
    hits = [p for p in found if message in p]
    assert hits, found
    assert all(p.split(":")[1].isdigit() and p.split(":")[2].isdigit() for p in hits)  # path:line:column


def test_a_choice_of_a_pick_scene_has_no_next(tmp_path):
    root = broken(
        tmp_path,
        "      - { id: tidy, text: Tidy the backlog.,",
        "      - { id: tidy, next: m1.news, text: Tidy the backlog.,",
    )
    assert any("the choices of a 'pick' scene have no 'next'" in p for p in problems(root))


def test_costs_need_a_capacity_in_the_story(tmp_path):
    root = broken(tmp_path, "capacity: { id: weeks, name: Team weeks, per_round: 8 }\n", "", "story.yaml")
    found = problems(root)
    assert any(
        "unknown capacity 'weeks' in the cost of choice 'rush' of scene 'm1.change' (the story has no 'capacity')" in p
        for p in found
    )
    assert any("round 'm2' sets a capacity but the story has none" in p for p in found)


def test_a_portfolio_no_round_can_afford_is_reported(tmp_path):
    root = broken(tmp_path, "pick: { min: 1, max: 2 }", "pick: { min: 3, max: 3 }")
    root = broken(
        tmp_path,
        "- { id: tidy, text: Tidy the backlog., effects",
        "- { id: tidy, text: Tidy the backlog., cost: { weeks: 2 }, effects",
    )
    assert not any("cheapest" in p for p in problems(root))  # 2 + 2 + 3 = 7 of 8
    root = broken(tmp_path, "cost: { weeks: 2 }, effects: { trust: 4 }", "cost: { weeks: 5 }, effects: { trust: 4 }")
    assert any(
        "scene 'm1.plan': the 3 cheapest choices cost 9 Team weeks, more than its round has (8)" in p
        for p in problems(root)
    )


def test_the_mech_fixture_is_clean(run_cli):
    code, out, err = run_cli("story", "check", MECH_DIR)
    assert code == 0 and err == "" and out.startswith("mech 1.0: OK")


def test_story_graph_draws_portfolio_scenes_and_their_choices(mech):
    from pizzaborg.author.graph import to_mermaid

    chart = to_mermaid(mech)
    assert 'n_m1_plan -->|"app, crm, infra, tidy"| n_m1_news' in chart
    assert 'n_m2_peak -->|"promo, steady, migrate, wait"| n___end__' in chart


def test_a_cost_is_worded_as_the_faces_word_it_one_team_week_this_month():
    from pizzaborg.engine.text import amount as _units  # the engine's wording of a cost
    from pizzaborg.play.render import amount

    for n in (1, 2, 0.5):
        assert _units(n, "Team weeks") == amount(n, "Team weeks")
    assert _units(1, "Team weeks") == "1 team week" and _units(1, "CPU") == "1 CPU"
