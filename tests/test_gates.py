"""The test suite's own gates: the step-limited play loop, and required tiers that may not skip."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from conftest import TESTS, until_over


class _Endless:
    over = False


def test_until_over_stops_when_the_game_is_over(mini):
    from pizzaborg.engine import Game

    game = Game(mini, 3)
    steps = [n for n in until_over(game) if game.choose_number(1) or True]
    assert game.over and 0 < len(steps) < 50


def test_until_over_fails_a_loop_that_would_never_end():
    with pytest.raises(pytest.fail.Exception, match="still not over after 7 steps"):
        for _ in until_over(_Endless(), limit=7):
            pass


def test_until_over_takes_a_stop_function():
    seen = []
    for n in until_over(lambda: len(seen) == 3):
        seen.append(n)
    assert seen == [0, 1, 2]


def _run_tier_tests(tmp_path, required: str | None) -> subprocess.CompletedProcess:
    (tmp_path / "conftest.py").write_text((TESTS / "conftest.py").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "test_tiers.py").write_text(
        textwrap.dedent("""
        import pytest

        @pytest.mark.tier("tmux")
        def test_tmux():
            pytest.skip("tmux is not installed")

        @pytest.mark.lrs
        def test_lrs():
            pytest.skip("Ralph is not installed")

        def test_plain():
            pytest.skip("not a tier")
    """),
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "PIZZABORG_REQUIRE_TIERS"}
    if required is not None:
        env["PIZZABORG_REQUIRE_TIERS"] = required
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-p",
            "no:hypothesispytest",
            "-rA",
            "-W",
            "ignore::pytest.PytestUnknownMarkWarning",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env=env,
    )


def test_a_required_tier_that_skips_fails_saying_which_and_the_others_skip_politely(tmp_path):
    """One run (a pytest process costs seconds): tmux is required, lrs is marked but not required."""
    run = _run_tier_tests(tmp_path, "tmux, browser")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "the tmux tier was required (PIZZABORG_REQUIRE_TIERS) but skipped: tmux is not installed" in run.stdout
    assert "lrs tier" not in run.stdout and "SKIPPED [1] test_tiers.py" in run.stdout
    assert "1 failed, 2 skipped" in run.stdout


def test_no_tier_is_required_unless_named(monkeypatch):
    from conftest import required_tiers

    monkeypatch.delenv("PIZZABORG_REQUIRE_TIERS", raising=False)
    assert required_tiers() == set()
    monkeypatch.setenv("PIZZABORG_REQUIRE_TIERS", " tmux,,lrs ")
    assert required_tiers() == {"tmux", "lrs"}


def test_ci_requires_every_tier():
    ci = (TESTS.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "PIZZABORG_REQUIRE_TIERS" in ci and "tmux,browser,lrs,espeak" in ci


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_test_runs_the_gates():
    makefile = (TESTS.parent / "Makefile").read_text(encoding="utf-8")
    test = makefile.split("\ntest: ", 1)[1].split("\n\n", 1)[0]
    lint = makefile.split("\nlint: ", 1)[1].split("\n\n", 1)[0]
    assert test.startswith("lint") and "pytest $(XDIST)" in test  # the gates first, then the tests in parallel
    assert "ruff check" in lint and "mypy" in lint


def test_a_server_whose_free_port_was_taken_meanwhile_starts_on_another(tmp_path, monkeypatch):
    """Parallel workers: a port free when chosen may be taken before the server binds it."""
    import socket

    pytest.importorskip("textual_serve", reason="the web extra is not installed: pip install -e '.[web]'")
    import web_helpers
    from conftest import MINI_DIR

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        ports = iter([busy.getsockname()[1], web_helpers.free_port()])
        monkeypatch.setattr(web_helpers, "free_port", lambda: next(ports))
        with web_helpers.ServerProcess("--story", str(MINI_DIR), "--data-dir", "data", cwd=tmp_path) as srv:
            assert srv.port != busy.getsockname()[1]
            assert srv.proc.poll() is None
