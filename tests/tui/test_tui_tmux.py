"""The installed console script in a real terminal: tmux runs it, send-keys plays, capture-pane reads."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from pizzaborg.engine import saves as S

from .conftest import MINI_DIR

pytestmark = [pytest.mark.slow, pytest.mark.tier("tmux")]

SCRIPT = Path(sys.executable).with_name("pizzaborg")


@pytest.fixture
def tmux():
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed: apt-get install tmux (.ci/run installs it when it runs as root)")
    if not SCRIPT.exists():
        pytest.skip(f"the console script is not installed next to {sys.executable}")
    socket = f"pizzaborg-test-{uuid.uuid4().hex[:8]}"

    def run(*args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", socket, *args], check=True, capture_output=True, text=True, timeout=20
        ).stdout

    yield run
    subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True, timeout=20)


def start(tmux, saves: Path, *args: str) -> None:
    command = (
        f"TERM=xterm-256color {shlex.quote(str(SCRIPT))} --story {shlex.quote(str(MINI_DIR))} "
        f"--saves-dir {shlex.quote(str(saves))} {' '.join(args)}; echo EXIT=$?; sleep 60"
    )
    tmux("new-session", "-d", "-s", "game", "-x", "100", "-y", "30", command)


def screen(tmux) -> str:
    return tmux("capture-pane", "-p", "-t", "game")


def wait_for(tmux, *texts: str, timeout: float = 60.0) -> str:
    """Poll the screen until every text is on it (a slow, busy machine may take many seconds)."""
    end = time.monotonic() + timeout
    shown = ""
    while time.monotonic() < end:
        shown = screen(tmux)
        if all(t in shown for t in texts):
            return shown
        time.sleep(0.05)
    raise AssertionError(f"{texts} not on the screen after {timeout} s:\n{shown}")


def keys(tmux, *names: str) -> None:
    """Type the keys with no pause between them, as a fast typist does: the game must lose none."""
    for name in names:
        tmux("send-keys", "-t", "game", name)


def processes_with(marker: str) -> list:
    """The game's processes: the Python process whose command line holds ``marker``."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            if marker in cmdline and "python" in cmdline.split(" ")[0]:
                found.append(proc.name)
    return found


def test_play_a_few_choices_quit_and_find_the_autosave(tmux, tmp_path):
    saves = tmp_path / "saves"
    start(tmux, saves, "--seed", "3")
    wait_for(tmux, "New game", "A small test story")
    keys(tmux, "n")
    wait_for(tmux, "Your name")
    keys(tmux, "Enter")
    wait_for(tmux, "You run the IT of a small bakery.")  # the prologue
    keys(tmux, "Enter")
    # the scene, its choices and the dashboard beside them (wait for all: a frame may be half drawn)
    wait_for(
        tmux, "The oven controller needs a patch.", "1. Assess the impact", "Month 1 of 2", "Business trust", "50 %"
    )
    keys(tmux, "1")
    wait_for(tmux, "The Collective", "Delay. Irrelevant.", "Learning note", "+10", "now 60 %")
    keys(tmux, "Enter")
    wait_for(tmux, "News")
    keys(tmux, "Enter", "q")  # a news item with one "Continue", then quit at once
    wait_for(tmux, "Quit PizzaBorg?")
    keys(tmux, "y")
    shown = wait_for(tmux, "EXIT=0")
    assert "Goodbye. Your game is saved in" in shown
    save = S.read_save(saves, "autosave")
    assert save.decisions[0] == {"scene": "a.start", "choice": "assess"} and save.seed == 3 and len(save.decisions) >= 2


def test_a_closed_terminal_leaves_an_autosave(tmux, tmp_path):
    saves = tmp_path / f"saves-{uuid.uuid4().hex[:6]}"
    start(tmux, saves, "--seed", "3")
    wait_for(tmux, "New game")
    keys(tmux, "n")
    wait_for(tmux, "Your name")
    keys(tmux, "Enter")
    wait_for(tmux, "You run the IT of a small bakery.")
    keys(tmux, "Enter")
    wait_for(tmux, "The oven controller needs a patch.")
    keys(tmux, "2")
    wait_for(tmux, "The Collective", "Efficient. We approve.")
    assert processes_with(str(saves))
    tmux("kill-session", "-t", "game")  # the terminal goes away: SIGHUP
    end = time.monotonic() + 10
    while processes_with(str(saves)) and time.monotonic() < end:
        time.sleep(0.05)
    assert not processes_with(str(saves)), "the game kept running after its terminal closed"
    assert S.read_save(saves, "autosave").decisions == [{"scene": "a.start", "choice": "push"}]


