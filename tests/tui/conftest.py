"""Fixtures for the terminal UI tests: the mini story, an isolated save folder, a fixed clock, an app."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from pizzaborg.engine import load_story

TESTS = Path(__file__).resolve().parent.parent
MINI_DIR = TESTS / "fixtures" / "mini"
CLOCK = "2026-01-02T03:04:05+00:00"


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    """Every test runs in its own folder, with the default save folder pointing into it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PIZZABORG_SAVES", str(tmp_path / "default-saves"))
    monkeypatch.delenv("PIZZABORG_DEBUG", raising=False)
    monkeypatch.delenv("PIZZABORG_THEME", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture(scope="session")
def mini_story():
    return load_story(MINI_DIR)


@pytest.fixture
def saves(tmp_path) -> Path:
    return Path("saves")  # relative to the test's own folder: stable in snapshots


def fixed_clock() -> str:
    return CLOCK


@pytest.fixture
def make_app(mini_story, saves):
    """make_app(story=None, seed=3, load=None) -> a PizzaBorgApp over a fresh Session."""
    from pizzaborg.play.session import Session
    from pizzaborg.tui.app import PizzaBorgApp

    def make(story=None, seed: int | None = 3, load: str | None = None, saves_dir=None):
        session = Session(story or mini_story, saves_dir or saves, seed=seed, now=fixed_clock)
        if load:
            session.load(load)
        return PizzaBorgApp(session)

    return make


def write_story(tmp_path: Path, story_yaml: str, round_yaml: str, name: str = "story") -> Path:
    root = Path(tmp_path) / name
    (root / "rounds").mkdir(parents=True, exist_ok=True)
    (root / "story.yaml").write_text(textwrap.dedent(story_yaml), encoding="utf-8")
    (root / "rounds" / "01.yaml").write_text(textwrap.dedent(round_yaml), encoding="utf-8")
    return root


def copy_mini(tmp_path: Path) -> Path:
    dest = Path(tmp_path) / "mini-copy"
    shutil.copytree(MINI_DIR, dest)
    return dest
