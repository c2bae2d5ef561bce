"""The story in another language, by its own ids: ``story/l10n/<lang>.yaml`` beside the story.

Every translatable string of the story model has a stable key built from the ids it hangs on
(``scene/r1.friday/choice/restart/text``; see :func:`entries`), never a hash of the text, so fixing a
typo in the English orphans nothing. Each translated entry carries a *lock*: the first 8 hex digits of
the SHA-256 of the English it was made from (as Yarn Spinner does). When the English changes, the
lock no longer matches: that line falls back to English and ``pizzaborg story l10n check`` reports it
stale. A missing or untranslated entry falls back to English for that line only.

:func:`translate` returns a new :class:`~pizzaborg.engine.model.Story` with the same ids and the same
``hash`` (a report of a Swedish game verifies against the same story) and ``language`` set; the
loaded story is not changed. This module is imported only when a language other than the story's is
asked for, so an English start-up does not pay for it. No Textual, no Rich.
"""

from __future__ import annotations

import re
from pathlib import Path

from .model import Story, Text
from .text import english_singular, singular_of

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time of a game in a language)
if TYPE_CHECKING:
    from typing import Any

FORMAT = "pizzaborg-story-l10n"
MAX_FILE_BYTES = 5 * 1024 * 1024
LANG_RE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")
PSEUDO = "qps"  # the pseudo-locale: generated on the fly when story/l10n/qps.yaml does not exist
TONE_KEYS = ("approval_words", "disapproval_words", "warning_words")
AUDIT_KEYS = ("collective_phrase", "virtue_words", "vocabulary", "characters", "hedger_words") + TONE_KEYS
CONTINUE_KEY = "story/continue"  # the "Continue" of a scene without choices


class L10nError(Exception):
    """A translation that cannot be used: one line, ``path:line: message`` where a place is known."""


def lock(text: str) -> str:
    """The lock of an English source: the first 8 hex digits of the SHA-256 of its text (ends stripped)."""
    from .cache import new_sha256  # the builtin sha256: hashlib would load OpenSSL, a few ms of start-up

    h = new_sha256()
    h.update(text.strip().encode("utf-8"))
    return h.hexdigest()[:8]


def valid_lang(lang: str) -> bool:
    return isinstance(lang, str) and bool(LANG_RE.match(lang))


def l10n_path(story: Story, lang: str) -> Path:
    if not valid_lang(lang):
        raise L10nError(f"'{lang}' is not a language tag (like nl, sv, nb, es-419, fr-BE)")
    return Path(story.root) / "l10n" / f"{lang}.yaml"


# ---- the translatable strings ------------------------------------------------------------------


def _text_keys(base: str, text: Text, kind: str, out: list) -> None:
    """A Text's parts: the first keyed ``base``, the next ``base/2``, ``base/3``... (adding a part keeps
    the keys before it)."""
    for i, (_, t) in enumerate(text.parts):
        if t.strip():
            out.append((base if i == 0 else f"{base}/{i + 1}", t, kind))


def _str_key(key: str, text: str, kind: str, out: list) -> None:
    if text and text.strip():
        out.append((key, text, kind))


