"""Issue 18 through the play layer: an assignment's ``undo`` mode enforced once (in play.Session) and
said in every face, every undo saved and handed in with its time, and the score that is reported (first
answers) with the changed answers and each point's estimate shown in plain mode, the transcript and --json."""

from __future__ import annotations

import json

import pytest

from pizzaborg.engine import load_story
from pizzaborg.engine import saves as S
from pizzaborg.play import render
from pizzaborg.play.session import Session
from pizzaborg.trainer.assignment import new_assignment


@pytest.fixture(scope="module")
def story():
    return load_story()


def _session(story, tmp_path, undo: str | None) -> Session:
    a = new_assignment(story, "Workshop", seed=5, undo=undo) if undo is not None else None
    s = Session(story, tmp_path, seed=5, assignment=a)
    s.new_game(learner="Ann")
    return s


def test_undo_off_is_refused_with_one_line_that_says_why(story, tmp_path):
    s = _session(story, tmp_path, "off")
    s.choose(1)
    assert s.undo() is False
    assert s.why_no_undo() == render.UNDO_OFF and "\n" not in render.UNDO_OFF
    assert len(s.game.decisions) == 1 and s.game.undos == [] and s.undo_times == []


@pytest.mark.parametrize("undo", [None, "recorded", "free"])
def test_undo_is_allowed_recorded_and_timed_in_the_save(story, tmp_path, undo):
    s = _session(story, tmp_path, undo)
    assert s.why_no_undo() == render.NO_UNDO_YET  # nothing to take back yet
    s.choose(1)
    s.choose(1)
    assert s.why_no_undo() is None and s.undo() is True
    assert len(s.game.undos) == 1 and len(s.undo_times) == 1 and S.valid_at(s.undo_times[0])
    saved = S.read_save(tmp_path, "autosave")
    assert saved.undos and saved.undo_times == s.undo_times  # the autosave keeps the undo's time
    s.save("mine")
    again = Session(story, tmp_path, seed=5, assignment=s.assignment)
    again.load("mine")
    assert again.undo_times == s.undo_times  # a loaded game keeps them; the next undo adds its own
    again.undo()
    assert len(again.undo_times) == 2 and again.undo_times[0] == s.undo_times[0]


def test_the_hand_in_carries_each_undo_with_its_time(story, tmp_path):
    s = _session(story, tmp_path, "recorded")
    s.choose(1)
    s.undo()
    for _ in range(2000):
        if s.game.over:
            break
        g = s.game
        s.choose_id(g.portfolio(g.available()) if g.pick else g.available()[0].id, autosave=False)
    s.finish_assignment()
    report = s.hand_in.report
    assert report["undone"] == 1 and report["undos"][0]["at"] == s.undo_times[0]


def test_the_counted_score_is_the_first_answers_unless_undo_is_free(story):
    from pizzaborg.engine import Game

    game = Game(story, 5)
    for _ in range(12):  # choose, look, undo, keep another answer: first answers and path kept differ
        offered = game.available()
        game.choose(offered[0].id)
        if len(offered) > 1 and game.decisions[-1].stakes:
            game.undo()
            game.choose(offered[-1].id)
    report = game.report()
    assert report.undone and report.changed
    assert render.counted_score(report) == report.reported == render.counted_score(report, "recorded")
    assert render.counted_score(report, "free") == report.overall
    assert render.score_label(None, short=True) == "Score (first answers)"  # fits the 80x24 dashboard
    line = render.changed_line(report)
    assert line.startswith(f"You changed {report.changed} answer") and "your score counts your first answers" in line
    assert "the path you kept" in render.changed_line(report, "free")
    block = render.numbers_block(game)
    assert f"Learning score (first answers): {render.fmt_num(report.reported)} of 100." in block
    assert "after seeing the feedback" in " ".join(block.split())


