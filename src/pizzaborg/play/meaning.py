"""What a game means for the faces: trends (from the engine's series), the decisions that helped and
hurt most, what to try at work, short names for scenes and choices. Plain Python over the engine's
records; no Textual, no game rules. The words built on it (:mod:`.render`) import this module, never
the other way round.

No dataclasses here: ``dataclasses`` imports ``inspect``, and the headless path imports this module."""

from __future__ import annotations

from ..engine.i18n import _
from ..engine.text import clean

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from ..engine import Game
    from ..engine.model import Kpi


def scene_label(game: Game, scene_id: str, limit: int = 48) -> str:
    """A short name for a scene: its title, else the start of its text."""
    scene = game.story.scenes[scene_id]
    if scene.title:
        return clean(scene.title)
    text = " ".join(clean(scene.text.render(game.view)).split())
    first = text.split(". ")[0].rstrip(".")
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def kpi_history(game: Game, through: int | None = None) -> dict:
    """{kpi id: [value at the start, then after each decision and each month's start]}: the engine's
    series (``Game.kpi_series``), never a sum of decision changes, which would miss the month starts.
    ``through``: up to that decision, without the month start right after it."""
    return game.kpi_series(through)


def last_deltas(game: Game) -> dict:
    return dict(game.decisions[-1].deltas) if game.decisions else {}


def is_good(kpi: Kpi, delta: float) -> bool:
    """Whether a change of ``delta`` is good news for this KPI (higher_is better or worse)."""
    return (delta > 0) == (kpi.higher_is != "worse")


def choice_text(game: Game, scene_id: str, choice_id: str) -> str:
    """The text of a choice; of a portfolio ``a+b+c``, the texts joined with " + "."""
    scene = game.story.scenes.get(scene_id)
    if scene is None:
        return choice_id
    texts = []
    for part in choice_id.split("+"):
        choice = scene.choice(part)
        texts.append(clean(choice.text.render(game.view)) if choice else part)
    return " + ".join(texts)


class Impact:
    """One decision with a learning point at stake: ``index`` (0-based), ``round_number``, ``scene``,
    ``label`` (a short name for the scene), ``choice`` (its text), ``net`` (> 0 helped the learning
    score, < 0 hurt it), ``evidence`` [(point name, earned, low, high)], ``worst`` (worst-practice names)."""

    __slots__ = ("index", "round_number", "scene", "label", "choice", "net", "evidence", "worst")

    def __init__(
        self,
        index: int,
        round_number: int,
        scene: str,
        label: str,
        choice: str,
        net: float,
        evidence: list,
        worst: list,
    ) -> None:
        self.index, self.round_number, self.scene, self.label = index, round_number, scene, label
        self.choice, self.net, self.evidence, self.worst = choice, net, evidence, worst

    def __repr__(self) -> str:
        return f"Impact({self.index}, {self.scene!r}, net={self.net})"


def decision_impacts(game: Game) -> list[Impact]:
    """Every decision that had a learning point at stake, with how far it helped or hurt."""
    out = []
    for i, d in enumerate(game.decisions):
        if not d.stakes:
            continue
        net = sum((st.earned - st.low) - (st.high - st.earned) for st in d.stakes.values())
        evidence = [(game.story.points[p].name, st.earned, st.low, st.high) for p, st in d.stakes.items()]
        out.append(
            Impact(
                i,
                game.story.rounds[d.round_id].number,
                d.scene,
                scene_label(game, d.scene),
                choice_text(game, d.scene, d.choice),
                net,
                evidence,
                [game.story.worst[w].name for w in d.worst if w in game.story.worst],
            )
        )
    return out


def helped_and_hurt(game: Game, n: int = 3) -> tuple[list[Impact], list[Impact]]:
    impacts = decision_impacts(game)
    helped = sorted((i for i in impacts if i.net > 0), key=lambda i: (-i.net, i.index))[:n]
    hurt = sorted((i for i in impacts if i.net < 0), key=lambda i: (i.net, i.index))[:n]
    return helped, hurt


def to_try_at_work(game: Game, n: int = 3, below: float = 75.0) -> list[tuple[str, str]]:
    """(heading, advice) pairs: the weakest learning points, then the worst practices fallen into."""
    report = game.report()
    weak = sorted(
        (p for p in report.points.values() if p.score is not None and p.score < below), key=lambda p: (p.score, p.id)
    )
    tips = []
    for p in weak[:n]:
        point = game.story.points[p.id]
        tips.append((clean(point.name), clean(point.description or "")))
    for w, count in report.worst_taken.items():
        if count and w in game.story.worst:
            wp = game.story.worst[w]
            from .render import times

            head = _("Avoid: {name} (you fell into it {times})").format(name=clean(wp.name), times=times(count))
            tips.append((head, clean(wp.description or "")))
    return tips
