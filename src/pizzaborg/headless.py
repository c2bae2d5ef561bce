"""Headless play: ``pizzaborg play --choices …`` and ``pizzaborg play --script FILE.yaml``.

The contract trainers' scripts rely on (keep it stable):

- exit 0: played (and, with a script, every expectation held);
- exit 1: a script's expectations did not all hold — each failure on its own line;
- exit 2: bad input (an invalid choice names the scene and lists the valid choices).

``--json`` prints one JSON object at the end (see :func:`result_json`) instead of the transcript.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

from .engine import Game, GameError
from .engine.i18n import _, ngettext
from .engine.text import clean, json_text
from .engine.yamlsrc import load_yaml
from .play import render


class BadInput(Exception):
    """Bad input to a headless run: exit 2 with this one-line message."""


class Script:
    """A headless script: the seed, the choices (int: the number on screen, str: a choice id, or a
    portfolio ``a+b+c`` / ``2+5+7``), expect."""

    __slots__ = ("seed", "choices", "expect")

    def __init__(self, seed: int | None = None, choices: list | None = None, expect: dict | None = None):
        self.seed = seed
        self.choices = [] if choices is None else choices
        self.expect = {} if expect is None else expect


SCRIPT_KEYS = {"seed", "choices", "expect"}
EXPECT_KEYS = {"ending", "over", "min_score", "max_score", "kpis", "learning_points"}


def parse_choices(text: str) -> list:
    """``1,3,a+b,2+5+7`` -> [1, 3, "a+b", "2+5+7"]: a number as shown, a choice id, or a portfolio."""
    items = []
    for token in text.split(","):
        token = token.strip()
        if not token:
            continue
        items.append(int(token) if token.isascii() and token.isdigit() else token)  # '²' is a digit, not a number
    return items


def _bounds(value, where: str) -> tuple:
    if not isinstance(value, dict) or not value or set(value) - {"min", "max"}:
        raise BadInput(f"{where} must be a mapping with min and/or max")
    for k, v in value.items():
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise BadInput(f"{where}.{k} must be a number")
    return value.get("min"), value.get("max")


def load_script(path: str) -> Script:
    from .engine.files import read_handed_text  # the one bounded, regular-file-only reader

    text = read_handed_text(path, 1024 * 1024, str(path), "a script", BadInput, f"{path}: no such script file")
    # the story's own safe reader: no tags, alias bombs stopped, duplicate keys reported
    data, problems = load_yaml(text, str(path))
    if problems:
        raise BadInput(f"{problems[0].pos}: {problems[0].message}")
    if not isinstance(data, dict):
        raise BadInput(f"{path}: a script is a mapping with seed, choices and expect")
    unknown = set(data) - SCRIPT_KEYS
    if unknown:
        raise BadInput(f"{path}: unknown key '{sorted(map(str, unknown))[0]}' (known: choices, expect, seed)")
    script = Script()
    seed = data.get("seed")
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise BadInput(f"{path}: seed must be a whole number")
        script.seed = seed
    choices = data.get("choices", [])
    if not isinstance(choices, list):
        raise BadInput(f"{path}: choices must be a list of numbers or choice ids")
    for i, c in enumerate(choices, start=1):
        if isinstance(c, bool) or not isinstance(c, (int, str)):
            raise BadInput(f"{path}: choice {i} must be a number or a choice id")
        script.choices.append(c)
    expect = data.get("expect", {}) or {}
    if not isinstance(expect, dict):
        raise BadInput(f"{path}: expect must be a mapping")
    unknown = set(expect) - EXPECT_KEYS
    if unknown:
        raise BadInput(
            f"{path}: unknown expectation '{sorted(map(str, unknown))[0]}' (known: {', '.join(sorted(EXPECT_KEYS))})"
        )
    for key in ("min_score", "max_score"):
        v = expect.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)):
            raise BadInput(f"{path}: expect.{key} must be a number")
    if "ending" in expect and not isinstance(expect["ending"], str):
        raise BadInput(f"{path}: expect.ending must be an ending id")
    if "over" in expect and not isinstance(expect["over"], bool):
        raise BadInput(f"{path}: expect.over must be true or false")
    for group in ("kpis", "learning_points"):
        if group in expect:
            if not isinstance(expect[group], dict):
                raise BadInput(f"{path}: expect.{group} must be a mapping of id to min/max")
            for k, v in expect[group].items():
                _bounds(v, f"{path}: expect.{group}.{k}")
    script.expect = expect
    return script


def check_expectations(game: Game, expect: dict) -> list:
    """Each expectation that does not hold, as a line."""
    failures = []
    report = game.report().first  # the scores that are reported: first answers (a loaded save may hold undos)
    score = report.overall if report.overall is not None else 0.0
    story = game.story
    if "ending" in expect:
        want = expect["ending"]
        if story.ending(want) is None:
            raise BadInput(f"expect.ending: the story has no ending '{want}'")
        if game.ending != want:
            failures.append(f"ending: expected {want}, got {game.ending or 'none (the game is not over)'}")
    if "over" in expect and game.over != expect["over"]:
        failures.append(f"over: expected {str(expect['over']).lower()}, got {str(game.over).lower()}")
    if expect.get("min_score") is not None and score < expect["min_score"]:
        failures.append(f"score: expected at least {expect['min_score']}, got {render.fmt_num(score)}")
    if expect.get("max_score") is not None and score > expect["max_score"]:
        failures.append(f"score: expected at most {expect['max_score']}, got {render.fmt_num(score)}")
    for k, b in (expect.get("kpis") or {}).items():
        if k not in story.kpis:
            raise BadInput(f"expect.kpis: the story has no KPI '{k}'")
        lo, hi = _bounds(b, f"expect.kpis.{k}")
        v = game.kpis[k]
        if lo is not None and v < lo:
            failures.append(f"kpi {k}: expected at least {render.fmt_num(lo)}, got {render.fmt_num(v)}")
        if hi is not None and v > hi:
            failures.append(f"kpi {k}: expected at most {render.fmt_num(hi)}, got {render.fmt_num(v)}")
    for k, b in (expect.get("learning_points") or {}).items():
        if k not in report.points:
            raise BadInput(f"expect.learning_points: the story has no learning point '{k}'")
        lo, hi = _bounds(b, f"expect.learning_points.{k}")
        v = report.points[k].score
        shown = "no score (never at stake)" if v is None else render.fmt_num(v)
        if lo is not None and (v is None or v < lo):
            failures.append(f"learning point {k}: expected at least {render.fmt_num(lo)}, got {shown}")
        if hi is not None and v is not None and v > hi:
            failures.append(f"learning point {k}: expected at most {render.fmt_num(hi)}, got {shown}")
    return failures


def _as_shown(value):
    """Numbers as the screen shows them (render.fmt_num: one decimal), not 46.29999999999999."""
    if isinstance(value, float):
        return float(f"{value:.1f}")
    if isinstance(value, dict):
        return {k: _as_shown(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_shown(v) for v in value]
    return value


def _next_json(scene) -> dict:
    """The next scene, each choice with its cost in the story's capacity (0: free) as the screen shows it."""
    out = scene.as_dict()
    for c, shown in zip(scene.choices, out["choices"], strict=True):
        shown["cost"] = c.cost or 0
    return out


