"""Shared fixtures: the mini fixture story, a writer for purpose-built stories, an in-process CLI runner."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pizzaborg.engine import load_story

TESTS = Path(__file__).resolve().parent
MINI_DIR = TESTS / "fixtures" / "mini"
MAX_STEPS = 500  # far more decisions than any test story needs: more means the game cannot end


def until_over(game: object, limit: int = MAX_STEPS) -> Iterator[int]:
    """The steps of a play-to-the-end loop: ``for _ in until_over(game): game.choose(...)``.

    ``game`` is a game (its ``over`` is checked) or a function that says whether to stop, e.g.
    ``lambda: app.session.game.over`` for an app that may start a new game. Yields the step number
    until then; after ``limit`` steps the test fails, saying so, instead of hanging the suite.
    """
    over: Callable[[], bool] = game if callable(game) else (lambda: bool(game.over))  # type: ignore[attr-defined]
    for n in range(limit):
        if over():
            return
        yield n
    if not over():
        pytest.fail(f"still not over after {limit} steps: the loop would never end", pytrace=False)


@pytest.fixture(autouse=True)
def _isolated_saves(tmp_path_factory, monkeypatch):
    """No test writes into ./saves of the checkout or the user's story cache: both point at temp dirs."""
    monkeypatch.setenv("PIZZABORG_SAVES", str(tmp_path_factory.mktemp("default-saves")))
    monkeypatch.setenv("PIZZABORG_CACHE", str(tmp_path_factory.mktemp("story-cache")))
    monkeypatch.setenv("PIZZABORG_CONFIG_DIR", str(tmp_path_factory.mktemp("config")))  # never the real home
    monkeypatch.delenv("PIZZABORG_DEBUG", raising=False)
    # English unless a test asks for a language: never the machine's locale (LANG=sv_SE would pick sv)
    monkeypatch.setenv("PIZZABORG_LANG", "en")


@pytest.fixture(autouse=True)
def _english_after():
    """A test that played in another language (in-process, through cli.main) leaves English behind."""
    yield
    from pizzaborg.engine import i18n

    i18n.use(None)


@pytest.fixture(scope="session", autouse=True)
def _no_process_left(tmp_path_factory):
    """When the run ends, no process a test started (a class server, its fork server, a game) still runs
    in the run's temp folders: each was stopped and has ended (its pidfd says so, within 30 s)."""
    yield
    if not hasattr(os, "pidfd_open"):
        return
    import select
    import signal
    import time

    base = str(tmp_path_factory.getbasetemp().resolve())
    fds = {}
    for d in Path("/proc").iterdir():
        try:
            if d.name.isdigit() and int(d.name) != os.getpid() and os.readlink(d / "cwd").startswith(base + "/"):
                fds[os.pidfd_open(int(d.name))] = int(d.name)
        except OSError:  # gone meanwhile, a zombie, or not ours to look at
            continue
    end = time.monotonic() + 30
    while fds and time.monotonic() < end:
        for fd in select.select(list(fds), [], [], max(0.0, end - time.monotonic()))[0]:
            os.close(fd)
            del fds[fd]
    for fd in fds:
        signal.pidfd_send_signal(fd, signal.SIGKILL)
        os.close(fd)
    assert not fds, f"processes left running in {base} after the tests: {sorted(fds.values())}"


# ---- tiers: tests that need an outside tool --------------------------------------------------
# A developer without tmux, Chromium, Ralph, espeak-ng or nginx sees those tests skipped, each saying why.
# CI names the tiers it provides in PIZZABORG_REQUIRE_TIERS (.ci/run: tmux,browser,lrs,espeak,mount,nginx): a
# skip there is a failure, so a CI that could not run a tier does not look like one that did.
TIER_MARKERS = ("browser", "lrs")  # markers that name their tier; others say @pytest.mark.tier("tmux")


def required_tiers() -> set[str]:
    return {t.strip() for t in os.environ.get("PIZZABORG_REQUIRE_TIERS", "").split(",") if t.strip()}


