"""The PizzaBorg engine: story model, loader and checks, state machine, scoring, saves.

It imports neither Textual nor Rich: the TUI and the plain mode are two faces over this API.
"""

from .checks import check_story
from .game import ChoiceView, Decision, Game, GameError, Outcome, ReplayError, RoundSummary, SceneView
from .loader import Problem, StoryError, default_story_dir, load_story, read_story
from .scoring import ScoreReport

__all__ = [
    "ChoiceView",
    "Decision",
    "Game",
    "GameError",
    "Outcome",
    "Problem",
    "ReplayError",
    "RoundSummary",
    "SceneView",
    "ScoreReport",
    "StoryError",
    "check_story",
    "default_story_dir",
    "load_story",
    "read_story",
]
