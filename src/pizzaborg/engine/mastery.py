"""How sure a score is: per learning point, an estimate of mastery with a 90 % interval.

A score says how well the answers did; it does not say how much it rests on. Three decisions say far
less than twenty, and a learner guessing among three choices earns a third of the evidence by chance.
So each learning point also gets an estimate of *mastery*: the chance θ that the learner, at a
decision that bears on the point, takes a best choice for it because they know it, rather than
guessing among the choices shown.

The model: at each decision d a learner with mastery θ takes a best choice with probability θ and
otherwise guesses, each choice shown alike. The evidence earned then has likelihood
``b_d θ + q_d (1 − θ)`` (``scoring.likelihood``: b_d = 1 when the choice was a best one, q_d the share
of choices that earn the same). With a uniform prior the posterior is a polynomial of degree n in θ;
written as ``Σ e_k θ^k (1−θ)^(n−k)`` its coefficients are never negative (no cancellation), and it is
a mixture of Beta(k+1, n−k+1) distributions whose distribution function is a binomial tail. The
estimate is the posterior mean, the interval its 5 % and 95 % quantiles (by bisection), exact under
the model. A portfolio decision (too many sets to count) is weighed as a share of a success against
the share a guess earns on average (``scoring.stakes_for_pick``).

Pure Python and fast: a point resting on 10 decisions takes about 0.1 ms.
``tests/test_mastery.py`` checks the calibration on 10,000 simulated learners.
"""

from __future__ import annotations

from . import i18n
from .model import Value

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from .model import Story
    from .scoring import ScoreReport

LOW_Q, HIGH_Q = 0.05, 0.95
BISECT_STEPS = 14  # 6e-5: the interval is shown to 0.1 of 100


class Estimate(Value):
    """Mastery of one learning point: ``value`` (posterior mean), ``low`` and ``high`` (the 90 %
    interval), all 0–100 with one decimal, and ``decisions``: how many decisions it rests on."""

    __slots__ = ("value", "low", "high", "decisions")

    def __init__(self, value: float | None, low: float | None, high: float | None, decisions: int):
        self.value, self.low, self.high, self.decisions = value, low, high, decisions

    def as_dict(self) -> dict:
        return {"estimate": self.value, "low": self.low, "high": self.high, "decisions": self.decisions}


def posterior(likelihoods: list) -> list:
    """The posterior's mixture weights π_k over Beta(k+1, n−k+1), k = 0..n (they sum to 1)."""
    e = [1.0]
    for b, q in likelihoods:
        new = [0.0] * (len(e) + 1)
        for k, v in enumerate(e):
            new[k] += v * q
            new[k + 1] += v * b
        top = max(new)
        if top <= 0:  # evidence impossible under the model (cannot happen with likelihoods from scoring)
            return []
        e = [v / top for v in new]
    n = len(e) - 1
    # π_k ∝ e_k · B(k+1, n−k+1) = e_k · k! (n−k)! / (n+1)!  ∝  e_k / C(n, k)
    w, c = [], 1.0
    for k, v in enumerate(e):
        w.append(v / c)
        c = c * (n - k) / (k + 1)
    total = sum(w)
    return [v / total for v in w]


def cdf(weights: list, x: float) -> float:
    """P(θ ≤ x) for the mixture: Σ π_k P(Binomial(n+1, x) ≥ k+1)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    n1 = len(weights)  # n + 1 trials
    pmf = [0.0] * (n1 + 1)
    pmf[0] = (1 - x) ** n1
    ratio = x / (1 - x)
    for j in range(n1):
        pmf[j + 1] = pmf[j] * (n1 - j) / (j + 1) * ratio
    total, tail = 0.0, 0.0
    for k in range(n1 - 1, -1, -1):  # tail = P(X >= k+1)
        tail += pmf[k + 1]
        total += weights[k] * tail
    return min(1.0, total)


def quantile(weights: list, p: float) -> float:
    lo, hi = 0.0, 1.0
    for _ in range(BISECT_STEPS):
        mid = (lo + hi) / 2
        if cdf(weights, mid) < p:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


_CACHE: dict = {}  # sorted likelihoods -> Estimate: learners of one story share most of their evidence


def estimate(likelihoods: list) -> Estimate:
    """The estimate from the (if mastered, if guessed) likelihoods of the decisions bearing on a point."""
    key = tuple(sorted(likelihoods, key=lambda lk: (lk is None, lk or ())))  # the order does not matter
    hit = _CACHE.get(key)
    if hit is None:
        hit = _estimate(likelihoods)
        if len(_CACHE) >= 50_000:
            _CACHE.clear()
        _CACHE[key] = hit
    return hit


def _estimate(likelihoods: list) -> Estimate:
    n = len(likelihoods)
    weights = posterior([lk for lk in likelihoods if lk is not None]) if n else []
    if not weights:
        return Estimate(None, None, None, n)
    m = len(weights) - 1
    mean = sum(w * (k + 1) / (m + 2) for k, w in enumerate(weights))
    return Estimate(
        round(100 * mean, 1), round(100 * quantile(weights, LOW_Q), 1), round(100 * quantile(weights, HIGH_Q), 1), n
    )


def estimates(report: ScoreReport) -> dict:
    """{point id: Estimate} from a ScoreReport, over the first answers (the evidence, see scoring)."""
    return {p.id: estimate([e[6] for e in p.evidence]) for p in report.first.points.values()}


def words(est: Estimate) -> str:
    """'about 70 out of 100, likely between 55 and 82, from 6 decisions' ('no decision bore on it')."""
    if est.value is None or est.low is None or est.high is None:
        return i18n._("no decision bore on it")
    return i18n.ngettext(
        "about {value} out of 100, likely between {low} and {high}, from {n} decision",
        "about {value} out of 100, likely between {low} and {high}, from {n} decisions",
        est.decisions,
    ).format(value=round(est.value), low=round(est.low), high=round(est.high), n=est.decisions)


def say(name: str, est: Estimate) -> str:
    """The estimate in words, for plain mode and the debrief:
    'Change management: about 70 out of 100, likely between 55 and 82, from 6 decisions'."""
    return i18n._("{point}: {estimate}").format(point=name, estimate=words(est))


def from_dict(d: dict) -> Estimate:
    """An Estimate from its form in a report (``Estimate.as_dict``)."""
    return Estimate(d.get("estimate"), d.get("low"), d.get("high"), d.get("decisions", 0))


def score_words(report: ScoreReport) -> str:
    """The score line a face shows (dashboard, debrief, plain mode): the score that is reported, and
    the path kept's when undos changed it. ``report``: a ScoreReport."""
    first, kept = report.reported, report.overall
    text = i18n._("Learning score (first answers): {score}").format(
        score="–" if first is None else f"{_fmt(first)}/100"
    )
    if report.undone:
        text += i18n.ngettext(
            "; the path you kept: {kept}/100; you changed {n} answer after seeing the feedback",
            "; the path you kept: {kept}/100; you changed {n} answers after seeing the feedback",
            report.changed,
        ).format(kept="–" if kept is None else _fmt(kept), n=report.changed)
    return text


def lines(story: Story, report: ScoreReport) -> list:
    """Plain lines for the debrief and plain mode: the score line, then each learning point's
    estimate in words, in story order."""
    est = estimates(report)
    return [score_words(report)] + [say(p.name, est[p.id]) for p in story.points.values()]


def _fmt(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:.1f}"
