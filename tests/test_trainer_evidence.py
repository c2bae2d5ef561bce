"""Reports carry the undo record, first-answer scores and estimates; verify replays the undos;
reports of the previous version still verify, their missing record said; the undo: assignment key."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path

import pytest
from ralph.models.xapi.base.statements import BaseXapiStatement
from trainer_helpers import MINI, T0, cli, make_assignment, mini, one_line, write_json  # noqa: F401

from pizzaborg.engine import Game
from pizzaborg.trainer.assignment import AssignmentError, load_assignment, write_assignment
from pizzaborg.trainer.report import build_report
from pizzaborg.trainer.verify import Verifier
from pizzaborg.trainer.xapi import EXT_ESTIMATES, EXT_UNDO, VERBS, statements

OLD = Path(__file__).resolve().parent / "fixtures" / "reports-schema1"


def peeked(story, seed: int = 3) -> Game:
    """Tries the first choice shown, reads the feedback, takes it back and keeps the last choice shown."""
    game = Game(story, seed)
    while not game.over:
        options = game.available()
        if len(options) > 1:
            game.choose(options[0].id)
            game.undo()
        game.choose(options[-1].id)
    return game


def report(story, game, assignment=None):
    return build_report(game, learner="Ann", assignment=assignment, started=T0, finished=T0 + timedelta(minutes=20))


def verdict(story, data, assignment=None):
    return Verifier([story], assignment).verify_data(copy.deepcopy(data), "r.json")


def test_the_report_carries_the_undo_record(mini):
    game = peeked(mini)
    r = report(mini, game)
    assert r["schema"] == 2
    assert r["undone"] == len(game.undos) > 0 and len(r["undos"]) == r["undone"]
    u = r["undos"][0]
    assert set(u) == {"n", "decision", "scene", "choice", "seen"} and set(u["seen"]) == {"deltas", "evidence", "score"}
    assert r["undos_complete"] is True
    rep = game.report()
    assert r["score"] == rep.reported and r["kept_score"] == rep.overall
    assert r["changed_answers"] == rep.changed
    assert any("first" in d for d in r["decisions"]) == (rep.changed > 0)
    for p in r["learning_points"]:
        assert set(p["estimate"]) == {"estimate", "low", "high", "decisions"}
        assert p["estimate"]["decisions"] == p["at_stake"]
    assert verdict(mini, r).ok


def test_a_game_without_undos_reports_as_before(mini):
    game = Game(mini, 3)
    while not game.over:
        game.choose(game.available()[0].id)
    r = report(mini, game)
    assert r["undos"] == [] and r["undone"] == 0 and r["changed_answers"] == 0 and r["score"] == r["kept_score"]


def test_an_undo_removed_or_added_is_refused(mini):
    r = report(mini, peeked(mini))
    removed = copy.deepcopy(r)
    del removed["undos"][0]
    v = verdict(mini, removed)
    assert not v.ok and "\n" not in v.message
    assert v.message.startswith("undos: the record lists")
    added = copy.deepcopy(r)
    added["undos"].append(dict(added["undos"][-1], n=len(added["undos"]) + 1))
    v = verdict(mini, added)
    assert not v.ok and "\n" not in v.message
    assert "undo" in v.message


def test_an_edited_changed_count_is_refused(mini):
    r = report(mini, peeked(mini))
    r["changed_answers"] = 0
    v = verdict(mini, r)
    assert not v.ok and "changed_answers" in v.message


def test_a_damaged_undo_record_is_one_line(mini):
    r = report(mini, peeked(mini))
    r["undos"][0]["decision"] = "one"
    v = verdict(mini, r)
    assert not v.ok and not v.readable and "damaged undo record" in v.message


def test_the_kept_path_alone_is_not_the_first_answers(mini):
    """A report that hides its undos and claims the kept path's score does not verify."""
    game = peeked(mini)
    r = report(mini, game)
    if game.report().changed == 0:
        pytest.skip("the mini story gave the same answers")
    r["undos"], r["undone"], r["changed_answers"] = [], 0, 0
    assert not verdict(mini, r).ok


@pytest.mark.parametrize("name", ["mini.json", "mini-xapi.json"])
def test_reports_of_the_previous_version_still_verify(mini, name):
    data = json.loads((OLD / name).read_text())
    v = Verifier([mini]).verify_data(data, name)
    assert v.ok, v.message
    assert "undos" not in v.report and "earlier PizzaBorg" in v.note


def test_verify_cli_says_the_missing_record(cli):
    code, out, err = cli("verify", OLD / "mini.json", "--story", MINI)
    assert code == 0, err
    assert "verified" in out and "no record of undos" in out


