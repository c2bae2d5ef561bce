"""The class server's parts that need no server: the terminal check under the web driver, codes,
hosts, and the class-server record a hand-in carries (signed, bound to its report, shown by cohort)."""

from __future__ import annotations

import io
import json

import pytest

from pizzaborg.trainer.classrecord import KEY_FILE, load_key, read_record, record_path, write_record
from pizzaborg.tui.launch import NOT_A_TERMINAL, WEB_DRIVER, need_terminal
from pizzaborg.web.codes import new_code, normal_code
from pizzaborg.web.command import is_loopback


def test_the_terminal_check_accepts_textual_s_web_driver():
    pipes = io.StringIO(), io.StringIO()  # what textual-serve gives the game: pipes, not a TTY
    assert need_terminal(*pipes, environ={}) == NOT_A_TERMINAL
    assert need_terminal(*pipes, environ={"TEXTUAL_DRIVER": WEB_DRIVER}) is None
    assert need_terminal(*pipes, environ={"TEXTUAL_DRIVER": "something.else:Driver"}) == NOT_A_TERMINAL


def test_codes_are_typed_easily_and_compared_as_typed_loosely():
    code = new_code()
    assert len(code) == 14 and code.count("-") == 2 and not set(code) & set("01OI")
    assert normal_code(code.lower().replace("-", " ")) == code
    assert normal_code("../../etc/passwd") == "ETCP-ASSW-D"  # only letters and digits survive


@pytest.mark.parametrize(
    "host, loop",
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("127.0.0.2", True),
        ("0.0.0.0", False),
        ("192.168.1.20", False),
        ("class.example.org", False),
    ],
)
def test_loopback_hosts(host, loop):
    assert is_loopback(host) is loop


def _handed_in(tmp_path):
    report = tmp_path / "Web-class-0123456789ab-20261128-101500.json"
    report.write_text(json.dumps({"learner": "Ada"}), encoding="utf-8")
    write_record(
        report,
        session="0123456789ab",
        session_started="2026-11-28T10:00:00+00:00",
        game_started="2026-11-28T10:01:00+00:00",
        finished="2026-11-28T10:15:00+00:00",
        learner_as_typed="Ada  O'Neil",
    )
    return report


def test_a_record_holds_only_beside_its_own_unedited_report(tmp_path):
    report = _handed_in(tmp_path)
    keys = [load_key(tmp_path / KEY_FILE)]
    record, problem = read_record(report, keys)
    assert problem is None and record["learner_as_typed"] == "Ada  O'Neil" and record["session"] == "0123456789ab"
    assert (tmp_path / KEY_FILE).stat().st_mode & 0o077 == 0  # the key is the server owner's only

    # an edited record
    path = record_path(report)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Ada  O'Neil", "Bob"), encoding="utf-8")
    assert read_record(report, keys) == (
        None,
        f"{path.name}: the class-server record's signature does not match (edited, or from another server)",
    )
    path.write_text(text, encoding="utf-8")
    # an edited report
    report.write_text(json.dumps({"learner": "Bob"}), encoding="utf-8")
    assert "not the one the class server wrote" in read_record(report, keys)[1]
    # no record at all: a report handed in by hand
    assert read_record(tmp_path / "other.json", keys) == (None, None)


def test_a_record_from_another_server_does_not_hold(tmp_path):
    report = _handed_in(tmp_path)
    record, problem = read_record(report, [bytes(32)])  # another server's key
    assert record is None and "signature does not match" in problem
    assert "cannot be checked" in read_record(report)[1]


def test_cohort_shows_the_record_as_recorded_by_the_class_server(tmp_path):
    from types import SimpleNamespace

    from pizzaborg.trainer.cohort import render_cohort, summarise

    report = _handed_in(tmp_path)
    data = {
        "learner": "Ada",
        "registration": None,
        "ending": {"id": "good", "title": "Good"},
        "score": 80,
        "assimilation": 10,
        "learning_points": [],
        "areas": [],
        "decisions": [],
        "worst_practices": [],
        "finished": "2026-11-28T10:15:00Z",
        "story": {"id": "s", "version": "1", "hash": "h"},
        "seed": 1,
    }
    by_hand = tmp_path / "by-hand.json"
    by_hand.write_text("{}", encoding="utf-8")
    verdicts = [
        SimpleNamespace(ok=True, name=str(report), report=data),
        SimpleNamespace(ok=True, name=str(by_hand), report=dict(data, learner="Bob")),
    ]
    summary = summarise(verdicts, class_keys=[load_key(tmp_path / KEY_FILE)], roots=[tmp_path])
    rows = {r["learner"]: r for r in summary["learners_table"]}
    assert rows["Ada"]["server_record"]["learner_as_typed"] == "Ada  O'Neil" and rows["Bob"]["server_record"] is None
    md = render_cohort(summary, "md")
    assert "recorded by the class server" in md
    assert "Ada O'Neil, session 0123456789ab, 2026-11-28 10:01–10:15 UTC" in md  # Markdown folds spaces
    csv = render_cohort(summary, "csv").splitlines()
    assert csv[0].endswith("server_learner,server_session,server_started,server_finished")
    assert csv[1].endswith("Ada  O'Neil,0123456789ab,2026-11-28T10:01:00+00:00,2026-11-28T10:15:00+00:00")
    assert "recorded by the class server" in render_cohort(summary, "html", names=True)  # the trainer's table
    assert "Ada" not in render_cohort(summary, "html")  # the projector view is anonymous
