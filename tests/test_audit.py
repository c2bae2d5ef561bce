"""``pizzaborg story audit``: every threshold trips on a story with the tell and holds on one without.

The fixtures are written by tests/fixtures/audit/generate.py (see its docstring for their design):
``clean`` has no tell, ``tells`` has every tell.
"""

from __future__ import annotations

import json
import re
import shutil
import time

import pytest
from _storyhelp import ROOT, STORY_DIR, run_cli, tiny_story

from pizzaborg.author import audit, bots
from pizzaborg.author.settings import DEFAULTS, audit_settings, default_best_ending
from pizzaborg.engine import Game, load_story

FIXTURES = ROOT / "tests" / "fixtures" / "audit"
CLEAN = FIXTURES / "clean"
TELLS = FIXTURES / "tells"
POS = re.compile(r"^\S+\.yaml:\d+:\d+$")

# tells the "tells" fixture trips (always-last and random play it badly: they are tested below
# with thresholds the story sets)
STATIC = [
    "length.share",
    "length.ratio",
    "position",
    "number.revenue",
    "number.cost",
    "number.trust",
    "temptation",
    "one-right",
    "stamps.form",
    "phrases",
    "stamps.collective",
    "cost.costliest-best",
    "cost.cheapest-worst",
    "character",
    "vocabulary",
    "model",
]
# the tells issue 19 added (story 0.2.0 is measured by them, story 0.3.0 is written to pass them)
ISSUE_19 = (
    "cost.",
    "character",
    "vocabulary",
    "model",
    "best-player.",
    "coverage",
    *(f"learner.{n}." for n in ("costliest", "cheapest", "hedger", "names", "phrases", "wording-model")),
)
# issue 18's tone tells: measured on the shipped story, which its writers and the lead decide to change
ISSUE_18 = ("tone.",)
LEARNERS_THAT_WIN = [
    "longest",
    "virtuous",
    "trust-gain",
    "myopic",
    "always-first",
    "costliest",
    "hedger",
    "names",
    "phrases",
    "wording-model",
]
LEARNER_TELLS = [f"learner.{n}.{k}" for n in LEARNERS_THAT_WIN for k in ("score", "best", "good")]


def _audit(path, *extra):
    code, out, err = run_cli("story", "audit", path, "--json", "--seeds", "12", *extra)
    assert code in (0, 1), err
    return code, {t["id"]: t for t in json.loads(out)["tells"]}, json.loads(out)


@pytest.fixture(scope="module")
def clean():
    return _audit(CLEAN)


@pytest.fixture(scope="module")
def tells():
    return _audit(TELLS)


def _copy(tmp_path, src, audit_yaml: str):
    dst = tmp_path / src.name
    shutil.copytree(src, dst)
    meta = dst / "story.yaml"
    meta.write_text(meta.read_text(encoding="utf-8") + "audit:\n" + audit_yaml, encoding="utf-8")
    return dst


def test_a_story_without_tells_passes(clean):
    code, by_id, data = clean
    assert code == 0 and data["passed"] is True
    assert [t for t, d in by_id.items() if not d["passed"]] == []
    assert data["best_ending"] == "top" and data["decisions"] == 12


def test_a_story_with_every_tell_fails(tells):
    code, by_id, data = tells
    assert code == 1 and data["passed"] is False
    failed = {t for t, d in by_id.items() if not d["passed"]}
    # the peekers' first answers are the first options shown, and there the best one always stands
    expected = set(STATIC) | set(LEARNER_TELLS) | {f"learner.{n}.score" for n in bots.PEEKERS}
    assert failed == expected


@pytest.mark.parametrize("tell", STATIC + LEARNER_TELLS)
def test_each_threshold_trips_on_its_tell_and_holds_without(tell, clean, tells):
    assert clean[1][tell]["passed"] is True, clean[1][tell]
    bad = tells[1][tell]
    assert bad["passed"] is False, bad
    if not tell.startswith("learner."):  # the worst offenders, as path:line:column
        assert bad["offenders"] and all(POS.match(o["where"]) for o in bad["offenders"]), bad["offenders"]


