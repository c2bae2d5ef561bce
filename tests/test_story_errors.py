"""An author's typo gets the real error first: a syntax error before the problems that follow from
it, the nearest id suggested for an unknown one, and a missing folder called what it is."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pizzaborg.engine import StoryError, load_story

SHIPPED = Path(__file__).resolve().parent.parent / "story"


@pytest.fixture()
def story_copy(tmp_path) -> Path:
    root = tmp_path / "story"
    shutil.copytree(SHIPPED, root)
    return root


def _break_quote(root: Path) -> None:
    """An unterminated quote in month two: the whole file cannot be read."""
    path = root / "rounds" / "02-month-two.yaml"
    text = path.read_text(encoding="utf-8")
    assert 'title: "Month 2: Going online"' in text
    path.write_text(text.replace('title: "Month 2: Going online"', 'title: "Month 2: Going online'), encoding="utf-8")


def test_an_unterminated_quote_is_the_first_problem_and_its_follow_ons_are_not_listed(story_copy, run_cli):
    _break_quote(story_copy)
    code, out, err = run_cli("story", "check", str(story_copy))
    assert code == 1
    lines = out.splitlines()
    assert "02-month-two.yaml" in lines[0], lines[0]
    # month one leads to r2.open, which lives in the broken file: not 26 "unknown scene" lines
    assert not [ln for ln in lines if "unknown scene" in ln], out
    assert any("not checked until this file can be read" in ln for ln in lines), out
    assert len(lines) <= 3, out


def test_playing_a_broken_story_names_the_syntax_error(story_copy, run_cli):
    _break_quote(story_copy)
    code, out, err = run_cli("--plain", "--story", str(story_copy))
    assert code == 2
    assert "02-month-two.yaml" in err and "unknown scene" not in err, err
    assert len(err.strip().splitlines()) == 1


def test_an_unknown_scene_suggests_the_nearest_id(story_copy, run_cli):
    path = story_copy / "rounds" / "01-month-one.yaml"
    text = path.read_text(encoding="utf-8")
    assert "next: r2.monday\n" in text
    path.write_text(text.replace("next: r2.monday\n", "next: r2.mondya\n", 1), encoding="utf-8")
    code, out, err = run_cli("story", "check", str(story_copy))
    assert code == 1
    assert "unknown scene 'r2.mondya'; did you mean 'r2.monday'?" in out, out


def test_a_misspelt_key_suggests_the_right_one_and_does_not_hide_a_missing_start(story_copy, run_cli):
    meta = story_copy / "story.yaml"
    text = meta.read_text(encoding="utf-8")
    assert "\nstart: " in text
    start = text.split("\nstart: ", 1)[1].split("\n", 1)[0]
    text = text.replace(f"\nstart: {start}", f"\nstart: {start}x")  # the start scene does not exist
    text = text.replace("\nversion:", "\nverison:", 1)  # and a misspelt key
    meta.write_text(text, encoding="utf-8")
    code, out, err = run_cli("story", "check", str(story_copy))
    assert code == 1
    assert "unknown key 'verison' in story.yaml; did you mean 'version'?" in out, out
    assert f"start scene '{start}x' does not exist; did you mean '{start}'?" in out, out


def test_a_missing_folder_is_no_such_folder(tmp_path, run_cli):
    code, out, err = run_cli("story", "check", str(tmp_path / "nowhere"))
    assert code == 1
    assert out.strip().endswith("no such folder"), out
    with pytest.raises(StoryError, match="no such folder"):
        load_story(tmp_path / "nowhere")
