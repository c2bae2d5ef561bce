"""The answer-key audit (``pizzaborg story audit``): every tell a learner could exploit, measured.

A *decision* is a scene or event with at least two authored choices (draw points and a lone
"Continue" are not). In each decision:

- the *best-evidence* options are those with the highest summed evidence weight (more than one when
  tied: a rule that picks one of them scores 1/k per tied pick, and the report counts the ties);
- the *worst-practice* options are those marked ``worst:``; when none is, those with the lowest
  summed evidence (unless every option has the same sum: then the decision has no worst);
- a decision whose options all carry the same evidence sum and no ``worst:`` gives no verdict and is
  left out of the tells that need a best option.

Per-decision tells read the story as written (choice texts, effects, notes, Borg lines in authored
order). The test-wise learners play whole games through the engine (:mod:`.bots`), so they see the
choices as a player does: the texts as rendered, the order as shown.

A rule's *hit* in a decision is the share of the options the rule picks (several when tied) that are
best: the chance that a learner following the rule, breaking ties at random, takes a best option.
"""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass, field

from . import bots, tellmodel
from .settings import audit_settings

TOP = 5  # worst offenders shown per tell


@dataclass
class Decision:
    scene: object
    options: list  # authored choices (not the synthetic "Continue")
    sums: list  # evidence sum per option
    best: set  # indexes
    worst: set  # indexes

    @property
    def verdict(self) -> bool:
        return bool(self.best) and len(self.best) < len(self.options)


def decisions(story) -> tuple:
    """(decisions, portfolio scenes skipped), in story order."""
    out, skipped = [], []
    for s in story.scenes.values():
        if s.is_draw:
            continue
        options = [c for c in s.choices if not c.synthetic]
        if len(options) < 2:
            continue
        if bots.portfolio_size(s) > 1:
            # TODO(portfolio): per-decision tells of "pick K of N" scenes (best K by evidence vs the
            # K longest, ...). Left out for now, and counted in the report.
            skipped.append(s)
            continue
        if not any(c.evidence for c in options):
            continue  # no learning point at stake (e.g. a month's bookkeeping of team weeks): not scored, not judged
        sums = [bots.evidence_sum(c) for c in options]
        hi, lo = max(sums), min(sums)
        best = {i for i, v in enumerate(sums) if v == hi} if hi > lo else set()
        tagged = {i for i, c in enumerate(options) if c.worst}
        worst = tagged or ({i for i, v in enumerate(sums) if v == lo} if hi > lo else set())
        out.append(Decision(s, options, sums, best, worst))
    return out, skipped


def _hit(picked: set, best: set) -> float:
    return len(picked & best) / len(picked) if picked else 0.0


def _argmax(values) -> set:
    top = max(values)
    return {i for i, v in enumerate(values) if v == top}


def _where(obj) -> str:
    return str(obj.pos) if getattr(obj, "pos", None) is not None else "?"


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


@dataclass
class Tell:
    id: str
    name: str
    value: float  # the figure compared with the threshold
    figure: str  # the figure as shown
    threshold: float
    kind: str  # "max": fails above; "min": fails below; "below": fails at or above; "info": never fails
    source: str = "default"  # where the threshold comes from: default or story
    offenders: list = field(default_factory=list)  # [(where, text)], worst first
    details: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        if self.kind == "max":
            return self.value <= self.threshold + 1e-9
        if self.kind == "min":
            return self.value >= self.threshold - 1e-9
        if self.kind == "below":
            return self.value < self.threshold
        return True

    def threshold_text(self) -> str:
        if self.kind == "info":
            return "-"
        op = {"max": "<=", "min": ">=", "below": "<"}[self.kind]
        t = self.threshold
        if self.id.startswith(("learner.", "phrases")):
            shown = f"{t:g}" if not self.id.endswith((".best", ".good")) else _pct(t)
        elif self.id == "length.ratio":
            shown = f"{t:.2f}"
        else:
            shown = _pct(t)
        return f"{op} {shown}"

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "value": round(self.value, 4),
            "figure": self.figure,
            "threshold": self.threshold,
            "kind": self.kind,
            "threshold_source": self.source,
            "passed": self.passed,
            "offenders": [{"where": w, "detail": t} for w, t in self.offenders],
            **({"details": self.details} if self.details else {}),
        }


# ---- per-decision tells ----------------------------------------------------------------------------
def _share_tell(tid, name, hits: list, threshold, kind, source, offender_text) -> Tell:
    """hits: [(decision, hit 0..1)]; offenders: the decisions with the highest hit (for max) or the
    lowest (for min)."""
    n = len(hits)
    total = sum(h for _, h in hits)
    value = total / n if n else 0.0
    count = f"{total:.0f}" if abs(total - round(total)) < 1e-9 else f"{total:.1f}"
    figure = f"{_pct(value)} ({count} of {n})" if n else "no decision"
    if kind == "min":
        ranked = [d for d, h in sorted(hits, key=lambda dh: dh[1]) if h < 1]
    else:
        ranked = [d for d, h in sorted(hits, key=lambda dh: -dh[1]) if h > 0]
    return Tell(
        tid,
        name,
        value,
        figure,
        threshold,
        kind if n else "info",
        source,
        [(_where(d.scene), offender_text(d)) for d in ranked[:TOP]],
        {"decisions": n, "offending": len(ranked)},
    )


def _label(options, idx) -> str:
    return "/".join(options[i].id for i in sorted(idx))