def test_the_figures_of_the_tells_fixture(tells):
    by = tells[1]
    assert by["length.share"]["value"] == 1.0 and by["length.share"]["figure"] == "100% (4 of 4)"
    assert by["position"]["details"]["best_per_position"]["1"] == 1.0
    assert by["temptation"]["value"] == 0.0 and by["temptation"]["details"]["business_kpis"] == ["revenue", "trust"]
    assert by["phrases"]["details"]["phrases"] == {"and that is why it matters": 12}
    assert by["stamps.collective"]["figure"] == "100% (12 of 12)"
    assert "only the best option's note opens with a 'Label:'" in by["stamps.form"]["offenders"][0]["detail"]
    assert by["cost.costliest-best"]["figure"] == "100% (4 of 4)"
    assert by["cost.cheapest-worst"]["figure"] == "50% (2 of 4)"  # the cheapest are tied: middle and worst
    assert by["character"]["details"]["characters"] == {
        "Ana": {"options": 4, "best": 1.0, "worst": 0.0},
        "Ben": {"options": 4, "best": 0.0, "worst": 1.0},
    }
    assert by["vocabulary"]["details"]["phrases"]["service catalogue"] == {"options": 4, "best": 1.0, "worst": 0.0}
    assert (
        by["cost.costliest-best"]["offenders"][0]["detail"]
        == "r1.s0: best best costs the most (best 2, middle 0, worst 0)"
    )


def test_the_figures_of_the_clean_fixture(clean):
    by = clean[1]
    for tid in ("length.share", "position", "number.revenue", "number.cost", "number.trust"):
        assert by[tid]["value"] == pytest.approx(1 / 3, abs=1e-3), tid
    assert by["temptation"]["value"] == pytest.approx(8 / 12, abs=1e-3)
    assert by["one-right"]["value"] == pytest.approx(5 / 12, abs=1e-3)
    assert by["cost.costliest-best"]["value"] == pytest.approx(1 / 3, abs=1e-3)
    assert by["cost.cheapest-worst"]["value"] == pytest.approx(1 / 3, abs=1e-3)
    assert by["character"]["details"]["characters"] == {
        n: {"options": 12, "best": 0.3333, "worst": 0.3333} for n in ("Ana", "Ben", "Cleo")
    }
    assert by["vocabulary"]["details"]["phrases"] == {
        "service catalogue": {"options": 6, "best": 0.3333, "worst": 0.3333}
    }


def test_the_last_and_random_learners_trip_their_thresholds(tmp_path):
    # on the clean story they score about 50 and never reach the top: lower the bar, name another best
    story = _copy(tmp_path, CLEAN, "  learner_score_max: 45\n  best_ending: middle\n")
    code, by, _ = _audit(story)
    assert code == 1
    for name in ("always-last", "random"):
        assert by[f"learner.{name}.score"]["passed"] is False
        assert by[f"learner.{name}.score"]["threshold_source"] == "story"
        assert by[f"learner.{name}.best"]["passed"] is False


def test_thresholds_set_in_the_story_replace_the_defaults(tmp_path):
    story = _copy(
        tmp_path,
        TELLS,
        "  length_share_max: 1\n  length_ratio_max: 5\n  collective_share_max: 1.0\n"
        "  phrase_repeats_max: 12\n  temptation_min: 0\n",
    )
    _, by, _ = _audit(story)
    for tid in ("length.share", "length.ratio", "stamps.collective", "phrases", "temptation"):
        assert by[tid]["passed"] is True and by[tid]["threshold_source"] == "story", tid
    assert by["position"]["passed"] is False and by["position"]["threshold_source"] == "default"


def test_business_kpis_decide_what_tempts(tmp_path):
    story = _copy(tmp_path, CLEAN, "  business_kpis: [cost]\n")
    _, by, _ = _audit(story)
    # the worst option's cost is lowest in four of twelve decisions
    assert by["temptation"]["value"] == pytest.approx(4 / 12, abs=1e-3) and by["temptation"]["passed"] is False


