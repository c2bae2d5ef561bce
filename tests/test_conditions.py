"""The condition language: parsed by the game, evaluated over a small interface, never run as Python."""

from __future__ import annotations

import pytest

from pizzaborg.engine.conditions import ConditionError, parse_condition

KPIS = {"trust", "revenue"}


class FakeState:
    """A hand-set game state for conditions to look at."""

    def __init__(self, kpis=None, flags=(), numbers=None, learning=None, visited=(), chose=()):
        self.kpis = {"trust": 50, "revenue": 100, **(kpis or {})}
        self.flags = set(flags)
        self.numbers = {"score": 0.0, "assimilation": 0.0, "round": 1, **(numbers or {})}
        self.learning_scores = learning or {}
        self.visited_scenes = set(visited)
        self.chosen = set(chose)

    def kpi(self, name):
        return self.kpis[name]

    def flag(self, name):
        return name in self.flags

    def number(self, name):
        return self.numbers[name]

    def learning(self, ident):
        return self.learning_scores.get(ident, 0.0)

    def visited(self, scene):
        return scene in self.visited_scenes

    def chose(self, scene, choice):
        return (scene, choice) in self.chosen


def ev(text: str, **state) -> bool:
    return parse_condition(text, KPIS)(FakeState(**state))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("trust >= 50", True),
        ("trust > 50", False),
        ("trust <= 49", False),
        ("trust < 51", True),
        ("trust == 50", True),
        ("trust != 50", False),
        ("revenue > trust", True),
        ("trust > -1.5", True),
        ("trust < 50.5", True),
        ("true", True),
        ("false", False),
    ],
)
def test_comparisons(text, expected):
    assert ev(text) is expected


def test_not_binds_tightest_then_and_then_or():
    # not a and b == (not a) and b
    assert ev("not flag.a and flag.b", flags={"b"}) is True
    assert ev("not flag.a and flag.b", flags={"a", "b"}) is False
    # a or b and c == a or (b and c): with a true, the result is true whatever b and c are
    assert ev("flag.a or flag.b and flag.c", flags={"a"}) is True
    # ... and with a false it is b and c
    assert ev("flag.a or flag.b and flag.c", flags={"b"}) is False
    assert ev("flag.a or flag.b and flag.c", flags={"b", "c"}) is True
    # not not
    assert ev("not not flag.a", flags={"a"}) is True


def test_parentheses_override_precedence():
    # (a or b) and c: with only a set, false (without the brackets it would be true)
    assert ev("(flag.a or flag.b) and flag.c", flags={"a"}) is False
    assert ev("flag.a or flag.b and flag.c", flags={"a"}) is True
    assert ev("not (flag.a and flag.b)", flags={"a"}) is True
    assert ev("((trust > 10))") is True


def test_flags():
    assert ev("flag.rushed", flags={"rushed"}) is True
    assert ev("flag.rushed") is False
    assert ev("flag.rushed_change and trust < 60", flags={"rushed_change"}, kpis={"trust": 59}) is True


def test_learning_visited_chose():
    assert ev("learning(change) >= 60", learning={"change": 60.0}) is True
    assert ev("learning(change.impact) < 50", learning={"change.impact": 80.0}) is False
    assert ev("visited(r2.outage)", visited={"r2.outage"}) is True
    assert ev("visited(r2.outage)") is False
    assert ev("chose(r2.outage.escalate)", chose={("r2.outage", "escalate")}) is True
    # the choice id is the part after the last dot, the rest is the scene id
    assert ev("chose(r2.outage.escalate)", chose={("r2", "outage.escalate")}) is False


def test_score_assimilation_round():
    assert ev("score >= 35", numbers={"score": 35.0}) is True
    assert ev("score >= 35", numbers={"score": 34.9}) is False
    assert ev("assimilation > 50", numbers={"assimilation": 75.0}) is True
    assert ev("round == 2", numbers={"round": 2}) is True
    assert ev("round == 2") is False


def test_refs_are_collected_for_the_loader():
    cond = parse_condition("trust > 1 and flag.x and visited(a.b) and chose(a.b.c) and learning(lp) > 1", KPIS)
    refs = {(r.kind, r.name) for r in cond.refs}
    assert refs == {("kpi", "trust"), ("flag", "x"), ("scene", "a.b"), ("choice", "a.b.c"), ("learning", "lp")}
    # each offset points at the name in the text
    for r in cond.refs:
        assert cond.source[r.offset :].startswith(r.name if r.kind != "flag" else "flag." + r.name)


def error(text: str) -> ConditionError:
    with pytest.raises(ConditionError) as info:
        parse_condition(text, KPIS)
    return info.value


@pytest.mark.parametrize(
    "text, bad",
    [
        ("trust and 5", "trust"),  # a number where and needs a truth
        ("flag.x > 3", "flag.x"),  # a truth where > needs a number
        ("3 > flag.x", "flag.x"),
        ("not trust", None),
        ("trust", None),  # a condition must be a truth
    ],
)
def test_type_errors_have_an_offset(text, bad):
    exc = error(text)
    assert isinstance(exc.offset, int) and 0 <= exc.offset <= len(text)
    if bad is not None:
        assert text[exc.offset :].startswith(bad)


def test_type_error_offset_points_at_the_wrong_operand():
    # 'flag.ok' is a fine truth; the problem is the number after 'and'
    text = "flag.ok and 5"
    assert error(text).offset == text.index("5")
    text = "flag.ok or trust"
    assert error(text).offset == text.index("trust")


@pytest.mark.parametrize(
    "text, at",
    [
        ("nope > 1", "nope"),
        ("trust > 1 and nope", "nope"),
        ("foo(x)", "foo"),
        ("trust >> 5", "> 5"),
        ("trust +1 > 2", "+"),
        ("(trust > 1", None),
        ("trust > 1)", ")"),
        ("1 < 2 < 3", "< 3"),
        ("chose(a)", "a)"),
    ],
)
def test_malformed_and_unknown_names(text, at):
    exc = error(text)
    if at is None:
        assert exc.offset == len(text)  # missing ')' at the end
    else:
        assert text[exc.offset :].startswith(at)


def test_unknown_name_message_lists_what_is_allowed():
    assert "unknown name 'nope'" in error("nope > 1").message


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_condition(text):
    assert "empty" in error(text).message


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "__import__('os').system('true')",
        "os.system('x')",
        "lambda: 1",
        "trust + 1 > 2",
        "[x for x in ()]",
        "trust if true else 1",
        "().__class__",
    ],
)
def test_no_python_is_evaluated(text):
    exc = error(text)
    assert 0 <= exc.offset <= len(text)


def test_python_in_a_condition_does_not_run(tmp_path):
    marker = tmp_path / "pwned"
    for text in (f"__import__('os').system('touch {marker}')", f"open({str(marker)!r}, 'w')"):
        with pytest.raises(ConditionError):
            parse_condition(text, KPIS)
    assert not marker.exists()


def test_python_literals_are_not_conditions():
    # Python spells these differently; the condition language has only true/false
    with pytest.raises(ConditionError):
        parse_condition("True", KPIS)
    with pytest.raises(ConditionError):
        parse_condition("trust > 1 && trust < 5", KPIS)
