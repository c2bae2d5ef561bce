"""Saves: round trip, atomic writes, slot names, edited stories, damaged files, the saves folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import copy_mini, until_over

from pizzaborg.engine import Game, load_story
from pizzaborg.engine import saves as S

PLAN = {"a.start": "assess", "a.bake": "visit", "b.open": "fix", "b.close": "done"}


def play(game: Game, until: str | None = None, steps: int | None = None) -> Game:
    for n in until_over(lambda: game.over or game.state == until):
        if steps is not None and n >= steps:
            break
        game.choose(PLAN.get(game.state) or game.available()[0].id)
    return game


def files_in(directory: Path) -> list[str]:
    return sorted(p.name for p in Path(directory).iterdir())


@pytest.fixture
def saves(tmp_path) -> Path:
    return tmp_path / "saves"


# ---- round trip -----------------------------------------------------------------------------


def test_round_trip(mini, saves):
    game = play(Game(mini, 3), until="b.open")
    path = S.save_game(saves, "one", game)
    assert path == saves / "one.json"
    loaded = S.load_game(saves, "one", mini)
    assert loaded.warning is None
    assert loaded.game.state_dict() == game.state_dict()
    assert loaded.game.seed == 3
    assert files_in(saves) == ["one.json"]  # no temp files left behind


def test_round_trip_of_a_finished_game(mini, saves):
    game = play(Game(mini, 8))
    assert game.over
    S.save_game(saves, "done", game)
    loaded = S.load_game(saves, "done", mini)
    assert loaded.game.over and loaded.game.ending == game.ending
    assert loaded.game.state_dict() == game.state_dict()


def test_save_file_holds_what_defines_the_game(mini, saves):
    game = play(Game(mini, 3), steps=2)
    S.save_game(saves, "one", game, learner="Ada")
    data = json.loads((saves / "one.json").read_text(encoding="utf-8"))
    assert data["format"] == "pizzaborg-save" and data["schema"] == 2
    assert data["story"] == {"id": "mini", "version": "1.0", "hash": mini.hash}
    assert data["seed"] == 3
    assert data["decisions"] == game.decision_list
    assert data["learner"] == "Ada"
    assert data["summary"]["decisions"] == 2 and data["summary"]["over"] is False


def test_overwriting_keeps_created_and_learner(mini, saves):
    game = play(Game(mini, 3), steps=1)
    S.save_game(saves, "one", game, learner="Ada", now="2026-01-01T00:00:00+00:00")
    play(game, steps=1)
    S.save_game(saves, "one", game, now="2026-01-02T00:00:00+00:00")
    save = S.read_save(saves, "one")
    assert save.created == "2026-01-01T00:00:00+00:00"
    assert save.updated == "2026-01-02T00:00:00+00:00"
    assert save.learner == "Ada"
    assert len(save.decisions) == 2


def test_unknown_fields_survive_a_resave(mini, saves):
    game = play(Game(mini, 3), steps=1)
    S.save_game(saves, "one", game)
    data = json.loads((saves / "one.json").read_text())
    data["assignment"] = "week-3"
    (saves / "one.json").write_text(json.dumps(data))
    S.save_game(saves, "one", play(game, steps=1))
    assert json.loads((saves / "one.json").read_text())["assignment"] == "week-3"


# ---- atomic writes --------------------------------------------------------------------------


@pytest.mark.parametrize("fail", ["replace", "fsync"])
def test_failed_write_leaves_the_previous_save(mini, saves, monkeypatch, fail):
    game = play(Game(mini, 3), steps=1)
    S.save_game(saves, "one", game)
    before = (saves / "one.json").read_bytes()
    play(game, steps=2)

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, fail, boom)
    with pytest.raises(S.SaveError) as info:
        S.save_game(saves, "one", game)
    monkeypatch.undo()
    assert "No space left on device" in str(info.value)
    assert "unchanged" in str(info.value)
    assert (saves / "one.json").read_bytes() == before
    assert files_in(saves) == ["one.json"]  # the temporary file is gone
    assert len(S.load_game(saves, "one", mini).game.decisions) == 1


def test_failed_first_write_leaves_nothing(mini, saves, monkeypatch):
    game = play(Game(mini, 3), steps=1)
    saves.mkdir()

    def boom(*args, **kwargs):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(S.SaveError):
        S.save_game(saves, "one", game)
    monkeypatch.undo()
    assert files_in(saves) == []


# ---- slot names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "slot", ["../x", "/abs", "a/b", "a\\b", "x" * 65, "", "..", ".hidden", "-dash", "a\nb", "a\x00b"]
)
def test_bad_slot_names_are_rejected(mini, saves, slot):
    game = Game(mini, 0)
    with pytest.raises(S.SaveError):
        S.check_slot(slot)
    with pytest.raises(S.SaveError):
        S.save_game(saves, slot, game)
    with pytest.raises(S.SaveError):
        S.load_game(saves, slot, mini)
    assert not saves.exists() or files_in(saves) == []
    assert not (saves.parent / "x.json").exists()


@pytest.mark.parametrize("slot", ["x" * 64, "my save", "week-3_v2.1", "1"])
def test_good_slot_names(mini, saves, slot):
    path = S.save_game(saves, slot, play(Game(mini, 0), steps=1))
    assert path.parent == saves and path.name == slot + ".json"
    assert len(S.load_game(saves, slot, mini).game.decisions) == 1


# ---- changed and other stories --------------------------------------------------------------


def test_save_from_a_changed_story_loads_the_prefix(mini, saves, tmp_path):
    game = play(Game(mini, 3), until="b.close")
    S.save_game(saves, "one", game)
    decisions = game.decision_list
    kept = next(i for i, d in enumerate(decisions) if d["scene"] == "a.bake")  # 'visit' gets renamed
    edited = copy_mini(tmp_path)
    f = edited / "rounds" / "01-a.yaml"
    f.write_text(f.read_text().replace("id: visit", "id: go-visit"))
    loaded = S.load_game(saves, "one", load_story(edited))
    assert loaded.game.decision_list == decisions[:kept]
    assert loaded.game.state == "a.bake"
    assert f"{kept} of {len(decisions)} decisions" in loaded.warning
    assert "replayed" in loaded.warning


def test_save_from_an_edited_story_that_still_fits(mini, saves, tmp_path):
    game = play(Game(mini, 3), until="b.close")
    S.save_game(saves, "one", game)
    edited = copy_mini(tmp_path)
    f = edited / "story.yaml"
    f.write_text(f.read_text().replace('version: "1.0"', 'version: "1.1"'))
    loaded = S.load_game(saves, "one", load_story(edited))
    assert loaded.game.decision_list == game.decision_list
    n = len(game.decisions)
    assert f"all {n} decisions replayed" in loaded.warning and "1.1" in loaded.warning


def test_save_of_another_story_is_refused(mini, saves, tmp_path):
    S.save_game(saves, "one", play(Game(mini, 3), steps=1))
    other = copy_mini(tmp_path)
    f = other / "story.yaml"
    f.write_text(f.read_text().replace("id: mini", "id: other-story"))
    with pytest.raises(S.SaveError, match="mini"):
        S.load_game(saves, "one", load_story(other))


# ---- damaged and foreign files --------------------------------------------------------------


def _valid_save_text(mini) -> str:
    game = play(Game(mini, 3), steps=2)
    return json.dumps(S.make_save(game, "x").to_json())


BAD_FILES = {
    "corrupt": (lambda mini: '{"format": "pizzaborg-save", "schema": ', "not valid JSON"),
    "truncated": (lambda mini: _valid_save_text(mini)[: len(_valid_save_text(mini)) // 2], "not valid JSON"),
    "not-a-save": (lambda mini: json.dumps({"name": "my shopping list", "items": [1, 2]}), "not a PizzaBorg save"),
    "a-list": (lambda mini: "[1, 2, 3]", "not a PizzaBorg save"),
    "future": (lambda mini: _valid_save_text(mini).replace('"schema": 2', '"schema": 99'), "newer PizzaBorg"),
    "nan": (lambda mini: _valid_save_text(mini).replace('"seed": 3', '"seed": NaN'), "not valid JSON"),
    "binary": (lambda mini: b"\x89PNG\r\n\x1a\n\xff\xfe".decode("latin-1"), "not valid JSON"),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_damaged_or_foreign_file_is_a_clear_error_and_never_overwritten(mini, saves, kind):
    make, expected = BAD_FILES[kind]
    saves.mkdir()
    target = saves / f"{kind}.json"
    target.write_bytes(make(mini).encode("latin-1" if kind == "binary" else "utf-8"))
    before = target.read_bytes()
    with pytest.raises(S.SaveError) as info:
        S.load_game(saves, kind, mini)
    msg = str(info.value)
    assert expected in msg and f"{kind}.json" in msg
    assert "\n" not in msg
    with pytest.raises(S.SaveError, match="left alone|not a PizzaBorg|not valid JSON|newer"):
        S.save_game(saves, kind, play(Game(mini, 3), steps=1))
    assert target.read_bytes() == before
    assert files_in(saves) == [f"{kind}.json"]


def test_missing_save(mini, saves):
    with pytest.raises(S.SaveError, match="no save named 'ghost'"):
        S.load_game(saves, "ghost", mini)


def test_list_saves_lists_unreadable_files(mini, saves):
    game = play(Game(mini, 3), steps=1)
    S.save_game(saves, "old", game, now="2026-01-01T00:00:00+00:00")
    S.save_game(saves, "new", game, now="2026-02-01T00:00:00+00:00")
    (saves / "broken.json").write_text("{not json")
    (saves / "notes.txt").write_text("not a save at all")
    infos = S.list_saves(saves)
    assert [i.slot for i in infos] == ["new", "old", "broken"]  # newest first, unreadable last
    broken = infos[-1]
    assert not broken.readable and broken.save is None
    assert "not valid JSON" in broken.error
    assert all(i.readable and i.error is None for i in infos[:2])


def test_list_saves_of_a_missing_folder(tmp_path):
    assert S.list_saves(tmp_path / "nowhere") == []


# ---- where saves live -----------------------------------------------------------------------


def test_saves_dir_explicit_wins_over_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PIZZABORG_SAVES", str(tmp_path / "env"))
    assert S.saves_dir(tmp_path / "explicit") == tmp_path / "explicit"
    assert S.saves_dir(str(tmp_path / "explicit")) == tmp_path / "explicit"


def test_saves_dir_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("PIZZABORG_SAVES", str(tmp_path / "env"))
    assert S.saves_dir() == tmp_path / "env"


def test_saves_dir_default_is_saves_under_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("PIZZABORG_SAVES", raising=False)
    monkeypatch.chdir(tmp_path)
    assert S.saves_dir().resolve() == (tmp_path / "saves").resolve()


def test_cli_save_goes_where_the_environment_says(run_cli, mini_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("PIZZABORG_SAVES", str(tmp_path / "env"))
    code, _, err = run_cli("play", "--story", mini_dir, "--choices", "1", "--save", "s1", "--json", cwd=tmp_path)
    assert code == 0, err
    assert (tmp_path / "env" / "s1.json").is_file()
    assert not (tmp_path / "saves").exists()
    code, _, err = run_cli(
        "play", "--story", mini_dir, "--choices", "1", "--save", "s2", "--saves-dir", tmp_path / "explicit", "--json"
    )
    assert code == 0, err
    assert (tmp_path / "explicit" / "s2.json").is_file()
    assert not (tmp_path / "env" / "s2.json").exists()


# ---- the undo record (schema 2) ---------------------------------------------------------------------


def test_undos_are_saved_and_restored(mini, saves):
    game = play(Game(mini, 3), steps=2)
    game.undo()
    game.choose(game.available()[-1].id)
    S.save_game(saves, "u", game)
    data = json.loads((saves / "u.json").read_text())
    assert data["undos"] == game.undo_list and len(data["undos"]) == 1
    assert "undos_complete" not in data
    loaded = S.load_game(saves, "u", mini)
    assert loaded.game.undos == game.undos and loaded.game.report() == game.report()
    assert loaded.note is None and loaded.game.undo_record


def test_schema_1_save_loads_with_its_undo_record_missing(mini, saves):
    game = play(Game(mini, 3), steps=2)
    data = S.make_save(game, "old").to_json()
    data["schema"] = 1
    del data["undos"]
    data.pop("undos_complete", None)
    saves.mkdir()
    (saves / "old.json").write_text(json.dumps(data))
    loaded = S.load_game(saves, "old", mini)
    assert loaded.save.undos is None and not loaded.game.undo_record
    assert "earlier PizzaBorg" in loaded.note and "undos" in loaded.note
    assert loaded.game.decision_list == game.decision_list
    # saved again, it says so: the record stays incomplete, never invented
    S.save_game(saves, "old", loaded.game)
    again = json.loads((saves / "old.json").read_text())
    assert again["schema"] == S.SCHEMA and again["undos"] == [] and again["undos_complete"] is False
    assert not S.load_game(saves, "old", mini).game.undo_record


def test_damaged_undo_record_is_a_clear_error(mini, saves):
    game = play(Game(mini, 3), steps=2)
    data = S.make_save(game, "bad").to_json()
    data["undos"] = [{"decision": "two", "scene": "x", "choice": "y"}]
    saves.mkdir()
    (saves / "bad.json").write_text(json.dumps(data))
    with pytest.raises(S.SaveError, match="damaged undo record"):
        S.read_save(saves, "bad")
