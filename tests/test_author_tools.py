"""The author tools: strategy bots, the learning map, random playthroughs and the story graph."""

from __future__ import annotations

import json
import random
import re
import shlex
import shutil
import subprocess
from collections import Counter

import pytest
from _storyhelp import MINI_DIR, ROOT, run_cli, tiny_story

from pizzaborg.author import bots
from pizzaborg.author.graph import to_dot, to_mermaid
from pizzaborg.author.map import REGENERATE, learning_map
from pizzaborg.author.randomtest import run_randomtest
from pizzaborg.engine import Game, load_story


@pytest.fixture(scope="module")
def mini():
    return load_story(MINI_DIR)


@pytest.fixture
def tiny(tmp_path):
    return load_story(tiny_story(tmp_path))


# ---- bots ----------------------------------------------------------------------------------------
def test_best_evidence_takes_the_highest_sum_and_the_first_of_a_tie(tiny):
    r = bots.play(tiny, "best-evidence", 0)
    assert r.decisions == [("r1.one", "tie-a"), ("r1.two", "good")]  # tie-a and tie-b both sum to 2
    assert (r.ending, r.score) == ("high", 90.0)  # tie-a earns 1 of a possible 2 for lp.one


def test_worst_practice_takes_a_worst_choice_else_the_lowest_evidence(tiny):
    r = bots.play(tiny, "worst-practice", 0)
    # worst-mild (-1) is taken over lowest (-3) because it is marked worst; r1.two has no worst choice
    assert r.decisions == [("r1.one", "worst-mild"), ("r1.two", "bad")]
    assert r.ending == "low"


def test_first_and_last_pick_among_the_offered_choices_only(tiny):
    assert bots.play(tiny, "always-first", 0).decisions == [("r1.one", "tie-a"), ("r1.two", "good")]
    # after worst-mild trust is 45, so the conditional 'hidden' is not offered and 'bad' is last
    assert bots.play(tiny, "always-last", 0).decisions == [("r1.one", "worst-mild"), ("r1.two", "bad")]


def test_random_bot_is_seeded(mini):
    runs = {s: bots.play(mini, "random", s).decisions for s in range(12)}
    assert all(bots.play(mini, "random", s).decisions == runs[s] for s in (0, 5, 11))
    assert len({tuple(d) for d in runs.values()}) > 3


def test_random_leaning_players_spread_from_bad_to_good_play(tiny):
    results = [bots.play(tiny, "random-leaning", s) for s in range(200)]
    assert results[7] == bots.play(tiny, "random-leaning", 7)
    endings = Counter(r.ending for r in results)
    assert set(endings) == {"low", "mid", "high"}
    # the leaning shows: the best-evidence opening is taken far more often by good-leaning players
    lean = {s: random.Random(s).uniform(-1, 1) for s in range(200)}
    good = [r for r in results if lean[r.seed] > 0.5]
    bad = [r for r in results if lean[r.seed] < -0.5]

    def share(rs):
        return sum(r.decisions[1] == ("r1.two", "good") for r in rs) / len(rs)

    assert share(good) - share(bad) > 0.3


def test_a_restarted_game_is_the_same_as_a_new_one(mini):
    game = bots.ReusableGame(mini, 99)
    for seed in range(8):
        r = bots.play(mini, "random", seed, game=game)
        fresh = Game.replay(mini, seed, [{"scene": s, "choice": c} for s, c in r.decisions])
        assert game.state_dict() == fresh.state_dict()


def test_words_shown_count_every_shown_part(tiny):
    # intro 4 + round intro 4 + scene 3 + four choices 10 + borg/note 4
    # + scene 3 + three choices 7 + borg/note 4 + reflection 4 + ending 4
    assert bots.play(tiny, "best-evidence", 0, count_words=True).words == 47


def test_a_dead_end_is_reported_by_the_bot(tmp_path):
    root = tiny_story(tmp_path)
    path = root / "rounds" / "01.yaml"
    path.write_text(
        path.read_text()
        .replace("when: trust >= 55", "when: trust >= 99")
        .replace("      - id: good\n", "      - id: good\n        when: trust > 99\n")
        .replace("      - id: bad\n", "      - id: bad\n        when: trust > 99\n")
    )
    with pytest.raises(bots.BotError, match="dead end: scene 'r1.two'"):
        bots.play(load_story(root), "always-first", 0)


def _playing(root) -> set:
    """The strategies that play a story (``trust-gain`` needs a trust KPI)."""
    story = load_story(root)
    return {n for n in bots.STRATEGIES if bots.applies(story, n)}


