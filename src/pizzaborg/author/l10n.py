"""``pizzaborg story l10n extract | check | pseudo``: the tools that keep a story's translations true.

``extract`` writes or updates ``l10n/<lang>.yaml`` beside the story: translations kept, new strings
added with the English marked ``untranslated``, entries whose English changed marked ``stale`` with
the new English beside them. ``check`` reports, as ``path:line: message`` like ``story check``, every
entry that is missing, untranslated, stale, obsolete, that loses or adds a placeholder or markup, that
holds a control or bidirectional character, or that will not fit the 80x24 layout (measured in
terminal cells, wide East Asian characters counting two). ``pseudo`` writes the pseudo-locale ``qps``.
The file format and the keys live in :mod:`pizzaborg.engine.l10n` (one home); this module only reads
and writes them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

from ..engine import l10n
from ..engine.l10n import FORMAT, KEEP_RE, L10nError, Translation, entries, lock

# Where each kind of string is shown at 80x24: (width in cells, most lines). Measured on the TUI's
# layout: scene text and endings in the main pane (76 cells), choices indented by their number (72),
# titles and names on one line of the header or a table.
LAYOUT = {
    "title": (76, 1),
    "name": (76, 2),
    "unit": (12, 1),
    "choice": (72, 5),
    "borg": (72, 4),
    "note": (72, 7),
    "reflection": (76, 5),
    "description": (76, 6),
    "text": (76, 16),
}
KPI_NAME = (l10n.KPI_NAME_CELLS, 1)  # a KPI's name in the dashboard: one line, no wrapping
KPI_NAME_RE = l10n.KPI_NAME_RE
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class _Widths(dict):
    """Code point -> what it takes on a terminal, for ``str.translate``: itself (one cell), two spaces
    (wide and fullwidth East Asian: two cells) or None (combining marks and zero-width format characters:
    no cell). Filled from unicodedata on first sight of each character."""

    def __missing__(self, code: int) -> str | int | None:
        ch = chr(code)
        value: str | int | None
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            value = None
        elif unicodedata.east_asian_width(ch) in ("W", "F"):
            value = "  "
        else:
            value = code
        self[code] = value
        return value


_WIDTHS = _Widths()


def cells(text: str) -> int:
    """The width of ``text`` in terminal cells: wide and fullwidth East Asian characters count 2,
    combining marks and zero-width format characters 0, the rest 1 (wcwidth's rule, no dependency)."""
    if text.isascii():
        return len(text)
    return len(text.translate(_WIDTHS))


def wrapped_lines(text: str, width: int) -> int:
    """How many lines ``text`` takes wrapped at ``width`` cells (words kept whole unless longer than a line)."""
    total = 0
    for para in text.strip().split("\n"):
        line = 0
        count = 1
        for word in para.split():
            w = cells(word)
            if line and line + 1 + w > width:
                count += 1
                line = 0
            if w > width:  # a word longer than a line is cut
                extra = (w - 1) // width
                count += extra
                line = w - extra * width
            else:
                line += (1 if line else 0) + w
        total += count
    return total


def _tokens(text: str) -> Counter:
    return Counter(KEEP_RE.findall(text))


def check_translation(story, tr: Translation) -> list:
    """The problems of one parsed translation, as ``(line, message)`` sorted by line."""
    out = list(tr.problems)
    known = {}
    for key, english, kind in entries(story):
        known[key] = (english, kind)
        e = tr.entries.get(key)
        if e is None:
            out.append((1, f"missing: '{key}' has no entry"))
            continue
        if e.untranslated:
            out.append((e.line, f"untranslated: '{key}'"))
            continue
        now = lock(english)
        if e.lock != now:
            why = f"lock {e.lock}, the English is now {now}" if e.lock else f"no lock; the English is {now}"
            out.append(
                (
                    e.line,
                    f"stale: the English of '{key}' changed since it was translated ({why}); "
                    "revise the text and set its lock",
                )
            )
        text = e.text
        src, got = _tokens(english), _tokens(text)
        if src != got:
            lost = ", ".join(sorted((src - got).elements()))
            added = ", ".join(sorted((got - src).elements()))
            parts = ([f"loses {lost}"] if lost else []) + ([f"adds {added}"] if added else [])
            out.append((e.line, f"placeholders or markup differ from the English in '{key}': {'; '.join(parts)}"))
        bad = _CONTROL.search(text)
        if bad:
            out.append((e.line, f"'{key}' holds a control or bidirectional character (U+{ord(bad.group()):04X})"))
        if not text.strip():
            out.append((e.line, f"'{key}' is empty"))
            continue
        width, most = KPI_NAME if KPI_NAME_RE.match(key) else LAYOUT[kind]
        lines = wrapped_lines(text, width)
        if lines > most:
            out.append(
                (e.line, f"'{key}' will not fit the 80x24 layout: {lines} lines of {width} cells, at most {most}")
            )
    for key, e in tr.entries.items():
        if key not in known:
            out.append((e.line, f"obsolete: the story has no '{key}' (removed or renamed: move the translation)"))
    return sorted(out, key=lambda p: p[0])


def check(story, langs: list | None = None) -> tuple:
    """Check the translations of ``langs`` (default: every l10n/*.yaml beside the story).
    Returns (problem lines ``path:line: message``, the languages checked)."""
    from ..engine.text import clean

    if langs is None:
        folder = Path(story.root) / "l10n"
        langs = sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []
    lines = []
    for lang in langs:
        try:
            tr = l10n.read(story, lang)
        except L10nError as exc:
            lines.append(clean(str(exc), oneline=True))
            continue
        for line, message in check_translation(story, tr):
            lines.append(clean(f"{tr.path}:{line}: {message}", oneline=True))
    return lines, langs


# ---- writing -----------------------------------------------------------------------------------


def _dump(data) -> str:
    import yaml

    class _Dumper(yaml.SafeDumper):
        pass

    def _str(dumper, value):
        if "\n" in value and not any(line != line.rstrip() for line in value.split("\n")):
            return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
        return dumper.represent_scalar("tag:yaml.org,2002:str", value)

    _Dumper.add_representer(str, _str)
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)


