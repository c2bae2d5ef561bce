"""The interface's pseudo-locale for tests, made here from the source: every message marked with ``_``,
``N_``, ``ngettext`` and ``pgettext`` (the keywords of ``make l10n-extract``) pseudo-translated with the
story's own :func:`pizzaborg.engine.l10n.pseudo` (accents, about 35 % longer, in ⟦brackets⟧) and compiled
to a ``.mo`` in a folder of the test's own. No Babel: a small AST walk and the documented MO layout.

With it, a test plays the terminal game with every word it marks translated: an English word left on
the screen is a word that is not marked, and a cut line is a layout that does not fit longer text.
"""

from __future__ import annotations

import ast
import struct
from pathlib import Path

import pizzaborg
from pizzaborg.engine import i18n
from pizzaborg.engine.l10n import pseudo

SRC = Path(pizzaborg.__file__).resolve().parent
SINGLE = {"_", "N_"}  # the keywords make l10n-extract gives pybabel: a translator's .gettext() is bound to _
PLURAL = {"ngettext"}
CONTEXT = {"pgettext"}


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _text(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def extract(root: Path = SRC) -> dict:
    """{msgid: None} for single messages, {(singular, plural): None} for plural ones, {(ctx, msgid, 'ctx'): None}."""
    found: dict = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = _name(node.func)
            if name in SINGLE:
                msg = _text(node.args[0])
                if msg:
                    found[msg] = None
            elif name in PLURAL and len(node.args) >= 2:
                one, many = _text(node.args[0]), _text(node.args[1])
                if one and many:
                    found[(one, many)] = None
            elif name in CONTEXT and len(node.args) >= 2:
                ctx, msg = _text(node.args[0]), _text(node.args[1])
                if ctx and msg:
                    found[(ctx, msg, "ctx")] = None
    return found


def write_mo(entries: dict, path: Path) -> None:
    """Write a GNU .mo file: ``entries`` maps msgid -> msgstr (a plural's msgid is 'one\\0many', its
    msgstr 'form0\\0form1'; a context's msgid is 'ctx\\x04msgid')."""
    header = "Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=2; plural=(n != 1);\n"
    items = sorted({"": header, **entries}.items())
    ids = [k.encode("utf-8") for k, _v in items]
    strs = [v.encode("utf-8") for _k, v in items]
    n = len(items)
    start_ids = 7 * 4
    start_strs = start_ids + n * 8
    data_at = start_strs + n * 8
    table_ids, table_strs, blob = [], [], b""
    for raw in ids:
        table_ids.append((len(raw), data_at + len(blob)))
        blob += raw + b"\0"
    for raw in strs:
        table_strs.append((len(raw), data_at + len(blob)))
        blob += raw + b"\0"
    out = struct.pack("<7I", 0x950412DE, 0, n, start_ids, start_strs, 0, 0)
    out += b"".join(struct.pack("<2I", *t) for t in table_ids)
    out += b"".join(struct.pack("<2I", *t) for t in table_strs)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out + blob)


def pseudo_catalogue(locale_dir: Path, lang: str = "qps") -> int:
    """Write ``locale_dir/<lang>/LC_MESSAGES/pizzaborg.mo`` with every marked message pseudo-translated;
    returns how many messages it holds."""
    entries: dict = {}
    for key in extract():
        if isinstance(key, str):
            entries[key] = pseudo(key)
        elif len(key) == 2:
            one, many = key
            entries[f"{one}\0{many}"] = f"{pseudo(one)}\0{pseudo(many)}"
        else:
            ctx, msg, _tag = key
            entries[f"{ctx}\x04{msg}"] = pseudo(msg)
    write_mo(entries, locale_dir / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.mo")
    return len(entries)


def use_catalogues_from(monkeypatch, locale_dir: Path) -> None:
    """Make engine/i18n read its catalogues from ``locale_dir`` (cache emptied; restored after the test)."""
    monkeypatch.setattr(i18n, "LOCALE_DIR", locale_dir)
    monkeypatch.setattr(i18n, "_cache", {i18n.SOURCE_LANGUAGE: i18n._ENGLISH})