def test_story_bots_reports_engine_errors_with_the_seed_and_goes_on(tmp_path, monkeypatch):
    original = bots.ReusableGame.choose

    def broken(self, choice_id):
        if self.seed == 1 and self.state == "r1.two":
            raise RuntimeError("boom")
        return original(self, choice_id)

    monkeypatch.setattr(bots.ReusableGame, "choose", broken)
    root = tiny_story(tmp_path)
    code, out, err = run_cli("story", "bots", "--story", root, "-n", "3")
    assert code == 1
    assert out.count("error: seed 1: RuntimeError: boom") == len(_playing(root))
    assert "high 2" in next(line for line in out.splitlines() if line.startswith("best-evidence"))


def test_story_bots_table(tmp_path):
    code, out, err = run_cli("story", "bots", "--story", tiny_story(tmp_path), "-n", "3")
    assert code == 0, err
    rows = {line.split()[0]: line for line in out.splitlines() if line.split() and line.split()[0] in bots.STRATEGIES}
    assert set(rows) == _playing(tmp_path / "tiny")
    assert rows["best-evidence"].split()[1:4] == ["90.0", "90.0", "90.0"]
    assert "high 3" in rows["best-evidence"] and "low 3" in rows["worst-practice"]


def test_story_bots_json(tmp_path):
    code, out, _ = run_cli("story", "bots", "--story", tiny_story(tmp_path), "-n", "2", "--json")
    assert code == 0
    data = json.loads(out)
    by = {s["strategy"]: s for s in data["strategies"]}
    assert by["worst-practice"]["endings"] == {"low": 2}
    assert by["best-evidence"]["score"] == {"min": 90.0, "mean": 90.0, "max": 90.0}
    assert by["best-evidence"]["words"]["mean"] == 47


@pytest.mark.parametrize(
    "args, message",
    [
        (["-n", "0"], "between 1 and"),
        (["-n", "x"], "'x' is not a whole number"),
        (["--story", "/nonexistent/story"], "the story cannot be read"),
    ],
)
def test_story_bots_bad_input_is_one_line(args, message):
    code, out, err = run_cli("story", "bots", *args)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


# ---- learning map --------------------------------------------------------------------------------
def _row(md: str, key: str) -> str:
    return next(
        line
        for line in md.splitlines()
        if line.startswith("|") and f"`{key}`" in line.split("|")[2 if "." in key else 1]
    )


def test_map_lists_the_decisions_with_weights(mini):
    md = learning_map(mini)
    row = _row(md, "change.impact")
    assert "| 2 |" in row  # a.start and b.open test it (ev.* have no evidence)
    for ref in ("`a.start/assess` +2", "`a.start/push` -2", "`b.open/fix` +1", "`b.open/firefight` -1"):
        assert ref in row
    w1 = _row(md, "W1")
    assert "| 3 |" in w1 and "`a.bake/dashboard`" in w1 and "`b.open/firefight`" in w1


def test_map_marks_events_and_untested_points(tmp_path):
    root = tiny_story(tmp_path)
    (root / "story.yaml").write_text(
        (root / "story.yaml")
        .read_text()
        .replace(
            "- { id: lp.two, name: Point two }",
            "- { id: lp.two, name: Point two }\n        - { id: lp.three, name: 'Pipes | and *stars*' }",
        )
    )
    md = learning_map(load_story(root))
    row = _row(md, "lp.three")
    assert "**none**" in row and "| 0 |" in row
    assert "Pipes \\| and \\*stars\\*" in row
    assert all(
        line.count("|") - line.count("\\|") == 5 for line in md.splitlines() if line.startswith("| ") and "`lp." in line
    )


def test_story_map_writes_a_file(tmp_path):
    out = tmp_path / "map.md"
    code, stdout, err = run_cli("story", "map", "--story", MINI_DIR, "-o", out)
    assert code == 0 and stdout == "" and "wrote" in err
    assert out.read_text(encoding="utf-8") == learning_map(load_story(MINI_DIR))


def test_story_map_unwritable_output_is_one_line(tmp_path):
    code, _, err = run_cli("story", "map", "--story", MINI_DIR, "-o", tmp_path / "no" / "such" / "dir" / "map.md")
    assert code == 2 and "cannot be written" in err and len(err.strip().splitlines()) == 1


def test_learning_map_doc_is_up_to_date():
    doc = ROOT / "docs" / "learning-map.md"
    expected = learning_map(load_story())
    current = doc.read_text(encoding="utf-8") if doc.exists() else ""
    if current != expected:
        pytest.fail(
            f"docs/learning-map.md is out of date with the story; regenerate it with: {REGENERATE}", pytrace=False
        )


