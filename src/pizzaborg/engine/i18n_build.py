"""The interface catalogues' tooling (``make l10n-extract | l10n-pseudo | l10n-update | l10n-compile``,
and the wheel's build hook): Babel's reader and writer, so the catalogues are the PO files Weblate, Poedit
and every translator know. Never imported by the game: it needs Babel at once, and the game imports
Babel only on first use (``engine/i18n.py``).

    python -m pizzaborg.engine.i18n_build normalise TEMPLATE        # a stable header (no creation date)
    python -m pizzaborg.engine.i18n_build pseudo TEMPLATE OUT.po     # the pseudo-locale qps
    python -m pizzaborg.engine.i18n_build update TEMPLATE LOCALE_DIR # msgmerge into every language's .po
    python -m pizzaborg.engine.i18n_build init TEMPLATE LOCALE_DIR LANG  # a new language's empty .po
    python -m pizzaborg.engine.i18n_build compile LOCALE_DIR          # every .po to its .mo
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from .i18n import DOMAIN, PSEUDO, compile_po
from .l10n import pseudo

WIDTH = 120
_GENERATED = re.compile(r'^"Generated-By: [^"]*\\n"\n', re.MULTILINE)  # Babel's version: differs per machine
_DATE = re.compile(r'^"(POT-Creation-Date|PO-Revision-Date): [^"]*\\n"$', re.MULTILINE)


def _write(catalogue: Catalog, path: Path, **kwargs: object) -> None:
    out = io.BytesIO()
    write_po(out, catalogue, width=WIDTH, **kwargs)  # type: ignore[arg-type]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(_stable(out.getvalue()))


_PERCENT_FLAG = re.compile(r"^(#,.*python-format\n)", re.M)


def _stable(raw: bytes) -> bytes:
    """The file without the creation and revision dates Babel stamps (every run would change them, and
    two branches that each extracted would conflict on that line alone)."""
    text = _DATE.sub(lambda m: f'"{m.group(1)}: 2026-01-01 00:00+0000\\n"', raw.decode("utf-8"))
    # Babel flags a message holding "90 %" as python-format (%-style); ours are str.format, and msgfmt -c
    # (and Poedit, Weblate) then reject a correct translation of it
    text = _PERCENT_FLAG.sub(
        lambda m: "" if m.group(1) == "#, python-format\n" else m.group(1)[: -len(", python-format\n")] + "\n", text
    )
    return _GENERATED.sub("", text).encode("utf-8")


KEYWORDS = {"_": 1, "N_": 1, "ngettext": 2, "pgettext": 2}  # name -> how many leading literal args


def marked(src: Path) -> dict[tuple[str | None, str | tuple[str, str]], bool]:
    """Every message the source marks, read from its syntax tree: {(context, msgid or (singular, plural)):
    holds a brace placeholder}. Babel's extractor (Python 3.11's tokenizer) does not look inside f-strings,
    so ``f"<a>{_('Another code')}</a>"`` was never in the template; this pass sees every call."""
    import ast

    found: dict[tuple[str | None, str | tuple[str, str]], bool] = {}
    for path in sorted(src.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name) or node.func.id not in KEYWORDS:
                continue
            args = node.args[: KEYWORDS[node.func.id]]
            if len(args) < KEYWORDS[node.func.id] or not all(
                isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args
            ):
                continue  # _(name): a variable, marked where its text is written (N_)
            texts = [a.value for a in args]  # type: ignore[attr-defined]
            if node.func.id == "pgettext":
                key: tuple[str | None, str | tuple[str, str]] = (texts[0], texts[1])
            elif node.func.id == "ngettext":
                key = (None, (texts[0], texts[1]))
            else:
                key = (None, texts[0])
            found[key] = "{" in "".join(texts)
    return found


def complete(template: Path, src: Path) -> int:
    """Add to the template the messages Babel's extractor missed (inside f-strings); the number added."""
    catalogue = read_po(io.BytesIO(template.read_bytes()))
    have = {(m.context, m.id) for m in catalogue if m.id}
    added = 0
    for (context, msgid), braces in marked(src).items():
        if (context, msgid) not in have:
            catalogue.add(msgid, context=context, flags=("python-brace-format",) if braces else ())
            added += 1
    if added:
        _write(catalogue, template, omit_header=False, sort_output=True)
    return added


