"""Every number every face shows comes from the engine's one series (``Game.history``).

Whole games of the shipped story, several seeds, random available choices (portfolios included), played
in plain mode and headless play (the printed numbers parsed back), in the terminal UI and in the class
server's app (Pilot: the dashboard, the feedback, the month's scoreboard and the debrief read back), and
compared with the engine's series: the value right after each decision ("now" in the feedback, the
dashboard while the feedback is up), each month's start (its own line, and the dashboard after it), the
month's end and the game's end.
"""

from __future__ import annotations

import io
import json
import random
import re

import pytest

from pizzaborg.engine import Game, load_story
from pizzaborg.play.render import fmt_num, is_plain_continue

MAX_STEPS = 500
SEEDS = [(7, 1), (42, 2), (2026, 3)]
NUM = r"(-?\d+(?:\.\d)?)"


@pytest.fixture(scope="module")
def story():
    return load_story()


def plan(story, seed: int, pick_seed: int) -> tuple:
    """A whole game with random available choices: (the numbers typed at each step, the engine's game
    and its outcomes). Portfolios pick a random set the capacity can pay for."""
    game = Game(story, seed)
    rng = random.Random(pick_seed)
    steps, outcomes = [], []
    for _ in range(MAX_STEPS):
        if game.over:
            return steps, game, outcomes
        available = game.available()
        offered = game.offered()
        if game.pick is not None:
            ids = game.portfolio(rng.sample(available, len(available))).split("+")
            numbers = [i for i, c in enumerate(offered, start=1) if c.id in ids]
            outcomes.append(game.choose_numbers(numbers))
        else:
            numbers = [offered.index(rng.choice(available)) + 1]
            outcomes.append(game.choose_number(numbers[0]))
        steps.append(numbers)
    raise AssertionError("the game did not end")


# ---- the words: plain mode and headless transcripts ----------------------------------------------


def _names(story) -> dict:
    return {kpi.name: k for k, kpi in story.kpis.items()}


def _blocks(text: str, start: str, ends: tuple) -> list:
    """Every stretch of ``text`` (whitespace made single) from ``start`` to the first of ``ends`` after it."""
    flat = " ".join(text.split())
    out = []
    for m in re.finditer(re.escape(start), flat):
        rest = flat[m.end() :]
        cut = min((i for i in (rest.find(e) for e in ends) if i >= 0), default=len(rest))
        out.append(rest[:cut])
    return out


def _changes_now(story, block: str) -> dict:
    """{kpi id: value shown} from "Name up 2, now 88 %; Other down 1, now 40." (kpi_line's words)."""
    names = "|".join(re.escape(n) for n in sorted(_names(story), key=len, reverse=True))
    found = re.findall(rf"({names}) (?:up [\d.]+|down [\d.]+|unchanged), now {NUM}", block)
    return {_names(story)[n]: v for n, v in found}


def _values(story, block: str) -> dict:
    """{kpi id: value shown} from "Name 88 %, down 1." lines (a month's or the game's numbers)."""
    names = "|".join(re.escape(n) for n in sorted(_names(story), key=len, reverse=True))
    return {_names(story)[n]: v for n, v in re.findall(rf"(?:^|\. )({names}) {NUM}", block)}


def _shown(values: dict, keys=None) -> dict:
    return {k: fmt_num(v) for k, v in values.items() if keys is None or k in keys}


def check_words(story, text: str, game: Game, outcomes: list) -> int:
    """Compare every number in a plain-mode or headless transcript with the engine's series."""
    checked = 0
    # "now" after each decision: the value right after it (never with the next month's start in it)
    spoken = [
        (i, o)
        for i, o in enumerate(outcomes, start=1)
        if not (is_plain_continue(game, o) and not o.borg and not o.note)
    ]
    stops = ("Scene: ", "News: ", "Month ", "Choose ", "Press Enter", "Pick ", "The game is over")
    blocks = _blocks(text, "Numbers: ", stops)
    assert len(blocks) == len(spoken)
    for block, (n, outcome) in zip(blocks, spoken, strict=False):
        entry = game.entries_through(n)[-1]
        assert entry.kind == "decision" and entry.decisions == n
        assert _changes_now(story, block) == _shown(entry.values, outcome.deltas), block
        checked += len(outcome.deltas)
    # each month's start, a line of its own, with the values after it
    starts = [e for e in game.history if e.kind == "month_start"]
    blocks = _blocks(text, "As the month begins: ", ("Scene: ", "News: ", "Choose ", "Pick ", "Press Enter"))
    assert len(blocks) == len(starts)
    for block, entry in zip(blocks, starts, strict=False):
        assert _changes_now(story, block) == _shown(entry.values, entry.changes), block
        checked += len(entry.changes)
    # each month's end: the values after its last decision
    ends = [
        game.entries_through(i)[-1]
        for i, d in enumerate(game.decisions, start=1)
        if i == len(game.decisions) or game.decisions[i].round_id != d.round_id
    ]
    blocks = _blocks(text, "The numbers this month: ", ("What you decided", "Reflection: ", "Month "))
    assert len(blocks) == len(ends)
    for block, entry in zip(blocks, ends, strict=False):
        assert _values(story, block) == _shown(entry.values), block
        checked += len(entry.values)
    # the game's end
    (block,) = _blocks(text, "The numbers over the whole game: ", ("Decisions that helped",))
    assert _values(story, block) == _shown(game.history[-1].values)
    return checked + len(game.kpis)