def length_tells(ds, st) -> list:
    judged = [d for d in ds if d.verdict]
    hits, ratios = [], []
    for d in judged:
        lengths = [len(c.text.all_text) for c in d.options]
        hits.append((d, _hit(_argmax(lengths), d.best)))
        best_len = statistics.fmean(lengths[i] for i in d.best)
        others = [lengths[i] for i in range(len(d.options)) if i not in d.best]
        ratios.append((d, best_len / max(1.0, statistics.fmean(others))))

    def text(d):
        lengths = [len(c.text.all_text) for c in d.options]
        longest = _argmax(lengths)
        return (
            f"{d.scene.id}: best {_label(d.options, d.best)} is the longest ({max(lengths)} characters; others "
            f"{', '.join(str(lengths[i]) for i in range(len(lengths)) if i not in longest)})"
        )

    share = _share_tell(
        "length.share",
        "length: the best option is the longest",
        hits,
        st.length_share_max,
        "max",
        st.source("length_share_max"),
        text,
    )
    mean_ratio = statistics.fmean(r for _, r in ratios) if ratios else 0.0
    ranked = sorted(ratios, key=lambda dr: -dr[1])
    ratio = Tell(
        "length.ratio",
        "length: mean length of the best over the others",
        mean_ratio,
        f"{mean_ratio:.2f}",
        st.length_ratio_max,
        "max",
        st.source("length_ratio_max"),
        [
            (_where(d.scene), f"{d.scene.id}: best {_label(d.options, d.best)} is {r:.2f}x the others")
            for d, r in ranked[:TOP]
            if r > 1
        ],
    )
    return [share, ratio]


def shuffled(story, scene) -> bool:
    """True when the game shows the scene's choices in an order drawn per game (no authored position
    reaches the learner, but for pinned choices)."""
    return bool(getattr(story, "shuffle", False)) and getattr(scene, "shuffle", True) is not False


def position_tell(ds, st, story=None) -> Tell:
    """Best options per authored position, over the scenes a learner sees in the written order. A
    story that shuffles its choices is judged on its unshuffled scenes only; a pinned best option
    counts where it is pinned."""
    fixed = [
        d
        for d in ds
        if story is None or not shuffled(story, d.scene) or any(getattr(d.options[i], "pin", None) for i in d.best)
    ]
    if story is not None and not fixed:
        written = position_tell(ds, st)  # what the written order would leak without the shuffle
        return Tell(
            "position",
            "position: best options at one authored position",
            0.0,
            f"0% (every scene's choices are shuffled per game; the written order alone would give {written.figure})",
            st.position_share_max,
            "max",
            st.source("position_share_max"),
            [],
            {**written.details, "decisions": 0, "shuffled": len(ds)},
        )
    ds = fixed
    judged = [d for d in ds if d.verdict]
    width = max((len(d.options) for d in ds), default=0)
    best_at = [0.0] * width
    worst_at = [0.0] * width
    best_last = worst_last = 0.0
    for d in judged:
        n = len(d.options)
        for i in d.best:
            best_at[i] += 1 / len(d.best)
            best_last += (i == n - 1) / len(d.best)
        for i in d.worst:
            worst_at[i] += 1 / len(d.worst)
            worst_last += (i == n - 1) / len(d.worst)
    n = len(judged) or 1
    shares = {str(i + 1): best_at[i] / n for i in range(width)}
    shares["last"] = best_last / n
    where = max(shares, key=lambda k: shares[k]) if judged else "1"
    value = shares[where] if judged else 0.0

    def at(d):
        k = len(d.options) - 1 if where == "last" else int(where) - 1
        return k in d.best

    offenders = [
        (_where(d.scene), f"{d.scene.id}: best {_label(d.options, d.best)} is choice {where}") for d in judged if at(d)
    ]
    per = ", ".join(f"{k}: {_pct(v)}" for k, v in shares.items())
    worst_shares = {str(i + 1): worst_at[i] / n for i in range(width)}
    worst_shares["last"] = worst_last / n
    wper = ", ".join(f"{k}: {_pct(v)}" for k, v in worst_shares.items())
    return Tell(
        "position",
        "position: best options at one authored position",
        value,
        f"{_pct(value)} at {where} (best per position {per}; worst per position {wper})",
        st.position_share_max,
        "max",
        st.source("position_share_max"),
        offenders[:TOP],
        {
            "best_per_position": {k: round(v, 4) for k, v in shares.items()},
            "worst_per_position": {k: round(v, 4) for k, v in worst_shares.items()},
            "decisions": len(judged),
        },
    )


def _signed(story, k, delta) -> float:
    return -delta if story.kpis[k].higher_is == "worse" else delta


def number_tells(story, ds, st) -> list:
    judged = [d for d in ds if d.verdict]
    out = []
    for k, kpi in story.kpis.items():
        hits = []
        for d in judged:
            values = [_signed(story, k, bots.immediate_effects(c).get(k, 0)) for c in d.options]
            if max(values) == min(values):
                continue  # the number does not tell these options apart
            hits.append((d, _hit(_argmax(values), d.best)))

        def text(d, k=k):
            values = [bots.immediate_effects(c).get(k, 0) for c in d.options]
            return (
                f"{d.scene.id}: best {_label(d.options, d.best)} has the best {k} change "
                f"({', '.join(f'{c.id} {v:+g}' for c, v in zip(d.options, values, strict=False))})"
            )

        t = _share_tell(
            f"number.{k}",
            f"number: the best option has the best {kpi.name} change",
            hits,
            st.number_share_max,
            "max",
            st.source("number_share_max"),
            text,
        )
        t.details["higher_is"] = kpi.higher_is
        out.append(t)
    return out


