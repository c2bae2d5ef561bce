"""Plain mode is what a screen reader speaks: words and sentences, no drawings, lines that wrap at
word boundaries, the whole debrief and the history, heard the way its users hear it."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from pizzaborg.play.render import WIDTH

PROMPT = re.compile(r"^(?:Choose 1 to \d+, or \? for help|Type 1 to go on, or \? for help|)\s?> ")


def whole_game(run_cli, tmp_path, extra=(), stdin=None) -> str:
    """The shipped story from the first scene to the ending, always the first choice, piped in."""
    stdin = stdin if stdin is not None else "1\n2\n3\n4\n" * 100 + "h\nq\n"
    code, out, err = run_cli("--plain", "--seed", "5", "--saves-dir", tmp_path / "sv", *extra, stdin=stdin)
    assert code == 0, err
    assert "The game is over. Ending:" in out
    return out


def spoken_lines(out: str) -> list:
    """The lines as a listener gets them: piped input leaves each prompt in front of the next line."""
    lines = []
    for line in out.splitlines():
        while True:
            cut = PROMPT.sub("", line, count=1)
            if cut == line:
                break
            line = cut
        lines.append(line)
    return lines


def test_a_whole_game_has_no_line_of_repeated_punctuation(tmp_path):
    """Piped through a real process, as a screen reader's user or a script gets it."""
    import sys

    run = subprocess.run(
        [sys.executable, "-m", "pizzaborg", "--plain", "--seed", "5", "--saves-dir", str(tmp_path / "sv")],
        input="1\n2\n3\n4\n" * 100 + "h\nq\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "The game is over. Ending:" in out and "History: " in out
    for line in spoken_lines(out):
        text = line.strip()
        assert not (len(text) >= 3 and not any(ch.isalnum() for ch in text)), f"a drawing: {line!r}"
        assert not re.search(r"([=#*_~\-])\1{2,}", text), f"a rule or bar: {line!r}"
        assert " -> " not in text and "==" not in text, line
        # wrapped at word boundaries; only a word longer than a line (a file's path) stands alone
        assert len(line) <= WIDTH or len(text.split()) == 1, f"not wrapped ({len(line)} columns): {line!r}"


def test_the_plain_debrief_is_the_whole_debrief_and_history_lists_every_decision(run_cli, tmp_path):
    out = whole_game(run_cli, tmp_path)
    flat = " ".join(out.split())
    assert re.search(r"Sales vs plan [0-9.]+ %, (up|down) [0-9.]+ since the start \(89\)\.", flat)
    for heading in (
        "Learning score (first answers):",
        "Scores by learning area, each of 100:",
        "The numbers over the whole game:",
        "Decisions that helped most:",
        "Decisions that hurt most:",
        "What to try at work:",
        "Assimilation:",
    ):
        assert heading in out, heading
    assert re.search(r"Sales vs plan [0-9.]+ %, (up|down) [0-9.]+\.", flat)  # numbers in words at a month's end
    history = out.split("History: ", 1)[1]
    n = int(history.split(" ", 1)[0])
    assert n >= 40  # every decision of the game, numbered
    assert re.search(rf"\b{n}\. ", " ".join(history.split()))
    assert "(W1" not in out  # no notation a listener cannot decode


def test_an_assignment_shows_the_pass_mark_and_the_verdict(run_cli, tmp_path):
    a = tmp_path / "a.yaml"
    r = run_cli("assignment", "new", "--cohort", "W", "--seed", "5", "--mastery", "0.7", "-o", a)
    assert r.code == 0, r.err
    out = whole_game(run_cli, tmp_path, ("--assignment", a), stdin="Ann\n" + "1\n2\n3\n4\n" * 100 + "q\n")
    assert "To pass, reach a learning score of 70." in " ".join(out.split())
    passed = r"Learning score \(first answers\): [0-9.]+ of 100\.\nPass mark 70 of 100: (passed|not passed)\."
    assert re.search(passed, out)


def _phonemes(text: str) -> str:
    run = subprocess.run(["espeak-ng", "-q", "-x", "-v", "en"], input=text, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    return run.stdout


@pytest.mark.tier("espeak")
@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed (Debian package espeak-ng)")
def test_espeak_reads_a_month_without_naming_symbols(run_cli, tmp_path):
    """espeak-ng speaks a drawing as its symbols ("equals equals", "hash hash", "slash"): a month of
    plain output must make it say none of them."""
    out = whole_game(run_cli, tmp_path)
    month = out[: out.index("Month 2 begins")]
    assert "Month 1 ends" in month
    spoken = _phonemes("\n".join(spoken_lines(month)))
    assert len(spoken.split()) > 500  # it did read the month
    unstressed = re.sub(r"[',]", "", spoken)
    for symbol in ("=", "#", "/", "*", "~"):
        name = re.sub(r"[',]", "", _phonemes(symbol)).strip().strip("_:")  # the symbol's name as espeak-ng says it
        assert name and name not in unstressed, f"espeak-ng says {symbol!r} ({name}) while reading month 1"
    # and the old drawings would have been caught
    assert (
        re.sub(r"[',]", "", _phonemes("== Month 1 ==== ########-------- 900 -> 895 k€/month")).count(
            re.sub(r"[',]", "", _phonemes("=")).strip().strip("_:")
        )
        >= 2
    )


def test_one_set_of_keys_for_both_faces_and_the_docs():
    from pathlib import Path

    from pizzaborg.plain import help_text
    from pizzaborg.play.render import KEYS

    text = help_text()
    docs = (Path(__file__).resolve().parent.parent / "docs" / "playing.md").read_text(encoding="utf-8")
    table = docs.split("## Keys (both faces)", 1)[1].split("\n## ", 1)[0]
    for key, _what, where in KEYS:
        if where in ("both", "plain") and key != "1-9":
            assert f"  {key}: " in text, f"plain help lacks {key}"
        shown = {"1-9": "`1`…`9`", "Enter": "Enter", "ctrl+p": "Ctrl+P", "Esc": "Esc"}.get(key, f"`{key}`")
        assert f"| {shown} |" in table, f"docs/playing.md's key table lacks {key}"
