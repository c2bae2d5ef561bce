"""`pizzaborg verify`: replaying reports against the story with their hash and comparing every number."""

from __future__ import annotations

import copy

import pytest
from trainer_helpers import MINI, cli, make_assignment, mini, one_line, report_of, write_json  # noqa: F401

from pizzaborg.trainer.formats import render
from pizzaborg.trainer.verify import Verifier, diff


@pytest.fixture
def report(mini):
    return report_of(mini, "worst", learner="Ann", assignment=make_assignment(mini, mastery=0.5))


def test_a_genuine_report_verifies(cli, tmp_path, report):
    f = write_json(tmp_path / "ann.json", report)
    r = cli("verify", "--story", MINI, f)
    assert r.code == 0, r.out + r.err
    assert r.out.strip() == (
        f"{f}: verified ({report['ending']['title']}, score {report['score']:g}; "
        f"claimed: learner Ann, finished {report['finished']})"
    )


@pytest.mark.parametrize(
    "edit, names",
    [
        (lambda r: r.__setitem__("score", 99.5), "score: the report says 99.5"),
        (lambda r: r["learning_points"][0].__setitem__("score", 100), "learning_points[change.impact].score"),
        (lambda r: r["areas"][1].__setitem__("score", 88), "areas[rel].score"),
        (lambda r: r["timeline"][2]["kpis"].__setitem__("trust", 99), "timeline[2].kpis.trust"),
        (lambda r: r["decisions"][0]["deltas"].__setitem__("trust", 10), "decisions[1].deltas.trust"),
        (lambda r: r["kpis"][0].__setitem__("end", 200), "kpis[revenue].end"),
        (lambda r: r["worst_practices"][0].__setitem__("count", 0), "worst_practices[W1].count"),
        (lambda r: r.__setitem__("assimilation", 0), "assimilation"),
        (lambda r: r["ending"].__setitem__("id", "good"), "ending.id"),
        (lambda r: r["mastery"].__setitem__("passed", True), "mastery.passed"),
        (lambda r: r.__setitem__("bonus", 10), "bonus: not something a report has"),
        (
            lambda r: r["decisions"][0]["evidence"]["change.impact"].__setitem__("earned", 2),
            "decisions[1].evidence.change.impact.earned",
        ),
    ],
)
def test_an_edited_number_is_named(cli, tmp_path, report, edit, names):
    edited = copy.deepcopy(report)
    edit(edited)
    f = write_json(tmp_path / "edited.json", edited)
    r = cli("verify", "--story", MINI, f)
    assert r.code == 1
    line = one_line(r.out)
    assert line.startswith(f"{f}: NOT verified: ") and names in line


def test_a_decision_the_story_does_not_have(cli, tmp_path, report):
    edited = copy.deepcopy(report)
    edited["decisions"][0]["choice"] = "bribe"
    r = cli("verify", "--story", MINI, write_json(tmp_path / "x.json", edited))
    assert r.code == 1 and "a decision the story does not have: decision 1: choice 'bribe'" in one_line(r.out)
    edited = copy.deepcopy(report)
    edited["decisions"][0]["choice"] = "wait"  # exists, but not offered at trust 50? it is: trust > 40
    edited["decisions"][1]["scene"] = "b.close"
    r = cli("verify", "--story", MINI, write_json(tmp_path / "y.json", edited))
    assert r.code == 1 and "decision 2 is for scene 'b.close'" in one_line(r.out)


def test_changing_the_seed_is_caught(cli, tmp_path, report):
    edited = dict(report, seed=report["seed"] + 1000)
    r = cli("verify", "--story", MINI, write_json(tmp_path / "x.json", edited))
    assert r.code == 1 and "NOT verified" in one_line(r.out)


def test_an_unknown_story_hash(cli, tmp_path, report):
    foreign = copy.deepcopy(report)
    foreign["story"]["hash"] = "0" * 64
    r = cli("verify", "--story", MINI, write_json(tmp_path / "f.json", foreign))
    assert r.code == 1
    line = one_line(r.out)
    assert "unknown story hash" in line and "--story" in line
    other = copy.deepcopy(report)
    other["story"].update(id="someone-elses", hash="1" * 64)
    r = cli("verify", "--story", MINI, write_json(tmp_path / "g.json", other))
    assert r.code == 1 and "'someone-elses'" in one_line(r.out)


@pytest.mark.parametrize(
    "content, words",
    [
        ("{not json", "not valid JSON"),
        ('{"format": "pizzaborg-save"}', "not a PizzaBorg report"),
        ('{"format": "pizzaborg-report", "schema": 7}', "newer PizzaBorg"),
        (
            '{"format": "pizzaborg-report", "schema": 1, "story": {"id": "mini", "version": "1.0", "hash": "x"}, '
            '"seed": 3, "decisions": [1]}',
            "damaged list of decisions",
        ),
        (
            '{"format": "pizzaborg-report", "schema": 1, "story": {"id": "mini", "version": "1.0", "hash": "x"}, '
            '"seed": "3", "decisions": []}',
            "no valid seed",
        ),
        ("[]", "not a list of xAPI statements"),
        ('{"score": NaN}', "not valid JSON"),
    ],
)
def test_corrupt_reports(cli, tmp_path, content, words):
    f = tmp_path / "c.json"
    f.write_text(content)
    r = cli("verify", "--story", MINI, f)
    assert r.code == 1 and words in one_line(r.out)