def temptation_tell(story, ds, st) -> Tell:
    business = [k for k in st.business_kpis if k in story.kpis]
    hits = []
    for d in ds:
        if not d.verdict or not d.worst or d.worst & d.best:
            continue
        pairs = beats = 0
        for w in d.worst:
            we = bots.immediate_effects(d.options[w])
            for b in d.best:
                be = bots.immediate_effects(d.options[b])
                pairs += 1
                beats += any(_signed(story, k, we.get(k, 0)) > _signed(story, k, be.get(k, 0)) for k in business)
        hits.append((d, beats / pairs))

    def text(d):
        w = _label(d.options, d.worst)
        b = _label(d.options, d.best)
        return f"{d.scene.id}: worst {w} wins no business number over best {b}"

    t = _share_tell(
        "temptation",
        "temptation: the worst option wins a business number now",
        hits,
        st.temptation_min,
        "min",
        st.source("temptation_min"),
        text,
    )
    t.name += f" ({', '.join(business) or 'no business KPI'})"
    t.details["business_kpis"] = business
    return t


def one_right_tell(ds, st) -> Tell:
    hits = [(d, float(sum(1 for v in d.sums if v > 0) == 1)) for d in ds]

    def text(d):
        i = next(i for i, v in enumerate(d.sums) if v > 0)
        return (
            f"{d.scene.id}: only {d.options[i].id} has positive evidence (sums {', '.join(f'{v:+g}' for v in d.sums)})"
        )

    return _share_tell(
        "one-right",
        "one right answer: only one option has positive evidence",
        hits,
        st.one_right_max,
        "max",
        st.source("one_right_max"),
        text,
    )


# ---- issue 19: tells in general -------------------------------------------------------------------
def _argmin(values) -> set:
    low = min(values)
    return {i for i, v in enumerate(values) if v == low}


def cost_tells(ds, st) -> list:
    """The price tag as an answer key: how often the costliest option (the capacity it spends, shown as
    "(2 team weeks)") is a best option, and the cheapest a worst one. Decisions whose options all cost
    the same are left out: the price tells nothing there."""
    best_hits, worst_hits = [], []
    for d in ds:
        if not d.verdict:
            continue
        costs = [c.cost or 0 for c in d.options]
        if max(costs) == min(costs):
            continue
        best_hits.append((d, _hit(_argmax(costs), d.best)))
        if d.worst:
            worst_hits.append((d, _hit(_argmin(costs), d.worst)))

    def costs_of(d):
        return ", ".join(f"{c.id} {c.cost or 0:g}" for c in d.options)

    best = _share_tell(
        "cost.costliest-best",
        "cost: the costliest option is a best option",
        best_hits,
        st.cost_best_max,
        "max",
        st.source("cost_best_max"),
        lambda d: f"{d.scene.id}: best {_label(d.options, d.best)} costs the most ({costs_of(d)})",
    )
    worst = _share_tell(
        "cost.cheapest-worst",
        "cost: the cheapest option is a worst option",
        worst_hits,
        st.cost_worst_max,
        "max",
        st.source("cost_worst_max"),
        lambda d: f"{d.scene.id}: worst {_label(d.options, d.worst)} costs the least ({costs_of(d)})",
    )
    return [best, worst]


_CAPITAL = re.compile(r"(?<![\w'’-])([A-Z][a-z]+)(?:['’]s)?(?![\w'’-])")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“(]\s*)$")
NOT_NAMES = frozenset(
    "I Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August "
    "September October November December Payday Cup Final Christmas Easter".split()
)


def _name_candidates(text: str) -> list:
    """Capitalised words of ``text`` that do not open a sentence: [(word, start)]."""
    return [(m.group(1), m.start()) for m in _CAPITAL.finditer(text) if not _SENTENCE_START.search(text[: m.start()])]


def characters(story) -> list:
    """The story's named characters: ``audit: characters`` when the story sets it; else the capitalised
    words inside choice texts that recur in at least two choices and never stand in lower case in a
    choice or scene text (a name, not a word that happens to open a clause), without the days and
    months, the company's and KPIs' names, and surnames (a word that only ever follows another name)."""
    given = audit_settings(story).characters
    if given is not None:
        return list(dict.fromkeys(given))
    texts = [c.text.all_text for s in story.scenes.values() for c in s.choices if not c.synthetic]
    lower: set[str] = set()
    for s in story.scenes.values():
        for t in [s.text.all_text] + [c.text.all_text for c in s.choices]:
            lower.update(w for w in _TOKEN.findall(t) if w.islower())
    known = {w for k in story.kpis.values() for w in _TOKEN.findall(k.name)}
    known |= set(_TOKEN.findall(str(getattr(story, "company", "") or "")))
    count: dict = {}
    follows: dict = {}  # word -> the words right before it, every time
    for t in texts:
        seen = set()
        for w, start in _name_candidates(t):
            if w in NOT_NAMES or w in known or w.lower() in lower:
                continue
            if w not in seen:
                seen.add(w)
                count[w] = count.get(w, 0) + 1
            before = _TOKEN.findall(t[:start])
            follows.setdefault(w, set()).add(before[-1] if before and t[:start].endswith(" ") else "")
    names = [w for w, k in count.items() if k >= 2]
    return [w for w in names if not all(b in count for b in follows[w])]


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text) is not None


