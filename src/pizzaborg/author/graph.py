"""The story as a graph (``story graph``): Mermaid or Graphviz DOT.

Scenes are nodes grouped by round (subgraphs / clusters); each event pool is a group of its own inside
the round of its first draw point. Edges carry the choice ids that take them (and the route's
condition when it has one). ``end`` fans out to the endings, each edge labelled with the ending's
condition. Draw points show how many events they draw; events show their condition and weight.
Every label is escaped for its format, so story text cannot break the graph.
"""

from __future__ import annotations

import re

from ..engine.model import END, ENDING_PREFIX

FORMATS = ("mermaid", "dot")
_END_NODE = "__end__"


# ---- the format-independent graph --------------------------------------------------------------
class _Graph:
    def __init__(self, story):
        self.story = story
        self.nodes: dict = {}  # key -> (label lines, kind)   kind: scene, event, draw, ending, end, conditional
        self.groups: dict = {}  # round id -> {"title", "nodes": [keys], "pools": {pool: [keys]}}
        self.edges: dict = {}  # (src, dst, style) -> [labels]  style: solid, dashed
        self._build()

    def edge(self, src, dst, label=None, style="solid"):
        labels = self.edges.setdefault((src, dst, style), [])
        if label and label not in labels:
            labels.append(label)

    def _routes(self, src, routes, label_of):
        for r in routes:
            label = label_of
            if r.when is not None:
                label = f"{label_of} if {r.when.source}" if label_of else f"if {r.when.source}"
            if r.to == END:
                self.edge(src, _END_NODE, label)
            else:
                self.edge(src, r.to, label)

    def _build(self):
        story = self.story
        for rnd in story.rounds.values():
            self.groups[rnd.id] = {"title": f"{rnd.title}", "nodes": [], "pools": {}}
        pool_round: dict = {}
        for s in story.scenes.values():
            if s.is_draw:
                pool_round.setdefault(s.draw_pool, s.round)
        for s in story.scenes.values():
            head = f"{s.id}: {s.title}" if s.title else s.id
            if s.is_draw:
                self.nodes[s.id] = ([head, f"draws {s.draw_count} from {s.draw_pool}"], "draw")
            elif s.is_event:
                lines = [head, f"event in {s.pool}"]
                if s.when is not None:
                    lines.append(f"when {s.when.source}")
                if s.weight != 1:
                    lines.append(f"weight {s.weight:g}")
                self.nodes[s.id] = (lines, "event")
            else:
                lines = [head]
                if s.when is not None:
                    lines.append(f"only when {s.when.source}")
                self.nodes[s.id] = (lines, "conditional" if s.when is not None else "scene")
            group = self.groups.setdefault(
                pool_round.get(s.pool, s.round) if s.is_event else s.round, {"title": s.round, "nodes": [], "pools": {}}
            )
            if s.is_event:
                group["pools"].setdefault(s.pool, []).append(s.id)
            else:
                group["nodes"].append(s.id)
        for s in story.scenes.values():
            if s.is_draw:
                for ev in story.pools.get(s.draw_pool, []):
                    self.edge(s.id, ev, None, "dashed")
                self._routes(s.id, s.next, "after the events")
            elif s.is_event:
                continue  # events return to their draw point
            else:
                if s.when is not None:
                    self._routes(s.id, s.next, "skipped")
                for c in s.choices:
                    label = None if c.synthetic else (f"{c.id} if {c.when.source}" if c.when is not None else c.id)
                    self._routes(s.id, c.next or s.next, label)
        uses_end = any(dst == _END_NODE for (_, dst, _) in self.edges)
        if uses_end:
            self.nodes[_END_NODE] = (["end"], "end")  # the endings are tried in order: see the edge labels
        for e in story.endings:
            key = ENDING_PREFIX + e.id
            self.nodes[key] = ([f"Ending: {e.title}", f"({e.id})"], "ending")
            if uses_end:
                self.edge(_END_NODE, key, f"if {e.when.source}" if e.when is not None else "otherwise")


# ---- Mermaid -----------------------------------------------------------------------------------
def mermaid_text(text: str) -> str:
    """Text for a double-quoted Mermaid label: entity codes for the characters Mermaid reads."""
    text = " ".join(str(text).split())
    out = []
    for ch in text:
        if ch == "#":
            out.append("#35;")
        elif ch == '"':
            out.append("#quot;")
        elif ch == "<":
            out.append("#lt;")
        elif ch == ">":
            out.append("#gt;")
        elif ch == "&":
            out.append("#amp;")
        elif ch in "|`":
            out.append(f"#{ord(ch)};")
        else:
            out.append(ch)
    return "".join(out)


class _Ids:
    """Safe, unique node ids derived from story ids."""

    def __init__(self):
        self.map: dict = {}
        self.used: set = set()

    def __call__(self, key: str) -> str:
        if key not in self.map:
            base = "n_" + re.sub(r"[^A-Za-z0-9_]", "_", key)
            ident, i = base, 2
            while ident in self.used:
                ident, i = f"{base}_{i}", i + 1
            self.used.add(ident)
            self.map[key] = ident
        return self.map[key]


