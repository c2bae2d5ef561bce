"""Issue 19's disputed keys of months 1-3, pinned in the shipped story.

A reviewer who knows ITIL 4 found sound practice keyed as the worst option, and false either/ors.
These tests keep the rewrites: the best option of each scene is the sound practice the review named,
and the worst option is worst for the reason its note gives. They read the story as data (the
audit's best and worst options: the highest evidence sum, and the options tagged ``worst:``).
"""

from __future__ import annotations

import pytest

from pizzaborg.author import audit
from pizzaborg.engine import load_story


@pytest.fixture(scope="module")
def story():
    return load_story()


@pytest.fixture(scope="module")
def keyed(story) -> dict:
    """{scene id: (best option ids, worst option ids, {option id: choice})}."""
    out = {}
    for d in audit.decisions(story)[0]:
        out[d.scene.id] = (
            {d.options[i].id for i in d.best},
            {d.options[i].id for i in d.worst},
            {c.id: c for c in d.options},
        )
    return out


def _text(choice) -> str:
    return choice.text.all_text.lower()


def test_payday_friday_restore_now_and_review_is_the_best_answer(keyed):
    best, worst, options = keyed["r1.friday"]
    assert best == {"root-cause"}
    text = _text(options["root-cause"])
    assert "restart it now" in text and "monday" in text  # restore first, then find the cause
    # the worst is restoring and never looking for the cause, not restoring
    assert "restart" in worst and "close the incident" in _text(options["restart"])
    assert "cause" in options["restart"].note.all_text


def test_till_freezes_workaround_and_case_are_one_answer(keyed):
    best, worst, options = keyed["r3.tills"]
    assert best == {"vocr-case"}
    text = _text(options["vocr-case"])
    assert "workaround" in text and "case" in text
    assert "reboot" in worst and "workaround" in options["reboot"].note.all_text


def test_costing_the_quote_is_part_of_the_best_page(keyed):
    best, worst, options = keyed["r3.quarter"]
    assert best == {"vocr-quarter"}
    assert "exit and transition" in _text(options["vocr-quarter"])
    assert not any("exit" in _text(options[w]) for w in worst)


def test_the_agency_never_gets_real_customer_data_from_a_praised_option(keyed):
    best, worst, options = keyed["ev2.shadow-app"]
    assert best == {"join"} and "made-up" in _text(options["join"])
    for cid, c in options.items():
        if "copy of the customer database" in _text(c):
            assert cid in worst


def test_the_directors_choose_the_first_portfolio_with_it_at_the_table(story):
    text = story.scenes["r3.portfolio"].text.all_text
    assert "You do not rank them alone" in text and "directors" in text


def test_julian_does_not_return_after_his_contract_ends(story):
    ended = [
        c
        for s in ("ev1.julian", "ev3.phase-two")
        for c in story.scenes[s].choices
        if "end" in c.text.all_text.lower() and "contract" in c.text.all_text.lower()
    ]
    assert ended and all("consultant_hired" in c.clear for c in ended)
    assert "consultant_hired" in story.scenes["ev3.phase-two"].when.source  # Julian's phase two needs him hired
    raci = next(c for c in story.scenes["r3.governance"].choices if c.id == "raci")
    assert "Julian" not in raci.text.all_text


def test_a_chosen_change_meeting_is_not_founded_again(story):
    """r1.priorities and r3.governance both found the monthly change meeting: the second offers to give
    it the decision instead, and the improvement of month 3 offers a service catalogue instead."""
    governance = {c.id: c for c in story.scenes["r3.governance"].choices}
    assert "not flag.change_meeting" in governance["change-meeting"].when.source
    assert "change_meeting" not in governance["meeting-rights"].set
    ci = {c.id: c for c in story.scenes["r3.ci"].choices}
    assert "not flag.change_meeting" in ci["ci-change-meeting"].when.source
    assert "service_portfolio" in ci["ci-catalogue"].set
