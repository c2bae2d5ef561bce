"""Strategy players: whole games played by a fixed rule, for balance checks (``pizzaborg story bots``)
and the answer-key audit (``pizzaborg story audit``). One player framework serves both.

A strategy is a factory ``STRATEGIES[name](rng, story)`` that returns the picker for one game,
``pick(offered, game) -> Choice``, where ``offered`` are the engine's
:class:`~pizzaborg.engine.model.Choice` objects *in the order the player is shown them* (see
:func:`shown`) and ``game`` is the :class:`~pizzaborg.engine.Game` (for rendering texts). Ties go to
the first such choice *as shown*.

Strategy players (they read what the player cannot see: the evidence):

- ``best-evidence``: the highest summed evidence weight.
- ``worst-practice``: a choice marked ``worst`` whenever one is offered (the lowest evidence among
  them), else the lowest summed evidence.
- ``random-leaning``: a random player with a leaning drawn per game, from drawn to bad practice to
  drawn to good practice (see :func:`_random_leaning`); seeded with the game's seed.

Test-wise learners (:data:`TEST_WISE`: they read only what a learner sees on the screen):

- ``longest``: the longest choice text (in characters, as rendered).
- ``virtuous``: the most words from a lexicon of collaborative wording (``together``, ``business``,
  ``agree``, ``listen``, ``joint``, ``owners``, ``value``, ``case``, ...; a story can replace it, see
  docs/story-format.md#audit).
- ``trust-gain``: the biggest immediate change of the trust KPI (``trust``, or the story's
  ``audit: trust_kpi``); only for stories that have one.
- ``myopic``: the best immediate business numbers: the sum over the business-visible KPIs of each
  change divided by the KPI's range, signed by ``higher_is``.
- ``always-first`` / ``always-last``: the first / last choice shown.
- ``random``: uniformly at random, from a generator seeded with the game's seed.
- ``costliest`` / ``cheapest``: the option that spends the most / the least capacity (the price tag).
- ``hedger``: names two parties (the business's or IT's people, or any named character), a meeting
  and an ask (:func:`hedge`, :data:`~.settings.HEDGER_WORDS`): "ask Sofia and the team to a
  meeting" sounds right.
- ``names``: follows the characters who are mostly right: each name scores its share of best options
  minus its share of worst ones (what an attentive learner notices); the option whose names score most.
- ``phrases``: the most phrases of the workshop's vocabulary (``audit: vocabulary``).
- ``wording-model``: the tell model's pick (:mod:`.tellmodel`), trained on every scene but the one
  played.

Peek-and-undo learners (:data:`PEEKERS`, issue 18: they try before they choose). At each decision they
take every option shown in turn (in the order shown), look, take it back with the engine's ``undo``
and keep the option that looked best; in a portfolio they try each option at the head of the
portfolio :meth:`~pizzaborg.engine.Game.portfolio` builds. Every try is an undo in the game's record,
so the first try at a decision point is the *first answer* there, which the reported score counts:

- ``score-peeker``: keeps the option after which the dashboard's score of the path kept is highest
  (the reported score does not move after a first answer, so it reads the other one).
- ``tone-peeker``: never reads a number: keeps the option whose feedback sounds best (:func:`tone_value`:
  the Collective disapproves, and the note does not turn against the choice).

Their result carries the reported score (first answers), the kept path's score, the undos and the
first-answer score recomputed from the peeker's own record of its first tries (``first_earned``): the
audit checks that the reported score is within ``peek_gap_max`` of it.

Only the engine is imported here (no Textual, no Rich). :func:`play` also measures the words a player
is shown (see :func:`play` for the definition), which the story tests hold against the issue's
5,000–10,000 words.
"""

from __future__ import annotations

import math
import random
import re
import statistics
from dataclasses import dataclass, field

from ..engine import Game
from ..engine.errors import PizzaBorgError
from ..engine.scoring import point_key, score_report
from .settings import HEDGER_WORDS, audit_settings


def evidence_sum(choice) -> float:
    return sum(choice.evidence.values())


def immediate_effects(choice, game=None) -> dict:
    """{KPI id: change} the choice makes at once: its effects, plus (in a game) each ``effects_if``
    whose condition holds in that game's state, as the engine adds them. Without a game (the
    per-decision tells of the audit), the effects as written. Every tell and learner goes through here."""
    if game is None or not getattr(choice, "effects_if", None):
        return choice.effects
    return game._effects([choice])


