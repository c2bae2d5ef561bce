"""The YAML parser behind :func:`.yamlsrc.load_yaml`: PyYAML's event stream (libyaml's C parser when
available) built into :class:`.yamlsrc.Map` and :class:`.yamlsrc.Seq` values. Imported on the first parse
only: a story read back from the cache needs no YAML at all (start-up time)."""

from __future__ import annotations

import gc

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import ScalarNode

from .yamlsrc import (
    _PLAIN,
    _T,
    INT,
    MAP,
    MAX_DEPTH,
    MAX_NODES,
    MAX_TEXT_BYTES,
    SEQ,
    STR,
    TIMESTAMP,
    Map,
    Pos,
    Seq,
    YamlProblem,
    _mark_pos,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

    from yaml.error import Mark

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Builder:
    """Builds Map/Seq values straight from the parser's event stream (no node tree in between)."""

    def __init__(self, path: str):
        self.path = path
        self.budget = MAX_NODES
        self.text_budget = MAX_TEXT_BYTES
        self.duplicates: list = []
        self.anchors: dict = {}  # name -> (value, expanded size)
        self._scalars = yaml.constructor.SafeConstructor()
        self._resolvers = yaml.resolver.Resolver.yaml_implicit_resolvers

    def problem(self, mark: Mark, message: str) -> YamlProblem:
        return YamlProblem(_mark_pos(self.path, mark), message)

    def scalar(self, ev: Any) -> Any:
        tag = ev.tag
        if tag is None:
            if not ev.implicit[0]:  # quoted: always text
                return ev.value
            value = ev.value  # plain: resolve like YAML 1.1's core schema (as yaml.safe_load does)
            for rtag, regexp in self._resolvers.get(value[:1] if value else "", ()):
                if regexp.match(value):
                    tag = rtag
                    break
            if tag not in _PLAIN:
                return value  # text, and also "<<" (merge), "=" and dates, which stay text
        elif tag == "!" or tag == STR or tag == TIMESTAMP:
            return ev.value
        elif tag not in _PLAIN:
            raise self.bad_tag(ev)
        if tag == INT:
            digits = ev.value.lstrip("+-")
            if digits.isdigit() and (digits[0] != "0" or len(digits) == 1):  # plain decimal: the common case
                return int(ev.value)
        return self._scalars.construct_object(ScalarNode(tag, ev.value, ev.start_mark, ev.end_mark))

    def bad_tag(self, ev: Any) -> YamlProblem:
        tag = ev.tag.replace(_T, "!!")
        return self.problem(ev.start_mark, f"the tag {tag} is not allowed: a story is data, not code")

    def build(self, events: Iterator[Any]) -> Any:
        """Consume one document's events; returns its value.

        The hot paths (text scalars, adding to a mapping) are inlined: a big story has about a
        million events, and a function call per event is a measurable share of the load time.
        """
        # a frame: [container, is_map, pending_key, key_mark, own_keys, merges, anchor, budget_at_start, start_event,
        #          text_budget_at_start]
        stack: list = []
        root = None
        have_root = False
        docs = 0
        resolvers = self._resolvers
        add = self.add
        for ev in events:
            cls = ev.__class__
            if cls is ScalarEvent:
                self.budget -= 1
                value = ev.value
                self.text_budget -= len(value)
                if ev.tag is not None or (ev.implicit[0] and value[:1] in resolvers):
                    value = self.scalar(ev)
                if ev.anchor:
                    self.anchors[ev.anchor] = (value, 1, len(ev.value))
                if not stack:
                    root, have_root = value, True
                    continue
                frame = stack[-1]
                if frame[1] and value.__class__ is str:
                    key = frame[2]
                    if key is _NO_KEY:  # a text key
                        if value == "<<" and ev.implicit[0]:
                            frame[2], frame[3] = _MERGE, ev.start_mark
                        else:
                            frame[2], frame[3] = value, ev.start_mark
                        continue
                    if key is not _MERGE:  # a text value
                        frame[2] = _NO_KEY
                        own = frame[4]
                        if key in own:
                            self.duplicates.append(self.problem(frame[3], f"duplicate key '{key}'"))
                        own.add(key)
                        c = frame[0]
                        c[key] = value
                        c.key_marks[key] = frame[3]
                        c.val_marks[key] = ev.start_mark
                        continue
                add(frame, value, ev)
            elif cls is AliasEvent:
                found = self.anchors.get(ev.anchor)
                if found is None:
                    raise self.problem(ev.start_mark, f"unknown alias '*{ev.anchor}'")
                value, size, text_size = found
                self.budget -= size
                self.text_budget -= text_size
                if self.budget < 0:
                    raise self.problem(
                        ev.start_mark, f"the document expands to more than {MAX_NODES} values (an alias bomb?)"
                    )
                if self.text_budget < 0:
                    raise self.problem(
                        ev.start_mark,
                        f"the document expands to more than {MAX_TEXT_BYTES // (1024 * 1024)} MiB "
                        "of text, counting each alias as the text it repeats (an alias bomb?)",
                    )
                if not stack:
                    root, have_root = value, True
                else:
                    add(stack[-1], value, ev)
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                is_map = cls is MappingStartEvent
                if ev.tag not in (None, "!", MAP if is_map else SEQ):
                    raise self.bad_tag(ev)
                if len(stack) >= MAX_DEPTH:
                    raise self.problem(ev.start_mark, f"the document is nested more than {MAX_DEPTH} levels deep")
                if stack and stack[-1][1] and stack[-1][2] is _NO_KEY:
                    raise self.problem(ev.start_mark, "a mapping key must be text")
                self.budget -= 1
                if self.budget < 0:
                    raise self.problem(ev.start_mark, f"the document expands to more than {MAX_NODES} values")
                if is_map:
                    c = Map()
                    c.key_marks, c.val_marks = {}, {}
                    stack.append([c, True, _NO_KEY, None, set(), [], ev.anchor, self.budget, ev, self.text_budget])
                else:
                    c = Seq()
                    c.item_marks = []
                    stack.append([c, False, None, None, None, None, ev.anchor, self.budget, ev, self.text_budget])
                c.path = self.path
                c.mark = ev.start_mark
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                frame = stack.pop()
                c = frame[0]
                if frame[1]:
                    for src in frame[5]:
                        for k, v in src.items():
                            if k not in frame[4] and k not in c:
                                c[k] = v
                                c.key_marks[k] = src.key_marks[k]
                                c.val_marks[k] = src.val_marks[k]
                if frame[6]:
                    self.anchors[frame[6]] = (c, frame[7] - self.budget + 1, frame[9] - self.text_budget)
                if not stack:
                    root, have_root = c, True
                else:
                    add(stack[-1], c, frame[8])
            elif cls is DocumentStartEvent:
                docs += 1
                if docs > 1:
                    raise self.problem(ev.start_mark, "a story file holds one YAML document, not several")
        return root if have_root else None

    def add(self, frame: list, value: Any, ev: Any) -> None:
        c = frame[0]
        if not frame[1]:
            c.append(value)
            c.item_marks.append(ev.start_mark)
            return
        if frame[2] is _NO_KEY:  # this value is a key
            if isinstance(value, (Map, Seq)):
                raise self.problem(ev.start_mark, "a mapping key must be text")
            frame[2], frame[3] = value, ev.start_mark
            if value == "<<" and ev.__class__ is ScalarEvent and ev.implicit[0]:
                frame[2] = _MERGE
            return
        key, key_mark = frame[2], frame[3]
        frame[2] = _NO_KEY
        if key is _MERGE:
            sources = value if isinstance(value, Seq) else [value]
            for src in sources:
                if not isinstance(src, Map):
                    raise self.problem(ev.start_mark, "a merge key (<<) needs a mapping or a list of mappings")
                frame[5].append(src)
            return
        own = frame[4]
        if key in own:
            self.duplicates.append(self.problem(key_mark, f"duplicate key '{key}'"))
        own.add(key)
        c[key] = value
        c.key_marks[key] = key_mark
        c.val_marks[key] = ev.start_mark


_NO_KEY = object()
_MERGE = object()


def parse(text: str, path: str) -> tuple[Any, list[YamlProblem]]:
    """Parse one YAML document. Returns (data, problems); data is None when it cannot be read."""
    if text.startswith("\ufeff"):
        text = text[1:]
    builder = _Builder(path)
    gc_was_on = gc.isenabled()
    gc.disable()  # building allocates many small objects and no cycles: the cyclic GC only slows it
    loader = _Loader(text)
    try:
        data = builder.build(_events(loader))
    except YamlProblem as exc:
        return None, [exc]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Pos(path, mark.line + 1, mark.column + 1) if mark else Pos(path, 1, 1)
        return None, [YamlProblem(pos, f"YAML syntax: {exc.problem or exc.context}")]
    except yaml.YAMLError as exc:
        return None, [YamlProblem(Pos(path, 1, 1), f"YAML: {str(exc).splitlines()[0]}")]
    except (ValueError, TypeError, OverflowError) as exc:  # a scalar PyYAML cannot convert
        return None, [YamlProblem(Pos(path, 1, 1), f"YAML value: {exc}")]
    finally:
        loader.dispose()
        if gc_was_on:
            gc.enable()
    return data, list(builder.duplicates)


def _events(loader: Any) -> Iterator[Any]:
    get = loader.get_event
    while True:
        ev = get()
        if ev is None or ev.__class__ is StreamEndEvent:
            return
        yield ev
