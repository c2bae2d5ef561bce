"""How a save slot reads in the save and load dialogs."""

from __future__ import annotations

from textual.content import Content

from ...engine.text import clean
from ...render import fmt_num


def slot_line(info) -> Content:
    name = clean(info.slot)
    if not info.readable:
        return Content.assemble((f"{name:<24}", "bold"), " ", (f"unreadable: {clean(info.error or '')}", "$error"))
    save = info.save
    sm = save.summary
    when = (save.updated or "")[:16].replace("T", " ") or "no date"
    if sm.get("over"):
        where = f"ended: {sm.get('ending')}"
    else:
        where = f"month {sm.get('round', '?')}"
    score = sm.get("score")
    score_s = f"score {fmt_num(score)}" if isinstance(score, (int, float)) and not isinstance(score, bool) else "score –"
    learner = f"  {clean(save.learner)}" if save.learner else ""
    return Content.assemble(
        (f"{name:<24}", "bold"), f" {when}  ", f"{where:<18}", f"{score_s:<10}", f"{len(save.decisions):>3} decisions", (learner, "$text-muted")
    )
