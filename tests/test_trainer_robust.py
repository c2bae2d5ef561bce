"""Damaged reports in every field: verification always answers with a verdict, never an exception."""

from __future__ import annotations

import copy
import json
import random

from trainer_helpers import make_assignment, mini, report_of  # noqa: F401

from pizzaborg.trainer.cohort import summarise
from pizzaborg.trainer.verify import Verifier
from pizzaborg.trainer.xapi import statements

ODD = [None, "x", "", [], {}, -1, 0, True, 1e308, 2**70, {"id": "x"}, [None]]


def leaves(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from leaves(v, path + (i,))
    yield path


def replaced(data, path, new):
    data = copy.deepcopy(data)
    if not path:
        return new
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return data


def check_all(verifier, original, rng, limit):
    original = json.loads(json.dumps(original))  # as read from a file: no shared sub-objects
    paths = list(leaves(original))
    rng.shuffle(paths)
    verdicts = []
    for path in paths[:limit]:
        for new in rng.sample(ODD, 3):
            v = verifier.verify_data(replaced(original, path, new), "/".join(map(str, path)))
            assert isinstance(v.ok, bool) and all("\n" not in p for p in v.problems)
            verdicts.append(v)
    summarise(verdicts)  # the cohort view copes with whatever verified
    return verdicts


def test_damaged_json_reports_get_a_verdict(mini):
    report = report_of(mini, "worst", assignment=make_assignment(mini, mastery=0.5, deadline="2099-01-01"))
    verdicts = check_all(Verifier([mini]), report, random.Random(1), 250)
    assert sum(not v.ok for v in verdicts) > len(verdicts) * 0.8


def test_damaged_xapi_statements_get_a_verdict(mini):
    sts = statements(report_of(mini, "best", assignment=make_assignment(mini, mastery=0.5)))
    verdicts = check_all(Verifier([mini]), sts, random.Random(2), 250)
    assert sum(not v.ok for v in verdicts) > len(verdicts) * 0.8


def test_every_replayed_field_of_a_json_report_is_checked(mini):
    """Changing any field outside the claimed metadata (learner, cohort, dates, ...) and the debrief
    prose makes the report fail verification."""
    report = json.loads(json.dumps(report_of(mini, "worst", assignment=make_assignment(mini, mastery=0.5))))
    verifier = Verifier([mini])
    claimed = {"learner", "date", "started", "finished", "registration", "generator", "debrief"}
    for path in leaves(report):
        if not path or path[0] in claimed or path[:2] in (("assignment", "id"), ("assignment", "xapi_home")):
            continue
        for new in ("x", -1):
            changed = replaced(report, path, new)
            if changed != report:
                assert not verifier.verify_data(changed, "r").ok, path
