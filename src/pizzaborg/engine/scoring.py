"""Scoring: learning evidence of the decisions made, turned into 0–100 scores.

For each decision, a learning point is *at stake* when the choices that could be taken (offered and
affordable) do not all carry the same weight for it. The choice taken earns its weight; the lowest and
highest of those weights bound what was possible. In a portfolio scene (pick K of N) the picks earn
the sum of their weights, and the bounds are the lowest and highest sums of an allowed number of
picks that the round's capacity could pay for. A point's score is ``100 × Σ(earned − low) / Σ(high − low)``
over the decisions where it was at stake; the overall score is the same sum over every point. See
docs/story-format.md#scoring.
"""

from __future__ import annotations

import math

from .model import Value

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Sequence

    from .model import Choice, Story


class Stake(Value):
    """One learning point at stake in one decision: the weight earned, the lowest and highest on offer,
    and ``likelihood``: (how likely this evidence is from a learner who masters the point, from one
    who guesses among the choices shown), as :mod:`.mastery` weighs it (None: not known)."""

    __slots__ = ("earned", "low", "high", "likelihood")

    def __init__(self, earned: float, low: float, high: float, likelihood: tuple | None = None):
        self.earned, self.low, self.high, self.likelihood = earned, low, high, likelihood


_STAKES: dict = {}  # (offered Choice objects, the one taken) -> {point: Stake}; stories are read-only


def _bounds(offered: tuple[Choice, ...] | list[Choice]) -> list:
    bounds = []
    for p in sorted({p for c in offered for p in c.evidence}):
        weights = [c.evidence.get(p, 0) for c in offered]
        low, high = min(weights), max(weights)
        if high > low:
            bounds.append((p, low, high))
    return bounds


def stakes_for(offered: list, taken: Choice) -> dict:
    """The learning points at stake in one decision: {point id: Stake}. Computed once per set of
    offered choices and choice taken (random playthroughs make hundreds of thousands of decisions);
    each decision gets its own dict of the shared, unchanging Stakes."""
    key = (frozenset(offered), taken)  # not the order: each game shows its own, the stakes are the same
    stakes = _STAKES.get(key)
    if stakes is None:
        evidence = taken.evidence
        stakes = {}
        for p, low, high in _bounds(offered):
            w = evidence.get(p, 0)
            stakes[p] = Stake(w, low, high, likelihood([c.evidence.get(p, 0) for c in offered], w))
        if len(_STAKES) >= 50_000:  # many stories in one process (tests): start over
            _STAKES.clear()
        _STAKES[key] = stakes
    return dict(stakes)


def likelihood(weights: list, earned: float) -> tuple:
    """(if mastered, if guessed): how likely earning ``earned`` among choices of ``weights`` is for a
    learner who masters the point (takes a best choice) and for one who guesses (each choice alike)."""
    return (1.0 if earned == max(weights) else 0.0, sum(1 for w in weights if w == earned) / len(weights))


_PICK_BOUNDS: dict = {}
MAX_ENUMERATED = 20  # more choices than this in a portfolio with costs: the bounds ignore the capacity


def _pick_bounds(available: list, pick: tuple, budget: float | None) -> list:
    """[(point, low, high)] over every allowed set of picks: ``pick`` = (min, max) choices, total cost
    within ``budget`` (None: no capacity)."""
    key = (frozenset(available), pick, budget)
    bounds = _PICK_BOUNDS.get(key)
    if bounds is not None:
        return bounds
    lo_k, hi_k = pick
    points = sorted({p for c in available for p in c.evidence})
    costly = budget is not None and any(c.cost for c in available) and len(available) <= MAX_ENUMERATED
    bounds = []
    if costly:
        from itertools import combinations

        sums: dict = {p: [None, None] for p in points}
        for k in range(lo_k, min(hi_k, len(available)) + 1):
            for combo in combinations(available, k):
                if sum(c.cost for c in combo) > budget:
                    continue
                for p in points:
                    v = sum(c.evidence.get(p, 0) for c in combo)
                    lo, hi = sums[p]
                    sums[p] = [v if lo is None or v < lo else lo, v if hi is None or v > hi else hi]
        for p in points:
            lo, hi = sums[p]
            if lo is not None and hi > lo:
                bounds.append((p, lo, hi))
    else:
        for p in points:
            weights = sorted(c.evidence.get(p, 0) for c in available)
            ks = range(lo_k, min(hi_k, len(weights)) + 1)
            low = min(sum(weights[:k]) for k in ks)
            high = max(sum(weights[len(weights) - k :]) for k in ks)
            if high > low:
                bounds.append((p, low, high))
    if len(_PICK_BOUNDS) >= 20_000:
        _PICK_BOUNDS.clear()
    _PICK_BOUNDS[key] = bounds
    return bounds


def stakes_for_pick(available: list, picks: list, pick: tuple, budget: float | None) -> dict:
    """The learning points at stake in a portfolio decision: the picks earn the sum of their weights."""
    out = {}
    k = (pick[0] + min(pick[1], len(available))) / 2
    for p, low, high in _pick_bounds(available, pick, budget):
        earned = sum(c.evidence.get(p, 0) for c in picks)
        # a portfolio is too many sets to count: its evidence is weighed as a share x of a success,
        # against g, the share a guess of k picks earns on average
        x = (earned - low) / (high - low)
        g = min(1.0, max(0.0, (k * sum(c.evidence.get(p, 0) for c in available) / len(available) - low) / (high - low)))
        out[p] = Stake(earned, low, high, (x, x * g + (1 - x) * (1 - g)))
    return out