def test_ctrl_c_quits_with_an_autosave(tmux, tmp_path):
    saves = tmp_path / "saves"
    start(tmux, saves, "--seed", "3")
    wait_for(tmux, "New game")
    # new game, start, close the prologue, choose 3: typed at once, each before its screen is up
    keys(tmux, "n", "Enter", "Enter", "3")
    wait_for(tmux, "Indecision.")
    keys(tmux, "C-c")
    shown = wait_for(tmux, "EXIT=0")
    assert "Goodbye. Your game is saved in" in shown and "Traceback" not in shown
    assert S.read_save(saves, "autosave").decisions == [{"scene": "a.start", "choice": "wait"}]


def test_sigterm_autosaves_and_gives_the_terminal_back(tmux, tmp_path):
    saves = tmp_path / f"saves-{uuid.uuid4().hex[:6]}"
    start(tmux, saves, "--seed", "3")
    wait_for(tmux, "A small test story")
    keys(tmux, "n")
    wait_for(tmux, "Your name")
    keys(tmux, "Enter")
    wait_for(tmux, "You run the IT of a small bakery.")
    keys(tmux, "Enter")
    wait_for(tmux, "The oven controller needs a patch.")
    keys(tmux, "1")
    wait_for(tmux, "Delay. Irrelevant.")
    pids = processes_with(str(saves))
    assert pids
    for pid in pids:
        os.kill(int(pid), 15)
    shown = wait_for(tmux, "EXIT=")
    assert "Goodbye. Your game is saved in" in shown and "Traceback" not in shown
    assert "The oven controller" not in shown  # the game's screen is gone: the terminal is restored
    assert S.read_save(saves, "autosave").decisions == [{"scene": "a.start", "choice": "assess"}]


def _next_key(shown: str, numbers: int, confirms: int) -> str:
    """What a newcomer presses on this screen: Enter on every intro, feedback and month's end; c to
    confirm a checklist (Esc when c did not take, to pick another); else a choice number, the next
    one each time (a choice the month cannot pay for only costs a key)."""
    if "Pick " in shown and "Confirm (c)" in shown:
        return "c" if confirms == 0 else "Escape"
    if any(t in shown for t in ("Begin (Enter)", "Go on (Enter)", "Continue (Enter)", "Enter continues")):
        return "Enter"
    return str(1 + numbers % 3)


def test_a_whole_shipped_game_with_the_keyboard_at_80_by_24(tmux, tmp_path):
    """The shipped story from the title to the debrief in a real 80x24 terminal, keys only."""
    from pizzaborg.engine import default_story_dir

    if not (default_story_dir() / "story.yaml").is_file():
        pytest.skip("the shipped story is not in this checkout")
    command = (
        f"TERM=xterm-256color {shlex.quote(str(SCRIPT))} --seed 5 --saves-dir {shlex.quote(str(tmp_path / 's'))}; "
        "echo EXIT=$?; sleep 60"
    )
    tmux("new-session", "-d", "-s", "game", "-x", "80", "-y", "24", command)
    wait_for(tmux, "New game")
    tmux("send-keys", "-t", "game", "n")
    wait_for(tmux, "Start (Enter)")
    tmux("send-keys", "-t", "game", "Enter")
    shown = wait_for(tmux, "Begin (Enter)")  # the prologue's button is on the 24-row screen
    numbers = confirms = presses = 0
    while "Ending:" not in shown:
        presses += 1
        assert presses < 300, f"no ending after 300 keys:\n{shown}"
        key = _next_key(shown, numbers, confirms)
        numbers += key.isdigit()
        confirms = confirms + 1 if key == "c" else 0
        tmux("send-keys", "-t", "game", key)
        end = time.monotonic() + 3
        before = shown
        while time.monotonic() < end:
            shown = screen(tmux)
            if shown != before:
                break
            time.sleep(0.05)
        time.sleep(0.1)  # the frame after the key: settled
        shown = screen(tmux)
    # the debrief, reached with keys only: its footer comes a frame after the ending's text
    wait_for(tmux, "Ending:", "e Export report")
