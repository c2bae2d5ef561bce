"""The headless contract (docs/headless.md), through the CLI: transcripts, --json, scripts, exit codes."""

from __future__ import annotations

import json
import re
import textwrap

import pytest
from conftest import copy_mini

from pizzaborg import __version__
from pizzaborg.engine import Game

# On the mini story (see test_engine.py) the best game is assess, two drawn events, visit, fix, done.
BEST_IDS = "assess,{e1},{e2},visit,fix,done"


def best_choices(mini, seed: int = 3) -> str:
    """The best play as choice ids; the two drawn events' first choices are found by playing."""
    game = Game(mini, seed)
    game.choose("assess")
    events = []
    for _ in range(2):
        events.append(game.available()[0].id)
        game.choose(events[-1])
    return BEST_IDS.format(e1=events[0], e2=events[1])


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# ---- play --choices -------------------------------------------------------------------------


def test_transcript(run_cli, mini_dir):
    code, out, err = run_cli("play", "--story", mini_dir, "--choices", "1", "--seed", "3")
    assert code == 0, err
    assert "A small test story" in out
    assert "The oven controller needs a patch." in out
    assert "1. Assess the impact with the owner first." in out
    assert "3. Wait and see." in out
    assert "You chose: Assess the impact with the owner first." in out
    assert "The Collective: Delay. Irrelevant." in out
    assert "Learning note: Change management, impact first." in out
    assert "Business trust up 10" in out
    assert "(The choices ran out here.)" in out
    assert err == ""


def test_transcript_to_the_end(run_cli, mini_dir, mini):
    code, out, err = run_cli("play", "--story", mini_dir, "--choices", best_choices(mini), "--seed", "3")
    assert code == 0, err
    assert "Month 1 ends: Round A." in out and "What did you see?" in out
    assert "Ending: Good" in out
    assert "The bakery thrives." in out
    assert "Learning score (first answers): 100 of 100." in out


def test_choices_by_number_and_id_give_the_same_game(run_cli, mini_dir):
    a = run_cli("play", "--story", mini_dir, "--choices", "2,1,1,2", "--seed", "5", "--json")
    game = json.loads(a.out)
    ids = ",".join(d["choice"] for d in game["decisions"])
    b = run_cli("play", "--story", mini_dir, "--choices", ids, "--seed", "5", "--json")
    assert a.code == b.code == 0
    assert json.loads(b.out) == game