def character_tell(story, ds, st) -> Tell:
    """A named character whose options are mostly best (or mostly worst): an attentive learner soon
    notices that Priya is always right."""
    judged = [d for d in ds if d.verdict]
    rows: dict = {}
    first: dict = {}
    for name in characters(story):
        n = best = worst = 0
        for d in judged:
            for i, c in enumerate(d.options):
                if _mentions(c.text.all_text, name):
                    first.setdefault(name, c)
                    n += 1
                    best += i in d.best
                    worst += i in d.worst
        if n >= st.character_min_options:
            rows[name] = (n, best / n, worst / n)
    ranked = sorted(rows.items(), key=lambda kv: (-max(kv[1][1], kv[1][2]), kv[0]))
    rows = dict(ranked)
    value = max((max(b, w) for _, b, w in rows.values()), default=0.0)
    per = ", ".join(f"{k} {_pct(b)}/{_pct(w)} of {n}" for k, (n, b, w) in ranked)
    offenders = [
        (_where(first[k]), f"{k}: {_pct(b)} of {n} options best, {_pct(w)} worst")
        for k, (n, b, w) in ranked
        if max(b, w) >= st.character_share_max
    ]
    figure = f"{_pct(value)} (best/worst: {per})" if rows else "no named character"
    return Tell(
        "character",
        "character: one name's options mostly best or mostly worst",
        value,
        figure,
        st.character_share_max,
        "below" if rows else "info",
        st.source("character_share_max"),
        offenders[:TOP],
        {"characters": {k: {"options": n, "best": round(b, 4), "worst": round(w, 4)} for k, (n, b, w) in ranked}},
    )


def has_phrase(text: str, phrase: str) -> bool:
    """``phrase`` stands in ``text`` as whole words, case and spacing aside."""
    pattern = r"\s+".join(re.escape(w) for w in phrase.split())
    return re.search(rf"(?<![\w]){pattern}(?![\w])", text, re.IGNORECASE) is not None


def vocabulary_tell(story, ds, st) -> Tell:
    """The workshop's own words ("value, outcomes, costs and risks", "business case", ...) in best
    options only: the learner learns to spot the jargon, not the practice."""
    judged = [d for d in ds if d.verdict]
    rows: dict = {}
    first: dict = {}
    for phrase in st.vocabulary:
        n = best = worst = 0
        for d in judged:
            for i, c in enumerate(d.options):
                if has_phrase(c.text.all_text, phrase):
                    first.setdefault(phrase, c)
                    n += 1
                    best += i in d.best
                    worst += i in d.worst
        if n >= st.vocabulary_min_options:
            rows[phrase] = (n, best / n, worst / n)
    ranked = sorted(rows.items(), key=lambda kv: (-kv[1][1], kv[0]))
    value = max((b for _, b, _ in rows.values()), default=0.0)
    per = ", ".join(f'"{k}" {_pct(b)} of {n}' for k, (n, b, _) in ranked)
    offenders = [
        (_where(first[k]), f'"{k}": {_pct(b)} of {n} options best, {_pct(w)} worst')
        for k, (n, b, w) in ranked
        if b >= st.vocabulary_share_max
    ]
    figure = f"{_pct(value)} (best: {per})" if rows else "no phrase of the vocabulary in enough options"
    return Tell(
        "vocabulary",
        "vocabulary: the workshop's words mostly in best options",
        value,
        figure,
        st.vocabulary_share_max,
        "below" if rows else "info",
        st.source("vocabulary_share_max"),
        offenders[:TOP],
        {"phrases": {k: {"options": n, "best": round(b, 4), "worst": round(w, 4)} for k, (n, b, w) in ranked}},
    )


def _decision_features(story, d, names) -> list:
    costs = [c.cost or 0 for c in d.options]
    return tellmodel.features([c.text.all_text for c in d.options], costs, not shuffled(story, d.scene), names)


def scene_models(story) -> tuple:
    """(the model trained on every judged decision, {scene id: its decision's examples}), computed once
    per loaded story; a scene's leave-one-out model is the whole one minus its examples."""
    cached = story.__dict__.get("_tell_model")
    if cached is None:
        names = characters(story)
        ds = [d for d in decisions(story)[0] if d.verdict]
        per = {d.scene.id: tellmodel.examples(_decision_features(story, d, names), d.best) for d in ds}
        whole = tellmodel.NaiveBayes()
        for ex in per.values():
            whole.add(ex)
        cached = story.__dict__["_tell_model"] = (whole, per, names, {})
    return cached


def scene_scorer(story, scene_id: str):
    """The tell model trained on every decision but ``scene_id``'s (frozen, cached per scene)."""
    whole, per, _, frozen = scene_models(story)
    if scene_id not in frozen:
        ex = per.get(scene_id, [])
        whole.add(ex, -1)
        try:
            frozen[scene_id] = whole.freeze()
        finally:
            whole.add(ex)
    return frozen[scene_id]


def character_scores(story) -> dict:
    """{name: share of their options that are best - share that are worst}: what an attentive learner
    learns about each character (the ``names`` learner follows the best-scoring one)."""
    cached = story.__dict__.get("_character_scores")
    if cached is None:
        st = audit_settings(story)
        tell = character_tell(story, decisions(story)[0], st)
        cached = story.__dict__["_character_scores"] = {
            n: r["best"] - r["worst"] for n, r in tell.details.get("characters", {}).items()
        }
    return cached


def model_tell(story, ds, st) -> Tell:
    """The tell model (:mod:`.tellmodel`), trained leave-one-scene-out: how often it picks a best option."""
    _, per, _, _ = scene_models(story)
    hits, picked = [], {}
    for d in ds:
        if not d.verdict:
            continue
        pick = scene_scorer(story, d.scene.id).pick([f for f, _ in per[d.scene.id]])
        picked[d.scene.id] = pick
        hits.append((d, _hit(pick, d.best)))

    def text(d):
        best = _label(d.options, picked[d.scene.id] & d.best)
        return f"{d.scene.id}: the model, trained on the other scenes, picks best {best}"

    return _share_tell(
        "model",
        "tell model: trained on the other scenes, it picks a best option",
        hits,
        st.model_best_max,
        "max",
        st.source("model_best_max"),
        text,
    )