# ---- randomtest ----------------------------------------------------------------------------------
def test_randomtest_counts_and_coverage(mini):
    r = run_randomtest(mini, 300, seed=4, jobs=1)
    assert r.games == 300 and not r.failures
    assert sum(r.endings.values()) == 300 and set(r.endings) == {"fired", "good", "meh"}
    assert r.scene_games["a.start"] == 300 and r.scene_games["b.close"] == 300
    # b.crash follows only a rushed patch: a third of the games (push is one of three choices)
    assert r.scene_games["b.crash"] == r.choice_hits[("a.start", "push")] == 100
    assert sum(r.choice_hits[("a.start", c)] for c in ("assess", "push", "wait")) == 300
    assert r.never_taken == [] and r.never_played == []
    assert len(r.scores) == 300 and all(0 <= s <= 100 for s in r.scores)
    assert sum(r.score_stats()["histogram"].values()) == 300


def test_randomtest_prefers_the_least_used_choices(mini):
    r = run_randomtest(mini, 30, seed=1, jobs=1)
    counts = [r.choice_hits[("a.start", c)] for c in ("assess", "push", "wait")]
    assert counts == [10, 10, 10]
    counts = [r.choice_hits[("b.close", c)] for c in ("done", "quit")]
    assert counts == [15, 15]


def test_randomtest_lists_choices_never_taken(tmp_path):
    root = tiny_story(tmp_path)
    path = root / "rounds" / "01.yaml"
    path.write_text(path.read_text().replace("when: trust >= 55", "when: trust >= 99"))
    r = run_randomtest(load_story(root), 50, jobs=1)
    assert r.never_taken == [("r1.two", "hidden")]


def test_randomtest_same_seed_same_result_in_one_process_or_several(mini, monkeypatch):
    monkeypatch.setattr("pizzaborg.author.randomtest.CHUNK", 100)  # three chunks of a small run
    n = 2 * 100 + 37
    one = run_randomtest(mini, n, seed=7, jobs=1).as_dict()
    two = run_randomtest(mini, n, seed=7, jobs=2).as_dict()
    other = run_randomtest(mini, n, seed=8, jobs=1).as_dict()
    for d in (one, two, other):
        d.pop("seconds"), d.pop("jobs"), d.pop("seed")
    assert one == two
    assert other != one


def _dead_end_story(tmp_path):
    root = tiny_story(tmp_path)
    path = root / "rounds" / "01.yaml"
    # r1.two offers nothing when trust ends up below 50 after r1.one
    path.write_text(
        path.read_text()
        .replace("      - id: good\n", "      - id: good\n        when: trust >= 50\n")
        .replace("      - id: bad\n", "      - id: bad\n        when: trust >= 50\n")
        .replace("when: trust >= 55", "when: trust >= 99")
    )
    return root


def test_randomtest_reports_dead_ends_with_a_reproducible_seed(tmp_path):
    root = _dead_end_story(tmp_path)
    code, out, err = run_cli("story", "randomtest", "--story", root, "-n", "40", "--json")
    assert code == 1
    data = json.loads(out)
    fails = data["failures"]
    assert fails and {f["kind"] for f in fails} == {"dead-end"}
    assert all(f["scene"] == "r1.two" for f in fails)
    assert len(fails) == 20  # lowest and worst-mild: half the games
    f = fails[0]
    cmd = shlex.split(f["reproduce"])
    assert cmd[:2] == ["pizzaborg", "play"] and "--seed" in cmd
    code, out, err = run_cli(*cmd[1:], "--json")
    assert code == 0, err
    replay = json.loads(out)
    assert replay["over"] is False and replay["next"]["scene"] == "r1.two" and replay["next"]["choices"] == []


def test_randomtest_text_report_groups_failures(tmp_path):
    code, out, _ = run_cli("story", "randomtest", "--story", _dead_end_story(tmp_path), "-n", "8")
    assert code == 1
    assert "Failures: 4" in out
    line = next(x for x in out.splitlines() if "FAIL dead-end" in x)
    assert "scene 'r1.two' offers no choice" in line and "4 game(s)" in line
    assert "reproduce: pizzaborg play --seed" in out


def test_randomtest_reports_loops(tmp_path):
    root = tiny_story(tmp_path)
    path = root / "rounds" / "01.yaml"
    path.write_text(path.read_text().replace("    next: end", "    next: r1.one"))
    r = run_randomtest(load_story(root), 3, jobs=1)
    assert [f.kind for f in r.failures] == ["no-ending"] * 3
    assert "the story loops" in r.failures[0].message


