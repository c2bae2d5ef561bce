"""How a save slot reads in the save and load dialogs."""

from __future__ import annotations

from textual.content import Content

from ...engine.i18n import _, ngettext
from ...engine.text import clean
from ...play.render import fmt_num


def slot_line(info) -> Content:
    """name (learner) · date · month or ending · score · decisions, on one line of about 80 cells."""
    name = clean(info.slot)
    if not info.readable:
        return Content.assemble(
            (f"{name[:24]:<24}", "bold"),
            " ",
            (_("unreadable: {error}").format(error=clean(info.error or "")), "$error"),
        )
    save = info.save
    sm = save.summary
    label = name + (f" ({clean(save.learner)})" if save.learner else "")
    label = label if len(label) <= 24 else label[:23] + "…"
    when = clean(save.updated or "", oneline=True)[:16].replace("T", " ") or _("no date")
    where = clean(
        _("ended: {ending}").format(ending=sm.get("ending"))
        if sm.get("over")
        else _("month {n}").format(n=sm.get("round", "?")),
        oneline=True,
    )
    score = sm.get("score")
    scored = isinstance(score, (int, float)) and not isinstance(score, bool)
    score_s = _("score {score}").format(score=fmt_num(score) if scored else "–")
    n = len(save.decisions)
    return Content.assemble(
        (f"{label:<24}", "bold"),
        f" {when:<16}  ",
        f"{where[:13]:<13} ",
        f"{score_s:<10}",
        ngettext("{n} decision", "{n} decisions", n).format(n=f"{n:>3}"),
    )
