"""Hand-ins a trainer can trust (issue 11): forgeries caught or flagged, hostile files contained, text
cleaned at every edge, and the trainer package's imports running one way."""

from __future__ import annotations

import ast
from pathlib import Path

TRAINER = Path(__file__).resolve().parent.parent / "src" / "pizzaborg" / "trainer"


def _trainer_imports() -> dict:
    """module name -> the trainer modules it imports (relative imports, anywhere in the file)."""
    graph = {}
    for path in TRAINER.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        deps = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                if node.module:
                    deps.add(node.module.split(".")[0])
                else:
                    deps.update(a.name for a in node.names)
        graph[path.stem] = deps & {p.stem for p in TRAINER.glob("*.py")}
    return graph


def test_trainer_imports_run_one_way():
    graph = _trainer_imports()
    assert not graph["report"] & {"markdown", "html", "xapi", "formats", "cohort"}, graph["report"]
    for renderer in ("markdown", "html", "xapi"):
        assert "formats" not in graph[renderer], renderer
    # no cycle anywhere in the trainer package
    state: dict = {}

    def visit(node, stack):
        state[node] = "open"
        for dep in graph.get(node, ()):
            if state.get(dep) == "open":
                raise AssertionError("import cycle: " + " -> ".join(stack + [node, dep]))
            if dep not in state:
                visit(dep, stack + [node])
        state[node] = "done"

    for module in graph:
        if module not in state:
            visit(module, [])