# ---- stamps: the form of a note or Borg line gives the verdict away --------------------------------
_LABEL = re.compile(r"^\s*([A-Z][\w'’&/ -]{0,40}?):\s")


def _forms(story) -> list:
    """(name, test(text) -> bool) of the forms looked for at the start of a note or Borg line."""
    names = [a.name for a in story.areas.values()] + [a.id for a in story.areas.values()]
    names += [p.name for p in story.points.values()]
    lowered = tuple(n.lower() for n in names if n)

    def label(text):
        return bool(_LABEL.match(text))

    def area(text):
        return text.strip().lower().startswith(lowered)

    return [("opens with a 'Label:'", label), ("opens with an area or learning point name", area)]


def stamp_tell(story, ds, st) -> Tell:
    forms = _forms(story)
    hits, found = [], {}
    for d in ds:
        if not d.verdict:
            continue
        stamp = None
        for what in ("note", "borg"):
            texts = [getattr(c, what).all_text for c in d.options]
            for name, test in forms:
                marks = [test(t) for t in texts]
                best = {marks[i] for i in d.best}
                rest = {marks[i] for i in range(len(texts)) if i not in d.best}
                if len(best) == 1 and len(rest) == 1 and best != rest:
                    stamp = f"{d.scene.id}: {'only' if True in best else 'all but'} the best option's {what} {name}"
                    break
            if stamp:
                break
        hits.append((d, 1.0 if stamp else 0.0))
        if stamp:
            found[d.scene.id] = stamp
    return _share_tell(
        "stamps.form",
        "stamps: a note's or Borg line's form singles out the best",
        hits,
        st.stamp_share_max,
        "max",
        st.source("stamp_share_max"),
        lambda d: found[d.scene.id],
    )


_TOKEN = re.compile(r"[\w'’]+")


def _texts(story) -> list:
    """Every note and Borg line (each conditional part apart): [(choice, kind, text)]."""
    out = []
    for s in story.scenes.values():
        for c in s.choices:
            for kind in ("note", "borg"):
                for _, t in getattr(c, kind).parts:
                    if t.strip():
                        out.append((c, kind, t))
    return out


def phrase_tell(story, st) -> Tell:
    n = st.phrase_words
    where: dict = {}  # phrase -> [choice] (one per text)
    for c, _, t in _texts(story):
        words = [w.lower() for w in _TOKEN.findall(t)]
        seen = set()
        for i in range(len(words) - n + 1):
            g = " ".join(words[i : i + n])
            if g not in seen:
                seen.add(g)
                where.setdefault(g, []).append(c)
    repeated = sorted(
        ((g, cs) for g, cs in where.items() if len(cs) > st.phrase_repeats_max), key=lambda gc: (-len(gc[1]), gc[0])
    )
    # a long repeated phrase shows up as a chain of n-grams, each shifted by one word: join them
    kept: list = []  # [words, texts, first choice]
    for g, cs in repeated:
        words = g.split()
        for k in kept:
            if k[0][-(n - 1) :] == words[:-1]:
                k[0].append(words[-1])
                break
            if k[0][: n - 1] == words[1:]:
                k[0].insert(0, words[0])
                break
        else:
            kept.append([words, len(cs), cs[0]])
    merged = True
    while merged:  # chains met from both ends: join phrases whose ends overlap by n-1 words
        merged = False
        for a in kept:
            for b in kept:
                if a is not b and a[0][-(n - 1) :] == b[0][: n - 1]:
                    a[0].extend(b[0][n - 1 :])
                    a[1] = max(a[1], b[1])
                    kept.remove(b)
                    merged = True
                    break
            if merged:
                break
    joined = sorted(((" ".join(w), count, first) for w, count, first in kept), key=lambda k: (-k[1], k[0]))
    offenders = [(_where(first), f'"{g}" in up to {count} texts') for g, count, first in joined]
    return Tell(
        "phrases",
        f"stamps: phrases of {n}+ words in more than {st.phrase_repeats_max} notes and Borg lines",
        float(len(joined)),
        f"{len(joined)} phrase(s)",
        0,
        "max",
        st.source("phrase_repeats_max"),
        offenders[:TOP],
        {"phrases": {g: count for g, count, _ in joined}},
    )


def collective_tell(story, st) -> Tell:
    phrase = st.collective_phrase.lower()
    lines = [(c, t) for c, kind, t in _texts(story) if kind == "borg"]
    with_it = [(c, t) for c, t in lines if phrase in t.lower()]
    value = len(with_it) / len(lines) if lines else 0.0
    return Tell(
        "stamps.collective",
        f'stamps: Borg lines that say "{st.collective_phrase}"',
        value,
        f"{_pct(value)} ({len(with_it)} of {len(lines)})",
        st.collective_share_max,
        "max",
        st.source("collective_share_max"),
        [(_where(c), f"{c.id}: {t.strip()[:60]}") for c, t in with_it[:TOP]],
    )


# ---- issue 18: the tone of the feedback ------------------------------------------------------------
def _tones(d, st) -> list:
    """The tone of each option's Borg line (1 approves, -1 disapproves, 0 neither; bots.tone)."""
    return [bots.tone(c.borg.all_text, st.approval_words, st.disapproval_words) for c in d.options]