def test_missing_file_and_a_mix(cli, tmp_path, report):
    good = write_json(tmp_path / "good.json", report)
    r = cli("verify", "--story", MINI, good, tmp_path / "missing.json")
    assert r.code == 1
    lines = r.out.strip().splitlines()
    assert lines[0].endswith(
        f"verified ({report['ending']['title']}, score {report['score']:g}; claimed: learner Ann, "
        f"finished {report['finished']})"
    )
    assert "missing.json: no such file" in lines[1]
    assert "Traceback" not in r.err


def test_a_broken_story_dir_is_bad_input(cli, tmp_path, report):
    r = cli("verify", "--story", tmp_path / "nostory", write_json(tmp_path / "a.json", report))
    assert r.code == 2 and "cannot be loaded" in one_line(r.err)


def test_with_the_assignment_an_edited_mastery_threshold_is_caught(cli, tmp_path, mini):
    a = make_assignment(mini, mastery=0.99)
    from pizzaborg.trainer.assignment import write_assignment

    path = write_assignment(a, tmp_path / "a.yaml")
    from pizzaborg.engine import Game
    from pizzaborg.trainer.report import build_report

    game = Game(mini, a.seed)
    for cid in ("assess", None, None, "dashboard", "fix", "done"):
        game.choose(cid or game.available()[0].id)
    rep = build_report(game, learner="Ann", assignment=a)
    assert 0 < rep["score"] < 99 and rep["mastery"]["passed"] is False
    cheat = copy.deepcopy(rep)
    cheat["assignment"]["mastery"] = 0.01
    cheat["mastery"] = {"threshold": 0.01, "passed": True}
    f = write_json(tmp_path / "cheat.json", cheat)
    assert cli("verify", "--story", MINI, f).code == 0  # self-consistent on its own...
    r = cli("verify", "--story", MINI, "--assignment", path, f)
    assert r.code == 1 and "assignment.mastery" in one_line(r.out)  # ...but not this assignment's
    other = report_of(mini, "worst", assignment=make_assignment(mini))
    r = cli("verify", "--story", MINI, "--assignment", path, write_json(tmp_path / "other.json", other))
    assert r.code == 1 and "not a report of this assignment" in one_line(r.out)


def test_markdown_and_html_do_not_verify(cli, tmp_path, report):
    f = tmp_path / "r.md"
    f.write_text(render(report, "md"))
    r = cli("verify", "--story", MINI, f)
    assert r.code == 1 and "not valid JSON" in one_line(r.out)


def test_replays_are_cached_and_the_story_loaded_once(mini, report):
    v = Verifier([mini])
    calls = []
    import pizzaborg.trainer.verify as V

    real = V.computed_part

    def counting(*a):
        calls.append(a)
        return real(*a)

    V.computed_part = counting
    try:
        for i in range(5):
            assert v.verify_data(dict(report, learner=f"L{i}"), f"r{i}").ok
    finally:
        V.computed_part = real
    assert len(calls) == 1


def test_diff_paths():
    assert diff({"a": [{"id": "x", "v": 1}]}, {"a": [{"id": "x", "v": 2}]}) == [
        "a[x].v: the report says 1, the replay gives 2"
    ]
    assert diff({"a": 1.0}, {"a": 1}) == []
    assert diff({"a": [1]}, {"a": [1, 2]}) == ["a: 1 entries, the replay gives 2"]
    assert diff({}, {"a": 1}) == ["a: missing (the replay gives 1)"]


def test_verify_a_folder(cli, tmp_path, report):
    d = tmp_path / "hand-ins"
    d.mkdir()
    write_json(d / "a.json", report)
    write_json(d / "b.json", dict(report, score=1))
    r = cli("verify", "--story", MINI, d)
    assert r.code == 1
    lines = r.out.strip().splitlines()
    assert len(lines) == 2 and "a.json: verified" in lines[0] and "b.json: NOT verified: score" in lines[1]
    empty = tmp_path / "empty"
    empty.mkdir()
    r = cli("verify", "--story", MINI, empty)
    assert r.code == 1 and "no report files" in one_line(r.out)


def test_help_lists_the_trainer_commands(cli):
    r = cli("--help")
    assert r.code == 0
    for word in ("assignment", "report", "verify", "cohort", "--assignment"):
        assert word in r.out


def test_an_assignment_option_does_not_hijack_other_commands(cli, tmp_path):
    r = cli("--assignment", tmp_path / "whatever.yaml", "story", "check", MINI)
    assert r.code == 0 and "OK" in r.out
