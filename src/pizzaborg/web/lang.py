"""The class server speaks each browser's language: chosen from its Accept-Language header.

The header is the browser's list of languages with their weights (``sv-SE,sv;q=0.9,en;q=0.5``). The best
weighted language the game has wins; a region the game does not have falls back to its language by the
game's one rule (``engine.i18n.match``: ``fr-BE`` -> ``fr``, ``es-CL`` -> ``es-419``), and a browser's
``no`` (Norwegian) is ``nb``. A browser that asks for none of them gets the server's own language
(``--lang``, else English). The header is someone else's input: it is bounded, and anything that does not
parse is skipped, never an error. The pseudo-locale is for testing: a browser never gets it.

A trainer who starts the server with ``--lang`` (or ``$PIZZABORG_LANG``) has chosen the class's language:
it comes before every browser's, as the issue's order says (--lang, $PIZZABORG_LANG, the settings, the
assignment's ``language:``, the system locale, and last the browser's). Without it, an assignment's
``language:`` comes first, then the browser's, then the server's own (its system locale, else English).

The choice is passed to the game child in ``PIZZABORG_LANG`` (so the game in the browser is in the
browser's language) and gives the server's own pages their translator (``engine.i18n.translator``).
"""

from __future__ import annotations

import re
from pathlib import Path

from ..engine import i18n

#: Tags a browser sends whose language the game has under another tag.
ALIASES: dict[str, str] = {"no": "nb", "nn": "nb"}

MAX_HEADER = 1024  # a real header is a few dozen characters
MAX_ENTRIES = 32
_TAG = re.compile(r"^(?:[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*|\*)$")


def parse_accept_language(header: str | None) -> list[str]:
    """The language tags of an Accept-Language header, best first (by q-value, then by order); tags
    with q=0 or that do not parse are left out. Tags are lower case."""
    if not header:
        return []
    weighted: list[tuple[float, int, str]] = []
    for order, entry in enumerate(header[:MAX_HEADER].split(",")[:MAX_ENTRIES]):
        tag, *params = (part.strip() for part in entry.split(";"))
        if not _TAG.match(tag):
            continue
        q = 1.0
        for param in params:
            name, _eq, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = -1.0
                if not 0.0 <= q <= 1.0:  # "q=nan", "q=2" and "q=abc" are not weights
                    q = -1.0
        if q > 0:
            weighted.append((-q, order, tag.lower()))
    return [tag for _q, _order, tag in sorted(weighted)]


def languages(story_dir: str | Path | None = None) -> tuple[str, ...]:
    """The languages a browser may get: the interface's catalogues and the story's translations, without
    the pseudo-locale."""
    from ..play.language import story_languages

    have = set(i18n.available()) | set(story_languages(story_dir))
    return tuple(sorted(have - {i18n.PSEUDO}))


def match(tag: str, shipped: tuple[str, ...]) -> str | None:
    """The language of ``shipped`` for one browser tag (``sv-SE`` -> ``sv``), or None."""
    primary = tag.lower().split("-", 1)[0]
    found = i18n.match(tag, shipped)
    if found is None and primary in ALIASES:
        found = i18n.match(ALIASES[primary], shipped)
    return found


def choose(header: str | None, fallback: str | None, shipped: tuple[str, ...]) -> str:
    """The language for a browser: its best weighted language in ``shipped``, else ``fallback`` (the
    server's language), else English. ``*`` asks for any language: the fallback."""
    for tag in parse_accept_language(header):
        if tag == "*":
            break
        found = match(tag, shipped)
        if found is not None:
            return found
    return fallback or i18n.SOURCE_LANGUAGE
