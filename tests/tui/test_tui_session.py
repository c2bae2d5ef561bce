"""The session behind the terminal UI, its analysis and its report export (no Textual needed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import until_over

from pizzaborg.engine import Game
from pizzaborg.engine import saves as S
from pizzaborg.play.export import export_report
from pizzaborg.play.meaning import helped_and_hurt, kpi_history, to_try_at_work
from pizzaborg.play.session import Session

from .conftest import CLOCK, MINI_DIR


def play(story, seed, numbers):
    game = Game(story, seed)
    for n in numbers:
        game.choose_number(n)
    return game


def test_every_decision_autosaves_and_quit_without_decisions_writes_nothing(mini_story):
    s = Session(mini_story, "sv", seed=3, now=lambda: CLOCK)
    s.new_game()
    assert s.quit() is None and not Path("sv/autosave.json").exists()
    s.choose(2)
    saved = S.read_save("sv", "autosave")
    assert saved.decisions == [{"scene": "a.start", "choice": "push"}] and saved.seed == 3 and saved.updated == CLOCK
    assert s.undo() and S.read_save("sv", "autosave").decisions == []


def test_a_new_game_keeps_every_older_unfinished_autosave(mini_story):
    for seed in (1, 2, 3):
        s = Session(mini_story, "sv", now=lambda: CLOCK)
        s.new_game(seed=seed)
        s.choose(1)
    kept = sorted(p.name for p in Path("sv").glob("autosave*.json"))
    assert len(kept) == 3
    seeds = sorted(S.read_save_file(Path("sv") / k).seed for k in kept)
    assert seeds == [1, 2, 3]
    assert S.read_save("sv", "autosave").seed == 3
    assert Session(mini_story, "sv").latest_autosave().save.seed in (1, 2, 3)


def test_latest_autosave_ignores_other_stories_and_broken_files(mini_story):
    Path("sv").mkdir()
    Path("sv/autosave.json").write_text("garbage", encoding="utf-8")
    s = Session(mini_story, "sv")
    assert s.latest_autosave() is None
    other = S.make_save(play(mini_story, 3, [1]), "autosave-x", now=CLOCK)
    other.story = dict(other.story, id="another-story")
    S.write_save(Path("sv"), other)
    assert s.latest_autosave() is None
    S.save_game("sv", "autosave-y", play(mini_story, 3, [1]), now=CLOCK)
    assert s.latest_autosave().slot == "autosave-y"


def test_a_corrupt_autosave_is_never_overwritten(mini_story):
    Path("sv").mkdir()
    Path("sv/autosave.json").write_text("garbage", encoding="utf-8")
    s = Session(mini_story, "sv", seed=3)
    s.new_game()
    s.choose(1)
    assert Path("sv/autosave.json").read_text(encoding="utf-8") == "garbage"
    assert any("Autosave failed" in n for n in s.notes)


def test_overwrite_confirmation_only_for_another_games_slot(mini_story):
    s = Session(mini_story, "sv", seed=3)
    s.new_game()
    s.choose(1)
    assert not s.needs_overwrite_confirmation("mine")
    s.save("mine")
    assert not s.needs_overwrite_confirmation("mine")  # the slot this game lives in
    s.loaded_from = None
    assert s.needs_overwrite_confirmation("mine")


def test_kpi_history_ends_at_the_current_values(mini_story):
    game = play(mini_story, 3, [2, 1, 1, 1])
    history = kpi_history(game)
    assert {k: v[-1] for k, v in history.items()} == game.kpis
    assert all(len(v) == len(game.decisions) + 1 for v in history.values())
    assert history["trust"][:2] == [50, 35]


def test_helped_hurt_and_advice(mini_story):
    good = play(mini_story, 3, [1])
    helped, hurt = helped_and_hurt(good)
    assert [h.scene for h in helped] == ["a.start"] and not hurt
    assert helped[0].evidence[0][0] == "Assess impact"
    bad = play(mini_story, 3, [2])
    helped, hurt = helped_and_hurt(bad)
    assert not helped and hurt[0].choice == "Push the patch tonight."
    assert "Ignore business impact" in hurt[0].worst
    tips = to_try_at_work(bad)
    assert tips[0][0] == "Assess impact"
    assert any(head == "Avoid: Ignore business impact (you fell into it once)" for head, _ in tips)


def test_export_writes_the_trainer_report_as_markdown_and_html_with_inert_text(mini_story, tmp_path):
    game = play(mini_story, 3, [2])
    for _ in until_over(game):
        game.choose_number(1)
    path = export_report(game, tmp_path / "out", learner="Ada [x](http://evil) <b>", now=CLOCK)
    assert path.parent == tmp_path / "out" and path.suffix == ".md"
    text = path.read_text(encoding="utf-8")
    assert "| Learner (claimed) | Ada \\[x\\](http://evil) \\<b\\> |" in text
    assert f"## Ending: {mini_story.ending(game.ending).title}" in text
    assert "Assess impact" in text and "## Decisions" in text
    html = path.with_suffix(".html").read_text(encoding="utf-8")
    assert "Ada [x](http://evil) &lt;b&gt;" in html and "evil) <b>" not in html
    assert "| Seed | 3 |" in text
    again = export_report(game, tmp_path / "out", now=CLOCK)
    assert again != path and again.exists()


def test_bare_pizzaborg_without_a_terminal_says_what_to_do():
    code = (
        "import sys\n"
        "from pizzaborg.cli import main\n"
        f"rc = main(['--story', {str(MINI_DIR)!r}])\n"
        "ui = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "print(rc, ui)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60
    )
    assert run.stdout.strip() == "1 []"
    assert "--plain" in run.stderr and "pizzaborg play" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr


def test_a_failed_autosave_is_a_warning_in_every_language(mini_story):
    """Faces colour a note by its severity, never by English words in it (it said "échec" in French)."""
    from pizzaborg.engine import i18n
    from pizzaborg.engine.notes import is_warning, severity

    Path("sv").mkdir()
    Path("sv/autosave.json").write_text("garbage", encoding="utf-8")
    before = i18n.current()
    i18n.use("fr")
    try:
        s = Session(mini_story, "sv", seed=3)
        s.new_game()
        s.choose(1)
    finally:
        i18n.use(before)
    failed = [n for n in s.notes if is_warning(n)]
    assert len(failed) == 1 and "Autosave failed" not in failed[0] and "failed" not in failed[0]
    assert severity("a plain line") == "information"