@pytest.mark.parametrize("seed,pick_seed", SEEDS)
def test_plain_mode_shows_the_engines_numbers(story, tmp_path, seed, pick_seed):
    from pizzaborg.plain import PlainSession

    steps, game, outcomes = plan(story, seed, pick_seed)
    typed = "\n".join(" ".join(map(str, s)) for s in steps) + "\nk\nq\n"
    out = io.StringIO()
    assert PlainSession(story, tmp_path, seed=seed, stdin=io.StringIO(typed), stdout=out).play() == 0
    text = out.getvalue()
    assert check_words(story, text, game, outcomes) > len(game.decisions)
    (block,) = _blocks(text, "The numbers: ", ("Learning score",))  # the k command, at the end
    shown = {k: v for k, v in re.findall(rf"({'|'.join(map(re.escape, _names(story)))}): {NUM}", block)}
    assert {_names(story)[n]: v for n, v in shown.items()} == _shown(game.kpis)


@pytest.mark.parametrize("seed,pick_seed", SEEDS)
def test_headless_play_shows_the_engines_numbers(story, tmp_path, seed, pick_seed):
    from pizzaborg.headless import run_play

    steps, game, outcomes = plan(story, seed, pick_seed)
    choices = ["+".join(map(str, s)) for s in steps]
    out = io.StringIO()
    assert (
        run_play(
            story,
            choices=choices,
            seed=seed,
            load=None,
            save=None,
            saves_dir=tmp_path,
            as_json=False,
            expect=None,
            out=out,
        )
        == 0
    )
    check_words(story, out.getvalue(), game, outcomes)
    out = io.StringIO()
    assert (
        run_play(
            story,
            choices=choices,
            seed=seed,
            load=None,
            save=None,
            saves_dir=tmp_path,
            as_json=True,
            expect=None,
            out=out,
        )
        == 0
    )
    # --json shows each number as the screen does (one decimal): the engine's last values, so rounded
    from pizzaborg.headless import _as_shown

    assert json.loads(out.getvalue())["kpis"] == _as_shown(game.history[-1].values)


@pytest.mark.parametrize("seed,pick_seed", SEEDS[:1])
def test_the_report_shows_the_engines_numbers(story, seed, pick_seed):
    """A report's numbers after each decision are the engine's entry for that decision (never with the
    next month's start in them), and its timeline is the series of decisions."""
    from pizzaborg.trainer.report import build_report

    _, game, _ = plan(story, seed, pick_seed)
    r = build_report(game, learner="Ann")
    for d in r["decisions"]:
        (entry,) = [e for e in game.history if e.kind == "decision" and e.decisions == d["n"]]
        assert d["kpis"] == {k: round(v, 6) for k, v in entry.values.items()} or d["kpis"] == pytest.approx(
            entry.values
        )
    month_ends = [
        d for d in r["decisions"] if any(x["decisions"] and x["decisions"][-1] == d["n"] for x in r["rounds"])
    ]
    assert month_ends  # the case the rule is for: a month's last decision, before the next month's start


# ---- the screens: the terminal UI and the class server's app -------------------------------------


def _dashboard(app, story) -> dict:
    """{kpi id: the value the dashboard shows} (each row's second line starts with it)."""
    out = {}
    for k in story.kpis:
        row = app.screen.query_one(f"#kpi-{k.replace('.', '-')}")
        out[k] = re.match(NUM, str(row.content).split("\n")[1].strip()).group(1)
    return out


def _trends(app, story) -> dict:
    return {k: app.screen.query_one(f"#kpi-{k.replace('.', '-')}")._shown[1] for k in story.kpis}