def normalise(template: Path) -> None:
    complete(template, Path(__file__).resolve().parent.parent)
    template.write_bytes(_stable(template.read_bytes()))


def pseudo_catalogue(pot: bytes) -> bytes:
    """The pseudo-locale's ``.po`` from the template: every message accented, bracketed and about 35 %
    longer (``engine.l10n.pseudo``: placeholders and markup kept); plurals as in English."""
    template = read_po(io.BytesIO(pot))
    catalogue = Catalog(locale="en", project=template.project, version=template.version, fuzzy=False)
    for message in template:
        if not message.id:
            continue
        if isinstance(message.id, (list, tuple)):
            string: str | tuple[str, ...] = tuple(pseudo(m) for m in message.id)
        else:
            string = pseudo(message.id)
        catalogue.add(message.id, string, context=message.context, auto_comments=message.auto_comments)
    out = io.BytesIO()
    write_po(out, catalogue, width=WIDTH, sort_output=True)
    text = out.getvalue().decode("utf-8").replace('"Language: en\\n"', f'"Language: {PSEUDO}\\n"', 1)
    text = text.replace('"Language-Team: en <LL@li.org>\\n"', '"Language-Team: generated by make l10n-pseudo\\n"', 1)
    return _stable(text.encode("utf-8"))


def pseudo_file(template: Path, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(pseudo_catalogue(template.read_bytes()))


def update(template: Path, locale_dir: Path) -> list[Path]:
    """Merge the template into every language's ``.po`` (new messages added, changed ones marked fuzzy,
    gone ones kept as obsolete), as msgmerge does; the pseudo-locale is generated instead."""
    pot = read_po(io.BytesIO(template.read_bytes()))
    done = []
    for po in sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        if po.parent.parent.name == PSEUDO:
            continue
        catalogue = read_po(io.BytesIO(po.read_bytes()), locale=po.parent.parent.name)
        catalogue.update(pot, update_header_comment=False)
        _write(catalogue, po, ignore_obsolete=False, include_previous=True)
        done.append(po)
    return done


def init(template: Path, locale_dir: Path, lang: str) -> Path:
    """A new language's ``.po`` from the template, every message untranslated (``es-419`` in ``es_419/``)."""
    folder = lang.replace("-", "_")
    pot = read_po(io.BytesIO(template.read_bytes()))
    catalogue = Catalog(locale=folder, project=pot.project, version=pot.version)
    catalogue.update(pot, update_header_comment=False)
    po = locale_dir / folder / "LC_MESSAGES" / f"{DOMAIN}.po"
    if po.exists():
        raise SystemExit(f"{po} exists: make l10n-update merges the template into it")
    _write(catalogue, po)
    return po


def compile_all(locale_dir: Path) -> list[Path]:
    """Every ``<lang>/LC_MESSAGES/pizzaborg.po`` compiled to the ``.mo`` beside it."""
    done = []
    for po in sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo = po.with_suffix(".mo")
        mo.write_bytes(compile_po(po.read_bytes(), str(po)))
        done.append(mo)
    return done


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    command, args = argv[0], [Path(a) for a in argv[1:]]
    if command == "normalise" and len(args) == 1:
        normalise(args[0])
    elif command == "pseudo" and len(args) == 2:
        pseudo_file(args[0], args[1])
    elif command == "update" and len(args) == 2:
        for po in update(args[0], args[1]):
            print(f"updated {po}")
    elif command == "init" and len(args) == 3:
        print(f"created {init(args[0], args[1], str(args[2]))}")
    elif command == "compile" and len(args) == 1:
        for mo in compile_all(args[0]):
            print(f"compiled {mo}")
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
