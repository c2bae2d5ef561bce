"""The cmi5 AU's rules without a server (trainer/cmi5.py): the launch parameters, the launch data, and which
statement goes when. The launch against an LMS in front of Ralph is in test_cmi5_lrs.py."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from trainer_helpers import T0, make_assignment, mini, report_of  # noqa: F401

from pizzaborg.trainer.cmi5 import (
    Cmi5Error,
    Cmi5Session,
    Launch,
    merge_context,
    parse_launch,
    parse_launch_data,
)
from pizzaborg.trainer.xapi import CMI5_CATEGORY, CMI5_MASTERY, CMI5_SESSION, MOVEON_CATEGORY, statements

ACTOR = {"objectType": "Agent", "name": "Ada", "account": {"homePage": "https://lms.example", "name": "u1"}}
REG = str(uuid.uuid4())
AU = "https://pizzaborg.example/course/au-1"
TEMPLATE = {
    "contextActivities": {"grouping": [{"objectType": "Activity", "id": AU}]},
    "extensions": {CMI5_SESSION: "s-1"},
}


def query(**over) -> dict:
    q = {
        "endpoint": "https://lms.example/xapi/",
        "fetch": "https://lms.example/fetch/1",
        "actor": json.dumps(ACTOR),
        "registration": REG,
        "activityId": AU,
    }
    q.update(over)
    return {k: v for k, v in q.items() if v is not None}


def data(**over) -> dict:
    d = {"contextTemplate": TEMPLATE, "launchMode": "Normal", "moveOn": "CompletedAndPassed", "masteryScore": 0.5}
    d.update(over)
    return {k: v for k, v in d.items() if v is not None}


def au(mode="Normal", mastery=0.5, done=()) -> Cmi5Session:
    launch = Launch("https://lms.example/xapi/", "https://lms.example/fetch/1", ACTOR, REG, AU)
    return Cmi5Session(launch, parse_launch_data(data(launchMode=mode, masteryScore=mastery)), done=set(done))


def verbs(sts: list) -> list:
    return [s["verb"]["id"].rsplit("/", 1)[-1] for s in sts]


def categories(st: dict) -> set:
    return {a["id"] for a in st["context"].get("contextActivities", {}).get("category", [])}


def test_the_launch_parameters_in_any_order_and_each_bad_one_named():
    q = query()
    launch = parse_launch(dict(reversed(list(q.items()))))
    assert (launch.actor, launch.registration, launch.activity_id) == (ACTOR, REG, AU)
    for bad, said in [
        (query(fetch=None), "lacks fetch"),
        (query(registration="12"), "registration is not a UUID"),
        (query(actor='{"mbox": "mailto:a@b"}'), "not an Agent with an account"),
        (query(actor="{"), "actor is not JSON"),
        (query(endpoint="ftp://x/"), "endpoint is not an xAPI address"),
        (query(fetch="javascript:alert(1)"), "fetch URL is not an http"),
        (query(activityId="not an iri"), "activityId is not an IRI"),
    ]:
        with pytest.raises(Cmi5Error, match=said):
            parse_launch(bad)


def test_the_launch_data_is_checked():
    d = parse_launch_data(data(returnURL="https://lms.example/back", launchParameters="x"))
    assert (d.launch_mode, d.mastery_score, d.move_on, d.return_url) == (
        "Normal",
        0.5,
        "CompletedAndPassed",
        d.return_url,
    )
    for bad, said in [
        (data(contextTemplate=None), "no contextTemplate"),
        (data(contextTemplate={"extensions": {}}), "no session id"),
        (data(launchMode="Play"), "launch mode"),
        (data(masteryScore=1.5), "masteryScore"),
        (data(moveOn="Sometimes"), "moveOn"),
        (data(returnURL="javascript:alert(1)"), "returnURL"),
    ]:
        with pytest.raises(Cmi5Error, match=said):
            parse_launch_data(bad)


def test_the_template_is_kept_and_ours_added():
    ours = {
        "contextActivities": {"grouping": [{"id": "x"}], "category": [{"id": "c"}]},
        "extensions": {CMI5_SESSION: "no"},
    }
    merged = merge_context(TEMPLATE, ours)
    assert merged["extensions"][CMI5_SESSION] == "s-1"  # never overwritten
    assert [a["id"] for a in merged["contextActivities"]["grouping"]] == [AU, "x"]
    assert TEMPLATE["contextActivities"]["grouping"] == [{"objectType": "Activity", "id": AU}]  # not changed


def _report(story, score_policy="first"):
    a = make_assignment(story, mastery=0.5)
    r = report_of(story, score_policy, learner="Ada", assignment=a, start=T0)
    return r


def test_normal_mode_initialized_results_terminated_in_order(mini):
    s = au()
    report = _report(mini)
    first = s.initialized(T0 - timedelta(seconds=5))
    results = s.results(report, statements(report, ACTOR))
    last = s.terminate(T0 + timedelta(hours=1))
    sent = [first, *results, last]
    v = verbs(sent)
    assert v[0] == "initialized" and v[-1] == "terminated"
    assert v[-3:-1] == ["completed", "passed" if report["score"] >= 50 else "failed"]
    assert set(v[1:-3]) == {"answered"}
    for st in sent:
        uuid.UUID(st["id"])
        assert st["actor"] == ACTOR and st["context"]["registration"] == REG
        assert st["context"]["extensions"][CMI5_SESSION] == "s-1"
        assert {"objectType": "Activity", "id": AU} in st["context"]["contextActivities"]["grouping"]
        assert st["timestamp"].endswith("Z")
    defined = [st for st in sent if st["verb"]["id"].rsplit("/", 1)[-1] != "answered"]
    for st in defined:
        assert st["object"]["id"] == AU and CMI5_CATEGORY in categories(st)
        has_outcome = "success" in st.get("result", {}) or "completion" in st.get("result", {})
        assert (MOVEON_CATEGORY in categories(st)) == has_outcome
        assert ("score" in st.get("result", {})) == (st["verb"]["id"].endswith(("passed", "failed")))
    for st in sent:
        if verbs([st])[0] == "answered":
            assert not categories(st) & {CMI5_CATEGORY, MOVEON_CATEGORY}
    judged = sent[-2]
    assert judged["result"]["score"]["scaled"] == round(report["score"] / 100, 4)
    assert judged["context"]["extensions"][CMI5_MASTERY] == 0.5
    assert all("duration" in st["result"] for st in sent[-3:])
    with pytest.raises(Cmi5Error, match="terminated"):
        s.results(report, statements(report, ACTOR))
    with pytest.raises(Cmi5Error, match="terminated"):
        s.terminate()


def test_the_lms_mastery_score_decides_pass_and_fail(mini):
    report = _report(mini, "worst")
    scaled = round(report["score"] / 100, 4)
    assert scaled < 1
    for mastery, verb in [(scaled, "passed"), (min(1.0, scaled + 0.01), "failed")]:
        s = au(mastery=mastery)
        s.initialized(T0)
        out = s.results(report, statements(report, ACTOR))
        assert verbs(out)[-1] == verb and out[-1]["result"]["success"] is (verb == "passed")


@pytest.mark.parametrize("mode", ["Browse", "Review"])
def test_browse_and_review_send_only_initialized_and_terminated(mini, mode):
    s = au(mode=mode)
    report = _report(mini)
    sent = [s.initialized(T0), *s.results(report, statements(report, ACTOR)), s.terminate()]
    assert verbs(sent) == ["initialized", "terminated"]


def test_completed_and_passed_once_per_registration(mini):
    report = _report(mini)
    s = au(done={"completed", "passed"})
    s.initialized(T0)
    assert "completed" not in verbs(s.results(report, statements(report, ACTOR)))


def test_without_a_mastery_score_nothing_is_judged(mini):
    a = make_assignment(mini)
    report = report_of(mini, learner="Ada", assignment=a, start=T0)
    s = au(mastery=None)
    s.initialized(T0)
    assert verbs(s.results(report, statements(report, ACTOR)))[-1] == "completed"


def test_a_session_launched_from_an_lms_plays_as_its_learner(mini, tmp_path):
    from pizzaborg.play.session import Session

    s = Session(mini, tmp_path)
    s.identity = "Ada Lovelace"
    s.new_game(seed=3, learner="Someone typed")
    assert s.learner == "Ada Lovelace"  # the LMS's name, never a typed one


def test_the_record_says_launched_from_the_lms_signed_and_the_cohort_shows_it(tmp_path):
    from pizzaborg.trainer.classrecord import KEY_FILE, load_key, read_record, write_record
    from pizzaborg.trainer.cohort_html import _recorded

    report = tmp_path / "Web-class-0123456789ab-20261128-101500.json"
    report.write_text(json.dumps({"learner": "Ada"}), encoding="utf-8")
    times = {"session_started": "2026-11-28T10:00:00+00:00", "finished": "2026-11-28T10:15:00+00:00"}
    write_record(
        report, session="0123456789ab", game_started=None, learner_as_typed="Ada", lms_registration=REG, **times
    )
    record, problem = read_record(report, [load_key(tmp_path / KEY_FILE)])
    assert problem is None and record["launched_from"] == "lms" and record["lms_registration"] == REG
    assert _recorded({"server_record": record}).endswith("· launched from the LMS")
    forged = dict(record, launched_from="mail")  # the claim is signed with the rest
    report.with_suffix(".server-record").write_text(json.dumps(forged), encoding="utf-8")
    assert read_record(report, [load_key(tmp_path / KEY_FILE)])[0] is None
    write_record(report, session="0123456789ab", game_started=None, learner_as_typed="Ada", **times)
    record, _ = read_record(report, [load_key(tmp_path / KEY_FILE)])
    assert "launched_from" not in record and "launched from" not in _recorded({"server_record": record})


def test_launches_are_taken_only_from_the_lms_the_trainer_named():
    from pizzaborg.trainer.cmi5 import from_lms, origin

    assert origin("HTTPS://LMS.example/xapi/") == "https://lms.example:443" == origin("https://lms.example:443/")
    launch = parse_launch(query())
    assert from_lms(launch, ("https://lms.example:443",))
    assert not from_lms(launch, ()) and not from_lms(launch, ("http://lms.example:80",))
    assert not from_lms(parse_launch(query(fetch="https://elsewhere.example/f")), ("https://lms.example:443",))
    with pytest.raises(Cmi5Error, match="not an http"):
        origin("ftp://lms.example/")


def test_a_bad_lms_option_is_one_line(run_cli, tmp_path):
    code, out, err = run_cli("serve", "--lms", "ftp://lms.example/", cwd=tmp_path)
    assert code == 2 and "--lms: 'ftp://lms.example/' is not an http(s) address" in err and "Traceback" not in err


def test_what_the_lms_did_not_take_is_not_remembered_as_sent(mini, tmp_path):
    import asyncio

    pytest.importorskip("aiohttp", reason="the web extra is not installed")
    from pizzaborg.trainer.lrs import LrsError
    from pizzaborg.web.cmi5 import Cmi5Run

    class Down:
        def post(self, statements):
            raise LrsError("the LMS is down", retry=True)

    report = _report(mini)
    hand_ins = tmp_path / "hand-ins"
    hand_ins.mkdir()
    (hand_ins / "Workshop-A-0123456789ab-20261128-101500.json").write_text(json.dumps(report), encoding="utf-8")
    s = au()
    s.initialized(T0)
    run = Cmi5Run(Down(), s, None, tmp_path / "ledger.json")
    run.hand_ins, run.session_id = hand_ins, "0123456789ab"
    asyncio.run(run.game_ended())
    assert s.terminated and s.sent[-1] == "terminated"  # nothing more for this session, sent or not
    assert not (tmp_path / "ledger.json").exists()  # completed and passed may still come in a later session