def entries(story: Story) -> list:
    """Every translatable string of ``story`` as ``(key, English, kind)``, in story order. ``kind`` says
    where it is shown (title, text, choice, borg, note, name, description, reflection, ...): the
    checker's layout budgets depend on it."""
    out: list = []
    _str_key("story/title", story.title, "title", out)
    _text_keys("story/intro", story.intro, "text", out)
    _str_key("story/company/name", story.company, "name", out)
    _str_key("story/company/description", story.company_description, "description", out)
    if any(c.synthetic for s in story.scenes.values() for c in s.choices):
        out.append((CONTINUE_KEY, "Continue", "choice"))
    for k in story.kpis.values():
        _str_key(f"kpi/{k.id}/name", k.name, "name", out)
        _str_key(f"kpi/{k.id}/unit", k.unit, "unit", out)
        _str_key(f"kpi/{k.id}/description", k.description, "description", out)
    if story.capacity is not None:
        _str_key("capacity/name", story.capacity.name, "name", out)
        # the name for one ("1 team week"): English's rule gives it; a translation says it (issue 21)
        _str_key("capacity/one", english_singular(story.capacity.name), "name", out)
    for a in story.areas.values():
        _str_key(f"area/{a.id}/name", a.name, "name", out)
    for p in story.points.values():
        _str_key(f"point/{p.id}/name", p.name, "name", out)
        _str_key(f"point/{p.id}/description", p.description, "description", out)
    for w in story.worst.values():
        _str_key(f"worst/{w.id}/name", w.name, "name", out)
        _str_key(f"worst/{w.id}/description", w.description, "description", out)
    for e in story.endings:
        _str_key(f"ending/{e.id}/title", e.title, "title", out)
        _text_keys(f"ending/{e.id}/text", e.text, "text", out)  # the epilogue's parts follow the text's
    for r in story.rounds.values():
        _str_key(f"round/{r.id}/title", r.title, "title", out)
        _text_keys(f"round/{r.id}/intro", r.intro, "text", out)
        if r.questions:
            for i, (_, q) in enumerate(r.questions):
                _str_key(f"round/{r.id}/reflection" + ("" if i == 0 else f"/{i + 1}"), q, "reflection", out)
        else:
            _str_key(f"round/{r.id}/reflection", r.question, "reflection", out)
    for s in story.scenes.values():
        base = f"scene/{s.id}"
        _str_key(f"{base}/title", s.title, "title", out)
        _text_keys(f"{base}/text", s.text, "text", out)
        for c in s.choices:
            if c.synthetic:
                continue
            cb = f"{base}/choice/{c.id}"
            _text_keys(f"{cb}/text", c.text, "choice", out)
            _text_keys(f"{cb}/borg", c.borg, "borg", out)
            _text_keys(f"{cb}/note", c.note, "note", out)
    return out


# ---- reading a translation file ----------------------------------------------------------------


class Entry:
    """One entry of a translation file: its text, its lock, whether it is marked untranslated, where it is."""

    __slots__ = ("key", "text", "lock", "untranslated", "line", "col")

    def __init__(self, key: str, text: str, lock_: str | None, untranslated: bool, line: int, col: int = 1) -> None:
        self.key, self.text, self.lock = key, text, lock_
        self.untranslated, self.line, self.col = untranslated, line, col


class Translation:
    """A parsed translation file: ``entries`` by key, ``audit`` (translated audit words), where it is."""

    __slots__ = ("lang", "path", "entries", "audit", "problems")

    def __init__(self, lang: str, path: str):
        self.lang, self.path = lang, path
        self.entries: dict = {}
        self.audit: dict = {}
        self.problems: list = []  # [(line, message)]: entries that cannot be used (the checker reports them)


