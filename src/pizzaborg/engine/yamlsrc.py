"""A safe YAML reader that remembers where every value came from.

Mappings load as :class:`Map` and sequences as :class:`Seq`; both carry the file, line and column of
themselves, of each key and of each value, so that the story loader can report problems as
``path:line:column: message``. Only the YAML core schema is accepted (``yaml.SafeLoader``): a
``!!python/...`` tag is an error, never code. Duplicate keys are reported instead of silently
overwritten, and the number of nodes a document may expand to is bounded (alias bombs).
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

MAX_NODES = 200_000  # generous for a story; an alias bomb blows past it quickly


@dataclass(frozen=True)
class Pos:
    path: str
    line: int  # 1-based
    col: int  # 1-based

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


class Map(dict):
    """A dict with the position of itself, its keys and its values."""

    pos: Pos
    key_pos: dict
    val_pos: dict

    def at(self, key) -> Pos:
        return self.val_pos.get(key, self.key_pos.get(key, self.pos))

    def key_at(self, key) -> Pos:
        return self.key_pos.get(key, self.pos)


class Seq(list):
    """A list with the position of itself and of each item."""

    pos: Pos
    item_pos: list

    def at(self, index: int) -> Pos:
        return self.item_pos[index] if 0 <= index < len(self.item_pos) else self.pos


class YamlProblem(Exception):
    def __init__(self, pos: Pos, message: str):
        super().__init__(f"{pos}: {message}")
        self.pos = pos
        self.message = message


def _pos(path: str, mark) -> Pos:
    return Pos(path, mark.line + 1, mark.column + 1)


class _Loader(yaml.SafeLoader):
    path = "<string>"

    def __init__(self, stream, path: str):
        super().__init__(stream)
        self.path = path
        self.duplicates: list[YamlProblem] = []
        self._nodes = 0

    def _count(self, node) -> None:
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise YamlProblem(
                _pos(self.path, node.start_mark),
                f"the document expands to more than {MAX_NODES} values (an alias bomb?)",
            )

    def construct_object(self, node, deep=False):
        self._count(node)
        return super().construct_object(node, deep=deep)

    def construct_yaml_map(self, node):
        data = Map()
        data.pos = _pos(self.path, node.start_mark)
        data.key_pos = {}
        data.val_pos = {}
        yield data
        own = sum(1 for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge")
        self.flatten_mapping(node)  # merged pairs come first, the mapping's own pairs after them
        merged = len(node.value) - own
        own_seen: set = set()
        for index, (key_node, value_node) in enumerate(node.value):
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise YamlProblem(_pos(self.path, key_node.start_mark), "a mapping key must be text")
            value = self.construct_object(value_node, deep=True)
            if index >= merged:
                if key in own_seen:
                    self.duplicates.append(
                        YamlProblem(_pos(self.path, key_node.start_mark), f"duplicate key '{key}'")
                    )
                own_seen.add(key)
            data[key] = value
            data.key_pos[key] = _pos(self.path, key_node.start_mark)
            data.val_pos[key] = _pos(self.path, value_node.start_mark)

    def construct_yaml_seq(self, node):
        data = Seq()
        data.pos = _pos(self.path, node.start_mark)
        data.item_pos = [_pos(self.path, n.start_mark) for n in node.value]
        yield data
        data.extend(self.construct_sequence(node, deep=True))


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_yaml_seq)


def load_yaml(text: str, path: str):
    """Parse one YAML document. Returns (data, problems); data is None when it cannot be read."""
    if text.startswith("\ufeff"):
        text = text[1:]
    loader = _Loader(text, path)
    try:
        data = loader.get_single_data()
    except YamlProblem as exc:
        return None, [exc]
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = _pos(path, mark) if mark else Pos(path, 1, 1)
        problem = exc.problem or "cannot be read"
        if "could not determine a constructor for the tag" in problem:
            tag = problem.split("tag", 1)[1].strip().strip("'")
            problem = f"the tag {tag} is not allowed: a story is data, not code"
        return None, [YamlProblem(pos, problem)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = _pos(path, mark) if mark else Pos(path, 1, 1)
        return None, [YamlProblem(pos, f"YAML syntax: {exc.problem or exc.context}")]
    except yaml.YAMLError as exc:
        return None, [YamlProblem(Pos(path, 1, 1), f"YAML: {exc}")]
    except RecursionError:
        return None, [YamlProblem(Pos(path, 1, 1), "the document is nested too deeply")]
    finally:
        loader.dispose()
    return data, list(loader.duplicates)