def tone_tells(ds, st) -> list:
    """The feedback's tone as an answer key. The story marks no tone: a Borg line approves or
    disapproves by its words (``APPROVAL_WORDS``, ``DISAPPROVAL_WORDS`` in settings), as a learner reads
    it. The Collective approves of assimilation, so a learner who notices that it disapproves of good
    choices can read the answer from the line after a try, and undo."""
    judged = [d for d in ds if d.verdict]
    best_n = best_dis = worst_n = worst_app = dis_n = dis_best = dis_good = app_n = app_worst = 0
    best_rows, worst_rows, pick_hits = [], [], []
    for d in judged:
        tones = _tones(d, st)
        for i, t in enumerate(tones):
            if i in d.best:
                best_n += 1
                best_dis += t < 0
            if i in d.worst:
                worst_n += 1
                worst_app += t > 0
            if t < 0:
                dis_n += 1
                dis_best += i in d.best
                dis_good += d.sums[i] > 0
            if t > 0:
                app_n += 1
                app_worst += i in d.worst
        b = [i for i in sorted(d.best) if tones[i] < 0]
        if b:
            best_rows.append((d, b))
        w = [i for i in sorted(d.worst) if tones[i] > 0]
        if w:
            worst_rows.append((d, w))
        values = [bots.tone_value(c.borg.all_text, c.note.all_text, st) for c in d.options]
        if len(set(values)) > 1:
            pick_hits.append((d, _hit(_argmax(values), d.best)))

    def line(d, i):
        return f'{d.scene.id}/{d.options[i].id}: "{d.options[i].borg.all_text.strip()[:70]}"'

    share_b = best_dis / best_n if best_n else 0.0
    share_w = worst_app / worst_n if worst_n else 0.0
    disapproved = (
        (f"; when it disapproves, the option is best {dis_best} of {dis_n} times, good (positive evidence) {dis_good}")
        if dis_n
        else "; it never disapproves"
    )
    approved = (
        f"; when it approves, the option is worst {app_worst} of {app_n} times" if app_n else "; it never approves"
    )
    best = Tell(
        "tone.best-disapproved",
        "tone: the Collective disapproves of a best option",
        share_b,
        f"{_pct(share_b)} ({best_dis} of {best_n} best options){disapproved}",
        st.tone_disapproval_max,
        "max" if best_n else "info",
        st.source("tone_disapproval_max"),
        [(_where(d.scene), line(d, i[0])) for d, i in best_rows[:TOP]],
        {
            "best_options": best_n,
            "disapproved": best_dis,
            "disapprovals": dis_n,
            "disapprovals_best": dis_best,
            "disapprovals_good": dis_good,
            "scenes": [d.scene.id for d, _ in best_rows],
        },
    )
    worst = Tell(
        "tone.worst-approved",
        "tone: the Collective approves of a worst option",
        share_w,
        f"{_pct(share_w)} ({worst_app} of {worst_n} worst options){approved}",
        st.tone_approval_max,
        "max" if worst_n else "info",
        st.source("tone_approval_max"),
        [(_where(d.scene), line(d, i[0])) for d, i in worst_rows[:TOP]],
        {
            "worst_options": worst_n,
            "approved": worst_app,
            "approvals": app_n,
            "approvals_worst": app_worst,
            "scenes": [d.scene.id for d, _ in worst_rows],
        },
    )

    def picked(d):
        values = [bots.tone_value(c.borg.all_text, c.note.all_text, st) for c in d.options]
        sounding, best = _label(d.options, _argmax(values)), _label(d.options, d.best)
        return f"{d.scene.id}: the best-sounding {sounding} is best ({best})"

    pick = _share_tell(
        "tone.pick",
        "tone: the option whose feedback sounds best is a best option",
        pick_hits,
        st.tone_pick_max,
        "max",
        st.source("tone_pick_max"),
        picked,
    )
    pick.details["scenes"] = [d.scene.id for d, h in pick_hits if h > 0]
    return [best, worst, pick]


# ---- test-wise learners -------------------------------------------------------------------------------
def good_endings(story, st) -> set:
    """``good_ending`` and every ending that needs a higher score ("Aligned or better")."""
    from .settings import ending_floors

    floors = ending_floors(story)
    if st.good_ending is None:
        return set()
    floor = floors.get(st.good_ending)
    if floor is None:
        return {st.good_ending}
    return {e for e, f in floors.items() if f >= floor} | {st.good_ending}


