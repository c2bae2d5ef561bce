"""Hostile input and crash safety: stories, saves and scripts a trainer or learner may hand us.

Each case ends in a clear one-line message (or a visible notice) and a non-zero exit, never a
traceback, and never changes what was already saved.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time  # process_time: CPU of this process, so a busy machine does not fail a bound
import tracemalloc
from pathlib import Path

import pytest
from conftest import BASE_ROUND, BASE_STORY, write_story

from pizzaborg.engine import Game, load_story
from pizzaborg.engine import saves as S


def one_line(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


# ---- hostile story files -------------------------------------------------------------------------


def test_python_apply_tag_is_refused_and_runs_nothing(tmp_path, run_cli):
    marker = tmp_path / "ran"
    story = BASE_STORY + f'evil: !!python/object/apply:os.system ["touch {marker}"]\n'
    root = write_story(tmp_path, story, {"01.yaml": BASE_ROUND})
    code, out, err = run_cli("story", "check", root)
    assert code == 1
    assert "!!python/object/apply:os.system is not allowed" in out
    assert not marker.exists()


def test_billion_laughs_fails_fast_in_bounded_memory(tmp_path, run_cli):
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    root = write_story(tmp_path, BASE_STORY + "\n".join(lines) + "\n", {"01.yaml": BASE_ROUND})
    tracemalloc.start()
    t0 = time.process_time()
    code, out, err = run_cli("play", "--story", root, "--choices", "1")
    elapsed = time.process_time() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert code == 2
    assert "cannot be played" in one_line(err)
    assert elapsed < 2.0, f"the alias bomb took {elapsed:.2f} s"
    assert peak < 50 * 1024 * 1024, f"the alias bomb took {peak // 1024 // 1024} MiB"
    code, out, _ = run_cli("story", "check", root)
    assert code == 1 and "alias" in out.lower()


def test_a_50_mb_story_file_is_refused_without_reading_it(tmp_path, run_cli):
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": BASE_ROUND})
    big = root / "rounds" / "02-huge.yaml"
    with open(big, "wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # sparse: 50 MB of NUL bytes, not a second of writing
    tracemalloc.start()
    code, out, _ = run_cli("story", "check", root)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert code == 1
    assert "02-huge.yaml:1:1:" in out and "at most" in out
    assert peak < 20 * 1024 * 1024


def test_deeply_nested_structures_are_a_clear_problem(tmp_path, run_cli):
    deep = "x: " + "[" * 5000 + "]" * 5000 + "\n"
    root = write_story(tmp_path, BASE_STORY + deep, {"01.yaml": BASE_ROUND})
    code, out, err = run_cli("story", "check", root)
    assert code == 1
    assert "Traceback" not in out + err
    assert "nest" in out.lower() or "deep" in out.lower()
    deep_map = "y:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 400)) + "  " * 400 + "v: 1\n"
    root2 = write_story(tmp_path / "b", BASE_STORY + deep_map, {"01.yaml": BASE_ROUND})
    code, out, err = run_cli("story", "check", root2)
    assert code == 1 and "Traceback" not in out + err


def test_bom_and_crlf_together_simply_work(tmp_path):
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": BASE_ROUND})
    for p in [root / "story.yaml", root / "rounds" / "01.yaml"]:
        p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes().replace(b"\n", b"\r\n"))
    story = load_story(root)
    assert story.id == "base" and "r1.one" in story.scenes


def test_story_text_cannot_drive_the_terminal(tmp_path, run_cli):
    rnd = BASE_ROUND.replace("text: First scene.", r'text: "Hi \e[2J\e]52;c;aGVsbG8=\a there"')
    root = write_story(tmp_path, BASE_STORY, {"01.yaml": rnd})
    code, out, _ = run_cli("play", "--story", root, "--choices", "1")
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "Hi" in out and "there" in out


# ---- hostile saves -------------------------------------------------------------------------------


def _valid_save(mini, saves: Path, slot: str = "one") -> Path:
    game = Game(mini, 3)
    game.choose_number(1)
    return S.save_game(saves, slot, game)


@pytest.mark.parametrize("slot", ["../escape", "/etc/passwd", "x" * 10_000, "..\\win", "a/../../b"])
def test_hostile_slot_names_are_refused_on_every_path(mini, run_cli, mini_dir, tmp_path, slot):
    saves = tmp_path / "sv"
    with pytest.raises(S.SaveError):
        S.save_game(saves, slot, Game(mini, 0))
    code, out, err = run_cli("play", "--story", mini_dir, "--saves-dir", saves, "--choices", "1", "--save", slot)
    assert code == 2
    assert len(one_line(err)) < 300  # a 10,000-character name is not echoed back whole
    code, out, err = run_cli("play", "--story", mini_dir, "--saves-dir", saves, "--load", slot, "--choices", "1")
    assert code == 2 and len(one_line(err)) < 300
    assert not saves.exists() or list(saves.iterdir()) == []


@pytest.mark.parametrize(
    "mangle,expected",
    [
        (lambda t: t.replace('"seed": 3', '"seed": Infinity'), "not valid JSON"),
        (lambda t: t.replace('"seed": 3', '"seed": -Infinity'), "not valid JSON"),
        (lambda t: t.replace('"seed": 3', '"seed": NaN'), "not valid JSON"),
        (lambda t: t.replace('"schema": 2', '"schema": 3'), "newer PizzaBorg"),
        (lambda t: t[: len(t) * 2 // 3], "not valid JSON"),
        (lambda t: t[:1], "not valid JSON"),
        (lambda t: "", "not valid JSON"),
        (lambda t: "[" * 100_000, "not valid JSON"),
    ],
    ids=["inf", "-inf", "nan", "future-schema", "truncated", "one-byte", "empty", "deep"],
)
def test_damaged_saves_are_refused_and_left_alone(mini, mini_dir, tmp_path, run_cli, mangle, expected):
    saves = tmp_path / "sv"
    path = _valid_save(mini, saves)
    bad = mangle(path.read_text())
    path.write_text(bad)
    code, out, err = run_cli(
        "play", "--story", mini_dir, "--saves-dir", saves, "--load", "one", "--choices", "1", "--save", "one"
    )
    assert code == 2
    assert expected in one_line(err)
    assert path.read_text() == bad  # never overwritten


def test_unknown_extra_fields_are_kept_and_ignored(mini, mini_dir, tmp_path, run_cli):
    saves = tmp_path / "sv"
    path = _valid_save(mini, saves)
    data = json.loads(path.read_text())
    data["from_the_future"] = {"x": [1, 2]}
    path.write_text(json.dumps(data))
    code, out, err = run_cli(
        "play", "--story", mini_dir, "--saves-dir", saves, "--load", "one", "--choices", "1", "--save", "one"
    )
    assert code == 0, err
    assert json.loads(path.read_text())["from_the_future"] == {"x": [1, 2]}


# ---- crash safety --------------------------------------------------------------------------------


def _states(mini, n: int = 6) -> list:
    """n different save states of the mini story (different seeds and decision counts)."""
    out = []
    for i in range(n):
        game = Game(mini, 100 + i)
        for _ in range(i % 3):
            if not game.over:
                game.choose_number(1)
        out.append(S.make_save(game, "slot", now="2026-01-01T00:00:00+00:00"))
    return out


def _key(data: S.SaveData):
    return (data.seed, json.dumps(data.decisions))


def _saver(saves: Path, states: list, start: int) -> int:
    """Fork a child that writes the states to one slot in a tight loop until it is killed."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child
        try:
            i = start
            while True:
                S.write_save(saves, states[i % len(states)])
                i += 1
        finally:
            os._exit(0)
    return pid


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_sigkill_while_saving_never_leaves_a_torn_file(mini, tmp_path):
    saves = tmp_path / "sv"
    states = _states(mini)
    S.write_save(saves, states[0])
    valid = {_key(s) for s in states}
    rng = random.Random(7)
    for round_ in range(100):
        pid = _saver(saves, states, round_)
        time.sleep(rng.uniform(0.0, 0.02))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        data = S.read_save_file(saves / "slot.json")  # raises if torn or damaged
        assert _key(data) in valid, f"after kill {round_}: a state that was never written"
    # a killed writer may leave its temporary file; it is never listed as a save
    assert [i.slot for i in S.list_saves(saves)] == ["slot"]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_two_processes_on_one_slot_never_tear_it(mini, tmp_path):
    # Documented in docs/playing.md: the last write wins, whole; a reader never sees a mix.
    saves = tmp_path / "sv"
    states = _states(mini)
    S.write_save(saves, states[0])
    valid = {_key(s) for s in states}
    pids = [_saver(saves, states, 0), _saver(saves, states, 3)]
    try:
        deadline = time.monotonic() + 0.7
        reads = 0
        while time.monotonic() < deadline:
            assert _key(S.read_save_file(saves / "slot.json")) in valid
            reads += 1
    finally:
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    assert reads > 10
    assert _key(S.read_save_file(saves / "slot.json")) in valid


