"""Property tests: whatever bytes a story file, a save, a script or a learner's report holds, the result
is either a valid object or clean one-line problems — never an exception that would reach the player
or the trainer as a traceback.

`make test` runs a few examples of each (the whole file in seconds); `make fuzz`
(HYPOTHESIS_PROFILE=fuzz) runs FUZZ_CASES of each reader, 100,000 in all, and writes how many ran to
.fuzz-cases.json (the Makefile prints it).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from conftest import MINI_DIR, until_over  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from pizzaborg.engine import Game, load_story  # noqa: E402
from pizzaborg.engine import saves as S  # noqa: E402
from pizzaborg.engine.loader import read_story  # noqa: E402
from pizzaborg.engine.yamlsrc import load_yaml  # noqa: E402
from pizzaborg.headless import BadInput, load_script  # noqa: E402

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.register_profile("ci", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(PROFILE)

# `make fuzz`: cases per reader, 100,000 in all (the slow readers get fewer, the fast ones more)
FUZZ_CASES = {
    "story": 3_000,
    "yaml": 28_000,
    "save": 12_000,
    "script": 8_000,
    "report": 10_000,
    "assignment": 6_000,
    "condition": 17_000,
    "cache": 2_000,
    "folder": 2_000,
    "class-key": 2_000,
    "class-record": 3_000,
    "outbox": 3_000,
    "lrs-page": 4_000,
}
assert sum(FUZZ_CASES.values()) == 100_000
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))  # e.g. 0.01 for a quick trial of the fuzz profile
CI_CASES = {"story": 40, "folder": 12, "class-key": 20, "class-record": 20, "outbox": 20, "lrs-page": 20}
RAN: dict = {}


def cases(reader: str):
    """The example budget of one reader's test, counted as it runs."""
    n = max(1, round(FUZZ_CASES[reader] * SCALE)) if PROFILE == "fuzz" else CI_CASES.get(reader, 40)
    return settings(
        max_examples=n,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.function_scoped_fixture,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
    )


def ran(reader: str) -> None:
    RAN[reader] = RAN.get(reader, 0) + 1


@pytest.fixture(scope="module", autouse=True)
def _count_cases():
    import time

    t0 = time.perf_counter()
    yield
    if PROFILE == "fuzz":
        out = Path(__file__).resolve().parent.parent / ".fuzz-cases.json"
        out.write_text(
            json.dumps(
                {"cases": sum(RAN.values()), "seconds": round(time.perf_counter() - t0, 1), "per_reader": RAN}, indent=1
            )
            + "\n"
        )


MINI_TEXTS = {p.relative_to(MINI_DIR).as_posix(): p.read_text() for p in MINI_DIR.rglob("*.yaml")}
MINI = load_story(MINI_DIR)
WORK = Path(tempfile.mkdtemp(prefix="fuzz-work-"))  # files one example writes and the next overwrites
STORY_COPY = WORK / "story"
shutil.copytree(MINI_DIR, STORY_COPY)

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
@cases("story")
def test_story_loader_gives_a_story_or_clean_problems(data):
    ran("story")
    name = data.draw(st.sampled_from(sorted(MINI_TEXTS)))
    mutated = _mutate(MINI_TEXTS[name], data)
    root = STORY_COPY  # one copy of the mini story; the mutated file is put back afterwards
    try:
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
        (root / name).write_text(MINI_TEXTS[name], encoding="utf-8")


@given(yamlish)
@cases("yaml")
def test_yaml_reader_never_raises(text):
    ran("yaml")
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
@cases("save")
def test_save_loader_gives_a_save_or_a_clean_error(data):
    ran("save")
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
    directory = WORK
    try:
        path = directory / "one.json"
        path.write_bytes(raw)
        try:
            save = S.read_save_file(path)
        except S.SaveError as exc:
            assert "\n" not in str(exc) and str(exc)
        else:
            try:
                loaded = S.restore(MINI, save)
            except S.SaveError as exc:
                assert "\n" not in str(exc)
            else:
                assert loaded.game is not None
        assert path.read_bytes() == raw  # reading never changes the file
    finally:
        path.unlink(missing_ok=True)