def test_xapi_statements_carry_the_undos_and_verify(mini):
    game = peeked(mini)
    a = make_assignment(mini, mastery=0.5)
    r = report(mini, game, a)
    stmts = statements(r)
    undid = [s for s in stmts if s["verb"]["id"] == VERBS["undid"]]
    assert len(undid) == r["undone"]
    assert undid[0]["result"]["extensions"][EXT_UNDO]["decision"] == r["undos"][0]["decision"]
    completed = next(s for s in stmts if s["verb"]["id"] == VERBS["completed"])
    assert set(completed["result"]["extensions"][EXT_ESTIMATES]) == {p["id"] for p in r["learning_points"]}
    objectives = completed["context"]["contextActivities"]["other"]
    assert [o["definition"]["type"] for o in objectives] == ["http://adlnet.gov/expapi/activities/objective"] * len(
        r["learning_points"]
    )
    for st in stmts:
        BaseXapiStatement(**st)
    assert stmts[-1]["verb"]["id"] == VERBS["terminated"]
    v = Verifier([mini]).verify_data(copy.deepcopy(stmts), "x.json")
    assert v.ok, v.message
    one_less = [s for s in stmts if s is not undid[0]]
    v = Verifier([mini]).verify_data(copy.deepcopy(one_less), "x.json")
    assert not v.ok and "\n" not in v.message


def test_assignment_undo_key(mini, tmp_path):
    a = make_assignment(mini, undo="off")
    assert not a.undo_allowed and a.ref()["undo"] == "off"
    path = write_assignment(a, tmp_path / "a.yaml")
    assert "undo: 'off'" in path.read_text()
    assert load_assignment(path).undo == "off"
    (tmp_path / "bare.yaml").write_text(path.read_text().replace("undo: 'off'", "undo: off"))  # YAML's false
    assert load_assignment(tmp_path / "bare.yaml").undo == "off"
    assert make_assignment(mini).undo == "recorded" and "undo" not in make_assignment(mini).ref()
    assert make_assignment(mini).undo_allowed
    text = path.read_text().replace("undo: 'off'", "undo: sometimes")
    (tmp_path / "b.yaml").write_text(text)
    with pytest.raises(AssignmentError, match="undo must be one of free, recorded, off"):
        load_assignment(tmp_path / "b.yaml")


def test_undo_off_assignment_refuses_a_report_with_undos(mini):
    a = make_assignment(mini, undo="off")
    r = report(mini, peeked(mini, a.seed), a)
    v = verdict(mini, r, a)
    assert not v.ok and "the assignment allows no undo" in v.message


def test_undo_free_counts_the_kept_path(mini):
    a = make_assignment(mini, undo="free", mastery=1.0)
    game = Game(mini, a.seed)
    while not game.over:  # a wrong answer first, then the best one kept
        options = game.available()
        full = [mini.scenes[game.state].choice(c.id) for c in options]
        best = max(full, key=lambda c: sum(c.evidence.values()))
        worst = min(full, key=lambda c: sum(c.evidence.values()))
        if best is not worst:
            game.choose(worst.id)
            game.undo()
        game.choose(best.id)
    r = report(mini, game, a)
    assert r["kept_score"] == 100 and r["score"] < 100
    assert r["mastery"]["passed"] is True
    recorded = report(mini, game, make_assignment(mini, mastery=1.0))
    assert recorded["mastery"]["passed"] is False
    assert verdict(mini, r, a).ok


def test_cohort_shows_changed_answers_and_the_class_per_point(mini, cli, tmp_path):
    from pizzaborg.trainer.cohort import class_estimate, render_cohort, summarise

    peek = report(mini, peeked(mini))
    plain_game = Game(mini, 3)
    while not plain_game.over:
        plain_game.choose(plain_game.available()[0].id)
    plain = build_report(plain_game, learner="Bob", started=T0, finished=T0 + timedelta(minutes=20))
    old = json.loads((OLD / "mini.json").read_text())
    v = Verifier([mini])
    verdicts = [
        v.verify_data(copy.deepcopy(d), n) for d, n in ((peek, "ann.json"), (plain, "bob.json"), (old, "old.json"))
    ]
    assert all(x.ok for x in verdicts), [x.message for x in verdicts]
    c = summarise(verdicts)
    rows = {r["learner"]: r for r in c["learners_table"]}
    assert rows["Ann"]["changed"] == peek["changed_answers"] and rows["Bob"]["changed"] == 0
    assert rows["Ann Example"]["changed"] is None  # an earlier version: unknown, not 0
    point = c["learning_points"][0]
    assert point["estimate"]["learners"] == 2
    assert point["estimate"]["low"] <= point["estimate"]["estimate"] <= point["estimate"]["high"]
    md_text = render_cohort(c, "md")
    n = peek["changed_answers"]
    assert f"Ann: changed {n} answer{'' if n == 1 else 's'} after seeing the feedback" in md_text
    assert "Ann Example: undos not recorded (an earlier PizzaBorg)" in md_text
    assert "## Mastery of the class per learning point (90 % interval)" in md_text
    page = render_cohort(c, "html", names=True)
    assert "after seeing the feedback" in page and "Mastery of the class per learning point" in page
    csv_text = render_cohort(c, "csv")
    assert "answers changed after feedback,undos" in csv_text.splitlines()[0]
    assert class_estimate([]) is None