def learner_tells(story, st, seeds: int, seed: int) -> tuple:
    names = [n for n in bots.TEST_WISE if bots.applies(story, n)]
    summaries = bots.run_bots(story, seeds, seed, names + ["best-evidence"], count_words=False)
    rows, tells = [], []
    best = st.best_ending
    good = good_endings(story, st)
    for s in summaries:
        d = s.as_dict()
        mean = d["score"]["mean"] if d["score"] else 0.0
        reached = d["endings"].get(best, 0) if best else 0
        games = d["games"] or 1
        row = {
            "learner": s.strategy,
            "games": d["games"],
            "mean": mean,
            "endings": d["endings"],
            "best_ending": reached,
            "errors": d["errors"],
            "test_wise": s.strategy in bots.TEST_WISE,
        }
        rows.append(row)
        if s.strategy == "best-evidence":
            tells += best_player_tells(story, st, s, reached, d["games"])
            continue
        peeker = s.strategy in bots.PEEKERS
        if peeker:
            row.update(peek_row(s))
        endings = ", ".join(f"{e} {k}" for e, k in d["endings"].items()) or "no game finished"
        scored = "mean reported score (first answers)" if peeker else "mean score"
        kept = f"; the path kept: {row['kept']:.1f}" if peeker else ""
        tells.append(
            Tell(
                f"learner.{s.strategy}.score",
                f"learner {s.strategy}: {scored}",
                mean,
                f"{mean:.1f} ({endings}{kept})",
                st.learner_score_max,
                "below",
                st.source("learner_score_max"),
            )
        )
        # a peeker's ending follows the path it kept, as undo allows (docs/reports.md): shown, never failed
        kind = "info" if peeker else "max"
        tells.append(
            Tell(
                f"learner.{s.strategy}.best",
                f"learner {s.strategy}: games that end {best or '(no best ending)'}",
                reached / games,
                f"{_pct(reached / games)} ({reached} of {d['games']})",
                st.learner_best_share_max,
                kind,
                st.source("learner_best_share_max"),
            )
        )
        if good:
            k = sum(n for e, n in d["endings"].items() if e in good)
            tells.append(
                Tell(
                    f"learner.{s.strategy}.good",
                    f"learner {s.strategy}: games that end {st.good_ending} or better",
                    k / games,
                    f"{_pct(k / games)} ({k} of {d['games']})",
                    st.learner_good_share_max,
                    kind,
                    st.source("learner_good_share_max"),
                )
            )
        if peeker:
            tells.append(peek_tell(s, row, st))
    tells.append(coverage_tell(story, st, [r for s in summaries for r in s.results]))
    return rows, tells


def peek_row(summary) -> dict:
    """What a peek-and-undo learner's games show beside its reported mean (:meth:`.bots.BotSummary.peek`)."""
    p = summary.peek() if summary.results else {"kept_score": 0.0, "undos": 0.0, "changed": 0.0, "first_gap": None}
    return {"kept": p["kept_score"], "undos": p["undos"], "changed": p["changed"], "first_gap": p["first_gap"]}


def peek_tell(summary, row: dict, st) -> Tell:
    """Issue 18's target: a peeker's reported score is within ``peek_gap_max`` of what its first answers
    earn, in every game; the undos it took and the answers it changed are in the figure."""
    gap = row["first_gap"]
    figure = (
        (
            f"largest gap {gap:g} over {len(summary.results)} game(s); {row['undos']:g} undos and "
            f"{row['changed']:g} changed answers a game; the path kept scores {row['kept']:.1f}"
        )
        if gap is not None
        else "no game finished"
    )
    return Tell(
        f"learner.{summary.strategy}.first",
        f"learner {summary.strategy}: reported score against its first answers",
        gap or 0.0,
        figure,
        st.peek_gap_max,
        "max" if gap is not None else "info",
        st.source("peek_gap_max"),
        details={k: row[k] for k in ("kept", "undos", "changed", "first_gap")},
    )


def best_player_tells(story, st, summary, reached: int, games: int) -> list:
    """The best-evidence player (ties go to the first option shown, never to the numbers) must reach
    the best ending, and capacity must never bar it from the option of most evidence."""
    n = games or 1
    out = [
        Tell(
            "best-player.best",
            f"best player: games that end {st.best_ending or '(no best ending)'}",
            reached / n,
            f"{_pct(reached / n)} ({reached} of {games})",
            st.best_player_min,
            "min" if st.best_ending and games else "info",
            st.source("best_player_min"),
        )
    ]
    if story.capacity is None:
        return out
    hit = [r for r in summary.results if r.blocked]
    per: dict = {}
    for r in hit:
        for sid in dict.fromkeys(r.blocked):
            per[sid] = per.get(sid, 0) + 1
    ranked = sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))
    figure = f"{_pct(len(hit) / n)} ({len(hit)} of {games})"
    if ranked:
        figure += ": " + ", ".join(f"{sid} {k}" for sid, k in ranked)
    out.append(
        Tell(
            "best-player.blocked",
            f"best player: {story.capacity.name.lower()} bar its best option",
            len(hit) / n,
            figure,
            st.best_blocked_max,
            "max",
            st.source("best_blocked_max"),
            [
                (
                    _where(story.scenes[sid]),
                    f"{sid}: the option of most evidence cannot be paid for in {k} of {games} games",
                )
                for sid, k in ranked[:TOP]
            ],
            {"scenes": dict(ranked)},
        )
    )
    return out


def coverage_tell(story, st, results: list) -> Tell:
    """Issue 18: how many decisions bear on each learning point in a game (a decision bears on a point
    when an option of its scene carries evidence on it), over every game the audit played."""
    bears = {s.id: {p for c in s.choices for p in c.evidence} for s in story.scenes.values()}
    counts: dict = {p: [] for p in story.points}
    for r in results:
        game = dict.fromkeys(story.points, 0)
        for sid, _ in r.decisions:
            for p in bears.get(sid, ()):
                if p in game:
                    game[p] += 1
        for p, k in game.items():
            counts[p].append(k)
    n = len(results)
    need = st.coverage_decisions
    thin = {p: sum(k < need for k in ks) / n for p, ks in counts.items()} if n else {}
    typical = {p: statistics.median(ks) for p, ks in counts.items() if ks}
    value = max(thin.values(), default=0.0)
    ranked = sorted(thin.items(), key=lambda kv: (-kv[1], typical.get(kv[0], 0), kv[0]))
    worst = ranked[0][0] if ranked else None
    figure = (
        (
            f"{_pct(value)} of games give {worst} fewer than {need} decisions (median decisions per point "
            f"{min(typical.values()):g}-{max(typical.values()):g})"
        )
        if ranked
        else "no game played"
    )
    offenders = [
        (_where(story.points[p]), f"{p}: fewer than {need} decisions in {_pct(v)} of games (median {typical[p]:g})")
        for p, v in ranked
        if v >= st.coverage_thin_max
    ]
    return Tell(
        "coverage",
        f"coverage: a learning point with fewer than {need} decisions in a game",
        value,
        figure,
        st.coverage_thin_max,
        "below" if n else "info",
        st.source("coverage_thin_max"),
        offenders[:TOP],
        {
            "median_decisions": {p: typical[p] for p in counts if p in typical},
            "thin_share": {p: round(v, 4) for p, v in thin.items()},
            "games": n,
        },
    )


