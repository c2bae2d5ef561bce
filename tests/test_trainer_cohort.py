"""`pizzaborg cohort`: the group's figures from verified reports; failing reports listed and left out."""

from __future__ import annotations

import copy
import csv
import io
import json
import statistics
from datetime import timedelta

import pytest
from trainer_helpers import MINI, T0, cli, make_assignment, mini, one_line, report_of, write_json  # noqa: F401

from pizzaborg.trainer.xapi import statements


@pytest.fixture
def cohort_dir(tmp_path, mini):
    """Five learners (best, worst, first play), one tampered report, an older, worse attempt of Ann's.
    Bob, Cem and Eve play the same worst game: flagged copies, so the figures' tests pass --count-flagged."""
    a = make_assignment(mini, mastery=0.5)
    d = tmp_path / "hand-ins"
    d.mkdir()
    plays = {"Ann": "best", "Bob": "worst", "Cem": "worst", "Dee": "first", "Eve": "worst"}
    reports = {}
    for i, (who, policy) in enumerate(plays.items()):
        reports[who] = report_of(mini, policy, learner=who, assignment=a, start=T0 + timedelta(hours=i))
        write_json(d / f"{who}.json", reports[who])
    old = report_of(mini, "worst", learner="Ann", assignment=a, start=T0 - timedelta(days=1))
    write_json(d / "Ann-old.json", old)
    cheat = copy.deepcopy(report_of(mini, "worst", learner="Zed", assignment=a))
    cheat["score"] = 100
    write_json(d / "Zed.json", cheat)
    return d, reports


def test_cohort_json_figures(cli, cohort_dir):
    d, reports = cohort_dir
    r = cli("cohort", "--story", MINI, d, "--count-flagged", "--format", "json")
    assert r.code == 0, r.err
    c = json.loads(r.out)
    assert c["reports"] == 7 and c["verified"] == 6 and c["learners"] == 5
    assert [x["file"] for x in c["rejected"]] == [str(d / "Zed.json")]
    assert "score: the report says 100" in c["rejected"][0]["reason"]
    assert [x["learner"] for x in c["attempts"]] == ["Ann"]  # two attempts, the better one counts
    assert [(x["file"], x["counted"]) for x in c["attempts"][0]["attempts"]] == [
        (str(d / "Ann-old.json"), False),
        (str(d / "Ann.json"), True),
    ]
    assert "1 report(s) failed verification" in r.err
    counted = list(reports.values())
    # endings and means are over the five latest verified reports only (not Zed's edited 100)
    endings = {}
    for rep in counted:
        endings[rep["ending"]["title"]] = endings.get(rep["ending"]["title"], 0) + 1
    assert {e["title"]: e["count"] for e in c["endings"]} == endings
    scores = [rep["score"] for rep in counted]
    assert c["score"]["mean"] == round(statistics.fmean(scores), 1)
    assert c["score"]["median"] == round(statistics.median(scores), 1)
    for lp in c["learning_points"]:
        vals = [
            p["score"]
            for rep in counted
            for p in rep["learning_points"]
            if p["id"] == lp["id"] and p["score"] is not None
        ]
        assert (lp["n"], lp["mean"], lp["median"]) == (
            len(vals),
            round(statistics.fmean(vals), 1),
            round(statistics.median(vals), 1),
        )
    assert [row["learner"] for row in c["learners_table"]] == ["Ann", "Bob", "Cem", "Dee", "Eve"]
    assert c["learners_table"][0]["score"] == reports["Ann"]["score"]


def test_most_frequent_worst_choices_come_with_the_scene_text(cli, cohort_dir):
    d, reports = cohort_dir
    c = json.loads(cli("cohort", "--story", MINI, d, "--count-flagged", "--format", "json").out)
    top = c["worst_choices"]
    assert 1 <= len(top) <= 5
    counts = {}
    for rep in reports.values():
        for dec in rep["decisions"]:
            if dec["worst"]:
                counts[(dec["scene"], dec["choice"])] = counts.get((dec["scene"], dec["choice"]), 0) + 1
    assert [(w["scene"], w["choice"], w["count"]) for w in top] == sorted(
        ((s, ch, n) for (s, ch), n in counts.items()), key=lambda t: (-t[2], t[0], t[1])
    )[:5]
    first = next(w for w in top if w["scene"] == "a.start")
    assert first["choice"] == "push" and first["scene_text"] == "The oven controller needs a patch."
    assert first["choice_text"] == "Push the patch tonight." and first["worst"] == ["W1"]


def test_cohort_markdown_and_html(cli, cohort_dir, tmp_path):
    d, _ = cohort_dir
    md = cli("cohort", "--story", MINI, d, "--count-flagged").out
    assert "5 learner(s), 6 verified report(s) of 7" in md
    assert "## Reports left out (failed verification)" in md and "Zed.json" in md
    assert "> The oven controller needs a patch." in md
    assert "| Ann |" in md
    out = tmp_path / "c.html"
    r = cli("cohort", "--story", MINI, d, "--format", "html", "-o", out, "--count-flagged")
    assert r.code == 0 and f"Written to {out}" in r.err
    html = out.read_text()
    assert "<script" not in html and "Push the patch tonight." in html


def test_cohort_csv_is_safe_for_spreadsheets(cli, tmp_path, mini):
    d = tmp_path / "c"
    d.mkdir()
    write_json(d / "x.json", report_of(mini, "best", learner='=HYPERLINK("http://evil")'))
    r = cli("cohort", "--story", MINI, d, "--format", "csv")
    assert r.code == 0, r.err
    rows = list(csv.reader(io.StringIO(r.out)))
    assert rows[0][:3] == ["learner (claimed)", "ending", "score"]
    assert rows[1][0].startswith("'=")


def test_cohort_takes_files_and_xapi_reports(cli, tmp_path, mini):
    a = write_json(tmp_path / "a.json", report_of(mini, "best", learner="Ann"))
    x = write_json(tmp_path / "b.xapi.json", statements(report_of(mini, "worst", learner="Bob")))
    c = json.loads(cli("cohort", "--story", MINI, a, x, "--format", "json").out)
    assert c["verified"] == 2 and c["learners"] == 2
    assert any(row["learner"].startswith("anonymous (xAPI") for row in c["learners_table"])


def test_cohort_bad_inputs(cli, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    r = cli("cohort", "--story", MINI, empty)
    assert r.code == 2 and "no report files" in one_line(r.err)
    r = cli("cohort", "--story", MINI, tmp_path / "nope")
    assert r.code == 2 and "no such file or folder" in one_line(r.err)
    (empty / "junk.json").write_text("{")
    r = cli("cohort", "--story", MINI, empty, "--format", "json")
    assert r.code == 1  # nothing verified: nothing to show
    assert json.loads(r.out)["rejected"][0]["reason"].endswith("(it is not valid JSON)")
    r = cli("cohort", "--story", MINI, empty, "--format", "xlsx")
    assert r.code == 2 and "invalid choice" in one_line(r.err)
    r = cli("cohort", "--story", MINI, empty, "-o", tmp_path / "missing" / "out.md")
    assert r.code == 2 and "does not exist" in one_line(r.err)