def test_named_characters_are_found_in_the_choice_texts_or_set_by_the_story(tmp_path):
    assert audit.characters(load_story(CLEAN)) == ["Ana", "Ben", "Cleo"]
    shipped = audit.characters(load_story(STORY_DIR))
    assert {"Priya", "Dana", "Sofia"} <= set(shipped)
    assert not {"Friday", "Payday", "Grab", "Brandt", "The", "IT"} & set(shipped)  # days, the company, surnames
    story = load_story(_copy(tmp_path, TELLS, "  characters: [Ben]\n  character_min_options: 5\n"))
    assert audit.characters(story) == ["Ben"]
    tell = audit.character_tell(story, audit.decisions(story)[0], audit_settings(story))
    assert tell.kind == "info" and tell.passed  # Ben stands in 4 options: too few to judge


def test_the_vocabulary_is_data_the_story_can_replace(tmp_path):
    assert audit.has_phrase("Weigh Value,  outcomes, costs and risks.", "value, outcomes, costs and risks")
    assert not audit.has_phrase("a business caseload", "business case")
    story = load_story(_copy(tmp_path, TELLS, "  vocabulary: [agree the value case]\n"))
    tell = audit.vocabulary_tell(story, audit.decisions(story)[0], audit_settings(story))
    assert list(tell.details["phrases"]) == ["agree the value case"] and not tell.passed


def test_the_tell_model_learns_from_the_other_scenes_only():
    from pizzaborg.author import tellmodel

    feats = tellmodel.features(["Ask Ana now.", "Do it alone quickly, today.", "Wait."], [2, 0, 0], True, ["Ana"])
    assert {"w:ask", "w:ana", "w:now", "len:middle", "cost:most", "pos:first", "name:Ana"} == feats[0]
    assert {"len:most", "cost:least", "cost:free", "pos:2"} <= feats[1] and "pos:last" in feats[2]
    nb = tellmodel.NaiveBayes()
    nb.add(tellmodel.examples(feats, {0}))
    assert nb.pick(tellmodel.features(["Ask Ana.", "Go.", "Stop."], [0, 0, 0], False, ["Ana"])) == {0}
    nb.add(tellmodel.examples(feats, {0}), -1)  # taken away again: nothing learned, every option ties
    assert nb.pick(feats) == {0, 1, 2}
    story = load_story(TELLS)
    first = audit.model_tell(story, audit.decisions(story)[0], audit_settings(story))
    assert first.value == 1.0 and audit.model_tell(story, audit.decisions(story)[0], audit_settings(story)).value == 1.0


def test_the_good_ending_is_the_next_below_the_best(tmp_path):
    story = load_story(CLEAN)
    assert audit_settings(story).good_ending == "good" and audit.good_endings(story, audit_settings(story)) == {
        "good",
        "top",
    }
    assert audit_settings(load_story(STORY_DIR)).good_ending == "aligned"
    path = _copy(tmp_path, CLEAN, "  good_ending: middle\n")
    story = load_story(path)
    assert audit.good_endings(story, audit_settings(story)) == {"middle"}
    _, by, _ = _audit(path)
    assert by["learner.longest.good"]["passed"] is False and by["learner.longest.good"]["figure"] == "100% (12 of 12)"


def test_the_best_player_must_converge_and_never_be_barred_by_capacity(tmp_path, clean):
    by = clean[1]
    assert by["best-player.best"]["passed"] and by["best-player.best"]["value"] == 1.0
    assert by["best-player.blocked"]["passed"] and by["best-player.blocked"]["value"] == 0.0
    # three weeks a month: the best option (2 weeks) is paid once, then barred in every later decision
    dst = tmp_path / "tight"
    shutil.copytree(TELLS, dst)
    meta = dst / "story.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("per_round: 100", "per_round: 3"), encoding="utf-8")
    _, by, _ = _audit(dst)
    assert by["best-player.best"]["passed"] is True  # the score counts what could be paid for
    blocked = by["best-player.blocked"]
    assert blocked["passed"] is False and blocked["details"]["scenes"] == {"r1.s1": 12, "r1.s2": 12, "r1.s3": 12}
    assert POS.match(blocked["offenders"][0]["where"])
    _, by, _ = _audit(_copy(tmp_path, CLEAN, "  best_ending: middle\n"))  # a best ending it never reaches
    assert by["best-player.best"]["passed"] is False and by["best-player.best"]["figure"] == "0% (0 of 12)"


