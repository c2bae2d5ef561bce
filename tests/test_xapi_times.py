"""Statement timestamps and durations from the decisions' times: deterministic, byte-identical on
every rendering, replay-verifiable, with a stated placeholder for saves that did not time decisions."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

from ralph.models.xapi.base.statements import BaseXapiStatement
from trainer_helpers import T0, make_assignment, mini, play, report_of  # noqa: F401

from pizzaborg.engine.saves import SaveData
from pizzaborg.trainer.report import report_from_save
from pizzaborg.trainer.verify import Verifier
from pizzaborg.trainer.xapi import VERBS, precise_duration, statements


def at(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def timed(report: dict, gaps=(7.25, 12.5, 3.001)) -> dict:
    """The report as if its decisions had been timed (with the time spent the report then carries)."""
    from pizzaborg.trainer.report import time_spent

    r = copy.deepcopy(report)
    t = 0.0
    for i, d in enumerate(r["decisions"]):
        t += gaps[i % len(gaps)]
        d["at"] = at(t)
    spent = time_spent(r.get("started"), [d["at"] for d in r["decisions"]], len(r["decisions"]))
    if spent is not None:
        r["time_spent"] = spent
    return r


def answered(sts):
    return [s for s in sts if s["verb"]["id"] == VERBS["answered"]]


def test_answered_statements_carry_the_decision_time_and_duration(mini):
    r = timed(report_of(mini, "first", assignment=make_assignment(mini, mastery=0.5)))
    sts = statements(r)
    ans = answered(sts)
    assert len(ans) == len(r["decisions"]) >= 3
    assert [s["timestamp"] for s in ans] == [d["at"] for d in r["decisions"]]
    assert [s["result"]["duration"] for s in ans[:3]] == ["PT7.25S", "PT12.5S", "PT3S"]
    assert all("timestamp" in s for s in sts)  # none left for the LRS to fill in
    for s in sts:
        BaseXapiStatement(**s)


def test_the_same_report_gives_byte_identical_statements(mini, tmp_path):
    r = timed(report_of(mini, "worst", assignment=make_assignment(mini)))
    first = json.dumps(statements(r), sort_keys=False)
    # through a file and back, as 'pizzaborg send REPORT' reads it
    path = tmp_path / "r.json"
    path.write_text(json.dumps(r, indent=2), encoding="utf-8")
    again = json.dumps(statements(json.loads(path.read_text(encoding="utf-8"))), sort_keys=False)
    assert first == again


def test_without_decision_times_the_start_is_a_stated_placeholder(mini):
    r = report_of(mini, "first")
    assert all("at" not in d for d in r["decisions"])
    sts = statements(r)
    ans = answered(sts)
    assert {s["timestamp"] for s in ans} == {"2026-11-20T10:00:00.000Z"}
    assert all("duration" not in s["result"] for s in ans)
    assert json.dumps(statements(r)) == json.dumps(sts)
    # a game continued after an upgrade: the untimed decisions before take the start, the timed ones their time
    mixed = timed(r)
    del mixed["decisions"][0]["at"]
    ans = answered(statements(mixed))
    assert ans[0]["timestamp"] == "2026-11-20T10:00:00.000Z" and "duration" not in ans[0]["result"]
    assert ans[1]["timestamp"] == mixed["decisions"][1]["at"] and "duration" not in ans[1]["result"]
    assert ans[2]["result"]["duration"] == "PT3S"


def test_timed_statements_verify_and_an_edited_time_is_caught(mini):
    v = Verifier([mini])
    base = report_of(mini, "first", assignment=make_assignment(mini))
    mixed = timed(base)  # a game saved by an older version (no times), continued with this one
    del mixed["decisions"][0]["at"]
    for r in (timed(base), base, mixed):
        verdict = v.verify_data(statements(r), "x.json")
        assert verdict.ok, verdict.message
        assert [d.get("at") for d in verdict.report["decisions"]] == [d.get("at") for d in r["decisions"]]
    bad = statements(timed(base))
    answered(bad)[1]["result"]["duration"] = "PT1S"
    verdict = v.verify_data(bad, "x.json")
    assert not verdict.ok and "duration" in verdict.message
    # a JSON report: the times are claims that must at least be times, in order
    r = timed(base)
    assert v.verify_data(json.loads(json.dumps(r)), "r.json").ok
    r["decisions"][2]["at"] = r["decisions"][0]["at"]
    verdict = v.verify_data(r, "r.json")
    assert not verdict.ok and "earlier than the decision before" in verdict.message


def test_a_report_from_a_save_carries_the_saved_times(mini):
    game = play(mini, 3, "first")
    decisions = [dict(d, at=at(10 * (i + 1))) for i, d in enumerate(game.decision_list)]
    game.close()
    save = SaveData(
        "s",
        dict(mini.ref),
        3,
        game.decision_list,
        T0.isoformat(),
        at(999),
        {},
        "Ann",
        times=[d["at"] for d in decisions],
    )
    r = report_from_save(mini, save)
    assert [d["at"] for d in r["decisions"]] == [d["at"] for d in decisions]
    assert answered(statements(r))[0]["result"]["duration"] == "PT10S"


def test_precise_durations():
    assert [precise_duration(ms) for ms in (0, 9, 10, 3450, 60_000, 3_723_010, -5)] == [
        "PT0S",
        "PT0S",
        "PT0.01S",
        "PT3.45S",
        "PT1M",
        "PT1H2M3.01S",
        "PT0S",
    ]