def as_shown(game) -> list:
    """The choices offered now, in the order the player sees them (numbered 1, 2, ...).

    ``Game.available()`` is the engine's shown order (``choose_number`` numbers it). When choices are
    shuffled per seed, the engine's order is the shuffled one, so the learners that read the order
    (``always-first``, ``always-last``, ties) follow what the player sees."""
    return game.available()


def portfolio_size(scene) -> int:
    """How many choices a scene asks for at once, at most (1 for an ordinary decision)."""
    k = getattr(scene, "pick", None)
    if isinstance(k, tuple):  # (min, max) of a portfolio scene
        return k[1]
    return k if isinstance(k, int) and k > 1 else 1


def _best_evidence(offered, game=None):
    return max(offered, key=evidence_sum)  # max keeps the first of equal keys


def _worst_practice(offered, game=None):
    worst = [c for c in offered if c.worst]
    return min(worst or offered, key=evidence_sum)  # min keeps the first of equal keys


def _first(offered, game=None):
    return offered[0]


def _last(offered, game=None):
    return offered[-1]


LEANING_STRENGTH = 0.5


def _random(rng, story=None):
    return lambda offered, game=None: offered[rng.randrange(len(offered))]


def _random_leaning(rng, story=None):
    """A random player with a leaning: each game draws ``lean`` uniformly from -1 (drawn to bad
    practice) to +1 (drawn to good practice); a choice is taken with a weight of
    ``exp(LEANING_STRENGTH * lean * summed evidence)``. A population of such players spreads over
    every ending a story can reach; a uniformly random player always scores near the middle."""
    lean = rng.uniform(-1.0, 1.0)

    def pick(offered, game=None):
        weights = [math.exp(LEANING_STRENGTH * lean * evidence_sum(c)) for c in offered]
        return rng.choices(offered, weights=weights)[0]

    return pick


# ---- test-wise learners: only what is on the screen ---------------------------------------------
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def virtue(text: str, lexicon) -> int:
    """How many words of ``text`` are in ``lexicon`` (lower case, whole words)."""
    return sum(1 for w in _WORD.findall(text.lower()) if w in lexicon)


def _rendered(choice, game) -> str:
    return choice.text.render(game.view) if game is not None else choice.text.all_text


def _longest(rng, story=None):
    return lambda offered, game=None: max(offered, key=lambda c: len(_rendered(c, game)))


def _virtuous(rng, story=None):
    lexicon = audit_settings(story).virtue_words

    return lambda offered, game=None: max(offered, key=lambda c: virtue(_rendered(c, game), lexicon))


def _trust_gain(rng, story=None):
    kpi = audit_settings(story).trust_kpi
    if kpi is None:
        return None  # the story has no trust number: this learner does not play it
    return lambda offered, game=None: max(offered, key=lambda c: immediate_effects(c, game).get(kpi, 0))


def business_value(choice, story, kpis, game=None) -> float:
    """The immediate business numbers of a choice as one figure: each business-visible KPI's change
    divided by its range, signed by ``higher_is``, summed."""
    total = 0.0
    for k, delta in immediate_effects(choice, game).items():
        if k in kpis:
            kpi = story.kpis[k]
            span = (kpi.max - kpi.min) or 1
            total += (delta if kpi.higher_is != "worse" else -delta) / span
    return total


def _myopic(rng, story=None):
    kpis = set(audit_settings(story).business_kpis)
    return lambda offered, game=None: max(offered, key=lambda c: business_value(c, story, kpis, game))


def _costliest(rng, story=None):
    return lambda offered, game=None: max(offered, key=lambda c: c.cost or 0)


def _cheapest(rng, story=None):
    return lambda offered, game=None: min(offered, key=lambda c: c.cost or 0)


def hedge(text: str, groups=HEDGER_WORDS, names=()) -> int:
    """The hedger's figure for ``text``: the parties it names (a business or an IT party from the first
    two word groups, or a named character; two at most), plus one for a meeting and one for an ask
    (whole words or phrases, lower case): "ask Sofia and the team to a meeting" scores 4."""
    low = " " + " ".join(_WORD.findall(text.lower())) + " "
    parties = {w for group in groups[:2] for w in group if f" {w} " in low}
    parties |= {n for n in names if f" {n.lower()} " in low}
    return min(2, len(parties)) + sum(any(f" {w} " in low for w in group) for group in groups[2:])