def _pct(num: float, den: float) -> float | None:
    if not den > 0 or not math.isfinite(num) or not math.isfinite(den):  # never NaN, whatever the weights
        return None
    value = 100.0 * num / den
    return round(value, 1) if math.isfinite(value) else None


class PointScore(Value):
    __slots__ = ("id", "name", "area", "score", "evidence")
    __hash__ = None  # type: ignore[assignment]

    def __init__(self, id: str, name: str, area: str, score: float | None, evidence: list | None = None):
        self.id, self.name, self.area = id, name, area
        self.score = score  # None: never at stake
        # [(decision index, scene, choice, earned, low, high, likelihood)]
        self.evidence = [] if evidence is None else evidence


class ScoreReport(Value):
    """The scores of the path kept (``overall``, ``points``, ``areas``: what the story's conditions see)
    and, in ``first``, the same scores over the first answers (see :func:`score_report`): ``first`` is
    the report itself when nothing was undone. ``changed``: kept decision points whose kept answer is
    not the first one committed there; ``undone``: undos in all; ``abandoned``: undone decisions at
    points the kept path does not reach."""

    __slots__ = ("overall", "points", "areas", "assimilation", "worst_taken", "first", "changed", "undone", "abandoned")
    __hash__ = None  # type: ignore[assignment]  # holds dicts

    def __init__(
        self,
        overall: float | None,
        points: dict,
        areas: dict,
        assimilation: float,
        worst_taken: dict,
        first: ScoreReport | None = None,
        changed: int = 0,
        undone: int = 0,
        abandoned: int = 0,
    ):
        self.overall = overall
        self.points = points  # id -> PointScore, in story order
        self.areas = areas  # id -> score or None
        self.assimilation = assimilation
        self.worst_taken = worst_taken  # worst practice id -> count
        self.first = self if first is None else first
        self.changed, self.undone, self.abandoned = changed, undone, abandoned

    @property
    def reported(self) -> float | None:
        """The score a trainer sees and pass/fail counts: the first answers' score."""
        return self.first.overall

    def __repr__(self) -> str:  # ``first`` may be the report itself
        return f"ScoreReport(overall={self.overall!r}, first={self.first.overall!r}, changed={self.changed!r})"

    def _fields(self) -> tuple:
        first = None if self.first is self else self.first._fields()
        return (
            self.overall,
            self.points,
            self.areas,
            self.assimilation,
            self.worst_taken,
            first,
            self.changed,
            self.undone,
            self.abandoned,
        )

    def as_dict(self) -> dict:
        return {
            "score": self.overall,
            "learning_points": {p.id: p.score for p in self.points.values()},
            "areas": dict(self.areas),
            "assimilation": self.assimilation,
            "worst_practices": dict(self.worst_taken),
        }


def point_key(decisions: list, index: int) -> tuple:
    """Where decision ``index`` of a path was made: (scene, how many times the path was in that scene
    before). The same key on two paths is the same decision point (see docs/reports.md)."""
    scene = decisions[index].scene
    return scene, sum(1 for d in decisions[:index] if d.scene == scene)


def score_report(story: Story, decisions: list, undone: Sequence = ()) -> ScoreReport:
    """The scores of ``decisions`` (the path kept) and of the first answers.

    ``undone``: the undone decisions in the order they were undone, each with ``decision`` (the
    Decision) and ``key`` (its :func:`point_key` on the path it was made on). The first answer at a
    decision point of the kept path is the earliest undone decision with the same key, or else the
    kept decision; undone decisions at keys the kept path never reaches are abandoned, not scored."""
    kept = _score(story, decisions)
    if not undone:
        return kept
    earliest: dict = {}
    for u in undone:
        earliest.setdefault(u.key, u.decision)
    first_path, changed, reached = [], 0, set()
    for i, d in enumerate(decisions):
        key = point_key(decisions, i)
        reached.add(key)
        f = earliest.get(key)
        if f is None:
            first_path.append(d)
        else:
            first_path.append(f)
            changed += f.choice != d.choice
    abandoned = sum(1 for u in undone if u.key not in reached)
    first = _score(story, first_path)
    return ScoreReport(
        kept.overall,
        kept.points,
        kept.areas,
        kept.assimilation,
        kept.worst_taken,
        first,
        changed,
        len(undone),
        abandoned,
    )


def _score(story: Story, decisions: list) -> ScoreReport:
    sums: dict = {p: [0.0, 0.0] for p in story.points}
    evidence: dict = {p: [] for p in story.points}
    worst_taken = {w: 0 for w in story.worst}
    worst_offered = 0
    worst_chosen = 0
    for index, d in enumerate(decisions):
        for p, st in d.stakes.items():
            sums[p][0] += st.earned - st.low
            sums[p][1] += st.high - st.low
            evidence[p].append((index, d.scene, d.choice, st.earned, st.low, st.high, st.likelihood))
        if d.worst_offered:
            worst_offered += 1
            if d.worst:
                worst_chosen += 1
        for w in d.worst:
            worst_taken[w] = worst_taken.get(w, 0) + 1
    points = {p.id: PointScore(p.id, p.name, p.area, _pct(*sums[p.id]), evidence[p.id]) for p in story.points.values()}
    areas = {}
    for a in story.areas.values():
        num = sum(sums[p][0] for p in a.points)
        den = sum(sums[p][1] for p in a.points)
        areas[a.id] = _pct(num, den)
    overall = _pct(sum(v[0] for v in sums.values()), sum(v[1] for v in sums.values()))
    assimilation = _pct(worst_chosen, worst_offered) or 0.0
    return ScoreReport(overall, points, areas, assimilation, worst_taken)