HEADER = (
    "# A PizzaBorg story translation (docs/story-format.md, 'Translations').\n"
    "# Each entry: 'text' in this language and 'lock', the first 8 hex digits of the SHA-256 of the English it\n"
    "# translates. 'untranslated: true' shows the English; 'stale: true' means the English changed: revise\n"
    "# 'text' from 'source', set 'lock' to 'new_lock', and delete 'stale', 'source' and 'new_lock'.\n"
)


def render(story, lang: str, old: Translation | None) -> tuple:
    """The text of ``l10n/<lang>.yaml`` updated from ``old``; and counts (kept, added, stale, obsolete)."""
    ents: dict = {}
    kept = added = stale = 0
    current = set()
    for key, english, _ in entries(story):
        current.add(key)
        now = lock(english)
        e = old.entries.get(key) if old else None
        if e is None or e.untranslated:
            ents[key] = {"lock": now, "text": english, "untranslated": True}
            added += e is None
            kept += e is not None
        elif e.lock == now:
            ents[key] = {"lock": now, "text": e.text}
            kept += 1
        else:
            ents[key] = {"lock": e.lock or "", "text": e.text, "stale": True, "new_lock": now, "source": english}
            stale += 1
    obsolete = 0
    for key, e in old.entries.items() if old else ():
        if key not in current:  # kept for the translator to move (an id renamed), reported by check
            ents[key] = {"lock": e.lock or "", "text": e.text, "obsolete": True}
            obsolete += 1
    data = {"format": FORMAT, "language": lang, "story": {"id": story.id, "version": story.version}}
    if old and old.audit:
        data["audit"] = old.audit
    data["entries"] = ents
    return HEADER + _dump(data), (kept, added, stale, obsolete)


