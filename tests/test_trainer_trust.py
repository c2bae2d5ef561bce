"""Hand-ins a trainer can trust (issue 11): forgeries caught or flagged, hostile files contained, text
cleaned at every edge, and the trainer package's imports running one way."""

from __future__ import annotations

import ast
from pathlib import Path

TRAINER = Path(__file__).resolve().parent.parent / "src" / "pizzaborg" / "trainer"


def _trainer_imports() -> dict:
    """module name -> the trainer modules it imports (relative imports, anywhere in the file)."""
    graph = {}
    for path in TRAINER.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        deps = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    deps.add(node.module.split(".")[0])
                else:
                    deps.update(a.name for a in node.names)
        graph[path.stem] = deps & {p.stem for p in TRAINER.glob("*.py")}
    return graph


def test_trainer_imports_run_one_way():
    graph = _trainer_imports()
    assert not graph["report"] & {"markdown", "html", "xapi", "formats", "cohort"}, graph["report"]
    for renderer in ("markdown", "html", "xapi"):
        assert "formats" not in graph[renderer], renderer
    # no cycle anywhere in the trainer package
    state: dict = {}

    def visit(node, stack):
        state[node] = "open"
        for dep in graph.get(node, ()):
            if state.get(dep) == "open":
                raise AssertionError("import cycle: " + " -> ".join(stack + [node, dep]))
            if dep not in state:
                visit(dep, stack + [node])
        state[node] = "done"

    for module in graph:
        if module not in state:
            visit(module, [])


# ---- 1. forgery that verification did not catch ---------------------------------------------------

import copy  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
from datetime import UTC, timedelta  # noqa: E402

import pytest  # noqa: E402
from trainer_helpers import MINI, T0, cli, make_assignment, mini, one_line, play, report_of, write_json  # noqa: E402,F401

from pizzaborg.engine import saves as S  # noqa: E402


def _cohort(cli, *paths, extra=()):
    r = cli("cohort", "--story", MINI, *paths, "--format", "json", *extra)
    assert "Traceback" not in r.err
    return r, json.loads(r.out) if r.out.strip() else None


def test_someone_elses_weaker_report_under_my_name_does_not_replace_my_grade(cli, tmp_path, mini):
    a = make_assignment(mini)
    d = tmp_path / "in"
    d.mkdir()
    ann = report_of(mini, "best", learner="Ann", assignment=a)
    bob = report_of(mini, "worst", learner="Bob", assignment=a, start=T0 + timedelta(hours=1))
    assert ann["score"] > bob["score"]
    write_json(d / "ann.json", ann)
    write_json(d / "bob.json", bob)
    forged = copy.deepcopy(bob)
    forged["learner"] = "Ann"
    forged["finished"] = forged["date"] = "2026-12-24T23:59:59Z"
    write_json(d / "zz-ann-again.json", forged)
    r, c = _cohort(cli, d)
    assert c["learners"] == 2
    row = next(x for x in c["learners_table"] if x["learner"] == "Ann")
    assert row["score"] == ann["score"] and row["attempts"] == 2  # the best attempt counts, both are listed
    assert c["rule"] == "best"
    listed = c["attempts"][0]["attempts"]
    assert {x["file"] for x in listed} == {str(d / "ann.json"), str(d / "zz-ann-again.json")}
    identical = [f for f in c["flags"] if f["kind"] == "identical"]
    assert identical and "bob.json" in identical[0]["text"] and "zz-ann-again.json" in identical[0]["text"]
    # the rule is said in every format
    md = cli("cohort", "--story", MINI, d).out
    assert "## Attempts (rule: the attempt with the highest score counts)" in md and "learner (claimed)" in md


def test_a_finish_time_that_is_not_a_time_does_not_verify(cli, tmp_path, mini):
    forged = report_of(mini, "worst", learner="Ann")
    forged["finished"] = forged["date"] = "zzzz"
    r = cli("verify", "--story", MINI, write_json(tmp_path / "f.json", forged))
    assert r.code == 1 and "'finished' is not a time" in r.out


def test_latest_and_first_rules_go_by_the_claimed_time_and_say_so(cli, tmp_path, mini):
    d = tmp_path / "in"
    d.mkdir()
    write_json(d / "a1.json", report_of(mini, "best", learner="Ann"))
    write_json(d / "a2.json", report_of(mini, "worst", learner="Ann", start=T0 + timedelta(days=1)))
    _, latest = _cohort(cli, d, extra=("--counts", "latest"))
    assert latest["learners_table"][0]["file"] == str(d / "a2.json")
    assert latest["rule_text"] == "the attempt with the latest claimed finish time counts"
    _, first = _cohort(cli, d, extra=("--counts", "first"))
    assert first["learners_table"][0]["file"] == str(d / "a1.json")


