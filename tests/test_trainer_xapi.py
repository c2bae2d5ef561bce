"""xAPI statements: valid xAPI (checked with Ralph's statement models) and cmi5's rules, checked one by one."""

from __future__ import annotations

import copy
import json
import re
import uuid
from datetime import datetime

import pytest
from pydantic import ValidationError
from ralph.models.xapi.base.statements import BaseXapiStatement
from trainer_helpers import MINI, T0, cli, make_assignment, mini, one_line, report_of, write_json  # noqa: F401

from pizzaborg.engine import Game
from pizzaborg.trainer.report import build_report
from pizzaborg.trainer.xapi import VERBS, iso_duration, scene_iri, statements

ISO_DURATION = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon"
MASTERY = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
SESSION = "https://w3id.org/xapi/cmi5/context/extensions/sessionid"


def verb(st) -> str:
    return next(k for k, v in VERBS.items() if v == st["verb"]["id"])


def categories(st) -> set:
    return {c["id"] for c in st["context"].get("contextActivities", {}).get("category", [])}


def is_uuid(text) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except (ValueError, TypeError, AttributeError):
        return False


@pytest.fixture
def graded(mini):
    a = make_assignment(mini, mastery=0.6, cohort="Workshop <A>")
    r = report_of(mini, "first", learner="Ann Example", assignment=a, minutes=34)
    return r, statements(r)


def test_every_statement_is_valid_xapi(graded, mini):
    r, sts = graded
    for st in sts:
        BaseXapiStatement(**st)  # raises on any violation of the xAPI data model
    for st in statements(report_of(mini, "worst")):
        BaseXapiStatement(**st)


def test_the_validator_really_validates(graded):
    _, sts = graded
    bad = copy.deepcopy(sts[-2])
    bad["result"]["score"]["scaled"] = 1.5
    with pytest.raises(ValidationError):
        BaseXapiStatement(**bad)
    bad = copy.deepcopy(sts[0])
    bad["context"]["registration"] = "not-a-uuid"
    with pytest.raises(ValidationError):
        BaseXapiStatement(**bad)


def test_sequence_ids_and_registration(graded):
    r, sts = graded
    verbs = [verb(s) for s in sts]
    n = len(r["decisions"])
    assert verbs == ["initialized"] + ["answered"] * n + [
        "completed",
        "passed" if r["mastery"]["passed"] else "failed",
        "terminated",
    ]
    ids = [s["id"] for s in sts]
    assert all(is_uuid(i) for i in ids) and len(set(ids)) == len(ids)
    regs = {s["context"]["registration"] for s in sts}
    assert len(regs) == 1 and is_uuid(regs.pop())
    sessions = {s["context"]["extensions"][SESSION] for s in sts}
    assert len(sessions) == 1
    for s in sts:
        assert s["verb"]["id"].startswith("http://adlnet.gov/expapi/verbs/")


def test_cmi5_defined_and_allowed_statements(graded):
    r, sts = graded
    for s in sts:
        v = verb(s)
        if v == "answered":
            assert CMI5 not in categories(s)  # cmi5 "allowed" statements carry no cmi5 category
        else:
            assert CMI5 in categories(s)
        if v in ("completed", "passed", "failed"):
            assert MOVEON in categories(s)
        if v == "initialized":
            assert "result" not in s
    completed = next(s for s in sts if verb(s) == "completed")
    res = completed["result"]
    assert res["completion"] is True and "success" not in res and "score" not in res
    assert res["duration"] == "PT34M" and ISO_DURATION.match(res["duration"])
    terminated = sts[-1]
    assert ISO_DURATION.match(terminated["result"]["duration"])


def test_passed_or_failed_follow_the_mastery_score(mini):
    for policy, mastery in (("best", 0.6), ("worst", 0.6)):
        a = make_assignment(mini, mastery=mastery)
        r = report_of(mini, policy, assignment=a)
        sts = statements(r)
        final = [s for s in sts if verb(s) in ("passed", "failed")]
        assert len(final) == 1
        st = final[0]
        score = st["result"]["score"]
        assert -1 <= score["scaled"] <= 1 and score["min"] <= score["raw"] <= score["max"]
        assert score["scaled"] == pytest.approx(r["score"] / 100)
        assert st["context"]["extensions"][MASTERY] == mastery
        passed = score["scaled"] >= mastery
        assert verb(st) == ("passed" if passed else "failed") and st["result"]["success"] is passed
        assert ISO_DURATION.match(st["result"]["duration"])
    assert verb(final[0]) == "failed"  # the worst play does not pass