def test_unwritable_save_folder_in_plain_mode_warns_and_the_game_goes_on(run_cli, mini_dir, tmp_path):
    # root ignores permission bits, so the read-only folder is a path that cannot be a folder
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, out, err = run_cli(
        "--plain", "--story", mini_dir, "--saves-dir", blocker / "sv", "--seed", "1", stdin="1\n1\nq\n"
    )
    assert code == 0, err
    assert "Autosave failed" in out
    assert out.count("Choose 1 to") >= 2  # the game went on after the failed autosave
    assert blocker.read_text() == "not a folder"


def test_full_disk_in_plain_mode_keeps_the_last_good_autosave(run_cli, mini_dir, tmp_path, monkeypatch):
    saves = tmp_path / "sv"
    assert run_cli("--plain", "--story", mini_dir, "--saves-dir", saves, "--seed", "1", stdin="1\nq\n").code == 0
    before = (saves / "autosave.json").read_bytes()
    real_fsync = os.fsync

    def full(fd):
        if os.fstat(fd).st_size:  # data files fail, as on a full disk; folders still sync
            raise OSError(28, "No space left on device")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", full)
    code, out, _ = run_cli("--plain", "--story", mini_dir, "--saves-dir", saves, "--load", "autosave", stdin="1\nq\n")
    monkeypatch.undo()
    assert code == 0
    assert "No space left on device" in out
    assert (saves / "autosave.json").read_bytes() == before
    assert [p.name for p in saves.iterdir()] == ["autosave.json"]