def tier_of(item: pytest.Item) -> str | None:
    mark = item.get_closest_marker("tier")
    if mark is not None and mark.args:
        return str(mark.args[0])
    return next((name for name in TIER_MARKERS if item.get_closest_marker(name) is not None), None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if not report.skipped or hasattr(report, "wasxfail"):
        return
    tier = tier_of(item)
    if tier is None or tier not in required_tiers():
        return
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    report.outcome = "failed"
    why = reason.removeprefix("Skipped: ")
    report.longrepr = f"the {tier} tier was required (PIZZABORG_REQUIRE_TIERS) but skipped: {why}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test marked serial runs in one xdist worker with the other serial ones (make test: --dist loadgroup)."""
    for item in items:
        if item.get_closest_marker("serial") is not None:
            item.add_marker(pytest.mark.xdist_group("serial"))


@pytest.fixture(scope="session")
def mini_dir() -> Path:
    return MINI_DIR


@pytest.fixture(scope="session")
def mini(mini_dir):
    """The loaded mini story (shared: games never mutate a Story)."""
    return load_story(mini_dir)


def write_story(tmp_path: Path, story_yaml: str, rounds: dict[str, str], name: str = "story") -> Path:
    """Write a story folder ``tmp_path/name`` with story.yaml and rounds/<file> (texts are dedented)."""
    root = Path(tmp_path) / name
    (root / "rounds").mkdir(parents=True, exist_ok=True)
    (root / "story.yaml").write_text(textwrap.dedent(story_yaml), encoding="utf-8")
    for fname, text in rounds.items():
        (root / "rounds" / fname).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def copy_mini(tmp_path: Path, name: str = "mini-copy") -> Path:
    """A writable copy of the mini fixture story."""
    dest = Path(tmp_path) / name
    shutil.copytree(MINI_DIR, dest)
    return dest


def pos_of(text: str, needle: str, nth: int = 1) -> tuple[int, int]:
    """1-based (line, column) of the nth occurrence of ``needle`` in the (dedented) text ``text``.

    Expected positions in loader tests are derived from the YAML text itself, so the tests say *which
    token* a message must point at rather than carrying hand-counted numbers.
    """
    text = textwrap.dedent(text)
    start = -1
    for _ in range(nth):
        start = text.index(needle, start + 1)
    line = text.count("\n", 0, start) + 1
    col = start - (text.rfind("\n", 0, start) + 1) + 1
    return line, col


# A small, clean story used as the base of purpose-built broken ones (mirrors the story format doc).
BASE_STORY = """\
id: base
title: Base story
version: "1"
start: r1.one
company:
  name: Co
kpis:
  - { id: trust, name: Trust, min: 0, max: 100, start: 50 }
learning:
  areas:
    - id: lp
      name: Area
      points:
        - { id: lp.one, name: Point one }
  worst_practices:
    - { id: W1, name: Worst one }
endings:
  - id: bad
    title: Bad
    when: trust < 30
    text: Bad end.
  - id: ok
    title: Ok
    text: Ok end.
"""

BASE_ROUND = """\
round:
  id: r1
  title: Round one
scenes:
  - id: r1.one
    text: First scene.
    choices:
      - id: good
        text: Good.
        effects: { trust: 10 }
        evidence: { lp.one: 1 }
      - id: bad
        text: Bad.
        effects: { trust: -30 }
        evidence: { lp.one: -1 }
        worst: [W1]
    next: end
"""


@pytest.fixture
def base_story(tmp_path):
    """A clean base story folder (story.yaml + rounds/01.yaml)."""
    return write_story(tmp_path, BASE_STORY, {"01.yaml": BASE_ROUND})


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def __iter__(self):  # rc, out, err = run_cli(...)
        return iter((self.code, self.out, self.err))


@pytest.fixture
def run_cli(monkeypatch):
    """Run ``pizzaborg.cli.main(list(args))`` in-process; returns CliResult(code, out, err).

    ``stdin`` is a string fed as standard input; ``cwd`` a folder to run in. argparse's ``--help`` and
    ``--version`` exit through SystemExit, whose code is returned like the process would.
    """
    from pizzaborg.cli import main

    def run(*args, stdin: str | None = None, cwd: str | os.PathLike | None = None) -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        with monkeypatch.context() as m:
            m.setattr(sys, "stdin", io.StringIO(stdin if stdin is not None else ""))
            m.setenv("COLUMNS", "100")
            if cwd is not None:
                m.chdir(cwd)
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = main([str(a) for a in args])
                except SystemExit as exc:
                    code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return CliResult(code, out.getvalue(), err.getvalue())

    return run


def pytest_sessionstart(session) -> None:
    """The interface's catalogues compiled once, before any test (in the controller, not in each xdist
    worker): a fresh clone has no .mo files (git ignores them), and a game that compiles one on first use
    imports Babel, which a start-up test forbids for English and the pseudo-locale."""
    if hasattr(session.config, "workerinput"):
        return
    from pizzaborg.engine import i18n
    from pizzaborg.engine.i18n_build import compile_all

    compile_all(i18n.LOCALE_DIR)
