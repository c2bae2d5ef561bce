"""Code hygiene: the engine and the headless faces never load Textual or Rich; no code from data."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "pizzaborg"
ENGINE = SRC / "engine"
AUTHOR = SRC / "author"
UI_PACKAGES = {"textual", "rich"}
WEB_PACKAGES = {"aiohttp", "aiohttp_jinja2", "jinja2", "textual_serve", "playwright", "yarl", "multidict"}


def test_headless_run_loads_neither_textual_nor_rich(mini_dir):
    code = textwrap.dedent(
        f"""
        import contextlib, io, json, sys
        import pizzaborg.engine, pizzaborg.cli, pizzaborg.headless, pizzaborg.plain
        from pizzaborg.engine import load_story, Game
        from pizzaborg.author.check import check_story
        import pizzaborg.author.cli, pizzaborg.author.bots, pizzaborg.author.randomtest
        from pizzaborg.cli import main
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            rc = main(['play', '--choices', '1', '--story', {str(mini_dir)!r}, '--json'])
        assert rc == 0, rc
        assert json.loads(out.getvalue())['decisions'] == [{{'scene': 'a.start', 'choice': 'assess'}}]
        ui = sorted(m for m in sys.modules if m.split('.')[0] in {sorted(UI_PACKAGES | WEB_PACKAGES)!r})
        print(json.dumps(ui))
        """
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]", f"UI or web modules loaded: {run.stdout}"


def test_the_serve_command_s_options_load_no_web_library():
    """'pizzaborg serve --help' (and every parse) stays light: aiohttp and textual-serve come when it serves."""
    code = textwrap.dedent(
        f"""
        import contextlib, io, json, sys
        from pizzaborg.cli import main
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            try:
                main(['serve', '--help'])
            except SystemExit:
                pass
        assert '--max-sessions' in out.getvalue(), out.getvalue()
        print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(UI_PACKAGES | WEB_PACKAGES)!r})))
        """
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]", f"UI or web modules loaded: {run.stdout}"


def _modules(tree: ast.AST) -> set:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) in (
            "import_module",
            "__import__",
        ):
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                names.add(node.args[0].value)
    return names


def _py_files(root: Path) -> list:
    files = sorted(root.rglob("*.py"))
    assert files, f"no Python files under {root}"
    return files


@pytest.mark.parametrize("path", _py_files(ENGINE) + _py_files(AUTHOR), ids=lambda p: str(p.relative_to(SRC)))
def test_engine_and_author_tools_do_not_import_ui_packages(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    bad = {m for m in _modules(tree) if m.split(".")[0] in UI_PACKAGES}
    assert not bad, f"{path} imports {sorted(bad)}"


def _forbidden(tree: ast.AST) -> list:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id in ("eval", "exec"):
                found.append(f"{f.id}() at line {node.lineno}")
            if isinstance(f, ast.Attribute) and f.attr in (
                "load",
                "load_all",
                "unsafe_load",
                "full_load",
                "full_load_all",
                "unsafe_load_all",
            ):
                if isinstance(f.value, ast.Name) and f.value.id == "yaml":
                    found.append(f"yaml.{f.attr}() at line {node.lineno}")
        if isinstance(node, ast.ImportFrom) and node.module == "yaml":
            for a in node.names:
                if a.name in ("load", "load_all", "unsafe_load", "full_load", "Loader", "UnsafeLoader", "FullLoader"):
                    found.append(f"from yaml import {a.name} at line {node.lineno}")
    for m in _modules(tree):
        if m.split(".")[0] in ("pickle", "cPickle", "_pickle", "shelve", "marshal", "dill"):
            found.append(f"import {m}")
    return found


@pytest.mark.parametrize("path", _py_files(SRC), ids=lambda p: str(p.relative_to(SRC)))
def test_no_code_from_data(path):
    text = path.read_text(encoding="utf-8")
    found = _forbidden(ast.parse(text, filename=str(path)))
    # belt and braces for the plain-text forms
    for needle in ("yaml.load(", "yaml.unsafe_load(", "pickle"):
        if needle in text:
            found.append(needle)
    assert not found, f"{path}: {found}"


def test_the_static_checks_can_fail():
    """The checkers above do catch what they look for."""
    bad = ast.parse("import pickle\nimport yaml\nfrom rich.console import Console\nx = eval('1')\nyaml.load(s)\n")
    assert len(_forbidden(bad)) == 3
    assert "rich.console" in _modules(bad)
    ok = ast.parse("class N:\n    def eval(self, st):\n        return self.child.eval(st)\nyaml.safe_load(s)\n")
    assert _forbidden(ok) == []
