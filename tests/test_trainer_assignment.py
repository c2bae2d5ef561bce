"""Assignments: `pizzaborg assignment new`, the file format, and playing one (plain mode and `play`)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import pytest
import yaml
from trainer_helpers import MINI, cli, mini, one_line  # noqa: F401  (fixtures)

from pizzaborg.trainer.assignment import AssignmentError, load_assignment

FUTURE = "2099-12-01"


def new(cli, tmp_path, *extra, name="a.yaml"):
    out = tmp_path / name
    return cli("assignment", "new", "--story", MINI, "--cohort", "Workshop A", "-o", out, *extra), out


# ---- assignment new ----------------------------------------------------------------------------


def test_new_writes_a_pinned_versioned_assignment(cli, tmp_path, mini):
    r, out = new(
        cli, tmp_path, "--seed", "11", "--mastery", "0.7", "--deadline", FUTURE, "--note", "Play it before Tuesday."
    )
    assert r.code == 0, r.err
    assert "seed 11" in r.out and "pizzaborg --assignment a.yaml" in r.out
    data = yaml.safe_load(out.read_text())
    assert data["format"] == "pizzaborg-assignment" and data["schema"] == 1
    assert data["story"] == {"id": "mini", "version": "1.0", "hash": mini.hash}
    assert (data["seed"], data["mastery"], data["deadline"], data["note"]) == (
        11,
        0.7,
        FUTURE,
        "Play it before Tuesday.",
    )
    a = load_assignment(out)
    assert (a.cohort, a.seed, a.mastery, a.deadline) == ("Workshop A", 11, 0.7, FUTURE)


def test_without_a_seed_a_random_one_is_written_and_kept(cli, tmp_path):
    r1, out1 = new(cli, tmp_path, name="one.yaml")
    r2, out2 = new(cli, tmp_path, name="two.yaml")
    assert r1.code == r2.code == 0
    seed = load_assignment(out1).seed
    assert isinstance(seed, int) and f"seed {seed}" in r1.out
    assert load_assignment(out1).id != load_assignment(out2).id
    played = cli(
        "play",
        "--story",
        MINI,
        "--saves-dir",
        tmp_path / "s",
        "--assignment",
        out1,
        "--learner",
        "A",
        "--choices",
        "1",
        "--json",
    )
    assert json.loads(played.out)["seed"] == seed  # everyone who plays this file plays that seed


@pytest.mark.parametrize(
    "args, words",
    [
        (("--mastery", "1.5"), "at most 1"),
        (("--mastery", "70"), "write 0.7"),
        (("--mastery", "0"), "above 0"),
        (("--mastery", "abc"), "not a number"),
        (("--mastery", "nan"), "between 0 and 1"),
        (("--deadline", "2026-13-01"), "not a date"),
        (("--deadline", "next week"), "not a date"),
        (("--deadline", "2001-01-01"), "in the past"),
        (("--seed", "-4"), "seed"),
        (("--xapi-home", "lms.example.org"), "http"),
    ],
)
def test_bad_options_are_one_line_and_write_nothing(cli, tmp_path, args, words):
    r, out = new(cli, tmp_path, *args)
    assert r.code == 2
    assert words in one_line(r.err)
    assert not out.exists()


def test_an_empty_cohort_name_is_refused(cli, tmp_path):
    r = cli("assignment", "new", "--story", MINI, "--cohort", "  ", "-o", tmp_path / "a.yaml")
    assert r.code == 2 and "cohort" in one_line(r.err)


def test_an_existing_file_is_not_replaced_without_force(cli, tmp_path):
    out = tmp_path / "a.yaml"
    out.write_text("my notes\n")
    r, _ = new(cli, tmp_path)
    assert r.code == 2 and "--force" in one_line(r.err)
    assert out.read_text() == "my notes\n"
    r, _ = new(cli, tmp_path, "--force")
    assert r.code == 0 and load_assignment(out).cohort == "Workshop A"


def test_unwritable_output_is_a_clear_message(cli, tmp_path):
    r = cli("assignment", "new", "--story", MINI, "--cohort", "A", "-o", tmp_path / "missing" / "a.yaml")
    assert r.code == 2 and "cannot write" in one_line(r.err)
    if os.geteuid() != 0:  # root writes anywhere
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        r = cli("assignment", "new", "--story", MINI, "--cohort", "A", "-o", ro / "a.yaml")
        assert r.code == 2 and "cannot write" in one_line(r.err)


def test_assignment_without_a_tool_is_a_usage_error(cli):
    r = cli("assignment")
    assert r.code == 2 and "new" in one_line(r.err)


# ---- reading assignment files ------------------------------------------------------------------


def good_data(mini) -> dict:
    return {
        "format": "pizzaborg-assignment",
        "schema": 1,
        "id": "0b7f2c36-63f4-4b57-9a3e-0e1f37e0c0aa",
        "cohort": "A",
        "story": dict(mini.ref),
        "seed": 5,
        "created": "2026-11-25T09:00:00+00:00",
    }


@pytest.mark.parametrize(
    "change, words",
    [
        ({"format": "something-else"}, "not a PizzaBorg assignment"),
        ({"schema": 99}, "newer PizzaBorg"),
        ({"schema": "1"}, "schema"),
        ({"colour": "red"}, "unknown key 'colour'"),
        ({"seed": "five"}, "seed"),
        ({"seed": True}, "seed"),
        ({"id": "not-a-uuid"}, "UUID"),
        ({"story": {"id": "mini"}}, "story"),
        ({"story": {"id": "mini", "version": "1.0", "hash": "abc"}}, "sha256"),
        ({"mastery": 2}, "mastery"),
        ({"deadline": "someday"}, "not a date"),
        ({"cohort": ""}, "cohort"),
        ({"note": ["a", "list"]}, "note"),
    ],
)
def test_load_assignment_rejects_bad_files(tmp_path, mini, change, words):
    data = good_data(mini)
    data.update(change)
    p = tmp_path / "a.yaml"
    p.write_text(yaml.safe_dump(data))
    with pytest.raises(AssignmentError) as exc:
        load_assignment(p)
    assert words in str(exc.value) and "\n" not in str(exc.value)


def test_load_assignment_file_problems(tmp_path):
    with pytest.raises(AssignmentError, match="no such assignment file"):
        load_assignment(tmp_path / "nope.yaml")
    (tmp_path / "bad.yaml").write_text("cohort: [unclosed\n")
    with pytest.raises(AssignmentError, match=r"bad\.yaml:\d+:\d+: YAML syntax"):
        load_assignment(tmp_path / "bad.yaml")
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(AssignmentError, match="not a text file"):
        load_assignment(tmp_path / "bin.yaml")
    with pytest.raises(AssignmentError, match="folder"):
        load_assignment(tmp_path)
    (tmp_path / "tag.yaml").write_text("!!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(AssignmentError):
        load_assignment(tmp_path / "tag.yaml")


# ---- playing an assignment: play --------------------------------------------------------------


def test_play_with_an_assignment_writes_the_report_to_hand_in(cli, tmp_path, mini):
    r, a = new(cli, tmp_path, "--seed", "3", "--mastery", "0.5")
    saves = tmp_path / "s"
    r = cli(
        "play",
        "--story",
        MINI,
        "--saves-dir",
        saves,
        "--assignment",
        a,
        "--learner",
        "Ann Example",
        "--choices",
        "assess,1,1,visit,fix,done",
    )
    assert r.code == 0, r.err
    assert "Hand in this file to your trainer:" in r.out
    reports = list((saves / "reports").glob("*.json"))
    assert len(reports) == 1 and reports[0].name.startswith("Workshop-A-Ann-Example-")
    assert str(reports[0]) in r.out
    assert reports[0].with_suffix(".html").exists()
    data = json.loads(reports[0].read_text())
    assert data["learner"] == "Ann Example" and data["cohort"] == "Workshop A" and data["seed"] == 3
    assert data["mastery"] == {"threshold": 0.5, "passed": True}
    v = cli("verify", "--story", MINI, reports[0])
    assert v.code == 0 and "verified" in v.out


def test_play_json_keeps_stdout_json(cli, tmp_path):
    _, a = new(cli, tmp_path, "--seed", "3")
    r = cli(
        "play",
        "--story",
        MINI,
        "--saves-dir",
        tmp_path / "s",
        "--assignment",
        a,
        "--learner",
        "Bo",
        "--choices",
        "assess,1,1,visit,fix,done",
        "--json",
    )
    assert r.code == 0
    assert json.loads(r.out)["over"] is True
    assert "Hand in this file" in r.err


def test_play_with_more_choices_than_the_game_needs_plays_to_the_end_and_hands_in(cli, tmp_path):
    _, a = new(cli, tmp_path, "--seed", "3")
    saves = tmp_path / "s"
    r = cli(
        "play",
        "--story",
        MINI,
        "--saves-dir",
        saves,
        "--assignment",
        a,
        "--learner",
        "Bo",
        "--choices",
        "assess,1,1,visit,fix,done,1,2,3",
    )
    assert r.code == 0, r.err
    assert "3 choices were left over" in one_line(r.err)
    assert "Hand in this file to your trainer:" in r.out
    assert len(list((saves / "reports").glob("*.json"))) == 1
    # without an assignment, extra choices stay bad input (a script's author wants to know)
    r = cli("play", "--story", MINI, "--seed", "3", "--choices", "assess,1,1,visit,fix,done,1")
    assert r.code == 2 and "already over" in one_line(r.err)


def test_play_an_unfinished_assignment_writes_no_report(cli, tmp_path):
    _, a = new(cli, tmp_path, "--seed", "3")
    r = cli(
        "play", "--story", MINI, "--saves-dir", tmp_path / "s", "--assignment", a, "--learner", "Bo", "--choices", "1"
    )
    assert r.code == 0 and "not finished" in r.out
    assert not (tmp_path / "s" / "reports").exists()


def test_play_assignment_bad_inputs(cli, tmp_path):
    _, a = new(cli, tmp_path, "--seed", "3")
    r = cli("play", "--story", MINI, "--assignment", a, "--choices", "1")
    assert r.code == 2 and "--learner" in one_line(r.err)
    r = cli("play", "--story", MINI, "--assignment", a, "--learner", "Bo", "--seed", "4", "--choices", "1")
    assert r.code == 2 and "seed" in one_line(r.err)
    r = cli("play", "--story", MINI, "--assignment", tmp_path / "missing.yaml", "--learner", "Bo")
    assert r.code == 2 and "no such assignment file" in one_line(r.err)
    r = cli("play", "--story", MINI, "--assignment", a, "--learner", "Bo", "--choices", "9")
    assert r.code == 2 and "no choice 9" in one_line(r.err)
    r = cli("play", "--story", MINI, "--assignment", a, "--learner", "\x1b[31m", "--choices", "1")
    assert r.code == 2 and "control characters" in one_line(r.err)


def test_an_assignment_for_another_story_version_is_refused(cli, tmp_path, mini):
    _, a = new(cli, tmp_path, "--seed", "3")
    data = yaml.safe_load(a.read_text())
    data["story"]["hash"] = "f" * 64
    data["story"]["version"] = "0.9"
    a.write_text(yaml.safe_dump(data))
    r = cli("play", "--story", MINI, "--assignment", a, "--learner", "Bo", "--choices", "1")
    assert r.code == 2
    line = one_line(r.err)
    assert "version 0.9" in line and "version 1.0" in line


# ---- playing an assignment: plain mode --------------------------------------------------------


def test_plain_assignment_shows_the_note_asks_the_name_and_writes_the_report(cli, tmp_path):
    _, a = new(cli, tmp_path, "--seed", "3", "--note", "Read the \x1b[2Jbrief first.", "--deadline", FUTURE)
    saves = tmp_path / "s"
    r = cli(
        "--plain", "--story", MINI, "--saves-dir", saves, "--assignment", a, stdin="  Cleo  \n1\n1\n1\n1\n1\n1\nq\n"
    )
    assert r.code == 0, r.err
    assert "Assignment: Workshop A" in r.out
    assert "From your trainer: Read the brief first." in r.out  # the escape sequence is gone
    assert "\x1b" not in r.out
    flat = " ".join(r.out.split())
    assert f"Hand in your report by {FUTURE}" in flat
    assert "Your name or learner id" in r.out and "Welcome, Cleo." in r.out
    assert "Seed 3." in r.out
    reports = list((saves / "reports").glob("*.json"))
    assert len(reports) == 1
    assert f"Hand in this file to your trainer:\n  {reports[0]}" in r.out
    data = json.loads(reports[0].read_text())
    assert data["learner"] == "Cleo" and data["over"] is True
    assert json.loads((saves / "autosave.json").read_text())["learner"] == "Cleo"


def test_plain_assignment_without_a_name_plays_nothing(cli, tmp_path):
    _, a = new(cli, tmp_path, "--seed", "3")
    r = cli("--plain", "--story", MINI, "--saves-dir", tmp_path / "s", "--assignment", a, stdin="\n\n\n")
    assert r.code == 2
    assert "nothing was played" in r.out
    assert not (tmp_path / "s").exists()


def test_plain_assignment_q_at_the_name_prompt_quits_and_is_not_a_name(cli, tmp_path):
    _, a = new(cli, tmp_path, "--seed", "3")
    r = cli("--plain", "--story", MINI, "--saves-dir", tmp_path / "s", "--assignment", a, stdin="q\n1\n")
    assert r.code == 0, r.err
    assert "Quit: nothing was played." in r.out and "Welcome, q." not in r.out
    assert not (tmp_path / "s").exists()


def test_plain_assignment_refuses_to_load_a_game_of_another_seed(cli, tmp_path):
    _, a = new(cli, tmp_path, "--seed", "3")
    saves = tmp_path / "s"
    assert (
        cli("play", "--story", MINI, "--saves-dir", saves, "--seed", "8", "--choices", "1", "--save", "other").code == 0
    )
    r = cli("--plain", "--story", MINI, "--saves-dir", saves, "--assignment", a, "--load", "other", stdin="q\n")
    assert r.code == 2 and "not a game of this assignment" in r.out


def test_plain_assignment_past_deadline_says_late(tmp_path, mini):
    from pizzaborg.plain_assignment import assignment_intro
    from pizzaborg.trainer.assignment import Assignment

    a = Assignment(id="x", cohort="A", story=dict(mini.ref), seed=1, deadline="2026-01-10")
    text = assignment_intro(a, now=datetime(2026, 1, 12, tzinfo=UTC))
    assert "The deadline was 2026-01-10" in " ".join(text.split())
    early = " ".join(assignment_intro(a, now=datetime(2026, 1, 9, tzinfo=UTC)).split())
    assert "Hand in your report by 2026-01-10" in early


def test_plain_assignment_resumes_from_the_autosave(cli, tmp_path):
    _, a = new(cli, tmp_path, "--seed", "3")
    saves = tmp_path / "s"
    r = cli("--plain", "--story", MINI, "--saves-dir", saves, "--assignment", a, stdin="Dana\n1\nq\n")
    assert r.code == 0 and not (saves / "reports").exists()
    r = cli(
        "--plain",
        "--story",
        MINI,
        "--saves-dir",
        saves,
        "--assignment",
        a,
        "--load",
        "autosave",
        stdin="1\n1\n1\n1\n1\nq\n",
    )
    assert r.code == 0, r.err
    assert "Your name or learner id" not in r.out  # the save knows the learner
    reports = list((saves / "reports").glob("*.json"))
    assert len(reports) == 1 and json.loads(reports[0].read_text())["learner"] == "Dana"
    assert len(json.loads(reports[0].read_text())["decisions"]) == 6


def test_plain_assignment_says_so_when_the_report_cannot_be_written(cli, tmp_path):
    _, a = new(cli, tmp_path, "--seed", "3")
    saves = tmp_path / "s"
    saves.mkdir()
    (saves / "reports").write_text("a file where the folder should be")
    r = cli("--plain", "--story", MINI, "--saves-dir", saves, "--assignment", a, stdin="Eli\n1\n1\n1\n1\n1\n1\nq\n")
    assert r.code == 0
    assert "Your report could not be written" in r.out and "pizzaborg report autosave" in r.out
    assert json.loads((saves / "autosave.json").read_text())["summary"]["over"] is True


@pytest.mark.slow
def test_the_installed_command_plays_an_assignment_without_a_terminal(tmp_path):
    import subprocess
    import sys

    a = tmp_path / "a.yaml"
    base = [sys.executable, "-m", "pizzaborg"]
    env = dict(os.environ, PIZZABORG_SAVES=str(tmp_path / "saves"))
    made = subprocess.run(
        base + ["assignment", "new", "--story", str(MINI), "--cohort", "CI", "--seed", "3", "-o", str(a)],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
    )
    assert made.returncode == 0, made.stderr
    played = subprocess.run(
        base + ["--plain", "--story", str(MINI), "--assignment", str(a)],
        input="Fay\n1\n1\n1\n1\n1\n1\nq\n",
        capture_output=True,
        text=True,
        env=env,
    )
    assert played.returncode == 0, played.stderr
    report = next((tmp_path / "saves" / "reports").glob("*.json"))
    checked = subprocess.run(
        base + ["verify", "--story", str(MINI), str(report)], capture_output=True, text=True, env=env
    )
    assert checked.returncode == 0 and "verified (" in checked.stdout and "claimed: learner Fay" in checked.stdout


def test_play_assignment_refuses_a_save_of_another_story_version_and_writes_the_save_once(cli, tmp_path, monkeypatch):
    """One rule in every face: a save belongs to an assignment by seed AND story hash (``play
    --assignment`` checked only the seed); and the learner's name goes into the save as it is written,
    not by replaying and rewriting it afterwards."""
    from pizzaborg.engine import saves as S

    _, a = new(cli, tmp_path, "--seed", "3")
    saves = tmp_path / "s"
    assert (
        cli("play", "--story", MINI, "--saves-dir", saves, "--seed", "3", "--choices", "assess", "--save", "old").code
        == 0
    )
    data = json.loads((saves / "old.json").read_text())
    data["story"]["hash"] = "0" * 64
    (saves / "old.json").write_text(json.dumps(data))
    r = cli(
        "play",
        "--story",
        MINI,
        "--saves-dir",
        saves,
        "--assignment",
        a,
        "--learner",
        "Ann",
        "--load",
        "old",
        "--choices",
        "1",
    )
    assert r.code != 0 and "not a game of this assignment" in r.err
    writes = []
    real = S.write_save
    monkeypatch.setattr(S, "write_save", lambda *args, **kw: writes.append(args[1].slot) or real(*args, **kw))
    r = cli(
        "play",
        "--story",
        MINI,
        "--saves-dir",
        saves,
        "--assignment",
        a,
        "--learner",
        "Ann",
        "--choices",
        "assess,1,1,visit,fix,done",
    )
    assert r.code == 0, r.err
    assert writes == ["assignment-Ann"] and S.read_save(saves, "assignment-Ann").learner == "Ann"