def test_randomtest_reports_engine_exceptions(mini, monkeypatch):
    original = bots.ReusableGame.choose

    def broken(self, choice_id):
        if self.state == "b.crash":
            raise RuntimeError("boom")
        return original(self, choice_id)

    monkeypatch.setattr(bots.ReusableGame, "choose", broken)
    r = run_randomtest(mini, 60, jobs=1)
    assert r.failures and all(f.kind == "exception" and f.scene == "b.crash" for f in r.failures)
    assert r.failures[0].message == "RuntimeError: boom"
    assert r.failures[0].decisions[-1] == ("b.crash", "continue")
    # the run went on after each failure: the other games finished
    assert sum(r.endings.values()) + len(r.failures) == 60


def test_story_randomtest_text_report():
    code, out, err = run_cli("story", "randomtest", "--story", MINI_DIR, "-n", "200", "--seed", "3")
    assert code == 0, err
    assert "200 game(s), seeds 3..202" in out
    assert re.search(r"^  fired\s+\d+\s+[\d.]+ %", out, re.M)
    assert "a.start: 200   [assess " in out
    assert "Choices never taken: 0" in out and "Failures: 0" in out


@pytest.mark.parametrize("args", [["-n", "-5"], ["--seed", "x"], ["--jobs", "0"]])
def test_story_randomtest_bad_options(args):
    code, _, err = run_cli("story", "randomtest", "--story", MINI_DIR, *args)
    assert code == 2 and len(err.strip().splitlines()) == 1


# ---- graph ---------------------------------------------------------------------------------------
HOSTILE = 'Say "hi" <b>bold</b> | #1 [x] {y} `z` \\ end'


def _hostile_story(tmp_path):
    root = tiny_story(tmp_path)
    path = root / "rounds" / "01.yaml"
    text = path.read_text().replace("title: Round one", f"title: '{HOSTILE}'")
    text = text.replace("  - id: r1.one\n", f"  - id: r1.one\n    title: '{HOSTILE}'\n")
    path.write_text(text)
    return root


def test_mermaid_graph_structure(mini):
    g = to_mermaid(mini)
    assert g.startswith("flowchart TD\n")
    assert 'subgraph n_round_a["Round A"]' in g and 'subgraph n_round_b["Round B"]' in g
    assert 'subgraph n_pool_news["event pool news"]' in g
    assert "n_a_news{{" in g and "draws 2 from news" in g
    assert re.search(r'n_a_start -->\|"assess, push, wait if trust #gt; 40"\| n_a_news', g)
    assert re.search(r'n_b_open -->\|"fix if flag.rushed, firefight if flag.rushed"\| n_b_crash', g)
    assert re.search(r'n_b_close -->\|"quit"\| n_ending_fired', g)
    assert re.search(r'n___end__ -->\|"if trust #lt; 30"\| n_ending_fired', g)
    assert re.search(r'n___end__ -->\|"otherwise"\| n_ending_meh', g)
    assert "n_a_news -.-> n_ev_fire" in g
    assert re.search(r"class .*n_ending_good.* ending", g)


def test_mermaid_labels_are_escaped(tmp_path):
    g = to_mermaid(load_story(_hostile_story(tmp_path)))
    for line in g.splitlines():
        assert line.count('"') % 2 == 0, line
        # every label is one double-quoted string with no raw angle bracket, pipe or backtick inside
        for label in re.findall(r'"([^"]*)"', line):
            assert not set(label.replace("<br/>", "")) & set("<>|`"), line
    assert "#quot;hi#quot; #lt;b#gt;bold#lt;/b#gt; #124; #35;1 [x] {y} #96;z#96; \\ end" in g


def test_dot_graph_structure_and_escaping(tmp_path, mini):
    g = to_dot(mini)
    assert g.startswith('digraph "mini" {') and g.rstrip().endswith("}")
    assert 'label="Round A";' in g and 'label="event pool news"; style=dashed;' in g
    assert '"a.start" -> "a.news" [label="assess, push, wait if trust > 40"];' in g
    assert '"ending:fired" [label="Ending: Fired\\n(fired)", shape=doubleoctagon' in g
    assert '"a.news" -> "ev.fire" [style=dashed];' in g
    h = to_dot(load_story(_hostile_story(tmp_path)))
    assert 'Say \\"hi\\" <b>bold</b> | #1 [x] {y} `z` \\\\ end' in h
    # every line's quoted strings close: strip escaped characters, then quotes must pair up
    for line in h.splitlines():
        assert re.sub(r"\\.", "", line).count('"') % 2 == 0, line