def test_json_keys(run_cli, mini_dir):
    code, out, err = run_cli("play", "--story", mini_dir, "--choices", "1", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert set(result) == {
        "ending",
        "over",
        "score",
        "kept_score",
        "changed_answers",
        "undone",
        "learning_points",
        "kpis",
        "decisions",
        "seed",
        "story",
        "next",
    }
    assert set(result["story"]) == {"id", "version", "hash"}
    assert result["story"]["id"] == "mini" and result["story"]["version"] == "1.0"
    assert result["over"] is False and result["ending"] is None
    assert result["seed"] == 0
    assert result["decisions"] == [{"scene": "a.start", "choice": "assess"}]
    assert result["kpis"] == {"revenue": 95, "trust": 60}  # 100-5, 50+10
    assert set(result["learning_points"]) == {"change.impact", "rel.go-see"}
    nxt = result["next"]
    assert set(nxt) == {"scene", "round", "text", "choices"}
    assert nxt["round"] == 1 and nxt["scene"].startswith("ev.")
    assert all(set(c) == {"n", "id", "text", "available", "reason", "cost"} for c in nxt["choices"])
    assert all(c["available"] is True and c["reason"] == "" for c in nxt["choices"])
    assert [c["n"] for c in nxt["choices"]] == list(range(1, len(nxt["choices"]) + 1))
    assert out.count("\n") == 1  # one JSON object, nothing else on stdout


def test_json_when_over(run_cli, mini_dir, mini):
    code, out, err = run_cli("play", "--story", mini_dir, "--choices", best_choices(mini), "--seed", "3", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["over"] is True and result["ending"] == "good" and result["next"] is None
    assert result["score"] == 100.0
    assert result["learning_points"] == {"change.impact": 100.0, "rel.go-see": 100.0}


def test_json_learning_point_never_at_stake_is_null(run_cli, mini_dir):
    code, out, _ = run_cli("play", "--story", mini_dir, "--choices", "", "--json")
    assert code == 0
    result = json.loads(out)
    assert result["learning_points"] == {"change.impact": None, "rel.go-see": None}
    assert result["decisions"] == [] and result["next"]["scene"] == "a.start"


def test_invalid_choice_number(run_cli, mini_dir, mini):
    code, out, err = run_cli("play", "--story", mini_dir, "--choices", "1,9", "--seed", "3")
    assert code == 2
    line = one_line(err)
    game = Game.replay(mini, 3, [("a.start", "assess")])  # where the 9 was asked for: a drawn event
    assert f"'{game.state}'" in line
    valid = ", ".join(f"{c.n} ({c.id})" for c in game.scene.choices)
    assert f"valid choices: {valid}" in line
    assert "choice 9" in line


def test_invalid_choice_number_in_first_scene_lists_all(run_cli, mini_dir):
    code, _, err = run_cli("play", "--story", mini_dir, "--choices", "4")
    assert code == 2
    line = one_line(err)
    assert "'a.start'" in line
    assert "1 (assess)" in line and "2 (push)" in line and "3 (wait)" in line


def test_invalid_choice_id(run_cli, mini_dir):
    code, _, err = run_cli("play", "--story", mini_dir, "--choices", "nope", "--json")
    assert code == 2
    line = one_line(err)
    assert "nope" in line and "'a.start'" in line and "1 (assess)" in line


def test_choices_after_the_end(run_cli, mini_dir, mini):
    code, _, err = run_cli("play", "--story", mini_dir, "--choices", best_choices(mini) + ",1", "--seed", "3")
    assert code == 2
    assert "over" in one_line(err)


# ---- scripts --------------------------------------------------------------------------------


def write_script(tmp_path, text: str, name: str = "script.yaml"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return p


def test_script_with_expectations_that_hold(run_cli, mini_dir, mini, tmp_path):
    choices = best_choices(mini).split(",")
    script = write_script(
        tmp_path,
        f"""\
        seed: 3
        choices: {json.dumps(choices)}
        expect:
          ending: good
          over: true
          min_score: 90
          max_score: 100
          kpis:
            trust: {{min: 60, max: 100}}
          learning_points:
            change.impact: {{min: 100}}
        """,
    )
    code, out, err = run_cli("play", "--story", mini_dir, "--script", script)
    assert code == 0, out + err
    assert "All expectations hold." in out


def test_script_with_failing_expectations(run_cli, mini_dir, mini, tmp_path):
    choices = best_choices(mini).split(",")
    script = write_script(
        tmp_path,
        f"""\
        seed: 3
        choices: {json.dumps(choices)}
        expect:
          ending: meh
          max_score: 10
          kpis:
            trust: {{max: 10}}
          learning_points:
            rel.go-see: {{max: 50}}
        """,
    )
    code, out, err = run_cli("play", "--story", mini_dir, "--script", script)
    assert code == 1
    failures = [ln for ln in out.splitlines() if ln.startswith("expectation failed:")]
    assert len(failures) == 4
    assert any("ending: expected meh, got good" in f for f in failures)
    assert any("score: expected at most 10, got 100" in f for f in failures)
    assert any("kpi trust: expected at most 10" in f for f in failures)
    assert any("learning point rel.go-see: expected at most 50, got 100" in f for f in failures)
    assert "4 expectation(s) failed" in out


def test_script_failures_with_json_go_to_stderr(run_cli, mini_dir, tmp_path):
    script = write_script(
        tmp_path,
        """\
        choices: [1]
        expect: {over: true}
        """,
    )
    code, out, err = run_cli("play", "--story", mini_dir, "--script", script, "--json")
    assert code == 1
    json.loads(out)  # stdout stays one JSON object
    assert "expectation failed: over: expected true, got false" in err


def test_learning_point_never_at_stake_fails_a_min(run_cli, mini_dir, tmp_path):
    script = write_script(
        tmp_path,
        """\
        choices: []
        expect:
          learning_points:
            change.impact: {min: 0}
        """,
    )
    code, out, _ = run_cli("play", "--story", mini_dir, "--script", script)
    assert code == 1
    assert "learning point change.impact: expected at least 0, got no score" in out


def test_command_line_seed_overrides_the_script(run_cli, mini_dir, tmp_path):
    script = write_script(tmp_path, "seed: 3\nchoices: [1]\n")
    code, out, _ = run_cli("play", "--story", mini_dir, "--script", script, "--seed", "9", "--json")
    assert code == 0 and json.loads(out)["seed"] == 9
    code, out, _ = run_cli("play", "--story", mini_dir, "--script", script, "--json")
    assert code == 0 and json.loads(out)["seed"] == 3


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("choices: [1\n", "YAML syntax"),
        ("choices: [1]\nfoo: 2\n", "unknown key 'foo'"),
        ("choices: 5\n", "choices must be a list"),
        ("seed: yes\n", "seed must be a whole number"),
        ("choices: [1.5]\n", "choice 1 must be a number or a choice id"),
        ("expect: {colour: red}\n", "unknown expectation 'colour'"),
        ("expect: {min_score: high}\n", "expect.min_score must be a number"),
        ("expect: {kpis: {trust: 5}}\n", "expect.kpis.trust"),
        ("expect: {over: maybe}\n", "expect.over must be true or false"),
        ("- 1\n- 2\n", "a script is a mapping"),
    ],
)
def test_bad_script(run_cli, mini_dir, tmp_path, text, fragment):
    script = write_script(tmp_path, text)
    code, out, err = run_cli("play", "--story", mini_dir, "--script", script)
    assert code == 2
    line = one_line(err)
    assert fragment in line


def test_script_python_tag_is_rejected_and_nothing_runs(run_cli, mini_dir, tmp_path):
    marker = tmp_path / "pwned"
    script = write_script(tmp_path, f"seed: !!python/object/apply:os.system ['touch {marker}']\nchoices: [1]\n")
    code, _, err = run_cli("play", "--story", mini_dir, "--script", script)
    assert code == 2
    assert "script.yaml:1:" in one_line(err)
    assert not marker.exists()


def test_script_yaml_error_has_a_position(run_cli, mini_dir, tmp_path):
    script = write_script(tmp_path, "seed: 1\nchoices: [1\n")
    code, _, err = run_cli("play", "--story", mini_dir, "--script", script)
    assert code == 2
    assert "script.yaml:3:1: YAML syntax" in one_line(err)


@pytest.mark.parametrize(
    "expect, fragment",
    [
        ("{ending: nowhere}", "no ending 'nowhere'"),
        ("{kpis: {money: {min: 1}}}", "no KPI 'money'"),
        ("{learning_points: {lp.none: {min: 1}}}", "no learning point 'lp.none'"),
    ],
)
def test_script_ids_the_story_does_not_have(run_cli, mini_dir, tmp_path, expect, fragment):
    script = write_script(tmp_path, f"choices: [1]\nexpect: {expect}\n")
    code, _, err = run_cli("play", "--story", mini_dir, "--script", script)
    assert code == 2
    assert fragment in one_line(err)


def test_missing_script(run_cli, mini_dir, tmp_path):
    code, _, err = run_cli("play", "--story", mini_dir, "--script", tmp_path / "nope.yaml")
    assert code == 2
    assert "no such script file" in one_line(err)


def test_choices_and_script_are_exclusive(run_cli, mini_dir, tmp_path):
    script = write_script(tmp_path, "choices: [1]\n")
    code, _, err = run_cli("play", "--story", mini_dir, "--script", script, "--choices", "1")
    assert code == 2
    one_line(err)


# ---- saves ----------------------------------------------------------------------------------


def test_save_and_load_round_trip(run_cli, mini_dir, tmp_path):
    sd = tmp_path / "sv"
    code, out, err = run_cli(
        "play", "--story", mini_dir, "--seed", "4", "--choices", "2,1", "--save", "mid", "--saves-dir", sd, "--json"
    )
    assert code == 0, err
    first = json.loads(out)
    assert (sd / "mid.json").is_file()
    # loading with no further choices is the same game
    code, out, err = run_cli("play", "--story", mini_dir, "--load", "mid", "--saves-dir", sd, "--json")
    assert code == 0, err
    assert json.loads(out) == first
    # continuing from the save equals playing it all in one go
    code, out, _ = run_cli(
        "play", "--story", mini_dir, "--load", "mid", "--choices", "1,1", "--saves-dir", sd, "--json"
    )
    continued = json.loads(out)
    code2, out2, _ = run_cli("play", "--story", mini_dir, "--seed", "4", "--choices", "2,1,1,1", "--json")
    assert code == code2 == 0
    assert continued == json.loads(out2)
    assert continued["seed"] == 4  # the save's seed, not the default


def test_transcript_says_where_it_saved(run_cli, mini_dir, tmp_path):
    code, out, _ = run_cli("play", "--story", mini_dir, "--choices", "1", "--save", "t", "--saves-dir", tmp_path)
    assert code == 0
    assert "Saved as 't'" in out


def test_load_of_a_missing_save(run_cli, mini_dir, tmp_path):
    code, _, err = run_cli("play", "--story", mini_dir, "--load", "ghost", "--saves-dir", tmp_path)
    assert code == 2
    assert "ghost" in one_line(err)


def test_load_of_a_damaged_save(run_cli, mini_dir, tmp_path):
    (tmp_path / "bad.json").write_text("{oops")
    code, _, err = run_cli("play", "--story", mini_dir, "--load", "bad", "--saves-dir", tmp_path)
    assert code == 2
    assert "bad.json" in one_line(err)


def test_save_with_a_bad_name(run_cli, mini_dir, tmp_path):
    code, _, err = run_cli(
        "play", "--story", mini_dir, "--choices", "1", "--save", "../evil", "--saves-dir", tmp_path / "sv"
    )
    assert code == 2
    assert "not a valid save name" in one_line(err)
    assert not (tmp_path / "evil.json").exists()


def test_load_from_an_edited_story_notes_it(run_cli, mini_dir, tmp_path):
    sd = tmp_path / "sv"
    assert run_cli("play", "--story", mini_dir, "--choices", "1", "--save", "s", "--saves-dir", sd).code == 0
    edited = copy_mini(tmp_path)
    meta = edited / "story.yaml"
    meta.write_text(meta.read_text().replace('version: "1.0"', 'version: "1.1"'))
    code, out, err = run_cli("play", "--story", edited, "--load", "s", "--saves-dir", sd, "--json")
    assert code == 0
    assert "note:" in err and "all 1 decisions replayed" in err
    assert json.loads(out)["decisions"] == [{"scene": "a.start", "choice": "assess"}]


# ---- story check, version, help, bad options ------------------------------------------------


def test_story_check_exit_codes(run_cli, mini_dir, tmp_path):
    assert run_cli("story", "check", mini_dir).code == 0
    broken = copy_mini(tmp_path)
    f = broken / "rounds" / "02-b.yaml"
    f.write_text(f.read_text().replace("to: b.close", "to: b.nowhere"))
    code, out, err = run_cli("story", "check", broken)
    assert code == 1
    assert "unknown scene 'b.nowhere'" in out
    assert "Traceback" not in out + err


def test_version(run_cli):
    code, out, err = run_cli("--version")
    assert code == 0
    assert out.strip() == f"pizzaborg {__version__}"


@pytest.mark.parametrize(
    "args, usage",
    [
        (["--help"], "usage: pizzaborg"),
        (["play", "--help"], "usage: pizzaborg play"),
        (["story", "--help"], "usage: pizzaborg story"),
        (["story", "check", "--help"], "usage: pizzaborg story check"),
    ],
)
def test_help(run_cli, args, usage):
    code, out, err = run_cli(*args)
    assert code == 0
    assert out.startswith(usage)
    assert err == ""


def test_play_help_documents_the_exit_codes(run_cli):
    out = run_cli("play", "--help").out
    for option in ("--choices", "--script", "--seed", "--load", "--save", "--json", "--story", "--saves-dir"):
        assert option in out


@pytest.mark.parametrize(
    "args", [["--bogus"], ["play", "--bogus"], ["story", "check", "--bogus"], ["play", "--seed", "x"], ["story"]]
)
def test_bad_option_is_one_line(run_cli, args):
    code, out, err = run_cli(*args)
    assert code == 2
    assert one_line(err).startswith("pizzaborg: ")
    assert out == ""


@pytest.mark.parametrize("broken", ["missing", "file", "bad-yaml"])
def test_broken_story_is_exit_2_without_traceback(run_cli, tmp_path, broken):
    if broken == "missing":
        story = tmp_path / "nowhere"
    elif broken == "file":
        story = tmp_path / "story.yaml"
        story.write_text("id: x\n")
    else:
        story = copy_mini(tmp_path)
        (story / "story.yaml").write_text("id: [unclosed\n")
    code, out, err = run_cli("play", "--story", story, "--choices", "1")
    assert code == 2
    line = one_line(err)
    assert "cannot be played" in line
    assert out == ""


# ---- options before the command -------------------------------------------------------------
# `pizzaborg --help` shows --story, --saves-dir, --seed and --load before COMMAND; given there, they
# must not be silently dropped (a save written elsewhere, another story played, another seed).


def test_story_before_play_is_honoured(run_cli, mini_dir):
    code, out, err = run_cli("--story", mini_dir, "play", "--choices", "1", "--json")
    assert code == 0, err
    assert json.loads(out)["story"]["id"] == "mini"


def test_story_before_story_check_is_honoured(run_cli, mini_dir):
    code, out, err = run_cli("--story", mini_dir, "story", "check")
    assert code == 0, out + err
    assert "mini 1.0: OK" in out


def test_saves_dir_before_play_is_honoured(run_cli, mini_dir, tmp_path):
    sd = tmp_path / "sv"
    code, _, err = run_cli("--saves-dir", sd, "play", "--story", mini_dir, "--choices", "1", "--save", "s", "--json")
    assert code == 0, err
    assert (sd / "s.json").is_file()


def test_seed_before_play_is_honoured(run_cli, mini_dir):
    code, out, err = run_cli("--seed", "5", "play", "--story", mini_dir, "--choices", "1", "--json")
    assert code == 0, err
    assert json.loads(out)["seed"] == 5


def test_json_numbers_are_rounded_as_the_screen_shows_them_and_choices_carry_their_cost(run_cli):
    from pathlib import Path

    mech = Path(__file__).parent / "fixtures" / "mech"
    code, out, err = run_cli("play", "--story", mech, "--seed", "1", "--choices", "1", "--json")
    assert code == 0, err
    assert not re.search(r"\d\.\d{2,}", out)  # no 46.29999999999999
    nxt = json.loads(out)["next"]
    costs = {c["id"]: c["cost"] for c in nxt["choices"]}
    assert costs == {"app": 3, "crm": 2, "infra": 4, "tidy": 0}
    from pizzaborg.headless import _as_shown

    assert _as_shown({"a": [46.29999999999999, 2]}) == {"a": [46.3, 2]}
