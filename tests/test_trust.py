"""Issue 20, trust: the class server's record is checked with the trainer's key only, a key that cannot
be trusted is refused in one line, and every file a user names is read through the one bounded,
regular-file-only reader (a FIFO is refused at once, /dev/zero is not read)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from trainer_helpers import MINI, cli, make_assignment, mini, one_line, report_of, write_json  # noqa: F401

from pizzaborg.trainer.classrecord import KEY_FILE, KeyProblem, ensure_key, load_key, write_record

SRC = Path(__file__).resolve().parents[1] / "src" / "pizzaborg"


def _record(report: Path) -> None:
    write_record(
        report,
        session="0123456789ab",
        session_started="2026-11-28T10:00:00+00:00",
        game_started="2026-11-28T10:01:00+00:00",
        finished="2026-11-28T10:15:00+00:00",
        learner_as_typed=json.loads(report.read_text())["learner"],
    )


def _rows(out: str) -> dict:
    return {r["learner"]: r for r in json.loads(out)["learners_table"]}


# ---- 1. a forged "recorded by the class server" record ---------------------------------------------


def test_a_learners_own_key_in_a_handed_in_folder_does_not_make_a_server_record(cli, tmp_path, mini):
    hand_ins = tmp_path / "hand-ins"
    hand_ins.mkdir()
    write_json(hand_ins / "ann.json", report_of(mini, "best", learner="Ann"))
    _record(hand_ins / "ann.json")  # the class server's key and record, in the root the trainer names
    upload = hand_ins / "mallory-upload"
    upload.mkdir()
    write_json(upload / "mallory.json", report_of(mini, "worst", learner="Mallory"))
    _record(upload / "mallory.json")  # made at home: ensure_key put Mallory's own key in her folder
    assert (upload / KEY_FILE).exists()
    r = cli("cohort", "--story", MINI, hand_ins, "--format", "json")
    assert r.code == 0, r.err
    rows = _rows(r.out)
    assert rows["Ann"]["server_record"]["session"] == "0123456789ab"
    assert rows["Mallory"]["server_record"] is None
    assert f"{upload / KEY_FILE}: a class-server key among the hand-ins, not on the trainer's side: not used" in r.err
    assert "mallory.server-record: the class-server record's signature does not match" in r.err


def test_the_key_comes_from_the_folder_named_or_from_class_key(cli, tmp_path, mini):
    hand_ins = tmp_path / "hand-ins"
    hand_ins.mkdir()
    write_json(hand_ins / "ann.json", report_of(mini, "best", learner="Ann"))
    _record(hand_ins / "ann.json")
    r = cli("cohort", "--story", MINI, hand_ins / "ann.json", "--format", "json")  # a file: no key from beside it
    assert _rows(r.out)["Ann"]["server_record"] is None and "cannot be checked" in r.err
    r = cli("cohort", "--story", MINI, hand_ins / "ann.json", "--class-key", hand_ins / KEY_FILE, "--format", "json")
    assert _rows(r.out)["Ann"]["server_record"]["learner_as_typed"] == "Ann"
    r = cli("cohort", "--story", MINI, hand_ins, "--class-key", tmp_path / "nothing", "--format", "json")
    assert r.code == 2 and "no such class-server key" in one_line(r.err)


# ---- 2. a key that cannot be trusted ---------------------------------------------------------------


def test_the_key_is_made_whole_and_private(tmp_path):
    key = ensure_key(tmp_path)
    path = tmp_path / KEY_FILE
    assert len(key) == 32 and path.stat().st_mode & 0o777 == 0o600 and load_key(path) == key
    assert ensure_key(tmp_path) == key
    assert [p.name for p in tmp_path.iterdir()] == [KEY_FILE]  # no temporary file left


@pytest.mark.parametrize(
    "content, mode, words",
    [
        ("", 0o600, "is empty"),
        ("abcd\n", 0o600, "is too short"),
        ("not hex at all\n", 0o600, "is damaged"),
        ("ab" * 32 + "\n", 0o620, "may be written by others"),
        ("ab" * 32 + "\n", 0o602, "may be written by others"),
    ],
)
def test_an_untrustworthy_key_is_refused_in_one_line(tmp_path, content, mode, words):
    path = tmp_path / KEY_FILE
    path.write_text(content, encoding="ascii")
    path.chmod(mode)
    with pytest.raises(KeyProblem, match=words):
        ensure_key(tmp_path)


def test_serve_refuses_to_start_with_an_empty_key(run_cli, tmp_path, mini):
    a = make_assignment(mini)
    assignment = tmp_path / "a.yaml"
    from pizzaborg.trainer.assignment import write_assignment

    write_assignment(a, assignment)
    hand_ins = tmp_path / "hand-ins"
    hand_ins.mkdir()
    (hand_ins / KEY_FILE).write_text("")
    from types import SimpleNamespace

    from pizzaborg.web.command import ServeError, settings

    args = SimpleNamespace(
        host="127.0.0.1",
        port=0,
        code=None,
        story=str(MINI),
        data_dir=str(tmp_path / "data"),
        assignment=str(assignment),
        hand_ins=str(hand_ins),
        max_sessions=5,
        idle_minutes=5,
    )
    with pytest.raises(ServeError, match="is empty"):
        settings(args)


def test_an_unreadable_key_is_refused(tmp_path):
    path = tmp_path / KEY_FILE
    path.write_text("ab" * 32)
    path.chmod(0)
    if os.access(path, os.R_OK):
        pytest.skip("running as root: every file is readable")
    with pytest.raises(KeyProblem, match="cannot be read"):
        load_key(path)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_or_a_device_as_key_is_refused(tmp_path):
    os.mkfifo(tmp_path / KEY_FILE)
    with pytest.raises(KeyProblem, match="not a regular file"):
        load_key(tmp_path / KEY_FILE)
    with pytest.raises(KeyProblem, match="not a regular file"):
        load_key("/dev/zero")


# ---- 3. every reader of a user's file is the bounded one ---------------------------------------------


def _pizzaborg(*args, timeout=30):
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pizzaborg", *map(os.fsdecode, args)],
        capture_output=True,
        timeout=timeout,
        env=env,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize("special", ["fifo", "/dev/zero"])
@pytest.mark.parametrize(
    "command",
    [
        ("verify", "--story", MINI, "--assignment", "{}", str(MINI)),
        ("play", "--story", MINI, "--assignment", "{}", "--learner", "Ann"),
        ("--plain", "--story", MINI, "--assignment", "{}"),
        ("play", "--story", MINI, "--script", "{}"),
        ("cohort", "--story", MINI, "{reports}", "--class-key", "{}"),
    ],
)
def test_a_fifo_or_a_device_named_on_the_command_line_is_refused_at_once(tmp_path, special, command):
    path = tmp_path / "fifo"
    if special == "fifo":
        os.mkfifo(path)
    else:
        path = Path(special)
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "r.json").write_text("{}")
    r = _pizzaborg(*[str(path) if c == "{}" else tmp_path / "reports" if c == "{reports}" else c for c in command])
    err = r.stderr.decode()
    assert r.returncode != 0 and "Traceback" not in err and "MemoryError" not in err
    assert "not a regular file" in err, err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_serve_starts_when_its_sessions_file_is_a_fifo(tmp_path, capsys):
    from pizzaborg.web.server import Sessions

    os.mkfifo(tmp_path / "sessions.json")
    sessions = Sessions(tmp_path)  # returns at once: the FIFO is not waited on
    assert sessions._stored == {} and "sessions.json cannot be read" in capsys.readouterr().err


def _opens(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            owner = f.value.id if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) else None
            if (
                name in ("read_text", "read_bytes", "open")
                and owner not in ("os", "webbrowser")
                or (name == "load" and owner in ("json", "yaml", "pickle"))
            ):
                found.append((node.lineno, name))
    return found


# Every other call that opens or reads a file, and why it is not a file a user names:
ALLOWED = {
    "engine/files.py": "the one bounded reader and the atomic writer themselves",
    "cli.py": "open(os.devnull) for --quiet: a device the program names, never the user",
    "engine/i18n_build.py": "the make targets' catalogue tooling: the checkout's own .pot/.po files, never a user's",
}


def test_every_file_a_user_names_is_read_through_the_bounded_reader():
    """An AST scan of src/: read_text, read_bytes, open and json/yaml load calls appear only where ALLOWED
    says why; a new one must go through engine.files.read_bounded or be added here with its reason."""
    strays = []
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        calls = _opens(ast.parse(path.read_text(encoding="utf-8")))
        if calls and rel not in ALLOWED:
            strays += [f"{rel}:{line} {name}()" for line, name in calls]
    assert not strays, "read these through engine.files.read_bounded (or explain them in ALLOWED): " + ", ".join(strays)