# ---- hostile scripts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "script,fragment",
    [
        ("choices: !!python/object/apply:os.system ['true']\n", "not allowed"),
        (
            "a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c "
            "[*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
            "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
            "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
            "choices: [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]\n",
            "",
        ),
        ("seed: .nan\nchoices: [1]\n", "seed"),
        ("choices: [1]\nexpect: {min_score: .inf}\n", ""),
        ("\xff\xfe", ""),
    ],
    ids=["python-tag", "alias-bomb", "nan-seed", "inf-bound", "not-utf8"],
)
def test_hostile_scripts_are_bad_input(run_cli, mini_dir, tmp_path, script, fragment):
    path = tmp_path / "s.yaml"
    path.write_bytes(script.encode("latin-1") if script.startswith("\xff") else script.encode())
    t0 = time.process_time()
    code, out, err = run_cli("play", "--story", mini_dir, "--script", path)
    assert time.process_time() - t0 < 2.0
    assert code == 2, (out, err)
    assert fragment in one_line(err)


def test_a_deleted_working_directory_is_no_traceback(mini_dir, tmp_path, monkeypatch):
    import subprocess
    import sys

    gone = tmp_path / "gone"
    gone.mkdir()
    script = (
        "import os, sys; os.makedirs(sys.argv[1], exist_ok=True); os.chdir(sys.argv[1]); os.rmdir(sys.argv[1]);"
        "from pizzaborg.cli import main; sys.exit(main(sys.argv[2:]))"
    )
    for args in (["play", "--story", str(mini_dir), "--choices", "1", "--json"], ["story", "check", str(mini_dir)]):
        proc = subprocess.run([sys.executable, "-c", script, str(gone), *args], capture_output=True, text=True)
        assert proc.returncode == 0, proc.stderr
        assert "Traceback" not in proc.stderr
    monkeypatch.delenv("PIZZABORG_SAVES")  # the default ./saves, under a folder that is gone
    proc = subprocess.run(
        [sys.executable, "-c", script, str(gone), "play", "--story", str(mini_dir), "--choices", "1", "--save", "x"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len([ln for ln in proc.stderr.splitlines() if ln.strip()]) == 1


def test_escape_sequences_in_a_save_or_an_assignment_never_reach_the_terminal(mini, mini_dir, tmp_path, run_cli):
    saves = tmp_path / "sv"
    path = _valid_save(mini, saves)
    data = json.loads(path.read_text())
    data["learner"] = "Ada\x1b[2J\x1b]52;c;ZXZpbA==\x07"
    data["summary"]["scene"] = "x\x1b[31mred"
    path.write_text(json.dumps(data))
    save = S.read_save_file(path)
    assert "\x1b" not in save.learner and "\x07" not in save.learner and save.learner.startswith("Ada")
    assert all("\x1b" not in str(v) for v in save.summary.values())
    from pizzaborg.trainer import load_assignment

    code, out, err = run_cli(
        "assignment",
        "new",
        "--story",
        mini_dir,
        "--cohort",
        "c1",
        "--seed",
        "3",
        "--note",
        "hello",
        "-o",
        tmp_path / "a.yaml",
    )
    assert code == 0, err
    edited = tmp_path / "b.yaml"  # a note edited by hand, with YAML escapes for ESC and BEL
    edited.write_text(
        (tmp_path / "a.yaml").read_text().replace("note: hello", 'note: "Read \\e[2Jthis \\e]52;c;eA==\\a"')
    )
    note = load_assignment(edited).note
    assert note.startswith("Read") and "this" in note
    assert "\x1b" not in note and "\x07" not in note


def test_a_hostile_assignment_file_is_bad_input_fast(run_cli, mini_dir, tmp_path):
    # learners run files their trainer sends: an alias bomb or a code tag in one must not hurt them
    bomb = (
        "a: &a [1,1,1,1,1,1,1,1,1,1]\n"
        + "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n" for p, c in zip("abcdefg", "bcdefgh", strict=False))
        + "format: pizzaborg-assignment\n"
    )
    for name, text, fragment in (
        ("bomb.yaml", bomb, "alias"),
        ("tag.yaml", "format: !!python/object/apply:os.system ['true']\n", "not allowed"),
    ):
        path = tmp_path / name
        path.write_text(text)
        t0 = time.process_time()
        code, out, err = run_cli(
            "play", "--story", mini_dir, "--assignment", path, "--learner", "Ada", "--choices", "1"
        )
        assert time.process_time() - t0 < 2.0
        assert code == 2, (out, err)
        assert fragment in one_line(err).lower()