def test_coverage_counts_the_decisions_on_each_point_per_game(tmp_path, clean, tells):
    assert clean[1]["coverage"]["details"]["median_decisions"] == {"change.one": 12}
    assert clean[1]["coverage"]["passed"] and tells[1]["coverage"]["passed"]  # 4 decisions: enough for 3
    _, by, _ = _audit(_copy(tmp_path, TELLS, "  coverage_decisions: 5\n"))
    cov = by["coverage"]
    assert cov["passed"] is False and cov["value"] == 1.0 and cov["threshold_source"] == "default"
    assert "change.one: fewer than 5 decisions in 100% of games (median 4)" == cov["offenders"][0]["detail"]


def test_the_new_learners_play_what_the_screen_shows():
    story = load_story(TELLS)
    assert bots.hedge("Ask the directors and the team to a meeting") == 4
    assert bots.hedge("Restart the server") == 0 and bots.hedge("Ask Ana and Ben", names=("Ana", "Ben")) == 3
    assert {
        n: bots.play(story, n, 0).ending for n in ("costliest", "cheapest", "names", "phrases", "wording-model")
    } == {"costliest": "top", "cheapest": "middle", "names": "top", "phrases": "top", "wording-model": "top"}


def test_the_virtue_lexicon_can_be_replaced(tmp_path):
    story = load_story(_copy(tmp_path, TELLS, "  virtue_words: [Scooter]\n"))
    assert audit_settings(story).virtue_words == {"scooter"}
    assert bots.virtue("A scooter, two scooters; SCOOTER.", {"scooter"}) == 2


@pytest.mark.parametrize(
    "yaml, message",
    [
        ("  length_share_max: 2\n", "'length_share_max' of 'audit' must be a number from 0 to 1"),
        ("  phrase_words: 2.5\n", "'phrase_words' of 'audit' must be a whole number from 2 to 20"),
        ("  lenght_share_max: 0.3\n", "unknown key 'lenght_share_max' in 'audit'"),
        ("  best_ending: heaven\n", "'best_ending' of 'audit' must be the id of an ending, not 'heaven'"),
        ("  business_kpis: [revenue, profit]\n", "unknown KPI 'profit' in 'business_kpis' of 'audit'"),
        ("  trust_kpi: mood\n", "'trust_kpi' of 'audit' must be the id of a KPI, not 'mood'"),
        ("  one_right_max: lots\n", "'one_right_max' of 'audit' must be a number"),
        ("  model_best_max: 2\n", "'model_best_max' of 'audit' must be a number from 0 to 1"),
        ("  coverage_decisions: 0\n", "'coverage_decisions' of 'audit' must be a whole number from 1 to 1000"),
        ("  good_ending: heaven\n", "'good_ending' of 'audit' must be the id of an ending, not 'heaven'"),
    ],
)
def test_story_check_reports_a_bad_audit_mapping_where_it_is(tmp_path, yaml, message):
    story = _copy(tmp_path, CLEAN, yaml)
    code, out, err = run_cli("story", "check", story)
    assert code == 1
    line = next(line for line in out.splitlines() if message in line)
    assert re.match(rf"^{re.escape(str(story))}/story\.yaml:\d+:\d+: ", line) or re.match(
        r"^\S*story\.yaml:\d+:\d+: ", line
    ), line
    code, out, err = run_cli("story", "audit", story)
    assert code == 2 and "the story cannot be read" in err and len(err.strip().splitlines()) == 1


def test_the_best_ending_defaults_to_the_one_needing_the_highest_score(tmp_path):
    assert default_best_ending(load_story(STORY_DIR)) == "converged"
    assert default_best_ending(load_story(CLEAN)) == "top"
    tiny = load_story(tiny_story(tmp_path))  # endings read trust only: there is no best ending by score
    assert default_best_ending(tiny) is None
    story = load_story(_copy(tmp_path, CLEAN, "  best_ending: low\n"))
    assert audit_settings(story).best_ending == "low"


