"""The wheel works on its own: built, installed into a fresh virtual environment, played from elsewhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    wheels = list(out.glob("pizzaborg-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def test_wheel_ships_the_story(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "pizzaborg/story/story.yaml" in names
    assert any(n.startswith("pizzaborg/story/rounds/") and n.endswith(".yaml") for n in names)
    assert "pizzaborg/engine/game.py" in names


def test_wheel_ships_the_compiled_catalogues(wheel):
    """The build hook (hatch_build.py) compiles every .po: the wheel has each language's .mo (and the
    template), whatever .mo files a checkout has lying about (git ignores them)."""
    names = zipfile.ZipFile(wheel).namelist()
    assert "pizzaborg/locale/pizzaborg.pot" in names
    pos = sorted(
        p.relative_to(ROOT / "src").as_posix() for p in (ROOT / "src" / "pizzaborg" / "locale").glob("*/*/*.po")
    )
    assert pos, "no catalogue in the checkout"
    for po in pos:
        assert po[: -len(".po")] + ".mo" in names, po


def test_installed_wheel_plays_a_game_outside_the_checkout(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    py = env_dir / "bin" / "python"
    subprocess.run(
        [str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True,
        capture_output=True,
        text=True,
    )
    elsewhere = tmp_path / "somewhere-else"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIZZABORG_SAVES")}
    run = subprocess.run(
        [str(env_dir / "bin" / "pizzaborg"), "play", "--choices", "1,1,1", "--json", "--save", "w1"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["story"]["id"] == "grab-at-pizza"
    assert len(result["decisions"]) == 3
    # the save went to ./saves under the working directory, not into the checkout
    assert (elsewhere / "saves" / "w1.json").is_file()
    # and the story the wheel plays is the one inside the wheel
    where = subprocess.run(
        [str(py), "-c", "from pizzaborg.engine import default_story_dir; print(default_story_dir())"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
    )
    assert str(env_dir) in where.stdout
    # it plays in a language: the pseudo-locale's catalogue compiled into the wheel, and its story
    qps = subprocess.run(
        [str(env_dir / "bin" / "pizzaborg"), "--lang", "qps", "play", "--choices", "1,1,1"],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env=env,
    )
    assert qps.returncode == 0, qps.stderr
    assert "⟦Ŝééđ" in qps.stdout or "⟦Šééđ" in qps.stdout  # the interface's "Seed ..." line, pseudo-translated
    assert "Type ? for help" not in qps.stdout
