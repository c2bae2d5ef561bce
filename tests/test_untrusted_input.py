"""Input that can hurt (issue 11, sections 3-6): story folders and the story cache, saves and the
messages about them, text that reaches a terminal or a spreadsheet, and the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import BASE_ROUND, BASE_STORY, write_story

from pizzaborg.engine import StoryError, cache, load_story


def one_line(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


def _pizzaborg(*args, timeout=60, env=None, memory=None, cwd=None, stdin=b""):
    """pizzaborg in a process of its own: a hang fails the test after ``timeout`` seconds, and
    ``memory`` (bytes) caps its address space, so a read without limit fails instead of the machine."""

    def limit():
        if memory:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    full_env = dict(os.environ, PYTHONIOENCODING="utf-8", **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "pizzaborg", *map(os.fsdecode, args)],
        capture_output=True,
        timeout=timeout,
        env=full_env,
        preexec_fn=limit,
        cwd=cwd,
        input=stdin,
    )


# ---- 3. story folders and the cache ----------------------------------------------------------------


def _scenes_sharing(text_yaml: str, n: int) -> str:
    scenes = "".join(f"  - id: r1.s{i}\n    text: *big\n    next: r1.s{i + 1}\n" for i in range(n))
    return (
        textwrap.dedent(f"""\
        round:
          id: r1
          title: Round one
        scenes:
          - id: r1.one
            text: &big {text_yaml}
            choices:
              - id: good
                text: Good.
                evidence: {{ lp.one: 1 }}
              - id: bad
                text: Bad.
                evidence: {{ lp.one: -1 }}
                worst: [W1]
            next: r1.s0
        """)
        + scenes
        + f"  - id: r1.s{n}\n    text: The end.\n    next: end\n"
    )


def test_a_big_scalar_behind_many_aliases_is_an_alias_bomb_counted_in_bytes(tmp_path, run_cli):
    big = '"' + "x" * (1024 * 1024) + '"'  # 1 MiB of text, repeated by 30 aliases: 30 MiB
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": _scenes_sharing(big, 30)})
    code, out, err = run_cli("story", "check", root)
    assert code == 1 and "Traceback" not in out + err
    assert "01.yaml:" in out and "MiB of text" in out and "alias" in out


def test_a_story_too_large_to_cache_is_played_but_not_cached(tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    monkeypatch.setenv("PIZZABORG_CACHE", str(cache_dir))
    monkeypatch.setattr(cache, "MAX_ENTRY_BYTES", 64 * 1024)
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": _scenes_sharing('"' + "y" * 8000 + '"', 12)})
    story = load_story(root)
    assert story.scenes["r1.s3"].text is not None
    assert not list(cache_dir.glob("*.json"))  # 12 x 8 KB would be 96 KB: over the limit, not written
    monkeypatch.setattr(cache, "MAX_ENTRY_BYTES", 1024 * 1024)
    load_story(root)
    assert len(list(cache_dir.glob("*.json"))) == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("cache_setting", ["on", "off"])
def test_files_the_story_does_not_use_are_never_read(tmp_path, cache_setting):
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": BASE_ROUND})
    os.symlink("/dev/zero", root / "notes.yaml")
    os.mkfifo(root / "drafts.yaml")
    (root / "more").mkdir()
    os.mkfifo(root / "more" / "x.yml")
    env = {
        "PIZZABORG_CACHE": str(tmp_path / "cache") if cache_setting == "on" else "off",
        "PIZZABORG_SAVES": str(tmp_path / "saves"),
    }
    for _ in range(2):  # the second run may come from the cache
        r = _pizzaborg("play", "--story", root, "--choices", "1", "--json", env=env, timeout=30, memory=2 * 1024**3)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["ending"] == "ok"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_round_file_that_is_a_pipe_or_a_device_is_a_problem_not_a_hang(tmp_path):
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": BASE_ROUND})
    os.mkfifo(root / "rounds" / "02.yaml")
    os.symlink("/dev/zero", root / "rounds" / "03.yaml")
    r = _pizzaborg("story", "check", root, timeout=30, memory=2 * 1024**3, env={"PIZZABORG_CACHE": "off"})
    out = r.stdout.decode()
    assert r.returncode == 1 and "Traceback" not in out + r.stderr.decode()
    assert "02.yaml:1:1: not a regular file" in out
    assert "round file 'rounds/03.yaml' is outside the story folder (a link): not read" in out  # /dev/zero, unread


def test_a_condition_nested_too_deep_is_a_problem_with_its_place(tmp_path, run_cli):
    deep = "(" * 140 + "trust > 1" + ")" * 140
    rnd = BASE_ROUND.replace("        text: Good.\n", f'        text: Good.\n        when: "{deep}"\n')
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": rnd})
    code, out, err = run_cli("story", "check", root)
    assert code == 1 and "Traceback" not in out + err and "internal error" not in err
    assert "01.yaml:10:" in out and "nested more than 32 levels deep" in out
    nots = BASE_ROUND.replace(
        "        text: Good.\n", '        text: Good.\n        when: "' + "not " * 300 + 'true"\n'
    )
    code, out, err = run_cli("story", "check", write_story(tmp_path / "b", BASE_STORY, {"01.yaml": nots}))
    assert code == 1 and "nested more than 32 levels deep" in out
    with pytest.raises(StoryError):
        load_story(write_story(tmp_path / "c", BASE_STORY, {"01.yaml": rnd}))


# ---- 4. saves and messages that tell the truth -----------------------------------------------------

from pizzaborg.engine import Game  # noqa: E402
from pizzaborg.engine import saves as S  # noqa: E402


@pytest.mark.parametrize("blocker", ["folder-is-a-file", "slot-is-a-folder"])
def test_plain_mode_says_the_game_is_saved_only_when_it_is(run_cli, mini_dir, tmp_path, blocker):
    saves = tmp_path / "saves"
    if blocker == "folder-is-a-file":
        saves.write_text("not a folder")
    else:
        (saves / "autosave.json").mkdir(parents=True)
    code, out, err = run_cli("--plain", "--story", mini_dir, "--saves-dir", saves, "--seed", 3, stdin="1\nq\n")
    assert code == 0 and "Traceback" not in err
    assert "Autosave failed" in out
    said = " ".join(out.split())  # plain mode wraps long lines
    assert "Your game is saved in" not in said
    assert "Goodbye. Your game could NOT be saved" in said
    ok = tmp_path / "ok"
    code, out, _ = run_cli("--plain", "--story", mini_dir, "--saves-dir", ok, "--seed", 3, stdin="1\nq\n")
    assert f"Goodbye. Your game is saved in {ok / 'autosave.json'}." in " ".join(out.split())  # lines wrap


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_save_slot_that_is_a_pipe_hangs_nothing(tmp_path, mini_dir):
    saves = tmp_path / "saves"
    saves.mkdir()
    os.mkfifo(saves / "autosave.json")
    os.mkfifo(saves / "other.json")
    env = {"PIZZABORG_CACHE": "off"}
    r = _pizzaborg("--plain", "--story", mini_dir, "--saves-dir", saves, "--load", "other", env=env, timeout=30)
    assert r.returncode == 2 and "not a regular file" in r.stdout.decode()
    r = _pizzaborg(
        "--plain", "--story", mini_dir, "--saves-dir", saves, "--seed", "3", stdin=b"l\n\n1\nq\n", env=env, timeout=30
    )
    out = r.stdout.decode()
    assert r.returncode == 0, r.stderr
    assert "other  (unreadable: other.json is not a regular file" in out
    assert "Autosave failed: autosave.json is not a regular file" in out
    assert "could NOT be saved" in out


def test_the_writer_never_writes_a_save_the_reader_refuses(tmp_path, mini, monkeypatch):
    game = Game(mini, 3)
    game.choose_number(1)
    S.save_game(tmp_path, "long", game)  # a save that fits: written and read back
    assert S.read_save(tmp_path, "long").decisions
    before = (tmp_path / "long.json").read_bytes()
    game.choose_number(1)
    monkeypatch.setattr(S, "MAX_SAVE_BYTES", len(before) + 10)  # the next one does not fit
    with pytest.raises(S.SaveError, match="too long to save"):
        S.save_game(tmp_path, "long", game)
    assert (tmp_path / "long.json").read_bytes() == before  # the slot still loads and can be overwritten
    assert S.load_game(tmp_path, "long", mini).game is not None
    with pytest.raises(S.SaveError, match="too long to save"):
        S.save_game(tmp_path, "new", game)
    assert not (tmp_path / "new.json").exists()


def test_a_tiny_mastery_is_refused_instead_of_becoming_zero(run_cli, mini_dir, tmp_path):
    out = tmp_path / "a.yaml"
    code, _, err = run_cli("assignment", "new", "--story", mini_dir, "--cohort", "C", "--mastery", "0.00001", "-o", out)
    assert code == 2 and "too small" in one_line(err) and not out.exists()
    code, _, err = run_cli("assignment", "new", "--story", mini_dir, "--cohort", "C", "--mastery", "0.0001", "-o", out)
    assert code == 0, err
    assert "mastery: 0.0001" in out.read_text()


# ---- 5. escapes and odd text wherever text reaches a terminal or a spreadsheet ----------------------

ESC_RE = __import__("re").compile(r"[\x1b\x9b\x07]")


def _no_escapes(*texts):
    for t in texts:
        assert not ESC_RE.search(t), repr(t)


def _hostile_save(saves: Path, mini, **changes) -> None:
    game = Game(mini, 3)
    game.choose_number(1)
    S.save_game(saves, "evil", game)
    data = json.loads((saves / "evil.json").read_text())
    for k, v in changes.items():
        if k.startswith("story_"):
            data["story"][k[6:]] = v
        else:
            data[k] = v
    (saves / "evil.json").write_text(json.dumps(data))


def test_escapes_in_a_save_never_reach_the_terminal(run_cli, mini_dir, mini, tmp_path):
    saves = tmp_path / "saves"
    _hostile_save(
        saves, mini, updated="2026-01-01T00:00\x1b]0;owned\x07", story_version="1\x1b[2J\x9b2J", story_hash="0" * 64
    )
    code, out, err = run_cli("--plain", "--story", mini_dir, "--saves-dir", saves, "--seed", 3, stdin="l\n\nq\n")
    assert code == 0 and "evil" in out
    _no_escapes(out, err)
    code, out, err = run_cli("play", "--story", mini_dir, "--saves-dir", saves, "--load", "evil", "--choices", "1")
    assert "was saved with version 1 of the story" in err
    _no_escapes(out, err)
    code, out, err = run_cli("report", "evil", "--story", mini_dir, "--saves-dir", saves)
    assert code == 2 and "version 1 (hash 000000000000)" in one_line(err)
    _no_escapes(out, err)


def test_the_load_screen_line_cleans_what_the_save_claims(tmp_path):
    from pizzaborg.tui.screens.slots import slot_line

    save = S.SaveData(
        "evil",
        {"id": "x", "version": "1", "hash": "0"},
        3,
        [],
        "",
        "2026\x1b]0;title\x07-01-01",
        {"over": True, "ending": "\x1b]2;t\x07end"},
    )
    line = slot_line(S.SlotInfo("evil", tmp_path / "evil.json", save, None)).plain
    _no_escapes(line)
    assert "end" in line


def test_an_assignment_cannot_drive_the_terminal_through_its_story_version(run_cli, mini_dir, mini, tmp_path):
    from trainer_helpers import make_assignment

    from pizzaborg.trainer.assignment import write_assignment

    path = write_assignment(make_assignment(mini), tmp_path / "a.yaml")
    text = path.read_text().replace(f"hash: {mini.hash}", "hash: " + "a" * 64)
    text = text.replace("version: '1.0'", 'version: "1.0\\e]0;owned\\a\\e[2J"')
    path.write_text(text)
    code, out, err = run_cli("play", "--story", mini_dir, "--assignment", path, "--learner", "Ann", "--choices", "1")
    assert code == 2 and "this assignment is for version 1.0" in one_line(err)
    _no_escapes(out, err)


def test_story_check_messages_are_clean(tmp_path, run_cli):
    story = BASE_STORY.replace("id: base", 'id: "base\\e]0;x\\a"') + '"bad\\e[2Jkey": 1\n'
    rnd = BASE_ROUND.replace("        text: Good.\n", '        text: Good.\n        when: "trust > \\e[31m 3"\n')
    code, out, err = run_cli("story", "check", write_story(tmp_path, story, {"01.yaml": rnd}))
    assert code == 1 and "unknown key 'bad" in out and "condition" in out
    _no_escapes(out, err)


def test_a_line_break_in_a_name_cannot_print_a_fake_verified_line(run_cli, tmp_path, mini):
    cli = run_cli
    from trainer_helpers import report_of, write_json

    rep = report_of(mini, "best", learner="Ann")
    rep["learner"] = "Ann)\n/tmp/bob.json: verified (Good, score 100"
    r = cli("verify", "--story", str(mini.root), write_json(tmp_path / "a.json", rep))
    assert len(r.out.strip().splitlines()) == 1 and "NOT verified" in r.out
    named = tmp_path / "x\n: verified (Good).json"
    write_json(named, report_of(mini, "best", learner="Ann"))
    r = cli("verify", "--story", str(mini.root), named)
    assert len(r.out.strip().splitlines()) == 1 and r.code == 0


def test_csv_and_json_outputs_are_clean_for_terminals_and_spreadsheets(run_cli, tmp_path):
    cli = run_cli
    from trainer_helpers import write_json

    from pizzaborg.trainer.report import build_report

    story_yaml = BASE_STORY.replace("    title: Ok\n", '    title: "=2+3 \\e]0;owned\\a"\n')
    rnd = BASE_ROUND.replace("text: First scene.", 'text: "First \\x9b2J scene\\u202e."')
    root = write_story(tmp_path, story_yaml, {"01.yaml": rnd})
    story = load_story(root)
    game = Game(story, 3)
    game.choose("good")
    rep = build_report(game, learner="Ann")
    write_json(tmp_path / "in.json", rep)
    write_json(tmp_path / "odd-\x9b2J.json", rep)  # a file name with a C1 control
    r = cli("cohort", "--story", root, tmp_path / "in.json", tmp_path / "odd-\x9b2J.json", "--format", "csv")
    assert r.code == 0, r.err
    _no_escapes(r.out)
    import csv
    import io

    row = list(csv.reader(io.StringIO(r.out)))[1]
    assert row[1] == "'=2+3 "  # the ending: cleaned, and not a formula
    for fmt in ("json",):
        r = cli("cohort", "--story", root, tmp_path / "in.json", tmp_path / "odd-\x9b2J.json", "--format", fmt)
        _no_escapes(r.out)
        assert "odd-\\u009b2J.json" in r.out
    from pizzaborg.trainer.formats import render

    rep["learner"] = "Ann \x9b2J \u202eevil"  # what a hand-in may hold: JSON output escapes it
    text = render(rep, "json")
    assert "\x9b" not in text and "\u202e" not in text and "\\u009b" in text
    assert json.loads(text) == json.loads(json.dumps(rep))  # the same value, escaped
    for fmt in ("xapi", "md", "html"):
        _no_escapes(render(rep, fmt))


# ---- 6. the command line --------------------------------------------------------------------------


@pytest.mark.parametrize("choices", ["²", "1,²", "١"])
def test_a_digit_that_is_not_ascii_is_bad_input_not_an_internal_error(run_cli, mini_dir, choices):
    code, out, err = run_cli("play", "--story", mini_dir, "--choices", choices)
    assert code == 2 and "has no choice" in one_line(err) and "internal error" not in err


def test_plain_mode_takes_a_non_ascii_digit_as_an_unknown_command(run_cli, mini_dir, tmp_path):
    code, out, err = run_cli("--plain", "--story", mini_dir, "--saves-dir", tmp_path, "--seed", 3, stdin="²\nq\n")
    assert code == 0 and "'²' is not a command" in out and "Traceback" not in err


def test_paths_that_are_not_utf8_work_for_every_story_command(tmp_path, mini_dir):
    import shutil

    base = os.fsencode(tmp_path)
    story = os.path.join(base, b"story-\xff\xfe")
    shutil.copytree(os.fsencode(mini_dir), story)
    cwd = os.path.join(base, b"cwd-\xff")
    os.mkdir(cwd)
    env = {"PIZZABORG_CACHE": str(tmp_path / "cache"), "PIZZABORG_SAVES": str(tmp_path / "saves")}
    for _ in range(2):  # the second play comes from the cache
        r = _pizzaborg("play", "--story", story, "--choices", "1", "--json", env=env, cwd=cwd)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["decisions"][0]["choice"] == "assess"
    assert len(list((tmp_path / "cache").glob("*.json"))) == 1
    r = _pizzaborg("story", "check", story, env=env, cwd=cwd)
    assert r.returncode == 0 and b"mini 1.0: OK" in r.stdout, r.stderr
    for tool in ("map", "graph", "bots"):
        r = _pizzaborg("story", tool, "--story", story, *(["-n", "3"] if tool == "bots" else []), env=env, cwd=cwd)
        assert r.returncode == 0, (tool, r.stderr)
    r = _pizzaborg("story", "check", os.path.join(story, b"missing"), env=env, cwd=cwd)
    assert r.returncode == 1 and "\ufffd" in r.stdout.decode() and b"Traceback" not in r.stderr


def test_an_assignment_whose_report_and_save_both_fail_does_not_claim_a_save(run_cli, mini_dir, mini, tmp_path):
    from trainer_helpers import make_assignment

    from pizzaborg.trainer.assignment import write_assignment

    path = write_assignment(make_assignment(mini), tmp_path / "a.yaml")
    blocked = tmp_path / "saves"
    blocked.write_text("a file where the save folder should be")
    code, out, err = run_cli(
        "--plain", "--story", mini_dir, "--assignment", path, "--saves-dir", blocked, stdin="Ann\n" + "1\n" * 8 + "q\n"
    )
    assert "Your report could not be written" in out
    assert "Your game is saved as 'autosave'" not in out and "could not be saved either" in out