_MERMAID_SHAPES = {
    "scene": ('["', '"]'),
    "conditional": ('["', '"]'),
    "event": ('(["', '"])'),
    "draw": ('{{"', '"}}'),
    "ending": ('((("', '")))'),
    "end": ('(("', '"))'),
}


def to_mermaid(story) -> str:
    g = _Graph(story)
    ids = _Ids()
    out = ["flowchart TD"]

    def node(key, indent):
        lines, kind = g.nodes[key]
        a, b = _MERMAID_SHAPES[kind]
        label = "<br/>".join(mermaid_text(line) for line in lines)
        out.append(f"{indent}{ids(key)}{a}{label}{b}")

    start_key = story.start
    out.append(f'  start_(("start")) --> {ids(start_key)}')
    for gid, group in g.groups.items():
        if not group["nodes"] and not group["pools"]:
            continue
        out.append(f'  subgraph {ids("round:" + gid)}["{mermaid_text(group["title"])}"]')
        out.append("    direction TB")
        for key in group["nodes"]:
            node(key, "    ")
        for pool, keys in group["pools"].items():
            out.append(f'    subgraph {ids("pool:" + pool)}["{mermaid_text("event pool " + pool)}"]')
            for key in keys:
                node(key, "      ")
            out.append("    end")
        out.append("  end")
    for key, (_, kind) in g.nodes.items():
        if kind in ("ending", "end"):
            node(key, "  ")
    for (src, dst, style), labels in g.edges.items():
        arrow = "-.->" if style == "dashed" else "-->"
        if labels:
            out.append(f'  {ids(src)} {arrow}|"{mermaid_text(", ".join(labels))}"| {ids(dst)}')
        else:
            out.append(f"  {ids(src)} {arrow} {ids(dst)}")
    out.append("  classDef ending fill:#e8f5e9,stroke:#2e7d32,stroke-width:2px")
    out.append("  classDef event fill:#fff8e1,stroke:#f9a825")
    out.append("  classDef draw fill:#e3f2fd,stroke:#1565c0")
    out.append("  classDef conditional stroke-dasharray: 5 5")
    for kind in ("ending", "event", "draw", "conditional"):
        keys = [ids(k) for k, (_, kd) in g.nodes.items() if kd == kind]
        if keys:
            out.append(f"  class {','.join(keys)} {kind}")
    return "\n".join(out) + "\n"


# ---- Graphviz DOT ------------------------------------------------------------------------------
def dot_text(text: str) -> str:
    """Text for a double-quoted DOT string: backslashes and quotes escaped, one line."""
    text = " ".join(str(text).split())
    return text.replace("\\", "\\\\").replace('"', '\\"')


_DOT_SHAPES = {
    "scene": "shape=box",
    "conditional": "shape=box, style=dashed",
    "event": 'shape=box, style="rounded,filled", fillcolor="#fff8e1"',
    "draw": 'shape=hexagon, style=filled, fillcolor="#e3f2fd"',
    "ending": 'shape=doubleoctagon, style=filled, fillcolor="#e8f5e9"',
    "end": "shape=circle",
}


def to_dot(story) -> str:
    g = _Graph(story)
    out = [
        f'digraph "{dot_text(story.id)}" {{',
        "  rankdir=TB;",
        '  node [fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
        '  "__start__" [shape=point];',
        f'  "__start__" -> "{dot_text(story.start)}";',
    ]

    def node(key, indent):
        lines, kind = g.nodes[key]
        label = "\\n".join(dot_text(line) for line in lines)
        out.append(f'{indent}"{dot_text(key)}" [label="{label}", {_DOT_SHAPES[kind]}];')

    for i, (_gid, group) in enumerate(g.groups.items()):
        if not group["nodes"] and not group["pools"]:
            continue
        out.append(f"  subgraph cluster_{i} {{")
        out.append(f'    label="{dot_text(group["title"])}";')
        for key in group["nodes"]:
            node(key, "    ")
        for j, (pool, keys) in enumerate(group["pools"].items()):
            out.append(f"    subgraph cluster_{i}_pool_{j} {{")
            out.append(f'      label="{dot_text("event pool " + pool)}"; style=dashed;')
            for key in keys:
                node(key, "      ")
            out.append("    }")
        out.append("  }")
    for key, (_, kind) in g.nodes.items():
        if kind in ("ending", "end"):
            node(key, "  ")
    for (src, dst, style), labels in g.edges.items():
        attrs = []
        if labels:
            attrs.append(f'label="{dot_text(", ".join(labels))}"')
        if style == "dashed":
            attrs.append("style=dashed")
        a = f" [{', '.join(attrs)}]" if attrs else ""
        out.append(f'  "{dot_text(src)}" -> "{dot_text(dst)}"{a};')
    out.append("}")
    return "\n".join(out) + "\n"


def render(story, fmt: str = "mermaid") -> str:
    if fmt == "dot":
        return to_dot(story)
    return to_mermaid(story)
