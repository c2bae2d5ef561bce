"""The interface's language: one gettext catalogue per language, looked up at call time.

Every face, the engine's own messages, reports and the class server's pages mark their words with
:func:`_` (and :func:`ngettext` for "1 team week" / "3 team weeks"); words written at import time (module
constants, Textual BINDINGS) are marked with :func:`N_` and translated where they are shown. The active
language is set once per process with :func:`use` (a game is one process, in the browser too); a page
served to someone else in another language takes a :class:`Translator` of its own from
:func:`translator`. A missing catalogue or message falls back to English, word for word.

Catalogues live in ``pizzaborg/locale/<lang>/LC_MESSAGES/pizzaborg.po`` (the sources translators edit)
and are compiled to ``.mo`` when the wheel is built (``hatch_build.py``). In a checkout (the editable
install) a ``.po`` newer than its ``.mo`` (or without one) is compiled on first use and the ``.mo`` is
written beside it (git ignores it), so a stale ``.mo`` is never read. Nothing here imports Babel at
start-up; compiling, and number and date formatting by locale, import it on first use, and English and
the pseudo-locale ``qps`` never do.

The order in which the language is chosen has one home here too: :func:`choose`.
"""

from __future__ import annotations

import gettext as _gettext
import os
from pathlib import Path

from .errors import PizzaBorgError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any

DOMAIN = "pizzaborg"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
SOURCE_LANGUAGE = "en"
PSEUDO = "qps"  # the pseudo-locale: accents, brackets, ~35 % longer (generated from the template: make l10n-pseudo)
MAX_MO_BYTES = 4 * 1024 * 1024  # a compiled catalogue is tens of KiB
MAX_PO_BYTES = 8 * 1024 * 1024
ENV = "PIZZABORG_LANG"


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
        data = _catalogue_bytes(LOCALE_DIR / name / "LC_MESSAGES")
        if data is not None:
            import io

            return Translator(lang, _gettext.GNUTranslations(io.BytesIO(data)))
    return Translator(lang)


def _catalogue_bytes(folder: Path) -> bytes | None:
    """The compiled catalogue in ``folder``: the ``.mo``, unless the ``.po`` beside it is newer (or the
    ``.mo`` is missing): then the ``.po`` is compiled now and the ``.mo`` rewritten when the folder is
    writable. None when there is neither."""
    from .files import read_bounded  # the one bounded, regular-file-only reader

    mo, po = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    try:
        po_time = po.stat().st_mtime_ns if po.is_file() else None
        mo_time = mo.stat().st_mtime_ns if mo.is_file() else None
    except OSError:
        return None
    if po_time is not None and (mo_time is None or mo_time < po_time):
        data = compile_po(read_bounded(po, MAX_PO_BYTES), str(po))
        _write_quietly(mo, data)
        return data
    if mo_time is not None:
        return read_bounded(mo, MAX_MO_BYTES)
    return None


def _write_quietly(path: Path, data: bytes) -> None:
    """Write a compiled catalogue atomically; an installed, read-only package just compiles each time."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass


def compile_po(raw: bytes, name: str = "catalogue") -> bytes:
    """A ``.po`` file's bytes compiled to ``.mo`` bytes (Babel, imported now). Fuzzy entries are left out,
    as msgfmt does: a translator's guess is not shown to a learner."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalogue = read_po(io.BytesIO(raw), abort_invalid=False)
    out = io.BytesIO()
    write_mo(out, catalogue, use_fuzzy=False)
    return out.getvalue()


def available() -> list[str]:
    """The interface's languages: English and each folder under ``locale/`` with a catalogue, as tags
    (``es_419`` is ``es-419``), sorted."""
    found = {SOURCE_LANGUAGE}
    try:
        for folder in LOCALE_DIR.iterdir():
            lc = folder / "LC_MESSAGES"
            if (lc / f"{DOMAIN}.po").is_file() or (lc / f"{DOMAIN}.mo").is_file():
                found.add(folder.name.replace("_", "-"))
    except OSError:
        pass
    return sorted(found)


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


# ---- choosing the language -----------------------------------------------------------------------


class LanguageError(PizzaBorgError):
    """A language was asked for that the game does not have: one line (the command line exits 2)."""