def test_no_passed_or_failed_without_a_mastery_score(mini):
    sts = statements(report_of(mini, "best", assignment=make_assignment(mini)))
    assert not [s for s in sts if verb(s) in ("passed", "failed")]
    sts = statements(report_of(mini, "best"))
    assert not [s for s in sts if verb(s) in ("passed", "failed")]


def test_an_unfinished_game_is_not_completed(mini):
    game = Game(mini, 3)
    game.choose("assess")
    sts = statements(
        build_report(game, learner="A", assignment=make_assignment(mini, mastery=0.5), started=T0, finished=T0)
    )
    assert [verb(s) for s in sts] == ["initialized", "answered", "terminated"]


def test_answered_object_is_the_scene_and_response_the_choice(graded):
    r, sts = graded
    answered = [s for s in sts if verb(s) == "answered"]
    for s, d in zip(answered, r["decisions"], strict=False):
        assert s["object"]["id"] == scene_iri(r, d["scene"])
        assert s["result"]["response"] == d["choice"]
        definition = s["object"]["definition"]
        assert definition["interactionType"] == "choice"
        assert d["choice"] in [c["id"] for c in definition["choices"]]


def test_the_actor_is_an_opaque_account(graded, mini):
    r, sts = graded
    actors = {json.dumps(s["actor"], sort_keys=True) for s in sts}
    assert len(actors) == 1
    actor = sts[0]["actor"]
    assert set(actor) == {"objectType", "account"} and "name" not in actor and "mbox" not in actor
    assert actor["account"]["homePage"].startswith("https://")
    assert re.fullmatch(r"[0-9a-f]{32}", actor["account"]["name"])
    text = json.dumps(sts)
    assert "Ann Example" not in text and "Ann" not in text
    other = statements(dict(r, learner="Bob"))[0]["actor"]
    assert other["account"]["name"] != actor["account"]["name"]


def test_the_cohort_is_in_grouping_and_timestamps_are_iso(graded):
    r, sts = graded
    for s in sts:
        grouping = s["context"]["contextActivities"]["grouping"]
        assert grouping[0]["definition"]["name"]["en"] == "Workshop <A>"
        if "timestamp" in s:
            assert s["timestamp"].endswith("Z")
            datetime.fromisoformat(s["timestamp"].replace("Z", "+00:00"))
    assert sts[0]["timestamp"] == "2026-11-20T10:00:00Z" and sts[-1]["timestamp"] == "2026-11-20T10:34:00Z"


def test_one_registration_per_playthrough(mini):
    a = report_of(mini, "best", learner="Ann")
    b = report_of(mini, "best", learner="Ann", start=T0.replace(hour=12))
    assert a["registration"] != b["registration"]
    assert statements(a)[0]["context"]["registration"] == a["registration"]


def test_iso_durations():
    assert [iso_duration(s) for s in (0, 59, 60, 3661, 7200)] == ["PT0S", "PT59S", "PT1M", "PT1H1M1S", "PT2H"]


def test_xapi_verifies_and_edits_are_caught(cli, tmp_path, graded):
    r, sts = graded
    good = write_json(tmp_path / "x.json", sts)
    v = cli("verify", "--story", MINI, good)
    assert v.code == 0 and "verified" in v.out
    cheat = copy.deepcopy(sts)
    final = next(s for s in cheat if verb(s) in ("passed", "failed"))
    final["result"]["score"]["scaled"] = 0.35 if final["result"]["score"]["scaled"] != 0.35 else 0.45
    v = cli("verify", "--story", MINI, write_json(tmp_path / "c.json", cheat))
    assert v.code == 1 and "score.scaled" in one_line(v.out)
    cheat = copy.deepcopy(sts)
    cheat[1]["result"]["response"] = "nonsense"
    v = cli("verify", "--story", MINI, write_json(tmp_path / "d.json", cheat))
    assert v.code == 1 and "a decision the story does not have" in one_line(v.out)
    v = cli("verify", "--story", MINI, write_json(tmp_path / "e.json", sts[1:]))
    assert v.code == 1 and "not 'initialized'" in one_line(v.out)