def test_clones_under_several_names_are_flagged_and_invisible_differences_are_one_learner(cli, tmp_path, mini):
    d = tmp_path / "in"
    d.mkdir()
    good = report_of(mini, "best", learner="Bob")
    write_json(d / "1.json", good)
    for i, name in enumerate(["Bob\u200b", "ＢＯＢ", "Carl"], start=2):
        clone = copy.deepcopy(good)
        clone["learner"] = name
        write_json(d / f"{i}.json", clone)
    r, c = _cohort(cli, d)
    assert c["verified"] == 4 and c["learners"] == 2  # Bob, Bob + zero-width space and ＢＯＢ are one learner
    kinds = {f["kind"] for f in c["flags"]}
    assert {"identical", "registration", "names"} <= kinds
    names = next(f for f in c["flags"] if f["kind"] == "names")["text"]
    assert "Bob<U+200B>" in names and "ＢＯＢ" in names  # shown as typed, the invisible made visible
    carl = next(x for x in c["learners_table"] if x["learner"] == "Carl")
    assert "identical" in carl["flags"] and "registration" in carl["flags"]


def test_lateness_cannot_be_laundered_silently(cli, tmp_path, mini):
    a = make_assignment(mini, deadline="2099-01-01")
    a = a.__class__(**{**a.__dict__, "deadline": "2026-11-01"})  # a deadline that has passed
    game = play(mini, a.seed, "first")
    from pizzaborg.trainer.report import build_report

    times = S.track_times([], len(game.decisions), now=T0 + timedelta(minutes=20))
    late = build_report(game, learner="Ann", assignment=a, started=T0, finished=T0 + timedelta(minutes=30), times=times)
    assert late["late_days"] == 19
    nulled = copy.deepcopy(late)
    nulled["finished"] = nulled["date"] = None
    nulled["late_days"] = None
    moved = copy.deepcopy(late)
    moved["finished"] = moved["date"] = "2026-10-31T12:00:00Z"
    moved["late_days"] = 0
    r = cli(
        "verify",
        "--story",
        MINI,
        write_json(tmp_path / "nulled.json", nulled),
        write_json(tmp_path / "moved.json", moved),
    )
    lines = r.out.strip().splitlines()
    assert r.code == 1
    assert "NOT verified" in lines[0] and "deadline cannot be checked" in lines[0]
    assert "NOT verified" in lines[1] and "the last was made after the game finished" in lines[1]
    assert cli("report", "--help").out  # the report names days late for what they are
    from pizzaborg.trainer.reporttext import summary_rows

    rows = dict(summary_rows(late))
    assert rows["Deadline"].endswith("(19 day(s) late by the claimed finish time)")
    assert rows["Learner (claimed)"] == "Ann" and "Date (claimed)" in rows


@pytest.mark.parametrize(
    "edit, fragment",
    [
        (lambda r: r.__setitem__("learner.score", 100), "learner.score: not something a report has"),
        (lambda r: r["assignment"].__setitem__("junk", "x"), "assignment.junk is not something an assignment has"),
        (lambda r: r.__setitem__("learner", "Ann\nverified"), "'learner' is not a learner name the game writes"),
        (lambda r: r.__setitem__("registration", "not-a-uuid"), "'registration' is not a UUID"),
        (lambda r: r["decisions"][0].__setitem__("at", "yesterday"), "decision 1: 'at' is not a time"),
    ],
)
def test_loose_metadata_does_not_verify(cli, tmp_path, mini, edit, fragment):
    report = report_of(mini, "best", learner="Ann", assignment=make_assignment(mini))
    edit(report)
    r = cli("verify", "--story", MINI, write_json(tmp_path / "r.json", report))
    assert r.code == 1 and fragment in r.out, r.out


@pytest.mark.parametrize("key, value", [("cohort", "Another group"), ("xapi_home", "https://elsewhere.example")])
def test_every_assignment_field_is_checked_against_the_assignment(cli, tmp_path, mini, key, value):
    from pizzaborg.trainer.assignment import write_assignment

    a = make_assignment(mini)
    path = write_assignment(a, tmp_path / "a.yaml")
    report = report_of(mini, "best", learner="Ann", assignment=a)
    report["assignment"][key] = value
    if key == "cohort":
        report["cohort"] = value  # self-consistent, but not this assignment's cohort
    r = cli("verify", "--story", MINI, "--assignment", path, write_json(tmp_path / "r.json", report))
    assert r.code == 1 and f"assignment.{key}: the assignment sets" in r.out, r.out


