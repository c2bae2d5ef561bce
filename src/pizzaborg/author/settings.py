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
    # issue 19: tells in general (docs/story-format.md#audit)
    "cost_best_max": 0.40,  # share of decisions whose costliest option (capacity cost) is a best option
    "cost_worst_max": 0.40,  # share of decisions whose cheapest option is a worst option
    "character_share_max": 0.75,  # a named character's options: best (or worst) share must stay below this
    "character_min_options": 3,  # ... judged once their name stands in this many options
    "vocabulary_share_max": 0.75,  # a workshop phrase's options: best share must stay below this
    "vocabulary_min_options": 2,  # ... judged once it stands in this many options
    "model_best_max": 0.45,  # share of decisions where the tell model (leave-one-scene-out) picks a best option
    "learner_good_share_max": 0.25,  # share of a test-wise learner's games that end at the good ending or better
    "best_player_min": 0.90,  # share of the best-evidence player's games that must reach the best ending
    "best_blocked_max": 0.0,  # share of its games in which capacity bars it from every real improvement once
    "coverage_decisions": 3,  # a learning point needs this many decisions in a game ...
    "coverage_thin_max": 0.10,  # ... in all but less than this share of the audit's games
    # issue 18: the peek-and-undo learners and the tone tell (docs/authoring.md#peek-and-undo)
    "peek_gap_max": 0.5,  # a peeker's reported score may differ from what its first answers earn by this much
    "tone_disapproval_max": 0.75,  # share of best options whose Borg line disapproves
    "tone_approval_max": 0.75,  # share of worst options whose Borg line approves
    "tone_pick_max": 0.45,  # share of decisions where the option the tone marks as good is a best option
}

# the workshop's own vocabulary: a phrase that stands only in best options gives the answer away
VOCABULARY = (
    "value, outcomes, costs and risks",
    "vocr",
    "business case",
    "service catalogue",
    "service portfolio",
    "value stream",
    "business impact",
    "business relationship",
    "continual improvement",
    "root cause",
    "standard change",
    "change advisory",
    "service level",
    "end to end",
    "detect-to-correct",
)

# the hedger: two parties (the business's or IT's people, or named characters), a meeting, an ask (bots.hedge)
HEDGER_WORDS = (
    (
        "business",
        "director",
        "directors",
        "stores",
        "store",
        "marketing",
        "finance",
        "board",
        "ceo",
        "sales",
        "customers",
        "managers",
    ),
    ("it", "team", "developers", "engineers", "desk", "operations", "architects", "service desk", "cio"),
    ("meeting", "meet", "workshop", "session", "sit down", "round table", "review", "call", "together"),
    ("ask", "asks", "agree", "propose", "invite", "request", "suggest", "listen", "explain"),
)

VIRTUE_WORDS = (
    "together",
    "jointly",
    "joint",
    "business",
    "agree",
    "agreed",
    "agreement",
    "listen",
    "listens",
    "listening",
    "owner",
    "owners",
    "value",
    "values",
    "case",
    "partner",
    "partners",
    "partnership",
    "share",
    "shared",
    "ask",
    "explain",
    "involve",
    "collaborate",
    "collaboration",
    "both",
    "customer",
    "customers",
    "stakeholders",
    "understand",
    "openly",
    "honest",
    "honestly",
    "outcomes",
    "impact",
    "priorities",
    "prioritise",
    "learn",
    "with",  # doing it *with* someone is the commonest tell
)


# the tone of a Borg line, as a learner reads it (bots.tone): words and phrases of approval and of disapproval,
# whole words, lower case. A line approves when it has more of the first than of the second.
APPROVAL_WORDS = (
    "approve",
    "approves",
    "approval",
    "admire",
    "admires",
    "adore",
    "adores",
    "love",
    "loves",
    "beautiful",
    "excellent",
    "glorious",
    "perfect",
    "perfection",
    "paradise",
    "bliss",
    "delicious",
    "delightful",
    "exquisite",
    "elegant",
    "ideal",
    "good",
    "great",
    "proud",
    "respect",
    "favourite",
    "comforting",
    "soothing",
    "serene",
    "fond",
    "enjoy",
    "acceptable",
    "efficient",
    "efficiency",
    "finally",
    "at last",
    "welcome",
    "restored",
    "we are moved",
    "feel seen",
    "feel at home",
    "our kind",
    "our language",
    "after our own heart",
    "could not have",
    "classic",
    "timeless",
    "wonderful",
    "splendid",
    "satisfying",
    "pleased",
    "pleasing",
    "music to",
    "applaud",
    "well done",
    "bravo",
    "impressive",
    "magnificent",
    "poetic",
    "thanks",
    "never tire",
    "worthy",
)
DISAPPROVAL_WORDS = (
    "unwise",
    "dull",
    "cowardly",
    "disturbing",
    "inefficient",
    "reckless",
    "dangerous",
    "fear",
    "fears",
    "horror",
    "unsettling",
    "unnerving",
    "baffling",
    "exhausting",
    "tiresome",
    "disappointing",
    "sentimental",
    "risky",
    "treacherous",
    "chaos",
    "shudder",
    "confusion",
    "mourning",
    "weeps",
    "absurd",
    "curious",
    "unusual",
    "unprecedented",
    "contagious",
    "suspicious",
    "distrust",
    "unwelcome",
    "pity",
    "wasteful",
    "regrettable",
    "worrying",
    "alarming",
    "annoying",
    "annoyingly",
    "do not understand",
    "we lose",
    "lost a drone",
    "tourists",
    "foolish",
    "naive",
    "sloppy",
    "irritating",
    "tedious",
    "boring",
    "pointless",
    "deplorable",
    "excessive",
    "slippery",
    "crowded",
    "worry",
    "worried",
    "nervous",
    "uneasy",
    "troubling",
)
# a note that turns against the choice ("... But it treats the ordering site like ..."): a warning
WARNING_WORDS = ("but", "however", "unfortunately", "although", "though", "yet")


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
        self.vocabulary = tuple(str(v).lower() for v in given.get("vocabulary", VOCABULARY) if str(v).strip())
        self.characters = [str(v) for v in given["characters"]] if "characters" in given else None
        self.approval_words = tuple(given.get("approval_words", APPROVAL_WORDS))
        self.disapproval_words = tuple(given.get("disapproval_words", DISAPPROVAL_WORDS))
        self.warning_words = tuple(given.get("warning_words", WARNING_WORDS))
        self.hedger_words = tuple(tuple(g) for g in given.get("hedger_words", HEDGER_WORDS))
        self.best_ending = given.get("best_ending") or (default_best_ending(story) if story is not None else None)
        self.good_ending = given.get("good_ending") or (
            default_good_ending(story, self.best_ending) if story is not None else None
        )

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


def ending_floors(story) -> dict:
    """{ending id: the lowest score it lets through}, for the endings whose condition sets a floor."""
    out = {}
    for e in story.endings:
        f = _score_floor(e.when.root) if e.when is not None else None
        if f is not None:
            out[e.id] = f
    return out


def default_good_ending(story, best: str | None) -> str | None:
    """The ending with the next highest score floor below the best one ("Aligned" under "Converged")."""
    floors = ending_floors(story)
    top = floors.get(best) if best else None
    below = [(f, e) for e, f in floors.items() if e != best and (top is None or f < top)]
    return max(below, key=lambda fe: fe[0])[1] if below else None


def default_best_ending(story) -> str | None:
    best, floor = None, None
    for e in story.endings:
        f = _score_floor(e.when.root) if e.when is not None else None
        if f is not None and (floor is None or f > floor):
            best, floor = e.id, f
    return best