def parse(text: str, path: str, lang: str) -> Translation:
    """Parse a translation file's text. Raises :class:`L10nError` when it is not one at all; entries
    that are malformed are left out and listed in ``problems``."""
    from .yamlsrc import Map, load_yaml

    data, problems = load_yaml(text, path)
    if data is None:
        first = problems[0] if problems else None
        raise L10nError(str(first) if first else f"{path}: the file is empty")
    if not isinstance(data, Map):
        raise L10nError(f"{path}:1: a translation file is a mapping with 'format', 'language' and 'entries'")
    if data.get("format") != FORMAT:
        raise L10nError(f"{data.at('format').path}:{data.at('format').line}: 'format' must be {FORMAT}")
    tr = Translation(lang, path)
    for p in problems:  # duplicate keys
        tr.problems.append((p.pos.line, p.message))
    if data.get("language") not in (None, lang):
        tr.problems.append((data.at("language").line, f"the file says language '{data.get('language')}', not '{lang}'"))
    ents = data.get("entries")
    if ents is None:
        return tr
    if not isinstance(ents, Map):
        raise L10nError(f"{path}:{data.at('entries').line}: 'entries' must be a mapping from keys to entries")
    for key, v in ents.items():
        line = ents.key_at(key).line
        if not isinstance(key, str):
            tr.problems.append((line, f"the key '{key}' is not text"))
            continue
        if isinstance(v, str):  # a bare text: no lock (reported stale by the checker, not used)
            tr.entries[key] = Entry(key, v, None, False, ents.at(key).line)
            continue
        if not isinstance(v, Map) or not isinstance(v.get("text"), str):
            tr.problems.append((line, f"'{key}' must be a mapping with 'text' and 'lock'"))
            continue
        lk = v.get("lock")
        lk = lk if isinstance(lk, str) else None
        tr.entries[key] = Entry(key, v["text"], lk, v.get("untranslated") is True, v.at("text").line)
    audit = data.get("audit")
    if isinstance(audit, Map):
        phrase = audit.get("collective_phrase")
        if isinstance(phrase, str) and phrase.strip():
            tr.audit["collective_phrase"] = phrase.strip()
        words = audit.get("virtue_words")
        if isinstance(words, list) and all(isinstance(w, str) and len(w.split()) == 1 for w in words):
            tr.audit["virtue_words"] = [w.strip().lower() for w in words]
        # the workshop's phrases, the names, and the words the tone and warning tells read, as this language
        # says them (author/settings.py has the English ones)
        for key in ("vocabulary", "characters") + TONE_KEYS:
            items = audit.get(key)
            if isinstance(items, list) and items and all(isinstance(v, str) and v.strip() for v in items):
                tr.audit[key] = [v.strip().lower() if key in TONE_KEYS else v.strip() for v in items]
        groups = audit.get("hedger_words")  # the hedger's four groups: business parties, IT parties, meeting, ask
        if (
            isinstance(groups, list)
            and len(groups) == 4
            and all(isinstance(g, list) and g and all(isinstance(w, str) and w.strip() for w in g) for g in groups)
        ):
            tr.audit["hedger_words"] = [[w.strip().lower() for w in g] for g in groups]
    if isinstance(audit, Map):
        for key in audit:
            if key not in AUDIT_KEYS or key not in tr.audit:
                tr.problems.append(
                    (
                        audit.key_at(key).line,
                        "'audit' of a translation takes collective_phrase (text), virtue_words (one word each), "
                        "vocabulary, characters, approval_words, disapproval_words, warning_words (lists of text) "
                        f"and hedger_words (four lists of text): '{key}' is not used",
                    )
                )
    return tr


def _read_bytes(story: Story, lang: str) -> tuple:
    """(the bytes of l10n/<lang>.yaml, its path as shown), read through the bounded reader."""
    from .files import NotRegularFile, TooLarge, read_bounded, shown_path

    path = l10n_path(story, lang)
    shown = shown_path(path)
    try:
        return read_bounded(path, MAX_FILE_BYTES), shown
    except FileNotFoundError:
        raise L10nError(
            f"{shown}: no translation for '{lang}' (run 'pizzaborg story l10n extract --lang {lang}')"
        ) from None
    except NotRegularFile:
        raise L10nError(f"{shown}: not a regular file: not read") from None
    except TooLarge:
        raise L10nError(f"{shown}: the file is larger than {MAX_FILE_BYTES // 1024} KiB") from None
    except OSError as exc:
        raise L10nError(f"{shown}: cannot be read: {exc.strerror or exc}") from None


