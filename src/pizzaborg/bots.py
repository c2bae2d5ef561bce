"""Strategy players: whole games played by a fixed rule, for balance checks (``pizzaborg story bots``).

Each strategy picks one of the offered choices (engine :class:`~pizzaborg.engine.model.Choice`
objects, in story order):

- ``best-evidence``: the highest summed evidence weight; ties go to the first such choice.
- ``worst-practice``: a choice marked ``worst`` whenever one is offered (the lowest evidence among
  them), else the lowest summed evidence; ties go to the first such choice.
- ``always-first`` / ``always-last``: the first / last choice offered.
- ``random``: uniformly at random, from a generator seeded with the game's seed.
- ``random-leaning``: a random player with a leaning drawn per game, from drawn to bad practice to
  drawn to good practice (see :func:`_random_leaning`); seeded like ``random``.

Only the engine is imported here (no Textual, no Rich). :func:`play` also measures the words a player
is shown (see :func:`play` for the definition), which the story tests hold against the issue's
5,000–10,000 words.
"""

from __future__ import annotations

import math
import random
import statistics
from dataclasses import dataclass, field

from .engine import Game


def evidence_sum(choice) -> float:
    return sum(choice.evidence.values())


def _best_evidence(offered):
    return max(offered, key=evidence_sum)  # max keeps the first of equal keys


def _worst_practice(offered):
    worst = [c for c in offered if c.worst]
    return min(worst or offered, key=evidence_sum)  # min keeps the first of equal keys


def _first(offered):
    return offered[0]


def _last(offered):
    return offered[-1]


LEANING_STRENGTH = 0.5


def _random(rng):
    return lambda offered: offered[rng.randrange(len(offered))]


def _random_leaning(rng):
    """A random player with a leaning: each game draws ``lean`` uniformly from -1 (drawn to bad
    practice) to +1 (drawn to good practice); a choice is taken with a weight of
    ``exp(LEANING_STRENGTH * lean * summed evidence)``. A population of such players spreads over
    every ending a story can reach; a uniformly random player always scores near the middle."""
    lean = rng.uniform(-1.0, 1.0)

    def pick(offered):
        weights = [math.exp(LEANING_STRENGTH * lean * evidence_sum(c)) for c in offered]
        return rng.choices(offered, weights=weights)[0]

    return pick


# name -> a function of the game's seeded generator that returns the picker for one game
STRATEGIES = {
    "best-evidence": lambda rng: _best_evidence,
    "worst-practice": lambda rng: _worst_practice,
    "always-first": lambda rng: _first,
    "always-last": lambda rng: _last,
    "random": _random,
    "random-leaning": _random_leaning,
}

MAX_STEPS = 10_000  # more decisions than any story should need: a loop


class BotError(Exception):
    """A bot game that could not finish (a dead end or a loop); the message names the scene."""


class ReusableGame(Game):
    """A :class:`Game` that starts over with another seed without re-attaching to the story's
    ``transitions`` machine (attaching a model costs about a millisecond on a six-month story)."""

    def restart(self, seed: int) -> None:
        self.seed = seed
        self._reset()


def words(text: str) -> int:
    """Words as the story tests count them: whitespace-separated tokens."""
    return len(text.split()) if text else 0


@dataclass
class PlayResult:
    strategy: str
    seed: int
    ending: str | None
    score: float
    assimilation: float
    kpis: dict
    decisions: list  # [(scene id, choice id)]
    words: int | None = None  # words shown, when measured

    def as_dict(self) -> dict:
        d = {
            "strategy": self.strategy,
            "seed": self.seed,
            "ending": self.ending,
            "score": self.score,
            "assimilation": self.assimilation,
            "kpis": dict(self.kpis),
            "decisions": [{"scene": s, "choice": c} for s, c in self.decisions],
        }
        if self.words is not None:
            d["words"] = self.words
        return d