def _hedger(rng, story=None):
    from .audit import characters

    names = tuple(characters(story)) if story is not None else ()
    groups = audit_settings(story).hedger_words if story is not None else HEDGER_WORDS
    return lambda offered, game=None: max(offered, key=lambda c: hedge(_rendered(c, game), groups, names=names))


def _names(rng, story=None):
    from .audit import character_scores

    scores = character_scores(story)  # none named: every option scores 0 and the first shown is taken

    def value(c, game):
        from .audit import _mentions

        text = _rendered(c, game)
        return sum(v for n, v in scores.items() if _mentions(text, n))

    return lambda offered, game=None: max(offered, key=lambda c: value(c, game))


def _phrases(rng, story=None):
    from .audit import has_phrase

    vocabulary = audit_settings(story).vocabulary
    return lambda offered, game=None: max(
        offered, key=lambda c: sum(has_phrase(_rendered(c, game), p) for p in vocabulary)
    )


def _wording_model(rng, story=None):
    """Plays the tell model's pick: the model trained on every other scene, shown this one."""
    from . import tellmodel
    from .audit import scene_models, scene_scorer, shuffled

    names = scene_models(story)[2]

    def pick(offered, game=None):
        scene = story.scenes[game.state] if game is not None else None
        if scene is None:
            return offered[0]
        feats = tellmodel.features(
            [_rendered(c, game) for c in offered], [c.cost or 0 for c in offered], not shuffled(story, scene), names
        )
        return offered[min(scene_scorer(story, scene.id).pick(feats))]

    return pick


# ---- peek-and-undo learners (issue 18) ----------------------------------------------------------------
def _spoken(text: str) -> str:
    return " " + " ".join(_WORD.findall(text.lower())) + " "


def tone(text: str, approve=(), disapprove=()) -> int:
    """The tone of a Borg line as a learner reads it: 1 when it has more words or phrases of
    ``approve`` than of ``disapprove`` (whole words, lower case), -1 when fewer, 0 when as many."""
    low = _spoken(text)
    a = sum(low.count(f" {w} ") for w in approve)
    d = sum(low.count(f" {w} ") for w in disapprove)
    return (a > d) - (a < d)


def warns(text: str, words=()) -> bool:
    """True when a note turns against the choice: it has one of ``words`` ("but", "however", ...)."""
    low = _spoken(text)
    return any(f" {w} " in low for w in words)


def tone_value(borg: str, note: str, st) -> tuple:
    """How good a choice's feedback sounds to a learner who has noticed that the Collective approves of
    bad practice: the Collective's disapproval first, then a note that does not warn. Higher is better."""
    return -tone(borg, st.approval_words, st.disapproval_words), -int(warns(note, st.warning_words))


class Peeker:
    """The picker of a peek-and-undo learner for one game: ``read(game, outcome)`` is what it looks at
    after a try (higher is better); ``first`` keeps the Decision of its first try at each decision point
    (``scoring.point_key``), its own record, apart from the engine's."""

    def __init__(self, read):
        self.read = read
        self.first: dict = {}
        self.tries = 0
        self._seen: tuple = (None, {})  # (where the game stands, {choice id: value}) of the last tries

    def __call__(self, offered, game=None):
        if game is None:
            return offered[0]
        here = (game.state, len(game.decisions))
        if self._seen[0] != here:  # a portfolio asks once per rank: try once, rank from what was seen
            self._seen = (here, self._try_all(offered, game))
        values = self._seen[1]
        tried = [c for c in offered if c.id in values]
        return max(tried, key=lambda c: values[c.id]) if tried else offered[0]  # max keeps the first shown

    def _try_all(self, offered, game) -> dict:
        values = {}
        for c in offered:
            cid = c.id
            if game.pick is not None:
                cid = game.portfolio([c] + [o for o in offered if o is not c])
                if cid is None:
                    continue
            before = game.snapshot()
            outcome = game.choose(cid)
            i = len(game.decisions) - 1
            self.first.setdefault(point_key(game.decisions, i), game.decisions[i])
            values[c.id] = self.read(game, outcome)
            self.tries += 1
            if not game.undo(before):
                raise BotError(f"the game refused an undo at '{game.decisions[-1].scene}' (seed {game.seed})")
        return values

    def first_score(self, story, kept: list) -> float | None:
        """The score the first answers earn: each decision point of the kept path judged by the first
        choice this learner committed there (from its own record), scored as a path without undos."""
        path = [self.first.get(point_key(kept, i), d) for i, d in enumerate(kept)]
        return score_report(story, path).overall


