"""Text hygiene shared by every face: text we did not write (stories, saves, hand-ins, file names) is
cleaned where it leaves the program. One function for terminals (:func:`clean`), one for spreadsheet
cells (:func:`for_spreadsheet`), and JSON that keeps no control character raw (:func:`json_text`)."""

from __future__ import annotations

import re

from . import i18n

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), other two-byte ESC sequences, then C0/C1 controls,
# bidi overrides and isolates (they reorder what a terminal shows), and lone surrogates (undecodable bytes)
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[@-Z\\-_]?"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
)
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"[\n\t\u2028\u2029\x85]+")
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def fmt_num(value: float) -> str:
    """A number as every face shows it: whole numbers without a decimal, others with one; in the
    interface's language (``12,5`` in sv: ``engine.i18n.number``; English and qps without Babel)."""
    if i18n.current() not in (i18n.SOURCE_LANGUAGE, i18n.PSEUDO):
        return i18n.number(value)
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}"


_SINGULAR: dict[str, str] = {}  # a capacity's name -> its name for one, where English's rule does not give it


def singular_of(name: str, one: str) -> None:
    """Record that one of the capacity ``name`` is ``one`` ('Teamweken' -> 'Teamweek'): a translated
    story's ``capacity/one`` (engine/l10n.py), so that :func:`amount` does not apply English's rule."""
    if name and one:
        _SINGULAR[name] = one


def english_singular(unit: str) -> str:
    """English's rule for one of a capacity: 'Team weeks' -> 'Team week' (a story in English needs no more)."""
    return unit[:-1] if unit.endswith("s") and not unit.endswith("ss") else unit


def _running(unit: str) -> str:
    return unit[0].lower() + unit[1:] if unit[:1].isupper() and unit[1:2].islower() else unit


def amount(n: float, unit: str) -> str:
    """'1 team week', '3 team weeks' from a capacity named 'Team weeks': in running text, lower case
    unless the name is an acronym, and singular for one (the translation's word for one where it gives
    one: :func:`singular_of`). The engine's capacity messages and the faces' costs both word it here."""
    known = _SINGULAR.get(unit)
    unit = _running(unit)
    one = _running(known) if known else english_singular(unit)
    # the name is the story's (translated with it); the translator may keep {unit} in both forms
    return i18n.ngettext("{n} {unit_one}", "{n} {unit}", i18n.count(n)).format(n=fmt_num(n), unit_one=one, unit=unit)


def clean(text: str, oneline: bool = False) -> str:
    """Text safe for a terminal: escape sequences, control characters and bidi overrides removed (newlines
    and tabs kept), undecodable bytes shown as U+FFFD. ``oneline``: line breaks and tabs become spaces,
    so a name or a file name cannot start a line of its own (a fake "verified" line)."""
    if not text:
        return text
    text = _ESCAPES.sub("", text.replace("\r\n", "\n"))
    if _SURROGATES.search(text):
        text = _SURROGATES.sub("\ufffd", text)
    if oneline:
        text = _LINE_BREAKS.sub(" ", text)
    return text


def for_spreadsheet(value: object) -> str:
    """A CSV cell: cleaned as for a terminal, on one line, and never read as a formula (a cell that would
    start with = + - @ gets a leading apostrophe)."""
    text = clean(str(value if value is not None else ""), oneline=True)
    return "'" + text if text.startswith(_FORMULA_START) else text


def json_text(value: object, indent: int | None = None) -> str:
    """JSON with non-ASCII text as is, but no control character, bidi override, line separator or lone
    surrogate raw: they are written as \\uXXXX escapes (the same value when read back)."""
    import json

    text = json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def excerpt(text: str, offset: int | None = None, limit: int = 80) -> str:
    """``text`` whole when it is short, else about ``limit`` characters of it around ``offset`` (where a
    problem is), with '…' where it was cut: an error line quotes a 10,000-character condition in part."""
    if len(text) <= limit:
        return text
    at = max(0, min(len(text), offset or 0))
    start = max(0, min(at - limit // 2, len(text) - limit))
    end = start + limit
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")
