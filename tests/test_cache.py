"""The story cache: a hit gives the very story a fresh read gives; any edit, damage or trouble with
the cache folder falls back to reading the YAML, and a broken story is never served from it."""

from __future__ import annotations

import os

import pytest
from conftest import copy_mini, until_over

from pizzaborg.engine import Game, StoryError, cache, load_story
from pizzaborg.engine.loader import read_story


def entries(directory) -> list:
    return sorted(p.name for p in directory.glob("*.json"))


def play_through(story, seed=5) -> dict:
    game = Game(story, seed)
    for _ in until_over(game):
        game.choose_number(len(game.scene.choices))
    return game.state_dict()


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv("PIZZABORG_CACHE", str(d))
    return d


def test_second_load_comes_from_the_cache_and_is_the_same_story(tmp_path, cache_dir):
    root = copy_mini(tmp_path)
    fresh = load_story(root)
    assert len(entries(cache_dir)) == 1
    cached = cache.load(root, cache.key_of(root))
    assert cached is not None and cached is not fresh
    assert cache._enc(cached) == cache._enc(fresh)
    assert cached.hash == fresh.hash and cached.files == fresh.files
    assert play_through(load_story(root)) == play_through(fresh)


def test_the_shipped_story_round_trips(cache_dir):
    fresh, problems = read_story(None)
    assert not problems
    load_story(None)
    cached = load_story(None)
    assert cache._enc(cached) == cache._enc(fresh)
    for seed in (1, 2):
        assert play_through(cached, seed) == play_through(fresh, seed)


def test_an_edit_is_a_miss(tmp_path, cache_dir):
    root = copy_mini(tmp_path)
    load_story(root)
    story_yaml = root / "story.yaml"
    story_yaml.write_text(story_yaml.read_text().replace("title:", "title: Edited -", 1))
    story = load_story(root)
    assert story.title.startswith("Edited -")
    assert len(entries(cache_dir)) == 2


def test_a_broken_story_is_never_cached_or_served(tmp_path, cache_dir):
    root = copy_mini(tmp_path)
    load_story(root)
    rnd = sorted((root / "rounds").glob("*.yaml"))[0]
    rnd.write_text(rnd.read_text() + "\nbogus_key: 1\n")
    with pytest.raises(StoryError):
        load_story(root)
    assert len(entries(cache_dir)) == 1


def test_a_damaged_entry_is_a_miss_and_is_replaced(tmp_path, cache_dir):
    root = copy_mini(tmp_path)
    fresh = load_story(root)
    (entry,) = cache_dir.glob("*.json")
    entry.write_text(entry.read_text()[:200])
    assert cache.load(root, cache.key_of(root)) is None
    story = load_story(root)
    assert cache._enc(story) == cache._enc(fresh)
    assert cache.load(root, cache.key_of(root)) is not None


def test_an_unusable_cache_folder_changes_nothing(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("PIZZABORG_CACHE", str(blocker / "cache"))
    root = copy_mini(tmp_path)
    assert load_story(root).id == "mini"
    assert blocker.read_text() == "x"


def test_the_cache_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("PIZZABORG_CACHE", "off")
    assert cache.cache_dir() is None
    assert load_story(copy_mini(tmp_path)).id == "mini"


def test_the_cache_keeps_only_the_newest_entries(tmp_path, cache_dir):
    root = copy_mini(tmp_path)
    story_yaml = root / "story.yaml"
    text = story_yaml.read_text()
    for i in range(cache.KEEP + 4):
        story_yaml.write_text(text.replace("title:", f"title: v{i}", 1))
        load_story(root)
        os.utime(next(iter(sorted(cache_dir.glob("*.json"), key=os.path.getmtime, reverse=True))), (1e9 + i, 1e9 + i))
    assert len(entries(cache_dir)) == cache.KEEP