def test_tied_best_options_count_a_rule_hit_as_one_in_k(tmp_path):
    story = load_story(tiny_story(tmp_path))
    ds, _ = audit.decisions(story)
    one = next(d for d in ds if d.scene.id == "r1.one")
    assert [one.options[i].id for i in sorted(one.best)] == ["tie-a", "tie-b"]
    report = audit.run_audit(story, seeds=2)
    assert report.ties == 1
    position = next(t for t in report.tells if t.id == "position")
    # r1.one: best at 1 and 2 (half each); r1.two: best "good" at 1
    assert position.details["best_per_position"]["1"] == pytest.approx(0.75)
    assert position.details["best_per_position"]["2"] == pytest.approx(0.25)


def test_a_note_that_alone_opens_with_an_area_name_is_a_stamp(tmp_path):
    root = tiny_story(tmp_path)
    path = root / "rounds" / "01.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("note: Note e.", "note: Area thinking first, then the rest."),
        encoding="utf-8",
    )
    report = audit.run_audit(load_story(root), seeds=1)
    form = next(t for t in report.tells if t.id == "stamps.form")
    assert form.value == pytest.approx(0.5) and not form.passed
    assert form.offenders[0][1] == "r1.two: only the best option's note opens with an area or learning point name"
    report = audit.run_audit(load_story(tiny_story(tmp_path / "plain")), seeds=1)
    assert next(t for t in report.tells if t.id == "stamps.form").value == 0.0


def test_the_learners_follow_the_order_the_engine_shows(tmp_path, monkeypatch):
    """When the engine shows the choices in another order (as shuffling will), always-first takes
    the first one shown, not the first one written."""
    story = load_story(TELLS)
    assert bots.play(story, "always-first", 0).ending == "top"
    monkeypatch.setattr(
        Game,
        "available",
        lambda self: list(reversed([c for c in story.scenes[self.state].choices])) if not self.over else [],
    )
    result = bots.play(story, "always-first", 0)
    assert result.decisions[0] == ("r1.s0", "worst") and result.ending == "low"


def test_the_human_table_names_each_tell_its_threshold_and_the_offenders():
    code, out, err = run_cli("story", "audit", TELLS, "--seeds", "3")
    assert code == 1, err
    assert re.search(r"^FAIL length: the best option is the longest\s+<= 40%\s+100% \(4 of 4\)$", out, re.M)
    assert re.search(
        r"^\s+tests/fixtures/audit/tells/rounds/01\.yaml:\d+:\d+: r1\.s0: best best is the longest", out, re.M
    )
    assert re.search(r"^ok\s+learner always-last: mean score\s+< 65\s+0\.0 \(low 3\)$", out, re.M)
    assert re.search(r"^longest\s+3\s+100\.0\s+3\s+top 3$", out, re.M)
    assert "49 of 69 threshold(s) failed" in out
    assert re.search(
        r"^decisions per learning point in a game \(median; share of games with fewer than 3\):\n"
        r"  change\.one 4 \(0%\)$",
        out,
        re.M,
    )
    code, out, _ = run_cli("story", "audit", CLEAN, "--seeds", "3")
    assert code == 0 and "all 69 threshold(s) hold" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["--seeds", "0"], "between 1 and"),
        (["--seeds", "x"], "'x' is not a whole number"),
        (["/nonexistent/story"], "the story cannot be read"),
    ],
)
def test_bad_input_is_one_line(args, message):
    code, out, err = run_cli("story", "audit", *args)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


@pytest.mark.slow  # 50 games per learner, about 12 s (make test-slow, CI; make check runs story check)
def test_the_shipped_story_passes_the_audit_within_thirty_seconds():
    """Story 0.2.0 was rewritten against the audit (issue 10): every tell within the thresholds its
    story.yaml sets (issue 10's targets, stricter than the defaults), no test-wise learner converges."""
    # CPU time of this process (the audit runs in it, on one process): the slow tier runs two workers a
    # core beside it, so wall time measures the neighbours too (benchmarks/bench_audit.py times the wall)
    t0 = time.process_time()
    code, out, err = run_cli("story", "audit", "--json")
    seconds = time.process_time() - t0
    data = json.loads(out)
    failed = [t["id"] for t in data["tells"] if not t["passed"]]
    failed = [t for t in failed if not t.startswith(ISSUE_18)]
    if data["story"]["version"].startswith("0.2."):  # issue 19's tells are measured; story 0.3.0 must pass them
        failed = [t for t in failed if not t.startswith(ISSUE_19) and not t.endswith(".good")]
    assert not failed, failed
    assert not [e for r in data["learners"] for e in r["errors"]]
    assert seconds < 30, f"the audit took {seconds:.1f} s of CPU"
    by = {t["id"]: t for t in data["tells"]}
    assert data["games_per_learner"] == 50 and data["decisions"] >= 40
    assert by["length.share"]["threshold"] == 0.30 and by["one-right"]["threshold"] == 0.40
    assert by["temptation"]["value"] >= 0.60
    for learner in ("longest", "virtuous", "trust-gain", "myopic", "always-first", "always-last", "random"):
        assert by[f"learner.{learner}.best"]["value"] == 0, learner  # none reaches Converged


