"""The cohort page a trainer projects in the debrief: titled with the cohort and the date, anonymous
unless asked, scores per learning area as bars, the endings, the choices to discuss, and the reports
left out at the end."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from trainer_helpers import MINI, T0, cli, make_assignment, mini, report_of, write_json  # noqa: F401


@pytest.fixture
def hand_ins(tmp_path, mini):
    a = make_assignment(mini, cohort="CIO workshop December", mastery=0.5)
    d = tmp_path / "hand-ins"
    d.mkdir()
    for i, (who, policy) in enumerate({"Ann Able": "best", "Bob Brown": "worst", "Cem Cole": "first"}.items()):
        write_json(
            d / f"{who.split()[0]}.json",
            report_of(mini, policy, learner=who, assignment=a, start=T0 + timedelta(hours=i)),
        )
    bad = report_of(mini, "worst", learner="Zed Zorn", assignment=a)
    bad["score"] = 100
    write_json(d / "Zed.json", bad)
    return d


def _page(cli, tmp_path, d, *extra) -> str:
    out = tmp_path / "cohort.html"
    # on the mini story two of these policies play the same game: a flagged copy, counted here
    r = cli("cohort", "--story", MINI, d, "--format", "html", "-o", out, "--count-flagged", *extra)
    assert r.code == 0, r.err
    return out.read_text(encoding="utf-8")


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_page_is_titled_with_the_cohort_and_the_date_and_names_nobody(cli, tmp_path, hand_ins):
    html = _page(cli, tmp_path, hand_ins)
    today = datetime.now(UTC).date().isoformat()
    title = re.search(r"<h1>(.*?)</h1>", html).group(1)
    assert "CIO workshop December" in title and today[:7] in title  # the date, without racing midnight
    text = _text(html)
    for name in ("Ann", "Bob", "Cem", "Zed"):
        assert name not in text, f"{name} is on the page to project"
    assert "--names" in text  # and it says how to get them
    assert "<script" not in html


def test_names_adds_the_trainer_table(cli, tmp_path, hand_ins):
    text = _text(_page(cli, tmp_path, hand_ins, "--names"))
    for name in ("Ann Able", "Bob Brown", "Cem Cole"):
        assert name in text
    assert "Zed.json" in text  # the file left out, to follow up


def test_every_learning_area_has_a_bar_and_the_endings_are_counted(cli, tmp_path, hand_ins, mini):
    html = _page(cli, tmp_path, hand_ins)
    for area in mini.areas.values():
        assert re.search(r'aria-label="' + re.escape(area.name) + r': [0-9.]+ \(3\)"', html), area.name
    assert "How the games ended" in html
    assert re.search(r"[0-9] · [0-9]+%", _text(html))
    assert "Passed" in _text(html) and "pass mark 50 of 100" in _text(html)


def test_the_reports_left_out_come_last(cli, tmp_path, hand_ins):
    text = _text(_page(cli, tmp_path, hand_ins))
    worst = text.index("Worst-practice choices taken most often")
    left = text.index("Reports left out")
    assert worst < left
    assert "score: the report says 100" in text[left:]


def test_names_is_only_offered_for_the_page(cli, tmp_path, hand_ins):
    r = cli("cohort", "--story", MINI, hand_ins, "--names")
    assert r.code == 2 and "--names is for --format html" in r.err


def test_a_report_keeps_each_score_beside_its_bar(cli, tmp_path, mini):
    from pizzaborg.trainer.html import CSS, render_html

    html = render_html(report_of(mini, "best"))
    cells = re.findall(r'<td class="score">(.*?)</td>', html)
    assert cells and all('class="barbg"' in c and 'class="v"' in c for c in cells)
    assert "td.score{white-space:nowrap}" in CSS