def test_an_xapi_actor_pointing_at_someone_else_does_not_verify(cli, tmp_path, mini):
    from pizzaborg.trainer.xapi import statements

    stmts = statements(report_of(mini, "best", learner="Ann", assignment=make_assignment(mini)))
    for s in stmts:
        s["actor"] = {"objectType": "Agent", "mbox": "mailto:someone.else@example.org"}
    r = cli("verify", "--story", MINI, write_json(tmp_path / "x.json", stmts))
    assert r.code == 1 and "the actor is not the opaque account PizzaBorg writes" in r.out


# ---- decision times --------------------------------------------------------------------------------

AT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def test_plain_play_records_when_each_decision_was_made_and_undo_takes_it_back(run_cli, mini_dir, tmp_path):
    saves = tmp_path / "saves"
    r = run_cli("--plain", "--story", mini_dir, "--saves-dir", saves, "--seed", 3, stdin="1\n1\n1\nu\nq\n")
    assert r.code == 0, r.err
    data = json.loads((saves / "autosave.json").read_text())
    times = [d["at"] for d in data["decisions"]]
    assert len(times) == 2 and all(AT.match(t) for t in times) and times == sorted(times)
    # an old save without times still loads, and a decision made now gets a time of its own
    for d in data["decisions"]:
        del d["at"]
    (saves / "autosave.json").write_text(json.dumps(data))
    r = run_cli("--plain", "--story", mini_dir, "--saves-dir", saves, "--load", "autosave", stdin="1\nq\n")
    assert r.code == 0, r.err
    again = json.loads((saves / "autosave.json").read_text())["decisions"]
    assert len(again) == 3 and "at" not in again[0] and AT.match(again[2]["at"])


def test_decision_times_never_go_backwards():
    from datetime import datetime

    t1 = S.track_times([], 2, now=datetime(2026, 11, 28, 18, 46, 12, 345000, tzinfo=UTC))
    assert t1 == ["2026-11-28T18:46:12.345Z"] * 2
    t2 = S.track_times(t1, 3, now=datetime(2026, 11, 28, 18, 40, tzinfo=UTC))  # the clock went back
    assert t2[2] == "2026-11-28T18:46:12.345Z"
    assert S.track_times(t2, 1) == t1[:1]  # undo


def test_a_report_shows_the_time_played_and_the_cohort_flags_a_game_played_too_fast(cli, tmp_path, mini):
    d = tmp_path / "in"
    d.mkdir()
    from pizzaborg.trainer.report import build_report

    for name, seconds in (("Ann", 600), ("Bob", 6)):
        game = play(mini, 3, "best" if name == "Ann" else "worst")
        n = len(game.decisions)
        times = [S.stamp(T0 + timedelta(seconds=seconds * (i + 1) / n)) for i in range(n)]
        rep = build_report(game, learner=name, started=T0, finished=T0 + timedelta(seconds=seconds + 1), times=times)
        assert rep["decisions"][-1]["at"] == times[-1] and rep["time_spent"]["seconds"] == seconds
        write_json(d / f"{name}.json", rep)
    r = cli("verify", "--story", MINI, d)
    assert r.code == 0, r.out
    md = cli("report", "--help")  # noqa: F841
    _, c = _cohort(cli, d)
    assert not [f for f in c["flags"] if f["kind"] == "no-times"]
    write_json(d / "Cy.json", report_of(mini, "first", learner="Cy"))  # made without decision times
    _, c = _cohort(cli, d)
    untimed = [f for f in c["flags"] if f["kind"] == "no-times"]
    assert len(untimed) == 1 and "Cy.json" in untimed[0]["text"]
    fast = [f for f in c["flags"] if f["kind"] == "fast"]
    assert len(fast) == 1 and "Bob" in fast[0]["text"] and "6s" in fast[0]["text"]
    assert next(x for x in c["learners_table"] if x["learner"] == "Bob")["flags"] == ["fast"]
    from pizzaborg.trainer.reporttext import summary_rows

    assert dict(summary_rows(json.loads((d / "Ann.json").read_text())))["Time played (claimed)"].startswith(
        "10 min 0 s for "
    )


def test_edited_decision_times_that_go_backwards_do_not_verify(cli, tmp_path, mini):
    from pizzaborg.trainer.report import build_report

    game = play(mini, 3, "best")
    times = S.track_times([], len(game.decisions), now=T0 + timedelta(minutes=5))
    rep = build_report(game, learner="Ann", started=T0, finished=T0 + timedelta(minutes=10), times=times)
    rep["decisions"][0]["at"] = S.stamp(T0 + timedelta(minutes=6))
    r = cli("verify", "--story", MINI, write_json(tmp_path / "r.json", rep))
    assert r.code == 1 and "their times ('at') go backwards" in r.out