def result_json(game: Game) -> dict:
    """``score`` and ``learning_points``: the first answers' (the score that is reported);
    ``kept_score``: the path kept's; ``changed_answers`` and ``undone``: the undo record's counts."""
    report = game.report()
    first = report.first
    scene = game.scene
    return _as_shown(
        {
            "ending": game.ending,
            "over": game.over,
            "score": first.overall if first.overall is not None else 0.0,
            "kept_score": report.overall if report.overall is not None else 0.0,
            "changed_answers": report.changed,
            "undone": report.undone,
            "learning_points": {p.id: p.score for p in first.points.values()},
            "kpis": dict(game.kpis),
            "decisions": game.decision_list,
            "seed": game.seed,
            "story": dict(game.story.ref),
            "next": None if scene is None else _next_json(scene),
        }
    )


def _choice_id(game: Game, item, index: int) -> str:
    """The choice id (or ``a+b+c`` portfolio) for a script item; numbers are positions as shown."""
    offered = game.offered()
    valid = ", ".join(f"{i} ({c.id})" for i, c in enumerate(offered, start=1))
    pick = game.pick
    parts = str(item).split("+") if isinstance(item, str) and "+" in item else [item]
    if pick is None and len(parts) > 1:
        raise BadInput(
            _(
                "choice {index}: '{item}' picks several choices, but scene '{scene}' takes one; valid choices: {valid}"
            ).format(index=index, item=item, scene=game.state, valid=valid)
        )
    ids = []
    for part in parts:
        if isinstance(part, str) and part.strip().isascii() and part.strip().isdigit():
            part = int(part.strip())
        if isinstance(part, int):
            if not 1 <= part <= len(offered):
                raise BadInput(
                    _("choice {index}: there is no choice {n} in scene '{scene}'; valid choices: {valid}").format(
                        index=index, n=part, scene=game.state, valid=valid
                    )
                )
            choice = offered[part - 1]
        else:
            part = part.strip()
            choice = next((c for c in offered if c.id == part), None)
            if choice is None:
                raise BadInput(
                    _("choice {index}: scene '{scene}' has no choice '{id}'; valid choices: {valid}").format(
                        index=index, scene=game.state, id=part, valid=valid
                    )
                )
        why = game.reason(choice)
        if why:
            raise BadInput(
                _("choice {index}: choice '{id}' in scene '{scene}' is not available: {why}").format(
                    index=index, id=choice.id, scene=game.state, why=why
                )
            )
        ids.append(choice.id)
    if pick is not None and not pick[0] <= len(ids) <= pick[1]:
        want = f"{pick[0]}" if pick[0] == pick[1] else _("{low} to {high}").format(low=pick[0], high=pick[1])
        raise BadInput(
            _(
                "choice {index}: scene '{scene}' asks for {want} choices at once, written a+b+c or 2+5+7; "
                "valid choices: {valid}"
            ).format(index=index, scene=game.state, want=want, valid=valid)
        )
    return "+".join(ids)