def test_bots_play_the_test_wise_learners_too(tmp_path):
    code, out, err = run_cli("story", "bots", "--story", TELLS, "-n", "2", "--json")
    assert code == 0, err
    by = {s["strategy"]: s for s in json.loads(out)["strategies"]}
    assert set(bots.TEST_WISE) <= set(by) and {"best-evidence", "worst-practice", "random-leaning"} <= set(by)
    assert by["longest"]["endings"] == {"top": 2} and by["always-last"]["endings"] == {"low": 2}


def test_a_story_without_a_trust_number_has_no_trust_learner(tmp_path):
    dst = tmp_path / "notrust"
    shutil.copytree(CLEAN, dst)
    for p in [dst / "story.yaml", dst / "rounds" / "01.yaml"]:
        text = (
            p.read_text(encoding="utf-8")
            .replace("trust", "mood")
            .replace("id: mood, name: Trust", "id: mood, name: Mood")
        )
        p.write_text(text, encoding="utf-8")
    story = load_story(dst)
    assert not bots.applies(story, "trust-gain")
    report = audit.run_audit(story, seeds=2)
    assert "trust-gain" not in {r["learner"] for r in report.learners}


def test_defaults_are_documented():
    doc = (ROOT / "docs" / "story-format.md").read_text(encoding="utf-8")
    for key in list(DEFAULTS) + ["best_ending", "business_kpis", "trust_kpi", "virtue_words", "collective_phrase"]:
        assert f"`{key}`" in doc, key


# ---- issue 18: the peek-and-undo learners and the tone tell ---------------------------------------
TONE = ROOT / "tests" / "fixtures" / "tone"  # written by tests/fixtures/tone/generate.py


def _tone_tells(path) -> dict:
    story = load_story(path)
    return {t.id: t for t in audit.tone_tells(audit.decisions(story)[0], audit_settings(story))}


def test_a_borg_line_approves_or_disapproves_by_its_words():
    st = audit_settings(None)
    tone = lambda text: bots.tone(text, st.approval_words, st.disapproval_words)  # noqa: E731
    assert tone("Prevention. How dull. Unwise.") == -1 and tone("Excellent. We approve.") == 1
    assert tone("Excellent, but unwise.") == 0 and tone("Queue, cola, lamp.") == 0
    assert tone("At last, a quiet room.") == 1 and tone("We do not understand your goal.") == -1
    assert tone("Goodness.") == 0  # whole words only
    assert bots.warns("It is quick. But the cause stays.", st.warning_words)
    assert not bots.warns("Butter on the counter.", st.warning_words)
    assert (
        bots.tone_value("How dull.", "Plain.", st)
        > bots.tone_value("Noted.", "Plain.", st)
        > bots.tone_value("Noted.", "But it breaks.", st)
        > bots.tone_value("We approve.", "Plain.", st)
    )