SCRIPT_TEXT = (
    "seed: 3\nchoices: [1, assess, 2]\nexpect:\n  ending: good\n  min_score: 10\n  kpis: {trust: {min: 0, max: 100}}\n"
)


@given(st.data())
@cases("script")
def test_script_loader_gives_a_script_or_bad_input(data):
    ran("script")
    text = _mutate(SCRIPT_TEXT, data) if data.draw(st.booleans()) else data.draw(yamlish)
    path = WORK / "s.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_script(str(path))
    except BadInput as exc:
        assert "\n" not in str(exc) and str(exc)


def _valid_report() -> dict:
    from pizzaborg.trainer import build_report

    game = Game(load_story(MINI_DIR), 4)
    for _ in until_over(game):
        game.choose_number(1)
    return build_report(game, learner="Ada")


REPORT = _valid_report()
from pizzaborg.trainer import Verifier  # noqa: E402

VERIFIER = Verifier([load_story(MINI_DIR)])
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
@cases("report")
def test_report_verification_gives_a_verdict_never_an_exception(data):
    ran("report")
    verifier = VERIFIER
    mode = data.draw(st.sampled_from(["tree", "text", "bytes"]))
    try:
        path = WORK / "r.json"
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
        assert "cannot be verified (" not in verdict.message  # the safety net never had to catch anything
        if mode == "tree" and verdict.ok:
            # an edit that still verifies may only touch what the report merely claims
            assert {k: v for k, v in mutated.items() if k in ("seed", "decisions", "story", "score")} == {
                k: v for k, v in REPORT.items() if k in ("seed", "decisions", "story", "score")
            }
        assert path.read_bytes() == raw
    finally:
        (WORK / "r.json").unlink(missing_ok=True)


# ---- assignments, conditions, cache entries -------------------------------------------------------


def _valid_assignment_text() -> str:
    import yaml

    from pizzaborg.trainer.assignment import new_assignment

    a = new_assignment(load_story(MINI_DIR), "Workshop", seed=3, mastery=0.5, deadline="2099-01-01", note="Hi")
    return yaml.safe_dump(a.to_yaml_dict(), sort_keys=False)


ASSIGNMENT_TEXT = _valid_assignment_text()


@given(st.data())
@cases("assignment")
def test_assignment_loader_gives_an_assignment_or_one_line(data):
    from pizzaborg.trainer.assignment import AssignmentError, load_assignment

    ran("assignment")
    text = _mutate(ASSIGNMENT_TEXT, data) if data.draw(st.booleans()) else data.draw(yamlish)
    directory = Path(tempfile.mkdtemp(prefix="fuzz-asg-"))
    try:
        path = directory / "a.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogateescape")
        try:
            a = load_assignment(path)
        except AssignmentError as exc:
            assert "\n" not in str(exc) and str(exc)
        else:
            assert a.mastery is None or 0 < a.mastery <= 1
    finally:
        shutil.rmtree(directory, ignore_errors=True)


COND_WORDS = [
    "trust",
    "revenue",
    "score",
    "round",
    "assimilation",
    "flag.x",
    "learning(change)",
    "visited(a.start)",
    "chose(a.start.push)",
    "and",
    "or",
    "not",
    "(",
    ")",
    "<",
    "<=",
    ">",
    ">=",
    "==",
    "!=",
    "1",
    "2.5",
    "-",
    "true",
    "false",
    "nope",
    "\x1b[2J",
    "²",
]


@given(st.lists(st.one_of(st.sampled_from(COND_WORDS), st.text(max_size=3)), max_size=300).map(" ".join))
@cases("condition")
def test_condition_parser_gives_a_condition_or_a_placed_error(text):
    from pizzaborg.engine.conditions import ConditionError, parse_condition

    ran("condition")
    try:
        cond = parse_condition(text, {"trust", "revenue"})
    except ConditionError as exc:
        assert 0 <= exc.offset <= len(text) and "\n" not in exc.message
    else:
        assert cond.source == text