def extract(story, lang: str) -> tuple:
    """Write or update ``l10n/<lang>.yaml``; returns (path, counts)."""
    from ..engine.files import write_atomic

    path = l10n.l10n_path(story, lang)
    old = None
    if path.exists():
        old = l10n.read(story, lang)
        if old.problems:  # an entry it cannot read would be dropped: the translator fixes it first
            line, message = old.problems[0]
            more = f" (and {len(old.problems) - 1} more)" if len(old.problems) > 1 else ""
            raise L10nError(
                f"{old.path}:{line}: {message}{more}; fix it first (see 'story l10n check'), extract would lose it"
            )
    text, counts = render(story, lang, old)
    path.parent.mkdir(exist_ok=True)
    write_atomic(path, text)
    return path, counts


def pseudo_audit(story) -> dict:
    """The audit's words of ``story`` in the pseudo-locale (accented as its texts are), so that
    ``story audit --lang qps`` looks for the same phrases, virtues and names as the English audit."""
    from .audit import characters
    from .settings import audit_settings

    st = audit_settings(story)
    return {
        "collective_phrase": l10n.accent(st.collective_phrase),
        "virtue_words": sorted(l10n.accent(w) for w in st.virtue_words),
        "vocabulary": [l10n.accent(v) for v in st.vocabulary],
        "characters": [l10n.accent(c) for c in characters(story)],
    }


def pseudo_file(story) -> str:
    """A complete ``l10n/qps.yaml``: every string pseudo-translated and locked, and the audit's words."""
    tr = Translation(l10n.PSEUDO, "")
    for key, english, _ in entries(story):
        most = l10n.KPI_NAME_CELLS if l10n.KPI_NAME_RE.match(key) else None
        tr.entries[key] = l10n.Entry(key, l10n.pseudo(english, most), lock(english), False, 1)
    tr.audit = pseudo_audit(story)
    return render(story, l10n.PSEUDO, tr)[0]


def translated(story, lang: str):
    """``story`` in ``lang`` for the author tools: as the engine translates it, and the generated
    pseudo-locale with its audit words (the engine's on-the-fly ``qps`` has only the texts)."""
    if lang == l10n.PSEUDO and not l10n.l10n_path(story, lang).is_file():
        return l10n.apply(story, lang, l10n.pseudo_table(story), pseudo_audit(story))
    return l10n.translate(story, lang)


def run(args, story, error) -> int:
    """``pizzaborg story l10n ACTION``; ``error`` is the one-line bad-input exception of the CLI."""
    import sys
    import time

    from ..engine.files import shown_path, write_atomic

    action = getattr(args, "l10n_command", None)
    if action is None:
        raise error("story l10n needs an action: extract, check or pseudo (see pizzaborg story l10n --help)")
    lang = getattr(args, "lang", None)
    try:
        if lang is not None and not l10n.valid_lang(lang):
            raise L10nError(f"'{lang}' is not a language tag (like nl, sv, nb, es-419, fr-BE)")
        if action == "extract":
            if lang is None:
                raise L10nError("story l10n extract needs --lang XX (the language to write)")
            path, (kept, added, stale, obsolete) = extract(story, lang)
            print(
                f"wrote {shown_path(path)}: {kept} kept, {added} added (untranslated), {stale} stale, "
                f"{obsolete} obsolete",
                file=sys.stderr,
            )
            return 0
        if action == "pseudo":
            path = l10n.l10n_path(story, l10n.PSEUDO)
            path.parent.mkdir(exist_ok=True)
            write_atomic(path, pseudo_file(story))
            print(f"wrote {shown_path(path)}", file=sys.stderr)
            return 0
        t0 = time.perf_counter()
        lines, langs = check(story, [lang] if lang else None)
    except L10nError as exc:
        raise error(str(exc)) from None
    except OSError as exc:
        raise error(f"cannot write the translation: {exc.strerror or exc}") from None
    for line in lines:
        print(line)
    took = time.perf_counter() - t0
    if not langs:
        print("no translations (l10n/*.yaml) beside the story", file=sys.stderr)
        return 0
    if lines:
        print(f"{len(lines)} problem(s) in {', '.join(langs)}", file=sys.stderr)
        return 1
    print(f"{', '.join(langs)}: OK ({took:.2f} s)", file=sys.stderr)
    return 0
