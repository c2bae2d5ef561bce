"""`pizzaborg report SAVE`: the learner's report in md, html, json and xapi, and its bad inputs."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from trainer_helpers import MINI, T0, cli, make_assignment, mini, one_line, play  # noqa: F401  (fixtures)

from pizzaborg.engine import Game
from pizzaborg.engine import saves as S
from pizzaborg.trainer.formats import render
from pizzaborg.trainer.report import build_report


@pytest.fixture
def saved(tmp_path, mini):
    """A finished game of the mini story saved as 'done' with a learner, in tmp_path/saves."""
    game = play(mini, 3, "worst")
    S.save_game(tmp_path / "saves", "done", game, learner="Ann <Example>", now="2026-11-20T10:00:00+00:00")
    return game


def test_markdown_report_has_everything_the_debrief_needs(cli, saved, mini, tmp_path):
    r = cli("report", "--story", MINI, "done")
    assert r.code == 0, r.err
    out = r.out
    assert "# PizzaBorg report: Ann \\<Example\\>" in out
    assert mini.hash in out and "mini 1.0" in out and "| Seed | 3 |" in out
    assert f"| Ending | {mini.ending(saved.ending).title} |" in out
    report = saved.report()
    assert f"| Learning score | {int(report.overall) if report.overall.is_integer() else report.overall}/100 |" in out
    assert "## KPI timeline" in out and "| start | 1 | 100 | 50 |" in out
    # every non-trivial decision, with its evidence
    assert "**Chosen:** Push the patch tonight." in out
    assert "Evidence for Assess impact: -2 (options ranged -2 to 2)" in out
    assert "Worst practice: W1" in out
    for stage in (
        "Describe what happened",
        "Analyse why it happened",
        "Transfer it to your own organisation",
        "Apply one change",
    ):
        assert f"### {stage}" in out
    assert "Ignore business impact" in out  # the worst practice this learner fell into, in a question


def test_save_as_a_path_and_a_learner_override(cli, saved, tmp_path):
    r = cli("report", "--story", MINI, tmp_path / "saves" / "done.json", "--learner", "Bea", "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["learner"] == "Bea"
    assert data["story"]["id"] == "mini" and data["seed"] == 3
    assert data["started"] == "2026-11-20T10:00:00Z"


def test_json_report_fields(mini):
    a = make_assignment(mini, mastery=0.9, deadline="2099-01-01")
    game = play(mini, a.seed, "best")
    r = build_report(game, learner="Ann", assignment=a, started=T0, finished=T0)
    assert r["format"] == "pizzaborg-report" and r["schema"] == 2
    assert r["cohort"] == "Workshop A" and r["assignment"]["id"] == a.id
    assert r["over"] and r["ending"]["id"] == game.ending
    assert r["score"] == game.report().overall
    assert {p["id"]: p["score"] for p in r["learning_points"]} == {p.id: p.score for p in game.report().points.values()}
    assert [d["choice"] for d in r["decisions"]] == [d["choice"] for d in game.decision_list]
    assert r["timeline"][-1]["kpis"] == game.kpis
    assert len(r["timeline"]) == len(r["decisions"]) + 1
    assert [x["number"] for x in r["rounds"]] == [1, 2]
    assert r["mastery"] == {"threshold": 0.9, "passed": game.report().overall >= 90}
    assert r["late_days"] == 0
    assert [s["stage"] for s in r["debrief"]] == ["describe", "analyse", "transfer", "apply"]
    json.dumps(r, allow_nan=False)


def test_an_unfinished_game_reports_as_unfinished(cli, tmp_path, mini):
    game = Game(mini, 3)
    game.choose("push")
    S.save_game(tmp_path / "saves", "half", game)
    r = cli("report", "--story", MINI, "half", "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["over"] is False and data["ending"] is None and len(data["decisions"]) == 1
    md = cli("report", "--story", MINI, "half").out
    assert "| Ending | not finished |" in md


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_one_self_contained_printable_page(cli, saved, tmp_path):
    out = tmp_path / "r.html"
    r = cli("report", "--story", MINI, "done", "--format", "html", "-o", out)
    assert r.code == 0, r.err
    html = out.read_text()
    p = _Collect()
    p.feed(html)
    assert "script" not in p.tags and "link" not in p.tags and "img" not in p.tags and "iframe" not in p.tags
    assert not [v for k, v in p.attrs if k in ("src", "href")]  # no external assets at all
    assert p.tags.count("svg") == 2 and "polyline" in p.tags  # one chart per KPI
    assert "@media print" in html
    assert "Ann &lt;Example&gt;" in html and "<Example>" not in html
    for stage in ("Describe what happened", "Apply one change"):
        assert stage in html


def test_html_escapes_story_text(tmp_path, mini):
    import shutil

    story_dir = tmp_path / "evil"
    shutil.copytree(MINI, story_dir)
    rounds = story_dir / "rounds" / "01-a.yaml"
    rounds.write_text(
        rounds.read_text().replace("The oven controller needs a patch.", '<script>alert(1)</script> & "x"')
    )
    from pizzaborg.engine import load_story

    story = load_story(story_dir)
    game = play(story, 3)
    html = render(build_report(game, learner="<img src=x onerror=alert(1)>"), "html")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;" in html


def test_xapi_format_is_a_json_list_of_statements(cli, saved):
    r = cli("report", "--story", MINI, "done", "--format", "xapi")
    assert r.code == 0, r.err
    stmts = json.loads(r.out)
    assert stmts[0]["verb"]["id"].endswith("/initialized") and stmts[-1]["verb"]["id"].endswith("/terminated")


def test_report_bad_inputs(cli, tmp_path, saved, mini):
    r = cli("report", "--story", MINI, "nosuch")
    assert r.code == 2 and "no save named 'nosuch'" in one_line(r.err)
    (tmp_path / "saves" / "broken.json").write_text("{not json")
    r = cli("report", "--story", MINI, "broken")
    assert r.code == 2 and "damaged" in one_line(r.err)
    r = cli("report", "--story", MINI, "../etc/passwd")
    assert r.code == 2 and "Traceback" not in r.err
    r = cli("report", "--story", MINI, "done", "--format", "pdf")
    assert r.code == 2 and "invalid choice" in one_line(r.err)
    r = cli("report", "--story", MINI, "done", "-o", tmp_path / "no" / "such" / "dir.md")
    assert r.code == 2 and "does not exist" in one_line(r.err)
    r = cli("report", "--story", MINI, "done", "-o", tmp_path)
    assert r.code == 2 and "cannot write" in one_line(r.err)


def test_report_of_a_save_from_another_story_version(cli, tmp_path, saved):
    data = json.loads((tmp_path / "saves" / "done.json").read_text())
    data["story"]["hash"] = "a" * 64
    data["story"]["version"] = "0.5"
    (tmp_path / "saves" / "old.json").write_text(json.dumps(data))
    r = cli("report", "--story", MINI, "old")
    assert r.code == 2
    line = one_line(r.err)
    assert "version 0.5" in line and "--story" in line


def test_report_with_an_assignment_of_another_seed(cli, tmp_path, saved, mini):
    cli("assignment", "new", "--story", MINI, "--cohort", "B", "--seed", "99", "-o", tmp_path / "b.yaml")
    r = cli("report", "--story", MINI, "done", "--assignment", tmp_path / "b.yaml")
    assert r.code == 2 and "seed 99" in one_line(r.err)


def test_report_with_its_assignment_names_the_cohort(cli, tmp_path, saved):
    cli(
        "assignment",
        "new",
        "--story",
        MINI,
        "--cohort",
        "Cohort [B]",
        "--seed",
        "3",
        "--mastery",
        "0.99",
        "-o",
        tmp_path / "b.yaml",
    )
    r = cli("report", "--story", MINI, "done", "--assignment", tmp_path / "b.yaml")
    assert r.code == 0, r.err
    assert "| Cohort | Cohort \\[B\\] |" in r.out
    assert re.search(r"\| Mastery \| 99 needed: not passed \|", r.out)


@pytest.mark.slow
def test_trainer_modules_import_neither_textual_nor_rich():
    import subprocess
    import sys

    code = (
        "import sys, pizzaborg.trainer as t\n"
        "from pizzaborg.trainer import assignment, report, verify, cohort, xapi, html, markdown\n"
        "from pizzaborg import plain_assignment, trainer_cli\n"
        "from pizzaborg.play import assignment, export, meaning, render, session\n"
        "from pizzaborg.cli import build_parser\n"
        "build_parser()\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
