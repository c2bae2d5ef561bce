"""The play layer every face drives: decision times of every kind, the one "continue" rule, the one rule
for "this save belongs to this assignment", the hand-in (path and report together) and the autosave
that reads the previous save once."""

from __future__ import annotations

from pathlib import Path

import pytest

from pizzaborg.engine import Game, load_story
from pizzaborg.engine import saves as S
from pizzaborg.play.assignment import AssignmentRun
from pizzaborg.play.session import Session
from pizzaborg.trainer.assignment import new_assignment

MAX_STEPS = 500


@pytest.fixture(scope="module")
def story():
    return load_story()


def _to_portfolio(session: Session) -> None:
    for _ in range(MAX_STEPS):
        if session.game.pick is not None:
            return
        session.choose_id(session.game.available()[0].id)
    raise AssertionError("no portfolio scene reached")


def test_a_portfolio_decision_by_id_gets_its_time(story, tmp_path):
    """The TUI's checklist decides with choose_id: the save held 18 decisions and 17 times (seed 7)."""
    s = Session(story, tmp_path, seed=7)
    s.new_game()
    _to_portfolio(s)
    portfolio = s.game.portfolio(s.game.available())
    s.choose_id(portfolio)
    saved = S.read_save(tmp_path, "autosave")
    assert len(saved.times) == len(saved.decisions) == len(s.game.decisions)
    assert all(S.valid_at(t) for t in saved.times)
    assert "+" in saved.decisions[-1]["choice"]


def test_every_kind_of_decision_gets_its_time(story, tmp_path):
    s = Session(story, tmp_path, seed=7)
    s.new_game()
    s.choose(1)
    s.choose_id(s.game.available()[0].id)
    _to_portfolio(s)
    lo, _ = s.game.pick
    numbers = [c.n for c in s.game.scene.choices if c.available][:lo]
    s.choose_numbers(numbers)
    assert len(s.times) == len(s.game.decisions) and all(s.times)
    s.undo()
    assert len(s.times) == len(s.game.decisions)


def test_continue_is_the_newest_unfinished_autosave(story, tmp_path):
    finished = Game(story, 3)
    for _ in range(MAX_STEPS):
        if finished.over:
            break
        finished.choose(finished.portfolio(finished.available()) if finished.pick else finished.available()[0].id)
    S.save_game(tmp_path, "autosave-20260101-000000", Game.replay(story, 2, []), now="2026-01-01T00:00:00+00:00")
    unfinished = Game(story, 2)
    unfinished.choose_number(1)
    S.save_game(tmp_path, "autosave-20260102-000000", unfinished, now="2026-01-02T00:00:00+00:00")
    S.save_game(tmp_path, "autosave", finished, now="2026-01-03T00:00:00+00:00")
    latest = Session(story, tmp_path).latest_autosave()
    assert latest is not None and latest.slot == "autosave-20260102-000000"  # the newer finished one is not it


def test_a_save_belongs_to_an_assignment_by_seed_and_story_hash(story, tmp_path):
    a = new_assignment(story, "Cohort A", seed=11)
    run = AssignmentRun(a)
    game = Game(story, 11)
    game.choose_number(1)
    S.save_game(tmp_path, "mine", game)
    S.save_game(tmp_path, "other-seed", Game(story, 12))
    other_story = S.make_save(game, "other-story")
    other_story.story = dict(other_story.story, hash="0" * 64)
    S.write_save(tmp_path, other_story)
    assert run.belongs(S.read_save(tmp_path, "mine"))
    assert not run.belongs(S.read_save(tmp_path, "other-seed"))
    assert not run.belongs(S.read_save(tmp_path, "other-story"))
    s = Session(story, tmp_path, assignment=a)
    for slot in ("other-seed", "other-story"):
        with pytest.raises(S.SaveError, match="not a game of this assignment"):
            s.load(slot)
    assert s.load("mine") is None


def test_finish_returns_the_path_and_the_report_without_reading_the_file_back(story, tmp_path, monkeypatch):
    a = new_assignment(story, "Cohort A", seed=11)
    s = Session(story, tmp_path, assignment=a)
    s.new_game(learner="Ada")
    for _ in range(MAX_STEPS):
        if s.game.over:
            break
        if s.game.pick:
            s.choose_id(s.game.portfolio(s.game.available()))
        else:
            s.choose_id(s.game.available()[0].id)
    import pizzaborg.trainer.report as report_module

    monkeypatch.setattr(report_module, "read_json_file", lambda *a, **k: pytest.fail("read back"), raising=False)
    path = s.finish_assignment()
    assert path is not None and path.exists() and s.hand_in.path == path
    assert s.hand_in.report["learner"] == "Ada" and len(s.hand_in.report["decisions"]) == len(s.game.decisions)
    assert s.finish_assignment() == path  # once


def test_an_autosave_reads_the_previous_save_once(story, tmp_path, monkeypatch):
    s = Session(story, tmp_path, seed=5)
    s.new_game()
    s.choose(1)
    reads = []
    real = S.read_save_file
    monkeypatch.setattr(S, "read_save_file", lambda p: reads.append(Path(p).name) or real(p))
    s.choose(1)
    assert reads == ["autosave.json"]


def test_the_play_layer_loads_no_textual_rich_or_web_library():
    """The import contracts check the imports written down; this checks what really loads (an import
    made by name at run time would escape them)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from pizzaborg.play import assignment, export, meaning, render, session\n"
        "from pizzaborg import headless, plain, plain_assignment\n"
        "assignment.ReportError, assignment.check_learner\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich', 'aiohttp', 'textual_serve'))\n"
        "print(bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
