"""Helpers for the trainer tests: an in-process CLI runner, an assignment and finished games on the
mini fixture story. (Kept out of conftest.py so the trainer branch merges without conflicts.)"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import until_over

from pizzaborg.engine import Game, load_story

TESTS = Path(__file__).resolve().parent
MINI = TESTS / "fixtures" / "mini"
T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@dataclass
class Result:
    code: int
    out: str
    err: str

    def __iter__(self):
        return iter((self.code, self.out, self.err))


def one_line(err: str) -> str:
    """The single line of an error message (and never a traceback)."""
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.fixture
def cli(monkeypatch, tmp_path):
    """Run pizzaborg's CLI in-process; saves go to tmp_path/saves unless --saves-dir is given."""
    from pizzaborg.cli import main

    monkeypatch.setenv("PIZZABORG_SAVES", str(tmp_path / "saves"))
    monkeypatch.delenv("PIZZABORG_DEBUG", raising=False)

    def run(*args, stdin: str = "") -> Result:
        out, err = io.StringIO(), io.StringIO()
        with monkeypatch.context() as m:
            m.setattr(sys, "stdin", io.StringIO(stdin))
            m.setenv("COLUMNS", "100")
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = main([str(a) for a in args])
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return Result(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture(scope="session")
def mini():
    return load_story(MINI)


def play(story, seed: int, policy: str = "first") -> Game:
    """A whole game: 'first' takes the first offered choice, 'worst' a worst-practice one when offered,
    'best' the choice with the most evidence."""
    game = Game(story, seed)
    for _ in until_over(game):
        offered = game.available()
        scene = story.scenes[game.state]
        full = [scene.choice(c.id) for c in offered]
        if policy == "worst":
            pick = next((c for c in full if c.worst), full[0])
        elif policy == "best":
            pick = max(full, key=lambda c: sum(c.evidence.values()))
        else:
            pick = full[0]
        game.choose(pick.id)
    return game


def make_assignment(story, **kw):
    from pizzaborg.trainer.assignment import new_assignment

    kw.setdefault("seed", 3)
    return new_assignment(story, kw.pop("cohort", "Workshop A"), **kw)


def report_of(story, policy="first", learner="Ann", assignment=None, seed=None, minutes=30, start=T0):
    from pizzaborg.trainer.report import build_report

    seed = seed if seed is not None else (assignment.seed if assignment else 3)
    game = play(story, seed, policy)
    try:
        return build_report(
            game, learner=learner, assignment=assignment, started=start, finished=start + timedelta(minutes=minutes)
        )
    finally:
        game.close()


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path