def run_play(
    story,
    *,
    choices: list,
    seed: int,
    load: str | None,
    save: str | None,
    saves_dir: Path,
    as_json: bool,
    expect: dict | None,
    out=None,
    extra_ok: bool = False,
    learner: str | None = None,
    on_end=None,
) -> int:
    """Play ``choices``; ``extra_ok``: choices left when the game ends are reported, not bad input
    (an assignment is played to its end and handed in). ``learner``: the name the save holds;
    ``on_end(game, times, undo_times)``: called with the game, its decision times and its undo times
    (a loaded save may hold undos) once the choices are played and saved (assignment play hands the game in
    from there, without reading the save back)."""
    out = out or sys.stdout

    def emit(text, *args) -> None:
        """Write a line of the transcript; ``text`` may be a render function and its arguments, so
        that --json, which prints no transcript, does not pay for rendering one."""
        if not as_json:
            out.write(clean(text(*args) if callable(text) else text) + "\n")

    from .play.session import Session  # the session every face drives: decisions and their times, saves

    session = Session(story, saves_dir, seed=seed)
    if load or save:
        from .engine import saves as S  # only for --load/--save: it is not free to import

    if load:
        try:
            warning = session.load(load)
        except S.SaveError as exc:
            raise BadInput(str(exc)) from None
        if warning:
            print("pizzaborg: " + _("note: {note}").format(note=clean(warning, oneline=True)), file=sys.stderr)
    else:
        session.new_game()
    game = session.current
    if not load:
        emit(render.title_block, game)
        emit("")
        emit(render.round_intro, game)
    for index, item in enumerate(choices, start=1):
        if game.over and extra_ok:
            left = len(choices) - index + 1
            ended = _("note: the game ended after {n} choices;").format(n=index - 1)
            unused = ngettext(
                "{left} choice was left over and not used", "{left} choices were left over and not used", left
            ).format(left=left)
            print(f"pizzaborg: {ended} {unused}", file=sys.stderr)
            break
        if game.over:
            raise BadInput(
                _("choice {index}: the game is already over (ending '{ending}'); {n} choices were enough").format(
                    index=index, ending=game.ending, n=index - 1
                )
            )
        emit(render.scene_block, game.scene)
        before = game.round_id
        cid = _choice_id(game, item, index)
        try:
            outcome = session.choose_id(cid, autosave=False)  # a headless run writes only the save it is asked for
        except GameError as exc:  # e.g. a portfolio the capacity cannot pay for
            raise BadInput(_("choice {index}: {why}").format(index=index, why=exc)) from None
        if not as_json:
            block = render.outcome_block(game, outcome)
            if block:
                emit(block)
        if outcome.round_end:
            emit(render.round_block, game, outcome.round_end)
        if not game.over and game.round_id != before:
            emit("")
            emit(render.round_intro, game)
    if game.over:
        emit(render.ending_block, game)
    else:
        emit(render.scene_block, game.scene)
        emit("\n" + _("(The choices ran out here.)"))
    if save:
        if learner is not None:
            session.learner = learner
        try:
            path = session.save(save)
        except S.SaveError as exc:
            raise BadInput(str(exc)) from None
        if not as_json:
            emit("\n" + _("Saved as '{name}' ({path}).").format(name=save, path=path))
    if on_end is not None:
        on_end(game, session.times, session.undo_times)
    failures = check_expectations(game, expect) if expect else []
    if as_json:
        out.write(json_text(result_json(game)) + "\n")
    if failures:
        stream = sys.stderr if as_json else out
        stream.write("\n" if not as_json else "")
        for f in failures:
            stream.write(_("expectation failed: {what}").format(what=clean(f, oneline=True)) + "\n")
        stream.write(_("{n} expectation(s) failed").format(n=len(failures)) + "\n")
        return 1
    if expect and not as_json:
        emit("\n" + _("All expectations hold."))
    return 0