def _tag_ok(tag: str) -> bool:
    import re

    return bool(re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*", tag))


def normalise(tag: str) -> str:
    """``sv_SE.UTF-8`` -> ``sv-SE``, ``es_419`` -> ``es-419``, ``EN`` -> ``en`` (the language in lower case)."""
    tag = tag.split(".", 1)[0].split("@", 1)[0].strip().replace("_", "-")
    head, _sep, rest = tag.partition("-")
    return head.lower() + (f"-{rest}" if rest else "")


def match(tag: str, known: Iterable[str]) -> str | None:
    """The known language ``tag`` names: itself, else its language without the region (``sv-SE`` ->
    ``sv``), else the one known language with the same language part (``es-CL`` -> ``es-419``)."""
    tag = normalise(tag)
    by_lower = {k.lower(): k for k in known}
    if tag.lower() in by_lower:
        return by_lower[tag.lower()]
    base = tag.split("-", 1)[0]
    if base in by_lower:
        return by_lower[base]
    same = [k for k in known if k.split("-", 1)[0].lower() == base]
    return same[0] if len(same) == 1 else None


def system_language(env: Mapping[str, str] | None = None) -> str | None:
    """The system locale's language (LC_ALL, then LC_MESSAGES, then LANG, as gettext reads them), or
    None for C/POSIX or nothing set."""
    env = os.environ if env is None else env
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            tag = normalise(value.split(":", 1)[0])
            return None if tag.lower() in ("c", "posix") or not _tag_ok(tag) else tag
    return None


def choose(
    flag: str | None = None,
    *,
    settings: str | None = None,
    assignment: str | None = None,
    known: Iterable[str] = (),
    env: Mapping[str, str] | None = None,
) -> str:
    """The game's language, the one place of the order: ``--lang``, ``$PIZZABORG_LANG``, the player's
    settings, the assignment's ``language:``, the system locale, English. ``known``: the languages the
    game has beyond the interface's catalogues (the story's ``l10n/<lang>.yaml``). A language asked for
    by name that the game does not have raises :class:`LanguageError`; the system locale's language is
    only taken when the game has it."""
    env = os.environ if env is None else env
    have = set(available()) | set(known) | {PSEUDO}
    asked = (
        (flag, "--lang"),
        (env.get(ENV) or None, f"${ENV}"),
        (settings, "the settings' language"),
        (assignment, "the assignment's language"),
    )
    for value, where in asked:
        if value is None or not str(value).strip():
            continue
        value = str(value).strip()
        found = match(value, have) if _tag_ok(value) else None
        if found is None:
            shown = "".join(ch for ch in value[:40] if ch.isprintable())
            raise LanguageError(
                f"{where}: '{shown}' is not a language this game has (it has {', '.join(sorted(have))})"
            )
        return found
    system = system_language(env)
    if system:
        found = match(system, have - {PSEUDO})
        if found:
            return found
    return SOURCE_LANGUAGE


# ---- numbers, percentages and dates by locale ----------------------------------------------------


def _babel_locale(lang: str | None) -> Any:
    """Babel's Locale for ``lang``; None for English and the pseudo-locale (their numbers are the
    English ones, and Babel is not imported) or a tag CLDR does not know."""
    lang = lang or current()
    if lang in (SOURCE_LANGUAGE, PSEUDO) or lang.startswith(SOURCE_LANGUAGE + "-"):
        return None
    found = _locales.get(lang, False)
    if found is False:
        try:
            from babel import Locale

            found = Locale.parse(lang.replace("-", "_"))
        except Exception:  # an unknown or odd tag: English numbers
            found = None
        _locales[lang] = found
    return found


_locales: dict = {}


# The decimal sign of the languages we ship, as CLDR has them (tests/test_i18n.py checks this against
# Babel): a game in one of them shows numbers from its first screen, and importing Babel for one sign
# costs about 27 ms of start-up (the headless bench's bar is 2.0x the import floor). Others ask Babel.
DECIMAL_SIGN = {"nl": ",", "sv": ",", "nb": ",", "fr": ",", "es-419": "."}


def number(value: float, lang: str | None = None) -> str:
    """A number as every face shows it: whole numbers without a decimal, others with one, in the
    locale's digits and decimal sign (``12,5`` in sv; English: ``12.5``); no grouping, as in English."""
    whole = float(value).is_integer()
    sign = DECIMAL_SIGN.get(lang or current())
    if sign is not None:
        return str(int(value)) if whole else f"{value:.1f}".replace(".", sign)
    locale = _babel_locale(lang)
    if locale is None:
        return str(int(value)) if whole else f"{value:.1f}"
    from babel.numbers import format_decimal

    return format_decimal(value, format="0" if whole else "0.0", locale=locale)


def percent(value: float, lang: str | None = None) -> str:
    """``value`` (already in percent: 12.5) as the locale writes a percentage: ``12.5%``, ``12,5 %`` in sv."""
    locale = _babel_locale(lang)
    if locale is None:
        return f"{number(value, SOURCE_LANGUAGE)}%"
    from babel.numbers import format_percent

    # the locale's own pattern (its sign and spacing), with one decimal where there is one
    return format_percent(round(value, 1) / 100, locale=locale, decimal_quantization=False)


def date(value: object, lang: str | None = None, form: str = "medium") -> str:
    """A date (``datetime.date``/``datetime``) in the locale's ``form`` (short, medium, long); English:
    ISO ``2026-12-06`` (what the reports have always shown)."""
    locale = _babel_locale(lang)
    if locale is None:
        return value.strftime("%Y-%m-%d")  # type: ignore[attr-defined]
    from babel.dates import format_date

    return format_date(value, format=form, locale=locale)  # type: ignore[arg-type]


def count(n: float) -> int:
    """A number as ngettext takes it: an int, and a fraction counts as plural ("1.5 team weeks")."""
    return int(n) if float(n).is_integer() else 2