def test_class_estimate_narrows_with_more_learners():
    from pizzaborg.trainer.cohort import class_estimate

    one = class_estimate([{"estimate": 60, "low": 40, "high": 80, "decisions": 5}])
    many = class_estimate([{"estimate": 60, "low": 40, "high": 80, "decisions": 5}] * 9)
    assert one["estimate"] == many["estimate"] == 60
    assert many["high"] - many["low"] < one["high"] - one["low"]


def test_every_readable_format_says_the_undos_and_the_estimates(mini):
    from pizzaborg.engine.mastery import from_dict, words
    from pizzaborg.trainer.formats import render

    r = report(mini, peeked(mini))
    p = next(p for p in r["learning_points"] if p["estimate"]["decisions"])
    said = words(from_dict(p["estimate"]))
    assert said.startswith("about ") and f"from {p['estimate']['decisions']} decision" in said
    for fmt in ("md", "html"):
        text = render(r, fmt)
        assert "Answers changed after the feedback" in text and f"{r['changed_answers']} ({r['undone']} undo" in text
        assert f"Mastery: {p['name']}" in text and "likely between" in text
        assert "Score of the path kept" in text
    old = Verifier([mini]).verify_data(json.loads((OLD / "mini.json").read_text()), "old.json").report
    assert "unknown (written by an earlier PizzaBorg" in render(old, "md")


def test_assignment_new_takes_undo(cli, tmp_path):
    out = tmp_path / "a.yaml"
    code, _, err = cli("assignment", "new", "--story", MINI, "--cohort", "W", "--undo", "free", "-o", out)
    assert code == 0, err
    assert load_assignment(out).undo == "free"
    code, _, err = cli(
        "assignment", "new", "--story", MINI, "--cohort", "W", "--undo", "maybe", "-o", tmp_path / "b.yaml"
    )
    assert code == 2 and "Traceback" not in err


@pytest.mark.parametrize(
    "mangle",
    [
        lambda st: st.update(result="not a result"),
        lambda st: st.update(object=[1]),
        lambda st: st["result"]["extensions"].update({EXT_UNDO: {"decision": True}}),
        lambda st: st["result"].pop("response"),
    ],
)
def test_a_damaged_undid_statement_is_one_line(mini, mangle):
    stmts = statements(report(mini, peeked(mini)))
    undid = next(s for s in stmts if s["verb"]["id"] == VERBS["undid"])
    mangle(undid)
    v = Verifier([mini]).verify_data(stmts, "x.json")
    assert not v.ok and "\n" not in v.message and "'undid'" in v.message


def test_undo_times_are_kept_claimed_and_sent(mini, tmp_path):
    from pizzaborg.engine import saves as S
    from pizzaborg.trainer.report import report_from_save

    game = peeked(mini)
    stamps = [f"2026-11-20T10:0{i}:00.500Z" for i in range(len(game.undos))]
    S.save_game(tmp_path, "u", game, undo_times=stamps)
    data = json.loads((tmp_path / "u.json").read_text())
    assert [u["at"] for u in data["undos"]] == stamps
    save = S.read_save(tmp_path, "u")
    assert save.undo_times == stamps
    S.save_game(tmp_path, "u", game)  # saved again without them: the times of the save are kept
    assert S.read_save(tmp_path, "u").undo_times == stamps
    r = report_from_save(mini, save)
    assert [u["at"] for u in r["undos"]] == stamps
    assert verdict(mini, r).ok
    bad = copy.deepcopy(r)
    bad["undos"][0]["at"] = "yesterday"
    v = verdict(mini, bad)
    assert not v.ok and "undo 1: 'at' is not a time" in v.message
    stmts = statements(r)
    undid = [s for s in stmts if s["verb"]["id"] == VERBS["undid"]]
    assert [s["timestamp"] for s in undid] == stamps
    assert Verifier([mini]).verify_data(copy.deepcopy(stmts), "x.json").ok
    r2 = report(mini, game)  # no undo times: the end as a placeholder, verified the same
    assert Verifier([mini]).verify_data(statements(r2), "x.json").ok