def _score_peeker(rng, story=None):
    return Peeker(lambda game, outcome: game.report().overall or 0.0)


def _tone_peeker(rng, story=None):
    st = audit_settings(story)
    return Peeker(lambda game, outcome: tone_value(outcome.borg, outcome.note, st))


# name -> a function of (the game's seeded generator, the story) that returns the picker for one
# game, or None when the strategy does not apply to the story
STRATEGIES = {
    "best-evidence": lambda rng, story=None: _best_evidence,
    "worst-practice": lambda rng, story=None: _worst_practice,
    "always-first": lambda rng, story=None: _first,
    "always-last": lambda rng, story=None: _last,
    "random": _random,
    "random-leaning": _random_leaning,
    "longest": _longest,
    "virtuous": _virtuous,
    "trust-gain": _trust_gain,
    "myopic": _myopic,
    "costliest": _costliest,
    "cheapest": _cheapest,
    "hedger": _hedger,
    "names": _names,
    "phrases": _phrases,
    "wording-model": _wording_model,
    "score-peeker": _score_peeker,
    "tone-peeker": _tone_peeker,
}

# the learners who try every option, look and undo (issue 18): judged on their reported (first-answer) score
PEEKERS = ("score-peeker", "tone-peeker")

# the learners who read only the screen: the audit fails when one of them wins
TEST_WISE = (
    "longest",
    "virtuous",
    "trust-gain",
    "myopic",
    "always-first",
    "always-last",
    "random",
    "costliest",
    "cheapest",
    "hedger",
    "names",
    "phrases",
    "wording-model",
) + PEEKERS


def applies(story, strategy: str) -> bool:
    return STRATEGIES[strategy](random.Random(0), story) is not None


MAX_STEPS = 10_000  # more decisions than any story should need: a loop


class BotError(PizzaBorgError):
    """A bot game that could not finish (a dead end or a loop); the message names the scene."""


class ReusableGame(Game):
    """A :class:`Game` that starts over with another seed without re-attaching to the story's
    ``transitions`` machine (attaching a model costs about a millisecond on a six-month story)."""

    def restart(self, seed: int) -> None:
        self.seed = seed
        self.undos = []  # the undo record is not part of _reset: a new game starts without one
        self.undo_record = True
        self._reset()


def words(text: str) -> int:
    """Words as the story tests count them: whitespace-separated tokens."""
    return len(text.split()) if text else 0


@dataclass
class PlayResult:
    strategy: str
    seed: int
    ending: str | None
    score: float  # the reported score (first answers): the kept path's score when nothing was undone
    assimilation: float
    kpis: dict
    decisions: list  # [(scene id, choice id)]
    words: int | None = None  # words shown, when measured
    blocked: list = field(default_factory=list)  # scenes where capacity barred the option of most evidence
    kept: float | None = None  # the kept path's score (None: as ``score``, nothing undone)
    undos: int = 0
    changed: int = 0  # answers changed after seeing the feedback
    first_earned: float | None = None  # a peeker's first answers, scored from its own record

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
        if self.undos:
            d.update(kept_score=self.kept, undos=self.undos, changed=self.changed, first_earned=self.first_earned)
        return d