def _parse_bytes(raw: bytes, shown: str, lang: str) -> Translation:
    try:
        text = raw.decode("utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError:
        raise L10nError(f"{shown}: the file is not UTF-8 text") from None
    return parse(text, shown, lang)


def read(story: Story, lang: str) -> Translation:
    """The translation file of ``lang`` beside ``story``, read through the bounded reader
    (engine/files.py) and the safe YAML reader. Raises :class:`L10nError` (one line)."""
    raw, shown = _read_bytes(story, lang)
    return _parse_bytes(raw, shown, lang)


def usable(translation: Translation, story: Story) -> dict:
    """{key: translated text} for the entries that may be shown: translated, locked to the current English."""
    table = {}
    ents = translation.entries
    for key, english, _ in entries(story):
        e = ents.get(key)
        if e is not None and not e.untranslated and e.lock == lock(english) and e.text.strip():
            table[key] = e.text
    return table


# ---- applying ----------------------------------------------------------------------------------


_SLOTS: dict[type, tuple[str, ...]] = {}


def _clone(obj: Any) -> Any:
    """A shallow copy of a model record (a game in a language clones every scene and choice at start-up:
    the slots are listed once per class, and a missing one is skipped without a second lookup)."""
    cls = type(obj)
    slots = _SLOTS.get(cls)
    if slots is None:
        slots = _SLOTS[cls] = tuple(k for k in cls.__slots__ if k != "__dict__")
    new = object.__new__(cls)
    for k in slots:
        try:
            setattr(new, k, getattr(obj, k))
        except AttributeError:
            pass
    return new


def _text(base: str, text: Text, table: dict) -> Text:
    if not text.parts:
        return text
    parts = []
    changed = False
    for i, (cond, t) in enumerate(text.parts):
        new = table.get(base if i == 0 else f"{base}/{i + 1}")
        if new is not None:
            changed = True
            parts.append((cond, new))
        else:
            parts.append((cond, t))
    return Text(tuple(parts)) if changed else text


def apply(story: Story, lang: str, table: dict, audit: dict | None = None) -> Story:
    """A copy of ``story`` with the strings of ``table`` ({key: text}) in place of the English: the same
    ids, conditions, effects and ``hash``; ``language`` set to ``lang``. Keys not in ``table`` keep the
    English (a missing line falls back for that line only)."""
    g = table.get
    new = _clone(story)
    new.__dict__.update({k: v for k, v in story.__dict__.items() if k == "_sources"})  # not the machine
    new.language = lang
    new.title = g("story/title", story.title)
    new.intro = _text("story/intro", story.intro, table)
    new.company = g("story/company/name", story.company)
    new.company_description = g("story/company/description", story.company_description)
    new.kpis = {}
    for kid, k in story.kpis.items():
        k2 = _clone(k)
        k2.name = g(f"kpi/{kid}/name", k.name)
        k2.unit = g(f"kpi/{kid}/unit", k.unit)
        k2.description = g(f"kpi/{kid}/description", k.description)
        new.kpis[kid] = k2
    if story.capacity is not None:
        new.capacity = _clone(story.capacity)
        new.capacity.name = g("capacity/name", story.capacity.name)
        one = english_singular(story.capacity.name)
        translated_one = g("capacity/one", one)
        if translated_one != one or new.capacity.name != story.capacity.name:
            singular_of(new.capacity.name, translated_one)
    new.areas = {}
    for aid, a in story.areas.items():
        a2 = _clone(a)
        a2.name = g(f"area/{aid}/name", a.name)
        new.areas[aid] = a2
    new.points = {}
    for pid, p in story.points.items():
        p2 = _clone(p)
        p2.name = g(f"point/{pid}/name", p.name)
        p2.description = g(f"point/{pid}/description", p.description)
        new.points[pid] = p2
    new.worst = {}
    for wid, w in story.worst.items():
        w2 = _clone(w)
        w2.name = g(f"worst/{wid}/name", w.name)
        w2.description = g(f"worst/{wid}/description", w.description)
        new.worst[wid] = w2
    new.endings = []
    for e in story.endings:
        e2 = _clone(e)
        e2.title = g(f"ending/{e.id}/title", e.title)
        e2.text = _text(f"ending/{e.id}/text", e.text, table)
        new.endings.append(e2)
    new.rounds = {}
    for rid, r in story.rounds.items():
        r2 = _clone(r)
        base = f"round/{rid}"
        r2.title = g(f"{base}/title", r.title)
        r2.intro = _text(f"{base}/intro", r.intro, table)
        if r.questions:
            qs = []
            for i, (cond, q) in enumerate(r.questions):
                qs.append((cond, g(f"{base}/reflection" + ("" if i == 0 else f"/{i + 1}"), q)))
            r2.questions = tuple(qs)
            r2.question = next((t for c, t in r2.questions if c is None), "")
        else:
            r2.question = g(f"{base}/reflection", r.question)
        new.rounds[rid] = r2
    cont = table.get(CONTINUE_KEY)
    cont_text = Text(((None, cont),)) if cont else None
    new.scenes = {}
    for sid, s in story.scenes.items():
        s2 = _clone(s)
        base = f"scene/{sid}"
        s2.title = g(f"{base}/title", s.title)
        s2.text = _text(f"{base}/text", s.text, table)
        s2.choices = []
        for c in s.choices:
            c2 = _clone(c)
            if c.synthetic:
                if cont_text is not None:
                    c2.text = cont_text
            else:
                cb = f"{base}/choice/{c.id}"
                c2.text = _text(f"{cb}/text", c.text, table)
                c2.borg = _text(f"{cb}/borg", c.borg, table)
                c2.note = _text(f"{cb}/note", c.note, table)
            s2.choices.append(c2)
        new.scenes[sid] = s2
    if audit:
        new.audit = {**story.audit, **audit}
    return new


def translate(story: Story, lang: str) -> Story:
    """``story`` in ``lang``: the story itself when ``lang`` is its language; the pseudo-locale ``qps``
    generated when the story ships no ``l10n/qps.yaml``; else ``l10n/<lang>.yaml`` applied. Raises
    :class:`L10nError` (one line) when the file is missing or cannot be read."""
    if not valid_lang(lang):
        raise L10nError(f"'{lang}' is not a language tag (like nl, sv, nb, es-419, fr-BE)")
    if lang == story.language:
        return story
    if lang == PSEUDO and not l10n_path(story, lang).is_file():
        # generated, and cached like a file's table: keyed by this module's own file too, so a change
        # to the generator is a miss (a headless game in qps stays within the start-up bar)
        try:
            here = Path(__file__).stat()
            key = _cache_key(story, lang, f"\0generated\0{here.st_mtime_ns}\0{here.st_size}".encode())
        except OSError:
            return apply(story, lang, pseudo_table(story))
        hit = _cache_load(key)
        table = hit[0] if hit is not None else pseudo_table(story)
        if hit is None:
            _cache_store(key, table, {})
        return apply(story, lang, table)
    raw, shown = _read_bytes(story, lang)
    key = _cache_key(story, lang, raw)
    hit = _cache_load(key)
    if hit is not None:
        table, audit = hit
    else:
        tr = _parse_bytes(raw, shown, lang)
        table, audit = usable(tr, story), tr.audit
        _cache_store(key, table, audit)
    return apply(story, lang, table, audit)


# ---- the cache: a game in a language starts as fast as one in English ----------------------------
# What a translation gives an unchanged story ({key: text} and the audit's words) is kept as JSON in
# the story cache's folder (engine/cache.py), under l10n/, named by the story's hash, the language and
# the file's bytes: any edit of either is a miss. Data, never code; a damaged entry is a miss.

CACHE_FORMAT = 2  # 2: UTF-8 text, not \u escapes (a third of the bytes, three times faster to read)
CACHE_KEEP = 32


def _cache_key(story: Story, lang: str, raw: bytes) -> str:
    from .cache import new_sha256

    h = new_sha256()
    h.update(f"{CACHE_FORMAT}\0{story.hash}\0{lang}\0".encode() + raw)
    return h.hexdigest()


def _cache_load(key: str) -> Any:
    from . import cache

    directory = cache.cache_dir()
    if directory is None:
        return None
    try:
        import json

        from .files import read_bounded

        data = json.loads(read_bounded(directory / "l10n" / f"{key}.json", 4 * MAX_FILE_BYTES).decode("utf-8"))
        table, audit = data["table"], data["audit"]
        if data.get("key") != key or not isinstance(table, dict) or not isinstance(audit, dict):
            return None
        if not all(k.__class__ is str and v.__class__ is str for k, v in table.items()):
            return None
        return table, audit
    except Exception:  # missing, damaged, foreign: a miss, never a failure
        return None


def _cache_store(key: str, table: dict, audit: dict) -> None:
    from . import cache

    directory = cache.cache_dir()
    if directory is None:
        return
    try:
        import json

        from .files import write_atomic

        folder = directory / "l10n"
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(
            folder / f"{key}.json",
            json.dumps({"key": key, "table": table, "audit": audit}, ensure_ascii=False, separators=(",", ":")),
        )
        cache._prune(folder, keep=CACHE_KEEP)
    except (OSError, ValueError, UnicodeError):
        pass


# ---- the pseudo-locale -------------------------------------------------------------------------

_ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "åƀçđéƒĝĥîĵķļɱñöþʠŕšţûṽŵẋýžÅƁÇĐÉƑĜĤÎĴĶĻṀÑÖÞǪŘŠŢÛṼŴẊÝŽ",
)
# what must survive translation untouched: {placeholders} and [markup]
KEEP_RE = re.compile(r"\{[A-Za-z_][A-Za-z0-9_.]*\}|\[/?[A-Za-z@#$][^\[\]\n]*\]|\[/\]")
_PAD = "·· ··· · ···· ·· · ···"  # no letters: the padding adds no word, so no phrase repeats across texts


