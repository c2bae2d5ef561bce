"""The PizzaBorg engine: story model, loader and validation, state machine, scoring, saves.

It imports neither Textual nor Rich: the TUI and the plain mode are two faces over this API.
Names are imported on first use, so a headless run loads only what it needs.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "ChoiceView": "game",
    "Decision": "game",
    "Game": "game",
    "GameError": "game",
    "Outcome": "game",
    "ReplayError": "game",
    "RoundSummary": "game",
    "SceneView": "game",
    "Problem": "loader",
    "StoryError": "loader",
    "default_story_dir": "loader",
    "load_story": "loader",
    "read_story": "loader",
    "ScoreReport": "scoring",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'pizzaborg.engine' has no attribute '{name}'")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
