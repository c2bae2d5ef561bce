"""The interface's language: one gettext catalogue per language, looked up at call time.

Every face, the engine's own messages, reports and the class server's pages mark their words with
:func:`_` (and :func:`ngettext` for "1 team week" / "3 team weeks"); words written at import time (module
constants, Textual BINDINGS) are marked with :func:`N_` and translated where they are shown. The active
language is set once per process with :func:`use` (a game is one process, in the browser too); a page
served to someone else in another language takes a :class:`Translator` of its own from
:func:`translator`. A missing catalogue or message falls back to English, word for word.

Catalogues live in ``pizzaborg/locale/<lang>/LC_MESSAGES/pizzaborg.po`` (the sources translators edit)
and are compiled to ``.mo`` when the wheel is built. Nothing here imports Babel at start-up; number and
date formatting by locale import it on first use. No Textual, no Rich.
"""

from __future__ import annotations

import gettext as _gettext
from pathlib import Path

DOMAIN = "pizzaborg"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
SOURCE_LANGUAGE = "en"
MAX_MO_BYTES = 4 * 1024 * 1024  # a compiled catalogue is tens of KiB


class Translator:
    """One language's catalogue. English (or an unknown language) translates nothing."""

    def __init__(self, lang: str = SOURCE_LANGUAGE, catalogue: _gettext.NullTranslations | None = None) -> None:
        self.lang = lang
        self._t = catalogue or _gettext.NullTranslations()

    def gettext(self, message: str) -> str:
        return self._t.gettext(message) if message else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._t.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return self._t.pgettext(context, message)


_ENGLISH = Translator()
_active: Translator = _ENGLISH
_cache: dict[str, Translator] = {SOURCE_LANGUAGE: _ENGLISH}


def translator(lang: str | None) -> Translator:
    """The catalogue for ``lang`` (``sv``, ``es-419``, ``es_419``), cached; English when there is none."""
    if not lang:
        return _ENGLISH
    key = lang.replace("_", "-")
    found = _cache.get(key)
    if found is None:
        found = _load(key)
        _cache[key] = found
    return found


def _load(lang: str) -> Translator:
    # the catalogue folder uses the POSIX form (es_419); a tag with a region falls back to its language
    candidates = [lang.replace("-", "_")]
    if "-" in lang:
        candidates.append(lang.split("-", 1)[0])
    for name in candidates:
        mo = LOCALE_DIR / name / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if mo.is_file():
            import io

            from .files import read_bounded  # the one bounded, regular-file-only reader

            return Translator(lang, _gettext.GNUTranslations(io.BytesIO(read_bounded(mo, MAX_MO_BYTES))))
    return Translator(lang)


def use(lang: str | None) -> Translator:
    """Make ``lang`` this process's interface language; returns its translator."""
    global _active
    _active = translator(lang)
    return _active


def current() -> str:
    """The active interface language's tag."""
    return _active.lang


def _(message: str) -> str:
    """``message`` in the active language (looked up now, so call it where the text is shown)."""
    return _active.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _active.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return _active.pgettext(context, message)


def N_(message: str) -> str:
    """Marks ``message`` for extraction without translating it (constants evaluated at import time)."""
    return message
