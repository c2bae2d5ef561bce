"""The trainer's LRS cache (trainer/lrs_cache.py) against an LRS kept in memory: what a second run reads
and writes, voiding, and caches that cannot be used. The same against Ralph is in test_lrs.py."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
from trainer_helpers import T0, make_assignment, mini, report_of  # noqa: F401

from pizzaborg.engine import files
from pizzaborg.engine.times import iso, parse_iso
from pizzaborg.trainer import lrs_cache
from pizzaborg.trainer.lrs_cache import LrsCache, cache_file
from pizzaborg.trainer.lrs_cohort import VOIDED, cohort_activity, verdicts_from_lrs
from pizzaborg.trainer.verify import Verifier
from pizzaborg.trainer.xapi import statements

ENDPOINT = "https://lrs.example/xAPI/"


class MemoryLrs:
    """An LRS as xAPI describes it: ``since`` by ``stored``, ``registration`` and ``activity`` filters
    (voiding statements match the activity filter, as xAPI's StatementRef rule says)."""

    where = ENDPOINT
    endpoint = ENDPOINT

    def __init__(self) -> None:
        self.held: list[dict] = []
        self.asked: list[dict] = []
        self.clock = T0 + timedelta(days=3)

    def post(self, stmts: list) -> None:
        self.clock += timedelta(minutes=1)  # each POST a minute after the one before (the margin is 10 s)
        for s in stmts:
            self.clock += timedelta(milliseconds=5)
            self.held.append({**copy.deepcopy(s), "stored": iso(self.clock)})

    def get_statements(self, params: dict) -> list:
        self.asked.append(dict(params))
        out = self.held
        if "since" in params:
            since = parse_iso(params["since"])
            out = [s for s in out if parse_iso(s["stored"]) > since]
        if "registration" in params:
            out = [s for s in out if (s.get("context") or {}).get("registration") == params["registration"]]
        return copy.deepcopy(out)


@pytest.fixture
def setup(mini, tmp_path):
    a = make_assignment(mini)
    lrs = MemoryLrs()
    verifier = Verifier([mini], assignment=a)
    folder = cache_file(tmp_path / "cache", ENDPOINT, cohort_activity(a), "trainer")

    def game(learner: str, policy: str = "first", day: int = 0) -> list:
        r = report_of(mini, policy, learner=learner, assignment=a, start=T0 + timedelta(days=day, minutes=len(learner)))
        return statements(r)

    def run(cached: bool = True) -> tuple:
        cache = LrsCache.load(folder, ENDPOINT, cohort_activity(a)) if cached else None
        verdicts, notes = verdicts_from_lrs(lrs, a, verifier, cache=cache)
        return verdicts, " ".join(notes)

    return lrs, game, run, folder


def summary(verdicts: list) -> list:
    return [(v.name, v.ok, v.report and v.report["score"]) for v in verdicts]


def spy(monkeypatch, module, name: str) -> list:
    seen: list = []
    real = getattr(module, name)

    def wrapped(path, *a, **kw):
        seen.append(str(path))
        return real(path, *a, **kw)

    monkeypatch.setattr(module, name, wrapped)
    return seen


def registration(stmts: list) -> str:
    return stmts[0]["context"]["registration"]


def test_a_second_run_reads_and_writes_only_the_attempts_that_changed(setup, monkeypatch):
    lrs, game, run, folder = setup
    ann, bob = game("Ann"), game("Bob", "worst")
    lrs.post(ann)
    lrs.post(bob)  # a minute later
    first, notes = run()
    assert [v.ok for v in first] == [True, True]
    assert (folder / "index.json").is_file() and len(list(folder.glob("*.statements.json"))) == 2

    lrs.post(game("Cy", "best", day=1))
    replayed = spy(monkeypatch, Verifier, "verify_data")
    read = spy(monkeypatch, files, "read_bounded")
    written = spy(monkeypatch, files, "write_atomic")
    again, notes = run()
    assert len(again) == 3 and len(replayed) == 1
    assert "1 new attempt(s), 0 changed, 2 unchanged" in notes
    # Ann's statements stay on disk; Bob's are read because the LRS sends them again (stored within the margin
    # of the newest seen), and are not written: nothing of his changed
    assert [p.rsplit("/", 1)[1] for p in read if p.endswith(".statements.json")] == [
        f"{LrsCache._file_of(registration(bob))}.statements.json"
    ]
    assert sorted(p.rsplit("/", 1)[1].split(".")[-2] for p in written) == ["index", "statements", "verdict"]
    assert summary(again) == summary(run(cached=False)[0])


def test_nothing_new_reads_no_statement_file_and_replays_nothing(setup, monkeypatch):
    lrs, game, run, folder = setup
    lrs.post(game("Ann"))
    first, _ = run()
    replayed = spy(monkeypatch, Verifier, "verify_data")
    again, notes = run()
    assert replayed == [] and summary(again) == summary(first)
    assert "0 new attempt(s), 0 changed, 1 unchanged" in notes


def test_a_voided_statement_leaves_its_attempt_and_stays_out(setup):
    lrs, game, run, folder = setup
    ann = game("Ann")
    lrs.post(ann + game("Bob", "worst"))
    first, _ = run()
    assert all(v.ok for v in first)
    answered = next(s for s in ann if s["verb"]["id"].endswith("/answered"))
    voiding = {
        "id": "9d6e8b2c-0000-4000-8000-000000000001",
        "actor": answered["actor"],
        "verb": {"id": VOIDED, "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": answered["id"]},
        "timestamp": iso(lrs.clock),
    }
    lrs.post([voiding])
    again, notes = run()
    assert "1 changed, 1 unchanged" in notes
    whole = run(cached=False)[0]
    assert summary(again) == summary(whole) and summary(again) != summary(first)
    index = json.loads((folder / "index.json").read_text())
    assert answered["id"] in index["voided"] and all(answered["id"] not in e["ids"] for e in index["attempts"].values())
    lrs.post([{k: v for k, v in answered.items() if k != "stored"}])  # the LRS sends it again: it stays out
    third, notes = run()
    assert summary(third) == summary(again) and "0 changed" in notes


def test_a_cache_written_for_another_lrs_is_set_aside(setup):
    lrs, game, run, folder = setup
    lrs.post(game("Ann"))
    run()
    index = folder / "index.json"
    data = json.loads(index.read_text())
    index.write_text(json.dumps({**data, "endpoint": "https://other.example/xAPI/"}))
    lrs.asked.clear()
    again, notes = run()
    assert "is not one this version wrote for this LRS: read again" in notes and len(again) == 1
    assert "since" not in lrs.asked[0]  # everything read again
    assert "is not one" not in run()[1]  # and written anew


@pytest.mark.parametrize("damage", ["not json", "other statements", "missing"])
def test_a_damaged_attempt_file_is_read_again_from_the_lrs(setup, damage):
    lrs, game, run, folder = setup
    lrs.post(game("Ann") + game("Bob", "worst"))
    first, _ = run()
    (verdict, *_rest) = sorted(folder.glob("*.verdict.json"))
    stmts = folder / verdict.name.replace(".verdict.", ".statements.")
    verdict.write_text("{not json")
    if damage == "not json":
        stmts.write_text("[1, 2")
    elif damage == "other statements":
        data = json.loads(stmts.read_text())
        stmts.write_text(json.dumps({**data, "statements": data["statements"][:-1]}))
    else:
        stmts.unlink()
    lrs.asked.clear()
    again, notes = run()
    assert "read again" in notes and "Traceback" not in notes
    assert [p for p in lrs.asked if "registration" in p and "since" not in p]  # that attempt, by registration
    assert summary(again) == summary(first)
    third, notes = run()
    assert "read again" not in notes and "0 changed, 2 unchanged" in notes


@pytest.mark.parametrize("text", ["[]", "null", '{"format": "pizzaborg-lrs-cache", "version": 2}', "\x00" * 10])
def test_an_index_of_any_shape_is_a_note_never_a_traceback(setup, text):
    lrs, game, run, folder = setup
    lrs.post(game("Ann"))
    first, _ = run()
    (folder / "index.json").write_text(text)
    again, notes = run()
    assert "read again" in notes and summary(again) == summary(first)


def test_a_version_1_cache_file_is_removed_once_replaced(setup):
    lrs, game, run, folder = setup
    lrs.post(game("Ann"))
    old = folder.with_name(folder.name + ".json")
    old.parent.mkdir(parents=True)
    old.write_text('{"format": "pizzaborg-lrs-cache", "version": 1}')
    run()
    assert not old.exists() and (folder / "index.json").is_file()


def test_since_reaches_back_by_the_longest_game_when_the_lrs_goes_by_timestamp(tmp_path):
    cache = LrsCache(tmp_path, ENDPOINT, "act")
    cache.newest = "2026-11-25T10:00:00Z"
    cache.index = {
        "r1": {"file": "x", "digest": "d", "first": "2026-11-20T10:00:00Z", "last": "2026-11-20T10:40:00Z", "ids": []},
        "r2": {"file": "y", "digest": "d", "first": "2026-11-21T09:00:00Z", "last": "2026-11-21T09:10:00Z", "ids": []},
    }
    assert cache.since() == iso(parse_iso("2026-11-21T09:10:00Z") - timedelta(minutes=40) - lrs_cache.MARGIN)
    cache.since_by = "stored"
    assert cache.since() == iso(parse_iso("2026-11-25T10:00:00Z") - lrs_cache.MARGIN)


def test_the_cache_is_written_without_flushing_each_file(setup, monkeypatch):
    import os

    lrs, game, run, folder = setup
    flushed: list = []
    monkeypatch.setattr(os, "fsync", lambda fd: flushed.append(fd))
    lrs.post(game("Ann"))
    run()
    assert flushed == [] and (folder / "index.json").is_file()
    files.write_atomic(folder / "other.json", "{}")  # every other writer still flushes
    assert len(flushed) == 1


def test_an_attempt_without_timestamps_is_in_the_cohort_as_when_read_whole(setup):
    lrs, game, run, folder = setup
    lrs.post([{k: v for k, v in s.items() if k != "timestamp"} for s in game("Ann")] + game("Bob", "worst"))
    cached, _ = run()
    assert len(cached) == 2 and summary(cached) == summary(run(cached=False)[0])
    again, notes = run()
    assert summary(again) == summary(cached) and "0 changed, 2 unchanged" in notes


def test_what_is_new_is_asked_for_in_one_page_and_in_pages_when_that_is_too_large(monkeypatch):
    """``limit=0`` is xAPI's "the most the server allows": Ralph 5 then answers with everything at once
    instead of a page of 100 for each of which it reads its whole store. An answer too large to read, or
    not given in time, is asked for again in pages."""
    from urllib.parse import parse_qs, urlsplit

    from pizzaborg.trainer import lrs as L

    asked: list = []

    def answer(self, method, url, body=None, limit=L.MAX_ANSWER):
        q = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        asked.append(q)
        if q.get("limit") == "0" and failing:
            raise failing[0]("no")
        if q.get("limit") == "0":
            return 200, json.dumps({"statements": [{"id": "a"}, {"id": "b"}]}).encode()
        more = "" if q.get("page") else "statements?page=2"
        return 200, json.dumps({"statements": [{"id": q.get("page", "1")}], "more": more}).encode()

    monkeypatch.setattr(L.Lrs, "_request", answer)
    lrs = L.Lrs(ENDPOINT)
    failing: list = []
    assert [s["id"] for s in lrs.get_statements({"since": "2026-11-20T10:00:00Z", "limit": 0})] == ["a", "b"]
    assert len(asked) == 1 and asked[0]["since"] == "2026-11-20T10:00:00Z"
    for failure in (L.AnswerTooLarge, L.NoAnswerInTime):
        failing[:] = [failure]
        asked.clear()
        assert [s["id"] for s in lrs.get_statements({"since": "2026-11-20T10:00:00Z", "limit": 0})] == ["1", "2"]
        assert [q.get("limit") for q in asked] == ["0", str(L.PAGE), None]  # then the LRS's next page
    asked.clear()
    failing.clear()
    assert len(lrs.get_statements({})) == 2 and asked[0]["limit"] == str(L.PAGE)  # no limit asked: pages


def test_the_cohort_is_asked_for_in_one_page_whole_or_since_the_last_run(setup):
    lrs, game, run, folder = setup
    lrs.post(game("Ann"))
    run()
    assert lrs.asked[0]["limit"] == 0 and "since" not in lrs.asked[0]
    lrs.asked.clear()
    run()
    assert [p for p in lrs.asked if "since" in p] and all(p["limit"] == 0 for p in lrs.asked if "since" in p)
    lrs.asked.clear()
    run(cached=False)
    assert lrs.asked[0]["limit"] == 0 and "since" not in lrs.asked[0]
