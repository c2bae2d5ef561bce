"""The PizzaBorg engine: story model, loader and validation, state machine, scoring, saves.

It imports neither Textual nor Rich: the TUI and the plain mode are two faces over this API.
Names are imported on first use, so a headless run loads only what it needs.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:  # what __getattr__ returns, for the type checker
    from .game import Game as Game
    from .game import GameError as GameError
    from .game import ReplayError as ReplayError
    from .loader import Problem as Problem
    from .loader import StoryError as StoryError
    from .loader import default_story_dir as default_story_dir
    from .loader import load_story as load_story
    from .loader import read_story as read_story
    from .scoring import ScoreReport as ScoreReport
    from .views import ChoiceView as ChoiceView
    from .views import Decision as Decision
    from .views import Outcome as Outcome
    from .views import RoundSummary as RoundSummary
    from .views import SceneView as SceneView

_WHERE = {
    "ChoiceView": "game",
    "Decision": "game",
    "Game": "game",
    "GameError": "game",
    "Outcome": "game",
    "KpiEntry": "game",
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