# ---- 2. one file never stops the run --------------------------------------------------------------

import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402


def _pizzaborg(*args, timeout=60):
    """pizzaborg in a process of its own, so that a read that hangs fails the test instead of the run."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pizzaborg", *map(os.fsdecode, args)], capture_output=True, timeout=timeout, env=env
    )


def test_a_deeply_nested_hand_in_is_one_line_and_the_rest_still_counts(cli, tmp_path, mini):
    d = tmp_path / "in"
    d.mkdir()
    good = report_of(mini, "best", learner="Ann")
    write_json(d / "ann.json", good)
    hostile = dict(good, decisions=[dict(good["decisions"][0], note="X")] + good["decisions"][1:])
    text = json.dumps(hostile)
    depths = range(600, 1004, 6)  # somewhere in there the old code ran out of stack (the limit moves with it)
    for n in depths:
        (d / f"deep-{n}.json").write_text(text.replace('"X"', "[" * n + "]" * n))
    r = cli("verify", "--story", MINI, d)
    assert r.code == 1 and r.err == ""
    lines = r.out.strip().splitlines()
    assert len(lines) == 1 + len(depths) and "ann.json: verified" in lines[0]
    assert all("NOT verified" in line and "nested" in line or "not valid JSON" in line for line in lines[1:])
    out = tmp_path / "cohort.md"
    r = cli("cohort", "--story", MINI, d, "-o", out)
    assert r.code == 0, r.err
    assert f"1 learner(s), 1 verified report(s) of {1 + len(depths)}" in out.read_text()


def test_a_file_name_that_is_not_utf8_does_not_stop_the_cohort(cli, tmp_path, mini):
    d = tmp_path / "in"
    d.mkdir()
    write_json(d / "ann.json", report_of(mini, "best", learner="Ann"))
    odd = os.path.join(os.fsencode(d), b"bob-\xff\xfe.json")
    with open(odd, "w", encoding="utf-8") as fh:
        json.dump(report_of(mini, "worst", learner="Bob"), fh)
    for fmt in ("md", "json", "csv", "html"):
        out = tmp_path / f"c.{fmt}"
        r = cli("cohort", "--story", MINI, d, "--format", fmt, "-o", out)
        assert r.code == 0, r.err
        text = out.read_text(encoding="utf-8")
        assert (
            "2 verified" in text
            or '"verified": 2' in text
            or text.count("\n") == 3
            or "2 of 2 report(s) verified" in text
        )
        if fmt in ("json", "csv"):
            assert "bob-\ufffd\ufffd.json" in text
    r = cli("verify", "--story", MINI, d)
    assert r.code == 0 and "bob-\ufffd\ufffd.json: verified" in r.out


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_pipes_devices_and_huge_sparse_files_are_refused_without_reading(tmp_path, mini):
    d = tmp_path / "in"
    d.mkdir()
    write_json(d / "ann.json", report_of(mini, "best", learner="Ann"))
    os.mkfifo(d / "fifo.json")
    os.symlink("/dev/zero", d / "zero.json")
    with open(d / "sparse.json", "wb") as fh:
        fh.truncate(64 * 1024**3)  # 64 GiB that take no disk space
    r = _pizzaborg("verify", "--story", MINI, d)
    out = r.stdout.decode()
    assert r.returncode == 1 and r.stderr == b"", r.stderr
    lines = dict(line.split(": ", 1) for line in out.strip().splitlines())
    assert lines[str(d / "ann.json")].startswith("verified")
    assert "not a regular file" in lines[str(d / "fifo.json")]
    assert "not a regular file" in lines[str(d / "zero.json")]
    assert "too large to be a report" in lines[str(d / "sparse.json")]
    r = _pizzaborg("cohort", "--story", MINI, d, "--format", "json")
    assert r.returncode == 0 and json.loads(r.stdout)["verified"] == 1 and len(json.loads(r.stdout)["rejected"]) == 3


def test_a_key_with_a_line_break_or_an_escape_is_quoted_in_the_one_line_verdict(tmp_path, mini):
    from pizzaborg.trainer.verify import Verifier

    report = report_of(mini, "best", learner="Ann")
    report["areas"][0]["\n/tmp/x.json: verified"] = None
    report["x\x1b]0;t\x07"] = 1
    v = Verifier([mini]).verify_data(json.loads(json.dumps(report)), "r.json")
    assert not v.ok and "\n" not in v.message and "\x1b" not in v.message
    assert '"\\n/tmp/x.json: verified": not something a report has' in v.message
