"""`make play` on a fresh clone tells the player what it is doing before the install's silent minute."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_play_on_a_fresh_clone_says_it_is_installing_first(tmp_path):
    run = subprocess.run(
        ["make", "-n", "play", f"VENV={tmp_path / 'fresh-venv'}"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    said = [i for i, ln in enumerate(lines) if ln.startswith("echo ") and "PizzaBorg:" in ln]
    pip = [i for i, ln in enumerate(lines) if "pip install" in ln and "-e ." in ln]
    assert said and pip and said[0] < pip[0], run.stdout
    assert any("installing the game" in lines[i] for i in said)
