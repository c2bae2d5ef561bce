"""docs/authoring.md and its story (examples/first-story/) cannot drift apart: every YAML block is a
piece of the example files, every output shown is what the command prints, and the story plays."""

from __future__ import annotations

import re
import shlex
import shutil

import pytest
from _storyhelp import ROOT, run_cli

from pizzaborg.author import bots
from pizzaborg.author.check import check_story
from pizzaborg.engine import load_story

DOC = ROOT / "docs" / "authoring.md"
EXAMPLE = ROOT / "examples" / "first-story"
BLOCK = re.compile(r"<!-- (file|output|output-fails|output-after-typo): (.+?) -->\n```[\w-]*\n(.*?)```", re.S)


def blocks(kind: str) -> list:
    return [(target, body) for k, target, body in BLOCK.findall(DOC.read_text(encoding="utf-8")) if k == kind]


def normalise(text: str) -> str:
    """Timings vary from run to run: '0.18 s' becomes 'N s'."""
    return re.sub(r"\b\d+\.\d+ s\b", "N s", text).rstrip()


def test_the_doc_shows_every_file_of_the_example_whole():
    pieces: dict = {}
    for target, body in blocks("file"):
        pieces[target] = pieces.get(target, "") + body
    assert set(pieces) == {
        "examples/first-story/story.yaml",
        "examples/first-story/rounds/01-first-week.yaml",
        "examples/first-story-script.yaml",
    }
    for target, text in pieces.items():
        assert (ROOT / target).read_text(encoding="utf-8") == text, f"docs/authoring.md and {target} differ"
    on_disk = {str(p.relative_to(ROOT)) for p in EXAMPLE.rglob("*") if p.is_file()}
    assert on_disk <= set(pieces), f"example files the doc does not show: {sorted(on_disk - set(pieces))}"


def test_the_example_passes_story_check():
    story, problems = check_story(EXAMPLE)
    assert story is not None and problems == [], [str(p) for p in problems]


def _run(command: str, cwd):
    argv = shlex.split(command)
    assert argv[0] == "pizzaborg"
    return run_cli(*argv[1:], cwd=cwd)


@pytest.mark.parametrize("command, shown", blocks("output"), ids=[c for c, _ in blocks("output")])
def test_the_doc_shows_what_each_command_prints(command, shown):
    code, out, err = _run(command, ROOT)
    assert code == 0, err
    assert normalise(out) == normalise(shown), f"docs/authoring.md shows another output for '{command}'"


@pytest.mark.parametrize("command, shown", blocks("output-fails"), ids=[c for c, _ in blocks("output-fails")])
def test_the_doc_shows_what_each_failing_command_prints(command, shown):
    """Commands the doc shows failing on purpose (the audit of the walk-through story): exit 1."""
    code, out, err = _run(command, ROOT)
    assert code == 1, err
    assert normalise(out) == normalise(shown), f"docs/authoring.md shows another output for '{command}'"


def test_the_typo_example(tmp_path):
    [(command, shown)] = blocks("output-after-typo")
    shutil.copytree(EXAMPLE, tmp_path / "my-story")
    path = tmp_path / "my-story" / "rounds" / "01-first-week.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("next: w1.monday") == 1
    path.write_text(text.replace("next: w1.monday", "next: w1.monay"), encoding="utf-8")
    code, out, err = _run(command, tmp_path)
    assert code == 1 and err.strip() == "1 problem(s)"
    assert out.rstrip() == shown.rstrip()


def test_the_walkthrough_script_plays_to_its_expectations():
    code, out, err = run_cli("play", "--story", EXAMPLE, "--script", ROOT / "examples" / "first-story-script.yaml")
    assert code == 0, out + err
    assert "All expectations hold." in out and "Ending: Trusted" in out


def test_the_example_plays_to_every_ending():
    story = load_story(EXAMPLE)
    assert bots.play(story, "best-evidence", 0).ending == "trusted"
    assert bots.play(story, "worst-practice", 0).ending == "replaced"
    # the last choice as shown: another one per seed, since each game shuffles the order
    assert "getting-there" in {bots.play(story, "always-last", s).ending for s in range(10)}