def play(story, strategy: str, seed: int = 0, *, count_words: bool = False, game: ReusableGame | None = None) -> PlayResult:
    """Play one whole game with ``strategy``. Raises :class:`BotError` on a dead end or a loop.

    With ``count_words`` the words *shown* to the player are counted: the story intro; each round's
    intro when the round begins; every scene's text (the parts whose conditions hold when it is
    shown); the text of every choice offered there; the Collective's line and the learning note of
    the choice taken; each round's reflection question; and the ending's epilogue. Titles, numbers
    and menus are not counted.
    """
    pick = STRATEGIES[strategy](random.Random(seed))
    if game is None:
        game = ReusableGame(story, seed)
    elif game.story is not story:
        raise ValueError("the game given to play() belongs to another story")
    else:
        game.restart(seed)
    scenes = story.scenes
    shown = 0
    if count_words:
        view = game.view
        shown += words(story.intro.render(view)) + words(story.rounds[game.round_id].intro.render(view))
    for _ in range(MAX_STEPS):
        if game.over:
            break
        offered = game.available()
        if not offered:
            raise BotError(f"dead end: scene '{game.state}' offers no choice (seed {seed})")
        if count_words:
            view = game.view
            shown += words(scenes[game.state].text.render(view))
            shown += sum(words(c.text.render(view)) for c in offered)
        if game.pick is not None:  # a portfolio: the strategy ranks the choices, the best that fit are taken
            rest, ranked = list(offered), []
            while rest:
                ranked.append(pick(rest))
                rest.remove(ranked[-1])
            cid = game.portfolio(ranked)
            if cid is None:
                raise BotError(f"dead end: scene '{game.state}' offers no portfolio the capacity can pay for (seed {seed})")
            outcome = game.choose(cid)
        else:
            outcome = game.choose(pick(offered).id)
        if count_words:
            shown += words(outcome.borg) + words(outcome.note)
            if outcome.round_end is not None:
                shown += words(outcome.round_end.question)
                if not game.over:
                    shown += words(story.rounds[game.round_id].intro.render(game.view))
    else:
        raise BotError(f"no ending after {MAX_STEPS} decisions: the story loops (seed {seed}, at '{game.state}')")
    if count_words:
        shown += words(story.ending(game.ending).text.render(game.view))
    report = game.report()
    return PlayResult(
        strategy,
        seed,
        game.ending,
        report.overall or 0.0,
        report.assimilation,
        dict(game.kpis),
        [(d.scene, d.choice) for d in game.decisions],
        shown if count_words else None,
    )


@dataclass
class BotSummary:
    strategy: str
    results: list = field(default_factory=list)  # [PlayResult]
    errors: list = field(default_factory=list)  # [str]

    @property
    def scores(self) -> list:
        return [r.score for r in self.results]

    @property
    def endings(self) -> dict:
        out: dict = {}
        for r in self.results:
            out[r.ending] = out.get(r.ending, 0) + 1
        return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))

    def as_dict(self) -> dict:
        s = self.scores
        w = [r.words for r in self.results if r.words is not None]
        return {
            "strategy": self.strategy,
            "games": len(self.results),
            "endings": self.endings,
            "score": {"min": min(s), "mean": round(statistics.fmean(s), 1), "max": max(s)} if s else None,
            "words": {"min": min(w), "mean": round(statistics.fmean(w)), "max": max(w)} if w else None,
            "errors": list(self.errors),
        }


def run_bots(story, n: int = 20, seed: int = 0, strategies=None) -> list:
    """Each strategy plays ``n`` games with seeds ``seed`` .. ``seed + n - 1``."""
    game = ReusableGame(story, seed)
    out = []
    for name in strategies or STRATEGIES:
        summary = BotSummary(name)
        for s in range(seed, seed + n):
            try:
                summary.results.append(play(story, name, s, count_words=True, game=game))
            except BotError as exc:
                summary.errors.append(str(exc))
                game = ReusableGame(story, seed)
            except Exception as exc:  # an engine error: report it with the seed, go on with the next game
                summary.errors.append(f"seed {s}: {type(exc).__name__}: {exc}")
                game = ReusableGame(story, seed)
        out.append(summary)
    game.close()
    return out


def format_table(story, summaries: list, n: int, seed: int) -> str:
    lines = [
        f"Bots: {story.id} {story.version}, {n} game(s) per strategy, seeds {seed}..{seed + n - 1}",
        "",
        f"{'strategy':<16} {'min':>6} {'mean':>6} {'max':>6} {'words':>6}  endings",
    ]
    for s in summaries:
        d = s.as_dict()
        if d["score"]:
            sc = d["score"]
            endings = ", ".join(f"{e} {c}" for e, c in d["endings"].items())
            lines.append(
                f"{s.strategy:<16} {sc['min']:>6.1f} {sc['mean']:>6.1f} {sc['max']:>6.1f} {d['words']['mean']:>6}  {endings}"
            )
        else:
            lines.append(f"{s.strategy:<16} {'-':>6} {'-':>6} {'-':>6} {'-':>6}  no game finished")
        for e in s.errors[:3]:
            lines.append(f"  error: {e}")
        if len(s.errors) > 3:
            lines.append(f"  ... and {len(s.errors) - 3} more error(s)")
    lines += ["", "min/mean/max: the learning score (0-100); words: the mean number of words a player is shown."]
    return "\n".join(lines)