@dataclass
class AuditReport:
    story: dict
    decisions: int
    verdicts: int
    ties: int
    portfolio_skipped: list
    seeds: int
    seed: int
    best_ending: str | None
    tells: list
    learners: list
    seconds: float

    @property
    def failed(self) -> list:
        return [t for t in self.tells if not t.passed]

    @property
    def errors(self) -> list:
        return [e for r in self.learners for e in r["errors"]]

    def as_dict(self) -> dict:
        return {
            "story": self.story,
            "passed": not self.failed and not self.errors,
            "decisions": self.decisions,
            "decisions_with_a_best_option": self.verdicts,
            "tied_best": self.ties,
            "portfolio_scenes_skipped": self.portfolio_skipped,
            "games_per_learner": self.seeds,
            "seed": self.seed,
            "best_ending": self.best_ending,
            "seconds": round(self.seconds, 2),
            "tells": [t.as_dict() for t in self.tells],
            "learners": self.learners,
        }


def run_audit(story, seeds: int = 50, seed: int = 0) -> AuditReport:
    t0 = time.perf_counter()
    st = audit_settings(story)
    ds, skipped = decisions(story)
    tells = length_tells(ds, st)
    tells.append(position_tell(ds, st, story))
    tells += number_tells(story, ds, st)
    tells.append(temptation_tell(story, ds, st))
    tells.append(one_right_tell(ds, st))
    tells += cost_tells(ds, st)
    tells.append(character_tell(story, ds, st))
    tells.append(vocabulary_tell(story, ds, st))
    tells.append(model_tell(story, ds, st))
    tells.append(stamp_tell(story, ds, st))
    tells.append(phrase_tell(story, st))
    tells.append(collective_tell(story, st))
    tells += tone_tells(ds, st)
    learners, ltells = learner_tells(story, st, seeds, seed)
    tells += ltells
    return AuditReport(
        {"id": story.id, "version": story.version, "hash": story.hash},
        len(ds),
        sum(d.verdict for d in ds),
        sum(len(d.best) > 1 for d in ds if d.verdict),
        [s.id for s in skipped],
        seeds,
        seed,
        st.best_ending,
        tells,
        learners,
        time.perf_counter() - t0,
    )


def format_report(report: AuditReport) -> str:
    s = report.story
    lines = [
        f"Audit: {s['id']} {s['version']}: {report.decisions} decision(s), {report.verdicts} with a best option "
        f"({report.ties} tied), {report.seeds} game(s) per learner (seeds "
        f"{report.seed}..{report.seed + report.seeds - 1}), "
        f"best ending: {report.best_ending or 'none'}",
    ]
    if report.portfolio_skipped:
        lines.append(f"Portfolio scenes left out of the per-decision tells: {', '.join(report.portfolio_skipped)}")
    width = max((len(t.name) for t in report.tells), default=4)
    lines += ["", f"{'':4} {'tell':<{width}} {'threshold':>10}  figure"]
    for t in report.tells:
        mark = "ok" if t.passed else "FAIL"
        if t.kind == "info":
            mark = "-"
        lines.append(f"{mark:<4} {t.name:<{width}} {t.threshold_text():>10}  {t.figure}")
        if not t.passed:
            for where, text in t.offenders:
                lines.append(f"       {where}: {text}")
    lines += ["", f"{'player':<16} {'games':>5} {'mean':>6} {'best':>5}  endings"]
    for r in report.learners:
        endings = ", ".join(f"{e} {k}" for e, k in r["endings"].items()) or "-"
        tag = "" if r["test_wise"] else "  (reads the evidence: the ceiling)"
        if "kept" in r:
            tag = f"  (first answers; path kept {r['kept']:.1f}, {r['undos']:g} undos, {r['changed']:g} changed a game)"
        lines.append(f"{r['learner']:<16} {r['games']:>5} {r['mean']:>6.1f} {r['best_ending']:>5}  {endings}{tag}")
        for e in r["errors"][:3]:
            lines.append(f"  error: {e}")
    coverage = next((t for t in report.tells if t.id == "coverage" and t.details.get("games")), None)
    if coverage is not None:
        need = coverage.name.split("fewer than ")[1].split()[0]
        lines += ["", f"decisions per learning point in a game (median; share of games with fewer than {need}):"]
        cells = [
            f"{p} {m:g} ({_pct(coverage.details['thin_share'][p])})"
            for p, m in coverage.details["median_decisions"].items()
        ]
        for i in range(0, len(cells), 3):
            lines.append("  " + "; ".join(cells[i : i + 3]))
    failed = report.failed
    lines += [
        "",
        f"{len(failed)} of {len(report.tells)} threshold(s) failed"
        if failed
        else f"all {len(report.tells)} threshold(s) hold",
        f"({report.seconds:.1f} s; thresholds: docs/story-format.md#audit)",
    ]
    return "\n".join(lines)
