"""Property tests: whatever bytes a story file, a save, a script or a learner's report holds, the result
is either a valid object or clean one-line problems — never an exception that would reach the player
or the trainer as a traceback.

`make test` runs a bounded number of examples; `make fuzz` (HYPOTHESIS_PROFILE=fuzz) runs many more.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from conftest import MINI_DIR  # noqa: E402
from pizzaborg.engine import Game, load_story  # noqa: E402
from pizzaborg.engine import saves as S  # noqa: E402
from pizzaborg.engine.loader import read_story  # noqa: E402
from pizzaborg.engine.yamlsrc import load_yaml  # noqa: E402
from pizzaborg.headless import BadInput, load_script  # noqa: E402

settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

MINI_TEXTS = {p.relative_to(MINI_DIR).as_posix(): p.read_text() for p in MINI_DIR.rglob("*.yaml")}

# YAML-ish text: the characters that make YAML structure, plus some words the format knows
YAML_ALPHABET = st.sampled_from(list(":-[]{},&*!|>'\"#?%@` \n\t") + ["id", "when", "next", "yes", "<<", "!!", "..."])
yamlish = st.lists(st.one_of(YAML_ALPHABET, st.text(max_size=4)), max_size=60).map("".join)


def _mutate(text: str, data) -> str:
    """Cut, splice or overwrite a piece of a valid file: near-valid input finds the deep paths."""
    if not text:
        return data.draw(yamlish)
    i = data.draw(st.integers(0, len(text) - 1))
    j = data.draw(st.integers(i, min(len(text), i + 40)))
    how = data.draw(st.sampled_from(["cut", "insert", "replace", "truncate"]))
    piece = data.draw(yamlish)
    if how == "cut":
        return text[:i] + text[j:]
    if how == "insert":
        return text[:i] + piece + text[i:]
    if how == "replace":
        return text[:i] + piece + text[j:]
    return text[:i]


@given(st.data())
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
def test_story_loader_gives_a_story_or_clean_problems(data):
    name = data.draw(st.sampled_from(sorted(MINI_TEXTS)))
    mutated = _mutate(MINI_TEXTS[name], data)
    root = Path(tempfile.mkdtemp(prefix="fuzz-story-"))
    try:
        shutil.copytree(MINI_DIR, root, dirs_exist_ok=True)
        (root / name).write_text(mutated, encoding="utf-8")
        story, problems = read_story(root)
        if problems:
            for p in problems:
                line = str(p)
                assert "\n" not in line and line.strip(), line
                assert ":" in line
        else:
            assert story is not None
            game = Game(story, data.draw(st.integers(0, 2**32)))  # a clean story must also play
            steps = 0
            while not game.over and steps < 50:
                game.choose_number(1 + data.draw(st.integers(0, len(game.scene.choices) - 1)))
                steps += 1
    finally:
        shutil.rmtree(root, ignore_errors=True)


@given(yamlish)
def test_yaml_reader_never_raises(text):
    data, problems = load_yaml(text, "x.yaml")
    assert data is None or problems == [] or all(str(p.pos).startswith("x.yaml:") for p in problems)


def _valid_save_text() -> str:
    game = Game(load_story(MINI_DIR), 3)
    game.choose_number(1)
    return json.dumps(S.make_save(game, "one", now="2026-01-01T00:00:00+00:00").to_json(), indent=2)


SAVE_TEXT = _valid_save_text()
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(st.data())
def test_save_loader_gives_a_save_or_a_clean_error(data):
    mode = data.draw(st.sampled_from(["mutate-text", "replace-field", "bytes"]))
    if mode == "mutate-text":
        raw = _mutate(SAVE_TEXT, data).encode()
    elif mode == "replace-field":
        obj = json.loads(SAVE_TEXT)
        key = data.draw(st.sampled_from(sorted(obj) + ["extra"]))
        obj[key] = data.draw(json_values)
        raw = json.dumps(obj).encode()
    else:
        raw = data.draw(st.binary(max_size=200))
    directory = Path(tempfile.mkdtemp(prefix="fuzz-save-"))
    try:
        path = directory / "one.json"
        path.write_bytes(raw)
        try:
            save = S.read_save_file(path)
        except S.SaveError as exc:
            assert "\n" not in str(exc) and str(exc)
        else:
            try:
                loaded = S.restore(load_story(MINI_DIR), save)
            except S.SaveError as exc:
                assert "\n" not in str(exc)
            else:
                assert loaded.game is not None
        assert path.read_bytes() == raw  # reading never changes the file
    finally:
        shutil.rmtree(directory, ignore_errors=True)


SCRIPT_TEXT = "seed: 3\nchoices: [1, assess, 2]\nexpect:\n  ending: good\n  min_score: 10\n  kpis: {trust: {min: 0, max: 100}}\n"


@given(st.data())
def test_script_loader_gives_a_script_or_bad_input(data):
    text = _mutate(SCRIPT_TEXT, data) if data.draw(st.booleans()) else data.draw(yamlish)
    directory = Path(tempfile.mkdtemp(prefix="fuzz-script-"))
    try:
        path = directory / "s.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            load_script(str(path))
        except BadInput as exc:
            assert "\n" not in str(exc) and str(exc)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _valid_report() -> dict:
    from pizzaborg.trainer import build_report

    game = Game(load_story(MINI_DIR), 4)
    while not game.over:
        game.choose_number(1)
    return build_report(game, learner="Ada")


REPORT = _valid_report()
REPORT_TEXT = json.dumps(REPORT, indent=1)


def _mutate_json(obj, data):
    """Replace one value somewhere in a JSON tree: a report edited by hand, or by a fuzzer."""
    if isinstance(obj, dict) and obj:
        key = data.draw(st.sampled_from(sorted(obj)))
        out = dict(obj)
        out[key] = _mutate_json(obj[key], data) if data.draw(st.booleans()) else data.draw(json_values)
        return out
    if isinstance(obj, list) and obj:
        i = data.draw(st.integers(0, len(obj) - 1))
        out = list(obj)
        out[i] = _mutate_json(obj[i], data) if data.draw(st.booleans()) else data.draw(json_values)
        return out
    return data.draw(json_values)


@given(st.data())
def test_report_verification_gives_a_verdict_never_an_exception(data):
    from pizzaborg.trainer import Verifier

    verifier = Verifier([load_story(MINI_DIR)])
    mode = data.draw(st.sampled_from(["tree", "text", "bytes"]))
    directory = Path(tempfile.mkdtemp(prefix="fuzz-report-"))
    try:
        path = directory / "r.json"
        if mode == "tree":
            mutated = _mutate_json(REPORT, data)
            path.write_text(json.dumps(mutated))
        elif mode == "text":
            path.write_text(_mutate(REPORT_TEXT, data))
        else:
            path.write_bytes(data.draw(st.binary(max_size=300)))
        raw = path.read_bytes()
        verdict = verifier.verify_file(path)
        assert verdict.ok in (True, False)
        assert "\n" not in verdict.message and verdict.message
        if mode == "tree" and verdict.ok:
            # an edit that still verifies may only touch what the report merely claims
            assert {k: v for k, v in mutated.items() if k in ("seed", "decisions", "story", "score")} == {
                k: v for k, v in REPORT.items() if k in ("seed", "decisions", "story", "score")
            }
        assert path.read_bytes() == raw
    finally:
        shutil.rmtree(directory, ignore_errors=True)