def accent(text: str) -> str:
    """``text`` with every letter accented, placeholders and markup kept: the pseudo-locale's words."""
    out, last = [], 0
    for m in KEEP_RE.finditer(text):
        out.append(text[last : m.start()].translate(_ACCENTED))
        out.append(m.group())
        last = m.end()
    out.append(text[last:].translate(_ACCENTED))
    return "".join(out)


def pseudo(text: str, most: int | None = None) -> str:
    """The pseudo-locale's version of ``text``: letters accented, about 35 % longer, in ⟦brackets⟧;
    placeholders, markup and line breaks kept (so a clipped or untranslated line shows at a glance).
    ``most``: a place with a fixed width (a KPI's name in the dashboard) gets less padding, as a
    translator would write it shorter there (``story l10n check`` holds translations to the same)."""
    if not text.strip():
        return text
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    body = text.strip()
    pad = max(1, round(len(body) * 0.35) - 3)
    if most is not None:
        pad = max(0, min(pad, most - len(body) - 3))
    padding = (_PAD * (pad // len(_PAD) + 1))[:pad].strip() if pad else ""
    padding = padding or ("·" if most is None else "")
    return f"{lead}⟦{accent(body)}{' ' + padding if padding else ''}⟧{trail}"


# A KPI's name heads its box in the dashboard beside the scene: 21 cells at 80x24; a longer name is cut
# there (tui/widgets/kpi.py), not wrapped. The checker (author/l10n.py) and the pseudo-locale keep to it.
KPI_NAME_CELLS = 21
KPI_NAME_RE = re.compile(r"^kpi/[^/]+/name$")


def pseudo_table(story: Story) -> dict:
    return {
        key: pseudo(english, KPI_NAME_CELLS if KPI_NAME_RE.match(key) else None) for key, english, _ in entries(story)
    }