def play(
    story, strategy: str, seed: int = 0, *, count_words: bool = False, game: ReusableGame | None = None
) -> PlayResult:
    """Play one whole game with ``strategy``. Raises :class:`BotError` on a dead end or a loop.

    With ``count_words`` the words *shown* to the player are counted: the story intro; each round's
    intro when the round begins; every scene's text (the parts whose conditions hold when it is
    shown); the text of every choice offered there; the Collective's line and the learning note of
    the choice taken; each round's reflection question; and the ending's epilogue. Titles, numbers
    and menus are not counted.
    """
    pick = STRATEGIES[strategy](random.Random(seed), story)
    if pick is None:
        raise BotError(f"the strategy '{strategy}' does not apply to this story")
    if game is None:
        game = ReusableGame(story, seed)
    elif game.story is not story:
        raise ValueError("the game given to play() belongs to another story")
    else:
        game.restart(seed)
    scenes = story.scenes
    shown = 0
    blocked: list = []
    if count_words:
        view = game.view
        shown += words(story.intro.render(view)) + words(story.rounds[game.round_id].intro.render(view))
    for _ in range(MAX_STEPS):
        if game.over:
            break
        offered = as_shown(game)
        if not offered:
            raise BotError(f"dead end: scene '{game.state}' offers no choice (seed {seed})")
        if story.capacity is not None:
            everything = game.offered()
            if len(everything) > len(offered) and max(map(evidence_sum, everything)) > max(map(evidence_sum, offered)):
                blocked.append(game.state)
        if count_words:
            view = game.view
            shown += words(scenes[game.state].text.render(view))
            shown += sum(words(c.text.render(view)) for c in offered)
        if game.pick is not None:  # a portfolio: the strategy ranks the choices, the best that fit are taken
            rest, ranked = list(offered), []
            while rest:
                ranked.append(pick(rest, game))
                rest.remove(ranked[-1])
            cid = game.portfolio(ranked)
            if cid is None:
                raise BotError(
                    f"dead end: scene '{game.state}' offers no portfolio the capacity can pay for (seed {seed})"
                )
            outcome = game.choose(cid)
        else:
            outcome = game.choose(pick(offered, game).id)
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
    peeker = isinstance(pick, Peeker)
    return PlayResult(
        strategy,
        seed,
        game.ending,
        report.reported or 0.0,
        report.first.assimilation,
        dict(game.kpis),
        [(d.scene, d.choice) for d in game.decisions],
        shown if count_words else None,
        blocked,
        (report.overall or 0.0) if game.undos else None,
        len(game.undos),
        report.changed,
        (pick.first_score(story, game.decisions) or 0.0) if peeker else None,
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
            **(self.peek() if any(r.undos for r in self.results) else {}),
        }

    def peek(self) -> dict:
        """A learner that undid: the kept path's mean score (``score`` is the reported, first-answer
        score), the mean undos and changed answers a game, the largest gap between the reported score and
        what its first answers earn (a peeker's own record)."""
        rs = self.results
        gaps = [abs(r.score - r.first_earned) for r in rs if r.first_earned is not None]
        return {
            "kept_score": round(statistics.fmean(r.kept if r.kept is not None else r.score for r in rs), 1),
            "undos": round(statistics.fmean(r.undos for r in rs), 1),
            "changed": round(statistics.fmean(r.changed for r in rs), 1),
            "first_gap": round(max(gaps), 2) if gaps else None,
        }


def run_bots(story, n: int = 20, seed: int = 0, strategies=None, count_words: bool = True) -> list:
    """Each strategy plays ``n`` games with seeds ``seed`` .. ``seed + n - 1`` (strategies that do not
    apply to the story are left out)."""
    game = ReusableGame(story, seed)
    out = []
    for name in strategies or STRATEGIES:
        if not applies(story, name):
            continue
        summary = BotSummary(name)
        for s in range(seed, seed + n):
            try:
                summary.results.append(play(story, name, s, count_words=count_words, game=game))
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
                f"{s.strategy:<16} {sc['min']:>6.1f} {sc['mean']:>6.1f} {sc['max']:>6.1f} {d['words']['mean']:>6}  "
                f"{endings}"
            )
        else:
            lines.append(f"{s.strategy:<16} {'-':>6} {'-':>6} {'-':>6} {'-':>6}  no game finished")
        if "kept_score" in d:
            lines.append(
                f"{'':<16} first answers above; the path kept {d['kept_score']:.1f}, {d['undos']:g} undos and "
                f"{d['changed']:g} changed answers a game"
            )
        for e in s.errors[:3]:
            lines.append(f"  error: {e}")
        if len(s.errors) > 3:
            lines.append(f"  ... and {len(s.errors) - 3} more error(s)")
    lines += [
        "",
        "min/mean/max: the learning score (0-100) a report gives (first answers); words: the mean number of "
        "words a player is shown.",
    ]
    return "\n".join(lines)