def test_the_tone_tells_trip_on_a_story_whose_tone_is_the_key_and_hold_without():
    bad = _tone_tells(TONE / "tells")
    for tid in ("tone.best-disapproved", "tone.worst-approved", "tone.pick"):
        assert bad[tid].passed is False and bad[tid].value == 1.0, tid
        assert bad[tid].offenders and all(POS.match(w) for w, _ in bad[tid].offenders), tid
    assert bad["tone.best-disapproved"].figure == (
        "100% (6 of 6 best options); when it disapproves, the option is best 6 of 6 times, good (positive evidence) 6"
    )
    assert bad["tone.best-disapproved"].details["scenes"] == [f"s{i}" for i in range(6)]
    assert bad["tone.worst-approved"].offenders[0][1] == 's0/worst: "Scene 0, closed. Excellent. We approve."'
    good = _tone_tells(TONE / "clean")
    for tid in ("tone.best-disapproved", "tone.worst-approved", "tone.pick"):
        assert good[tid].passed is True and good[tid].value == pytest.approx(1 / 3, abs=1e-3), tid
    # the audit fixtures' Borg lines have no tone: nothing to judge, nothing fails
    neutral = _tone_tells(CLEAN)
    assert neutral["tone.pick"].kind == "info" and all(t.passed for t in neutral.values())


def test_the_peekers_keep_the_best_but_are_reported_by_their_first_answers():
    story = load_story(TONE / "tells")
    for name in bots.PEEKERS:
        game = bots.ReusableGame(story, 0)
        for seed in range(4):
            r = bots.play(story, name, seed, game=game)
            first = bots.play(story, "always-first", seed)  # its first try is the first option shown
            assert r.ending == "top" and r.kept == 100.0, name
            assert r.score == first.score < r.kept and abs(r.score - r.first_earned) <= 0.5, name
            assert r.undos == 18, name  # three tries in each of six decisions: the record starts anew each game
            assert r.changed == sum(c != "best" for _, c in first.decisions), name
            again = Game.replay(story, seed, game.decision_list, game.undo_list)  # what verify replays
            assert again.report().reported == r.score and again.report().overall == r.kept
    clean = load_story(TONE / "clean")
    assert bots.play(clean, "score-peeker", 0).kept == 100.0 and bots.play(clean, "tone-peeker", 0).kept < 50


def test_the_audit_reports_the_peekers_beside_the_others(tmp_path):
    code, by, data = _audit(TONE / "tells")
    rows = {r["learner"]: r for r in data["learners"]}
    for name in bots.PEEKERS:
        row = rows[name]
        assert row["test_wise"] and row["kept"] == 100.0 and row["undos"] == 18 and row["first_gap"] == 0
        assert by[f"learner.{name}.score"]["passed"] and "the path kept: 100.0" in by[f"learner.{name}.score"]["figure"]
        assert by[f"learner.{name}.first"]["passed"] and by[f"learner.{name}.first"]["threshold"] == 0.5
        # the ending follows the path kept, as undo allows: shown, never failed
        assert by[f"learner.{name}.best"]["kind"] == "info" and by[f"learner.{name}.best"]["value"] == 1.0
    code, out, _ = run_cli("story", "audit", TONE / "tells", "--seeds", "2")
    assert re.search(r"^score-peeker\s+2\s+\d+\.\d\s+2\s+top 2  \(first answers; path kept 100\.0, 18 undos", out, re.M)
    code, out, _ = run_cli("story", "bots", "--story", TONE / "tells", "-n", "2")
    assert re.search(
        r"^\s+first answers above; the path kept 100\.0, 18 undos and \d+(\.\d)? changed answers a game$", out, re.M
    )


def test_an_engine_that_forgets_an_undo_fails_the_first_answer_check(monkeypatch):
    """The peekers' reported score is within 0.5 of what their first answers earn by construction;
    the audit checks it, and the check fails when undos stop counting (the kept path is reported)."""
    story = load_story(TONE / "tells")
    original = Game.undo

    def forgetful(self, before=None):
        done = original(self, before)
        if done:
            self.undos.pop()
        return done

    monkeypatch.setattr(Game, "undo", forgetful)
    report = audit.run_audit(story, seeds=3)
    by = {t.id: t for t in report.tells}
    for name in bots.PEEKERS:
        assert by[f"learner.{name}.first"].passed is False and by[f"learner.{name}.first"].value > 50, name


def test_the_shipped_story_tone_figures_are_reported():
    story = load_story(STORY_DIR)
    by = _tone_tells(STORY_DIR)
    assert {"tone.best-disapproved", "tone.worst-approved", "tone.pick"} == set(by)
    assert by["tone.best-disapproved"].details["best_options"] >= 40
    assert audit_settings(story).tone_disapproval_max == 0.75 and audit_settings(story).peek_gap_max == 0.5