def _feedback_now(app, story) -> dict:
    text = str(app.screen.query_one("#fb-numbers").content)
    names = "|".join(re.escape(n) for n in sorted(_names(story), key=len, reverse=True))
    return {_names(story)[n]: v for n, v in re.findall(rf"({names})\s+\S+\s+now {NUM}", text)}


async def play_screens(app, story, steps, pilot, learner=None) -> int:
    """Play ``steps`` through the screens, checking every number shown against the engine's series."""
    from tests.tui.helpers import in_feedback, new_game, screen_name

    await new_game(pilot, learner=learner)
    game = app.session.game
    checked = 0
    assert _dashboard(app, story) == _shown(game.history[-1].values)
    for numbers in steps:
        if game.pick is not None:  # the checklist hands back the ids ticked
            app.screen._picked([game.offered()[n - 1].id for n in numbers])
        else:
            await pilot.press(str(numbers[0]))
        await pilot.pause()
        n = len(game.decisions)
        right_after = game.entries_through(n)[-1]
        if in_feedback(app):  # the numbers as they were right after the decision
            assert _dashboard(app, story) == _shown(right_after.values)
            assert _trends(app, story) == game.kpi_series(n)
            assert _feedback_now(app, story) == _shown(right_after.values, game.decisions[-1].deltas)
            checked += 2 * len(story.kpis)
            await pilot.press("enter")
            await pilot.pause()
        if screen_name(app) == "ReflectionScreen":  # the month's scoreboard: its end, after its last decision
            text = str(app.screen.query_one("#rf-scoreboard").content)
            for k, kpi in story.kpis.items():
                line = next(line for line in text.split("\n") if line.startswith(kpi.name))
                assert re.search(rf"→\s+{NUM}", line).group(1) == fmt_num(right_after.values[k])
            checked += len(story.kpis)
            await pilot.press("enter")
            await pilot.pause()
        if screen_name(app) == "IntroScreen":
            await pilot.press("enter")
            await pilot.pause()
        if screen_name(app) == "GameScreen":  # the feedback has gone: the numbers the game holds now
            assert _dashboard(app, story) == _shown(game.history[-1].values)
            assert _trends(app, story) == game.kpi_series()
            checked += len(story.kpis)
    assert game.over and screen_name(app) == "DebriefScreen"
    text = str(app.screen.query_one("#debrief-kpis").content)
    for k, kpi in story.kpis.items():
        line = next(line for line in text.split("\n") if line.startswith(kpi.name))
        assert re.search(rf"now {NUM}", line).group(1) == fmt_num(game.history[-1].values[k])
    return checked


@pytest.mark.slow  # a whole game through Pilot: about 18 s each (make test-slow, CI)
@pytest.mark.asyncio
@pytest.mark.parametrize("seed,pick_seed", SEEDS[:2])
async def test_the_terminal_ui_shows_the_engines_numbers(story, tmp_path, seed, pick_seed):
    from pizzaborg.play.session import Session
    from pizzaborg.tui.app import PizzaBorgApp

    steps, expected, _ = plan(story, seed, pick_seed)
    app = PizzaBorgApp(Session(story, tmp_path, seed=seed))
    async with app.run_test(size=(80, 24)) as pilot:
        assert await play_screens(app, story, steps, pilot) > len(steps)
    assert app.session.game.history[-1].values == expected.history[-1].values


@pytest.mark.slow  # a whole game through Pilot: about 18 s (make test-slow, CI)
@pytest.mark.asyncio
async def test_the_class_servers_app_shows_the_engines_numbers(story, tmp_path):
    """The same app class the class server runs, with the server's assignment run (no browser needed)."""
    from pizzaborg.play.session import Session
    from pizzaborg.trainer.assignment import new_assignment
    from pizzaborg.web.child import _app_class, server_run

    seed, pick_seed = SEEDS[2]
    steps, expected, _ = plan(story, seed, pick_seed)
    assignment = new_assignment(story, "Cohort A", seed=seed)
    run = server_run(assignment, str(tmp_path / "hand-ins"), "s1", "2026-12-06T09:00:00+00:00")
    app = _app_class()(Session(None, tmp_path / "saves", seed=seed, run=run), load_story=lambda: story)
    async with app.run_test(size=(80, 24)) as pilot:
        await play_screens(app, story, steps, pilot, learner="Ada")
        hand_in = app.session.hand_in
    assert hand_in is not None and hand_in.path.parent == tmp_path / "hand-ins"
    assert len(hand_in.report["decisions"]) == len(steps)
    assert all(d.get("at") for d in json.loads(hand_in.path.read_text())["decisions"])  # every decision timed
