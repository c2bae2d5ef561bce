"""Choice order without a tell: shuffled per game from (seed, scene id), pins, shuffle off, numbers as shown."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from _storyhelp import ROOT, run_cli

from pizzaborg.engine import Game, load_story
from pizzaborg.engine import saves as S

SHUFFLE_DIR = ROOT / "tests" / "fixtures" / "shuffle"


@pytest.fixture(scope="module")
def story():
    return load_story(SHUFFLE_DIR)


def order(story, seed):
    return Game(story, seed).scene.order


def test_the_same_seed_shows_the_same_order_and_seeds_differ(story):
    assert order(story, 7) == order(story, 7)
    orders = {tuple(order(story, s)) for s in range(40)}
    assert len(orders) > 10  # 120 possible orders of five; 40 seeds give many
    firsts = {o[0] for o in orders}
    assert firsts == {"a", "b", "c", "d", "e"}  # every option is first for some seed


def test_the_order_is_the_same_in_every_process_and_python(story):
    # splitmix64 over FNV-1a of the scene id: no hash(), so PYTHONHASHSEED and the Python version do
    # not matter. These orders are part of the contract: a class given seed 1 sees them.
    assert order(story, 1) == ["c", "e", "d", "a", "b"]
    assert order(story, 2) == Game(story, 2).scene.order
    code = (
        "from pizzaborg.engine import Game, load_story;"
        f"print(','.join(Game(load_story({str(SHUFFLE_DIR)!r}), 1).scene.order))"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345", PIZZABORG_CACHE="off")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.strip() == "c,e,d,a,b"


def test_pinned_choices_lead_and_close_and_the_rest_is_shuffled(story):
    seen = set()
    for seed in range(30):
        game = Game(story, seed)
        game.choose_number(1)
        shown = game.scene.order
        assert shown[0] == "first" and shown[-1] == "last"
        seen.add(tuple(shown[1:-1]))
    assert len(seen) > 3


def test_a_scene_with_shuffle_false_keeps_the_written_order(story):
    for seed in range(10):
        game = Game(story, seed)
        game.choose_number(1)
        game.choose_number(1)
        assert game.scene.order == ["one", "two", "three"]


def test_a_story_with_shuffle_false_keeps_every_order(tmp_path):
    root = tmp_path / "s"
    shutil.copytree(SHUFFLE_DIR, root)
    (root / "story.yaml").write_text((root / "story.yaml").read_text() + "shuffle: false\n")
    st = load_story(root)
    assert {tuple(order(st, s)) for s in range(10)} == {("a", "b", "c", "d", "e")}


def test_numbers_are_positions_as_shown_and_ids_do_not_move(story):
    for seed in (1, 2, 3):
        game = Game(story, seed)
        first_shown = game.scene.choices[0]
        assert first_shown.n == 1
        outcome = game.choose_number(1)
        assert outcome.choice == first_shown.id
        # the decision records the order the player saw
        assert list(game.decisions[0].shown) == order(story, seed)


def test_a_numbered_script_depends_on_the_seed_and_ids_do_not(story):
    a = json.loads(run_cli("play", "--story", SHUFFLE_DIR, "--choices", "1,1,1", "--seed", "1", "--json")[1])
    b = json.loads(run_cli("play", "--story", SHUFFLE_DIR, "--choices", "1,1,1", "--seed", "4", "--json")[1])
    assert a["decisions"][0]["choice"] == "c" and b["decisions"][0]["choice"] != "c"
    by_id = [
        json.loads(run_cli("play", "--story", SHUFFLE_DIR, "--choices", "c,x,two", "--seed", s, "--json")[1])
        for s in (1, 4)
    ]
    assert by_id[0]["decisions"] == by_id[1]["decisions"]
    assert by_id[0]["kpis"] == by_id[1]["kpis"] == {"trust": 53}


def test_headless_next_lists_the_choices_as_shown(story):
    code, out, _ = run_cli("play", "--story", SHUFFLE_DIR, "--choices", "", "--seed", "1", "--json")
    assert code == 0
    nxt = json.loads(out)["next"]
    assert [c["id"] for c in nxt["choices"]] == ["c", "e", "d", "a", "b"]
    assert [c["n"] for c in nxt["choices"]] == [1, 2, 3, 4, 5]


def test_replay_and_undo_by_id_are_unaffected(story):
    game = Game(story, 9)
    game.choose("b")
    game.choose("y")
    again = Game.replay(story, 9, game.decision_list)
    assert again.state_dict() == game.state_dict()
    assert game.undo() and game.scene.order == Game.replay(story, 9, game.decision_list).scene.order


def test_a_save_of_the_previous_story_version_loads_and_says_so(tmp_path):
    """Version 1 of a story kept its choices in the written order; version 2 shuffles them. A save made
    with version 1 loads in version 2 (its decisions are ids) and the player is told."""
    old = tmp_path / "old"
    shutil.copytree(SHUFFLE_DIR, old)
    text = (old / "story.yaml").read_text().replace('version: "2.0"', 'version: "1.0"') + "shuffle: false\n"
    (old / "story.yaml").write_text(text)
    old_story = load_story(old)
    game = Game(old_story, 5)
    game.choose_number(2)  # 'b' in the written order
    game.choose_number(3)  # 'y' of x, y, z after the pinned 'first'... written: last, x, y, z, first -> y
    S.save_game(tmp_path / "saves", "mine", game)
    assert [d["choice"] for d in game.decision_list] == ["b", "y"]

    new_story = load_story(SHUFFLE_DIR)
    loaded = S.load_game(tmp_path / "saves", "mine", new_story)
    assert [d["choice"] for d in loaded.game.decision_list] == ["b", "y"]
    assert loaded.game.state == "s.fixed"
    assert "version 1.0" in loaded.warning and "all 2 decisions replayed" in loaded.warning


def test_a_save_whose_choice_is_gone_loads_as_far_as_it_can(tmp_path):
    old = tmp_path / "old"
    shutil.copytree(SHUFFLE_DIR, old)
    (old / "story.yaml").write_text((old / "story.yaml").read_text().replace('version: "2.0"', 'version: "1.0"'))
    rounds = old / "rounds" / "01.yaml"
    rounds.write_text(rounds.read_text().replace("{ id: z, text: Option Z }", "{ id: zz, text: Option Z }"))
    game = Game(load_story(old), 5)
    game.choose("a")
    game.choose("zz")
    S.save_game(tmp_path / "saves", "mine", game)
    loaded = S.load_game(tmp_path / "saves", "mine", load_story(SHUFFLE_DIR))
    assert loaded.game.decision_list == [{"scene": "s.five", "choice": "a"}]
    assert "1 of 2 decisions still fit this version (2.0)" in loaded.warning


def test_the_shipped_story_shuffles_and_is_a_new_version():
    story = load_story()
    assert story.version == "0.3.0" and story.shuffle
    orders = {tuple(Game(story, s).scene.order) for s in range(20)}
    assert len(orders) > 1 or len(Game(story, 0).scene.order) < 2


def test_a_real_save_of_story_version_0_1_0_loads_in_this_version_and_says_so(tmp_path):
    """tests/fixtures/saves-0.1.0/midgame.json was written by pizzaborg before the shuffle (story
    0.1.0, choices in the written order, played by numbers). Its decisions are ids: this version
    replays what still fits and tells the player which version the save came from."""
    src = ROOT / "tests" / "fixtures" / "saves-0.1.0"
    shutil.copytree(src, tmp_path / "saves")
    story = load_story()
    loaded = S.load_game(tmp_path / "saves", "midgame", story)
    saved = json.loads((src / "midgame.json").read_text())["decisions"]
    kept = loaded.game.decision_list
    assert kept == saved[: len(kept)] and kept  # replayed by id, in order, as far as they fit
    assert "was saved with version 0.1.0 of the story" in loaded.warning
    assert f"({story.version})" in loaded.warning