def test_plain_mode_refuses_undo_off_and_says_why(run_cli, tmp_path):
    a = tmp_path / "a.yaml"
    r = run_cli("assignment", "new", "--cohort", "W", "--seed", "5", "--undo", "off", "-o", a)
    assert r.code == 0, r.err
    code, out, err = run_cli("--plain", "--saves-dir", tmp_path / "sv", "--assignment", a, stdin="Ann\n1\nu\nq\n")
    assert code == 0, err
    assert render.UNDO_OFF in out and render.UNDONE not in out


def test_plain_mode_shows_the_changed_answers_and_the_estimates(run_cli, tmp_path):
    stdin = "1\nu\n2\n1\nu\n3\n" + "1\n2\n3\n4\n" * 100 + "q\n"
    code, out, err = run_cli("--plain", "--seed", "5", "--saves-dir", tmp_path / "sv", stdin=stdin)
    assert code == 0, err
    flat = " ".join(out.split())
    assert "Learning score (first answers): " in flat
    assert "after seeing the feedback" in flat and "your score counts your first answers" in flat
    assert "How sure each learning point is, from your first answers:" in flat
    assert " out of 100, likely between " in flat and " decisions." in flat


def test_headless_json_reports_first_answers_and_the_undo_counts(run_cli, tmp_path):
    from pizzaborg.engine import Game

    story = load_story()
    game = Game(story, 5)
    for _ in range(10):
        offered = game.available()
        game.choose(offered[0].id)
        if len(offered) > 1 and game.decisions[-1].stakes:
            game.undo()
            game.choose(offered[-1].id)
    S.save_game(tmp_path, "tried", game)
    report = game.report()
    code, out, err = run_cli("play", "--load", "tried", "--saves-dir", tmp_path, "--choices", "1", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["undone"] == report.undone > 0 and result["changed_answers"] >= 1
    assert result["kept_score"] >= 0 and isinstance(result["score"], float)
    code, out, err = run_cli("play", "--load", "tried", "--saves-dir", tmp_path, "--choices", "1", "--json")
    assert json.loads(out) == result  # the same save, the same figures


def test_play_assignment_from_a_save_with_undos_hands_in_their_times(run_cli, tmp_path, story):
    from pizzaborg.trainer.assignment import load_assignment

    a = tmp_path / "a.yaml"
    r = run_cli("assignment", "new", "--cohort", "W", "--seed", "5", "-o", a)
    assert r.code == 0, r.err
    s = Session(story, tmp_path / "sv", seed=5, assignment=load_assignment(a))
    s.new_game(learner="Ann")
    s.choose(1)
    s.undo()
    for _ in range(2000):  # to the end, then take the last decision back: the CLI makes it again
        if s.game.over:
            break
        g = s.game
        s.choose_id(g.portfolio(g.available()) if g.pick else g.available()[0].id, autosave=False)
    s.undo()
    last = s.game.portfolio(s.game.available()) if s.game.pick else s.game.available()[0].id
    s.save("mine")
    code, out, err = run_cli(
        "play",
        "--assignment",
        a,
        "--learner",
        "Ann",
        "--load",
        "mine",
        "--saves-dir",
        tmp_path / "sv",
        "--choices",
        last,
    )
    assert code == 0, err
    path = out.split("Hand in this file to your trainer: ", 1)[1].split("\n", 1)[0].strip()
    report = json.loads(open(path, encoding="utf-8").read())
    assert report["undone"] == 2 and [u["at"] for u in report["undos"]] == s.undo_times


@pytest.mark.parametrize("undo", [None, "recorded", "free"])
def test_the_undo_line_says_what_the_score_counts(story, tmp_path, undo):
    """After an undo the learner is told that the score keeps the first answer, unless the assignment
    counts the path kept (undo: free)."""
    s = _session(story, tmp_path, undo)
    s.choose(1)
    assert s.undo()
    if undo == "free":
        assert s.undone_line() == render.UNDONE
    else:
        assert s.undone_line() == render.UNDONE_FIRST and "first answer" in s.undone_line()