@given(st.data())
@cases("cache")
def test_a_damaged_cache_entry_is_a_miss_never_a_failure(data):
    from pizzaborg.engine import cache

    ran("cache")
    directory = Path(tempfile.mkdtemp(prefix="fuzz-cache-"))
    old = os.environ.get("PIZZABORG_CACHE")
    try:
        os.environ["PIZZABORG_CACHE"] = str(directory)
        key = cache.key_of(MINI_DIR)
        story = load_story(MINI_DIR)  # writes the entry
        entry = directory / f"{key}.json"
        if not entry.exists():
            cache.store(story, key)
        text = entry.read_text(encoding="utf-8")
        entry.write_text(_mutate(text, data), encoding="utf-8")
        got = cache.load(MINI_DIR, key)
        assert got is None or got.hash == story.hash
        again = load_story(MINI_DIR)
        assert again.hash == story.hash
    finally:
        if old is None:
            os.environ.pop("PIZZABORG_CACHE", None)
        else:
            os.environ["PIZZABORG_CACHE"] = old
        shutil.rmtree(directory, ignore_errors=True)


# ---- verify and cohort over hostile folders ----------------------------------------------------------

ENTRY_KINDS = [
    "report",
    "edited",
    "deep",
    "fifo",
    "dev-zero",
    "dangling",
    "folder.json",
    "sparse",
    "bytes",
    "xapi",
    "nested-dir",
    "empty",
]
NAME_PARTS = [b"r", b"\xff\xfe", b"\n", b"\x1b[2J", b"=cmd", b" ", "é".encode(), b"\xe2\x80\xae", b"x" * 120]


def _entry_name(data, i: int) -> bytes:
    parts = data.draw(st.lists(st.sampled_from(NAME_PARTS), min_size=1, max_size=3))
    return (b"".join(parts)[:200].replace(b"/", b"_") or b"r") + b"-%d.json" % i


def _hostile_folder(root: bytes, data) -> None:
    for i in range(data.draw(st.integers(1, 6))):
        kind = data.draw(st.sampled_from(ENTRY_KINDS))
        where = root
        if kind == "nested-dir":
            where = os.path.join(root, b"sub-%d" % i, b"deeper")
            os.makedirs(where)
            kind = "report"
        path = os.path.join(where, _entry_name(data, i))
        if kind == "report":
            with open(path, "w", encoding="utf-8") as fh:
                json.dump(
                    dict(REPORT, learner=data.draw(st.sampled_from(["Ann", "ann", "Bob\u200b", "Bob", "Cy"]))), fh
                )
        elif kind == "edited":
            with open(path, "w", encoding="utf-8") as fh:
                json.dump(_mutate_json(REPORT, data), fh)
        elif kind == "deep":
            n = data.draw(st.integers(20, 3000))
            with open(path, "w") as fh:
                fh.write('{"format": "pizzaborg-report", "schema": 1, "x": ' + "[" * n + "]" * n + "}")
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "dev-zero":
            os.symlink(b"/dev/zero", path)
        elif kind == "dangling":
            os.symlink(b"/nonexistent/nothing", path)
        elif kind == "folder.json":
            os.mkdir(path)
        elif kind == "sparse":
            with open(path, "wb") as fh:
                fh.truncate(data.draw(st.sampled_from([9 * 1024 * 1024, 40 * 1024**3])))
        elif kind == "bytes":
            with open(path, "wb") as fh:
                fh.write(data.draw(st.binary(max_size=200)))
        elif kind == "xapi":
            from pizzaborg.trainer.xapi import statements

            with open(path, "w", encoding="utf-8") as fh:
                json.dump(
                    _mutate_json(statements(REPORT), data) if data.draw(st.booleans()) else statements(REPORT), fh
                )
        else:
            open(path, "wb").close()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@given(st.data())
