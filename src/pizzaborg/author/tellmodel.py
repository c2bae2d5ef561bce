"""The tell model of ``story audit``: can a simple classifier learn the answer key from the screen?

Each tell the audit names (length, price, characters, vocabulary) is one rule; a learner combines
them without naming any. This model does the same: a multinomial naive Bayes classifier, best option
or not, over everything a choice shows before it is taken: its words, its length rank among the
options, its cost rank (the "(2 team weeks)" tag), its position when the order is fixed, and the
named characters in it. It is trained *leave-one-scene-out* (on every other decision of the story)
and asked to pick the best option of the scene it has not seen; the share of decisions where it
picks a best option is the figure (chance is about one in three). A story whose every tell is below
its threshold can still leak the key in their combination: this catches it.

Pure Python and deterministic (counts and sorted ties; no random state), fast enough to train once
per scene of a six-month story in a few milliseconds.
"""

from __future__ import annotations

import math
import re
from collections import Counter

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
ALPHA = 1.0  # Laplace smoothing


def _rank(values: list, i: int, tag: str) -> str:
    hi, lo = max(values), min(values)
    if hi == lo:
        return f"{tag}:same"
    if values[i] == hi:
        return f"{tag}:most"
    if values[i] == lo:
        return f"{tag}:least"
    return f"{tag}:middle"


def features(texts: list, costs: list, positions: bool, names=()) -> list:
    """One feature set per option: its words (lower case), its length and cost ranks among the
    options, its position (first, last, or n) when the order shown is fixed, and the names in it."""
    lengths = [len(t) for t in texts]
    out = []
    for i, t in enumerate(texts):
        f = {f"w:{w}" for w in _WORD.findall(t.lower())}
        f.add(_rank(lengths, i, "len"))
        f.add(_rank(costs, i, "cost"))
        if costs[i] == 0 and max(costs) > 0:
            f.add("cost:free")
        if positions:
            f.add("pos:first" if i == 0 else "pos:last" if i == len(texts) - 1 else f"pos:{i + 1}")
        for n in names:
            if re.search(rf"(?<![\w]){re.escape(n)}(?![\w])", t):
                f.add(f"name:{n}")
        out.append(f)
    return out


class NaiveBayes:
    """Two classes (best: 1, not: 0) over binary features, from counts that can be added and taken
    away (leave-one-out without retraining)."""

    def __init__(self):
        self.docs = [0, 0]
        self.counts: list[Counter[str]] = [Counter(), Counter()]

    def add(self, examples, sign: int = 1) -> None:
        for feats, label in examples:
            self.docs[label] += sign
            for f in feats:
                self.counts[label][f] += sign

    def freeze(self) -> Scorer:
        """The model as it stands now, as a table of each feature's log odds."""
        seen = {f for c in self.counts for f, k in c.items() if k > 0}
        vocab = len(seen) or 1
        d1 = sum(self.counts[1].values()) + ALPHA * vocab
        d0 = sum(self.counts[0].values()) + ALPHA * vocab
        table = {
            f: math.log((self.counts[1][f] + ALPHA) / d1) - math.log((self.counts[0][f] + ALPHA) / d0) for f in seen
        }
        prior = math.log((self.docs[1] + ALPHA) / (self.docs[0] + ALPHA))
        return Scorer(prior, table, math.log(ALPHA / d1) - math.log(ALPHA / d0))

    def pick(self, option_features: list) -> set:
        return self.freeze().pick(option_features)


class Scorer:
    """A frozen model: log P(best | feats) - log P(not best | feats), up to a constant."""

    __slots__ = ("prior", "table", "unseen")

    def __init__(self, prior: float, table: dict, unseen: float):
        self.prior, self.table, self.unseen = prior, table, unseen

    def score(self, feats) -> float:
        return self.prior + sum(self.table.get(f, self.unseen) for f in sorted(feats))

    def pick(self, option_features: list) -> set:
        """The indexes of the options with the highest score (several when tied)."""
        scores = [round(self.score(f), 9) for f in option_features]
        top = max(scores)
        return {i for i, v in enumerate(scores) if v == top}


def examples(feature_sets: list, best: set) -> list:
    return [(f, int(i in best)) for i, f in enumerate(feature_sets)]
