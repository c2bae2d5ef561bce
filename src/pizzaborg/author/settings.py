"""The answer-key audit's settings: defaults, overridden by the ``audit:`` mapping of story.yaml.

The loader checks the mapping (names, types, ranges: ``pizzaborg.engine.loader.AUDIT_NUMBERS``) and
keeps only what the author set in ``story.audit``; this module fills in the rest. Each threshold is
documented in docs/story-format.md#audit.
"""

from __future__ import annotations

# thresholds: a figure above a *_max (or below a *_min) fails the audit
DEFAULTS = {
    "length_share_max": 0.40,  # share of decisions whose best-evidence option is the longest
    "length_ratio_max": 1.15,  # mean length of the best option over the mean of the others
    "position_share_max": 0.45,  # share of best options at any one authored position
    "number_share_max": 0.50,  # share of decisions whose best option has the best change of a KPI
    "temptation_min": 0.50,  # share of decisions whose worst option beats the best on a business KPI
    "one_right_max": 0.50,  # share of decisions where only one option has positive evidence
    "stamp_share_max": 0.10,  # share of decisions whose note or Borg line form singles out the best
    "phrase_words": 4,  # a phrase: this many words in a row
    "phrase_repeats_max": 4,  # ... may stand in at most this many notes and Borg lines
    "collective_share_max": 0.25,  # share of Borg lines that contain the collective phrase
    "learner_score_max": 65.0,  # a test-wise learner's mean score must stay below this
    "learner_best_share_max": 0.0,  # share of a test-wise learner's games that may reach the best ending
}

VIRTUE_WORDS = (
    "together", "jointly", "joint", "business", "agree", "agreed", "agreement", "listen", "listens",
    "listening", "owner", "owners", "value", "values", "case", "partner", "partners", "partnership",
    "share", "shared", "ask", "explain", "involve", "collaborate", "collaboration", "both", "customer",
    "customers", "stakeholders", "understand", "openly", "honest", "honestly", "outcomes", "impact",
    "priorities", "prioritise", "learn", "with",  # doing it *with* someone is the commonest tell
)


class AuditSettings:
    """Thresholds and the choices the audit and the test-wise learners depend on, for one story."""

    def __init__(self, story):
        given = dict(getattr(story, "audit", None) or {}) if story is not None else {}
        self.given = given
        for key, default in DEFAULTS.items():
            setattr(self, key, given.get(key, default))
        kpis = story.kpis if story is not None else {}
        if "business_kpis" in given:
            self.business_kpis = list(given["business_kpis"])
        else:  # every number that is better higher (IT cost is not the business's number)
            self.business_kpis = [k.id for k in kpis.values() if k.higher_is != "worse"]
        self.trust_kpi = given.get("trust_kpi", "trust" if "trust" in kpis else None)
        self.virtue_words = frozenset(given.get("virtue_words", VIRTUE_WORDS))
        self.collective_phrase = given.get("collective_phrase", "The Collective")
        self.best_ending = given.get("best_ending") or (default_best_ending(story) if story is not None else None)

    def source(self, key: str) -> str:
        return "story" if key in self.given else "default"


def audit_settings(story) -> AuditSettings:
    """The settings of ``story``, computed once per loaded story."""
    if story is None:
        return AuditSettings(None)
    cached = story.__dict__.get("_audit_settings")
    if cached is None:
        cached = story.__dict__["_audit_settings"] = AuditSettings(story)
    return cached


# ---- the best ending: the first ending whose condition needs the highest score --------------------
def _score_floor(node):
    """The lowest score a condition lets through, or None when it sets no floor on the score."""
    from ..engine import conditions as C

    if isinstance(node, C.Compare):
        left, right, op = node.left, node.right, node.op
        if isinstance(right, C.Number) and right.name == "score" and isinstance(left, C.Const):
            left, right = right, left
            op = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)
        if isinstance(left, C.Number) and left.name == "score" and isinstance(right, C.Const):
            if op in (">", ">=", "=="):
                return float(right.value)  # type: ignore[arg-type]  # a number constant
        return None
    if isinstance(node, C.BoolOp):
        floors = [_score_floor(o) for o in node.operands]
        if node.op == "and":
            known = [f for f in floors if f is not None]
            return max(known) if known else None
        return None if any(f is None for f in floors) else min(floors)
    return None


def default_best_ending(story) -> str | None:
    best, floor = None, None
    for e in story.endings:
        f = _score_floor(e.when.root) if e.when is not None else None
        if f is not None and (floor is None or f > floor):
            best, floor = e.id, f
    return best