@cases("folder")
def test_verify_and_cohort_over_a_hostile_folder_give_a_line_per_file(data):
    import contextlib
    import io

    from pizzaborg.cli import main

    ran("folder")
    root = tempfile.mkdtemp(prefix="fuzz-folder-").encode()
    try:
        _hostile_folder(root, data)
        for args in (["verify"], ["cohort", "--format", data.draw(st.sampled_from(["md", "csv", "json", "html"]))]):
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = main([*args, "--story", str(MINI_DIR), os.fsdecode(root)])
            assert code in (0, 1, 2), (code, err.getvalue())
            assert "internal error" not in err.getvalue() and "Traceback" not in err.getvalue()
            assert "\x1b" not in out.getvalue() + err.getvalue()
            if args[0] == "verify":
                for line in out.getvalue().splitlines():
                    assert ": verified (" in line or ": NOT verified: " in line, line
                    assert "cannot be verified (" not in line
    finally:
        shutil.rmtree(root, ignore_errors=True)


# ---- the readers issue 20 added: the class key and record, the outbox, an LRS page ----------------------------

jsonish = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=6), kids, max_size=4),
    max_leaves=12,
)


def _bytes_or_json(data) -> bytes:
    """Bytes of any kind, JSON of any shape, or a valid-looking JSON text cut short or with a key twice."""
    kind = data.draw(st.sampled_from(["bytes", "json", "cut", "twice"]))
    if kind == "bytes":
        return data.draw(st.binary(max_size=200))
    text = json.dumps(data.draw(jsonish))
    if kind == "cut":
        return text[: data.draw(st.integers(0, len(text)))].encode()
    if kind == "twice" and text.startswith("{") and len(text) > 2:
        return ('{"a": 1, "a": 2, ' + text[1:]).encode()
    return text.encode()


@given(st.data())
@cases("class-key")
def test_a_class_key_file_is_a_key_or_one_line(data):
    from pizzaborg.trainer.classrecord import KeyProblem, load_key

    ran("class-key")
    path = WORK / "key"
    hexish = st.text("0123456789abcdefABCDEF \n", max_size=90).map(str.encode)
    raw = data.draw(st.one_of(st.binary(max_size=100), hexish))
    path.write_bytes(raw)
    path.chmod(data.draw(st.sampled_from([0o600, 0o644, 0o620, 0o666])))
    try:
        key = load_key(path)
    except KeyProblem as exc:
        assert "\n" not in str(exc) and str(exc)
    else:
        assert len(key) >= 32


@given(st.data())
@cases("class-record")
def test_a_class_record_holds_or_says_why_in_one_line(data):
    from pizzaborg.trainer.classrecord import read_record, record_path

    ran("class-record")
    report = WORK / "r.json"
    report.write_bytes(data.draw(st.binary(max_size=50)))
    record_path(report).write_bytes(_bytes_or_json(data))
    record, why = read_record(report, [bytes(32)])
    assert record is None and (why is None or ("\n" not in why and why))


@given(st.data())
@cases("outbox")
def test_the_outbox_skips_what_it_cannot_read(data):
    from pizzaborg.trainer.send import OUTBOX_FORMAT, outbox_dir, pending

    ran("outbox")
    folder = outbox_dir(WORK / "saves")
    folder.mkdir(parents=True, exist_ok=True)
    raw = _bytes_or_json(data)
    if data.draw(st.booleans()):
        raw = json.dumps({"format": OUTBOX_FORMAT, "endpoint": "http://x/", "statements": data.draw(jsonish)}).encode()
    (folder / "a.json").write_bytes(raw)
    for _path, stmts in pending(WORK / "saves", "http://x/"):
        assert isinstance(stmts, list)


@given(st.data())
@cases("lrs-page")
def test_an_lrs_page_is_statements_or_one_line(data):
    from pizzaborg.trainer.lrs import Lrs, LrsError

    ran("lrs-page")
    lrs = Lrs("http://127.0.0.1:9/xAPI/")
    raw = _bytes_or_json(data)
    if data.draw(st.booleans()):
        depth = data.draw(st.integers(0, 3000))
        raw = b'{"statements": ' + b"[" * depth + b"]" * depth + b"}"
    lrs._request = lambda method, url, body=None, limit=0: (200, raw)
    try:
        found = lrs.get_statements({})
    except LrsError as exc:
        assert "\n" not in str(exc) and str(exc)
    else:
        assert isinstance(found, list) and all(isinstance(x, dict) for x in found)