def test_story_graph_cli(tmp_path):
    out = tmp_path / "g.dot"
    code, stdout, err = run_cli("story", "graph", "--story", MINI_DIR, "--format", "dot", "-o", out)
    assert code == 0 and out.read_text().startswith('digraph "mini"')
    code, stdout, err = run_cli("story", "graph", "--story", MINI_DIR)
    assert code == 0 and stdout.startswith("flowchart TD")
    code, _, err = run_cli("story", "graph", "--story", MINI_DIR, "--format", "png")
    assert code == 2 and "invalid choice" in err


def test_every_scene_and_ending_is_in_the_graph(mini):
    g = to_dot(mini)
    for sid in mini.scenes:
        assert f'"{sid}" [label=' in g
    for e in mini.endings:
        assert f'"ending:{e.id}" [label=' in g


def test_conditions_see_the_same_score_and_assimilation_as_the_report(mini, tmp_path):
    """The engine's fast path for `score` and `assimilation` in conditions agrees with the report,
    also with fractional weights (the sums are taken in the same order)."""
    root = tiny_story(tmp_path)
    path = root / "rounds" / "01.yaml"
    path.write_text(
        path.read_text()
        .replace("lp.one: 1, lp.two: 1", "lp.one: 0.1, lp.two: 0.7")
        .replace("lp.one: -1 }", "lp.one: -0.3 }")
        .replace("lp.two: 2 }", "lp.two: 0.2 }")
    )
    seen = set()
    for story in (mini, load_story(root)):
        game = bots.ReusableGame(story, 0)
        for seed in range(40):
            rng = random.Random(seed)
            game.restart(seed)
            while True:
                report = game.report()
                assert game.view.number("assimilation") == report.assimilation
                assert game.view.number("score") == (report.overall or 0.0)
                seen.add((report.assimilation, report.overall))
                if game.over:
                    break
                offered = game.available()
                game.choose(offered[rng.randrange(len(offered))].id)
    assert len(seen) > 3  # the games covered several values, not only 0


@pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz is not installed (the structure tests above still run)"
)
def test_graphviz_accepts_the_dot_output(tmp_path, mini):
    for story in (mini, load_story(_hostile_story(tmp_path))):
        run = subprocess.run(["dot", "-Tsvg"], input=to_dot(story), capture_output=True, text=True, timeout=60)
        assert run.returncode == 0 and not run.stderr, run.stderr


# ---- issue 19: the answer key ----------------------------------------------------------------------
def test_the_answer_key_lists_every_negative_or_worst_option_with_its_principle(tmp_path):
    from pizzaborg.author.answerkey import answer_key, keyed

    story = load_story(ROOT / "tests" / "fixtures" / "audit" / "tells")
    assert [(s.id, c.id) for s, c in keyed(story)] == [(f"r1.s{i}", k) for i in range(4) for k in ("middle", "worst")]
    root = tiny_story(tmp_path)
    code, out, err = run_cli("story", "answer-key", "--story", root)
    assert code == 0, err
    assert out == answer_key(load_story(root))
    lines = out.splitlines()
    assert lines[0] == "# Answer key: Tiny (1)" or lines[0].startswith("# Answer key: ")
    # r1.one: lowest (-3) and worst-mild (W1); r1.two: bad (-2); the ties and the good ones are not keyed
    rows = [ln for ln in lines if ln.startswith("| `r1.")]
    assert [r.split("|")[2].split(":")[0].strip() for r in rows] == ["`lowest`", "`worst-mild`", "`bad`"]
    assert "| lp.one -1 | W1: Worst one | Note d. |" in rows[1]
    assert "2 decision(s)" in out and "3 option(s)" in out
    target = tmp_path / "key.md"
    code, _, err = run_cli("story", "answer-key", "--story", root, "-o", target)
    assert code == 0 and target.read_text(encoding="utf-8") == out and f"wrote {target}" in err
    code, _, err = run_cli("story", "answer-key", "--story", root, "-o", tmp_path / "no" / "such" / "key.md")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "cannot be written" in err


def test_an_option_without_a_note_is_flagged_in_the_key(tmp_path):
    from pizzaborg.author.answerkey import answer_key

    root = tiny_story(tmp_path)
    path = root / "rounds" / "01.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("        note: Note f.\n", ""), encoding="utf-8")
    row = next(ln for ln in answer_key(load_story(root)).splitlines() if "`bad`" in ln)
    assert row.endswith("| **no note: write the principle this option breaks** |")
