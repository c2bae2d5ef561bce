"""A safe YAML reader that remembers where every value came from.

Documents are parsed by PyYAML (libyaml's C parser when available) into events, from which a small
builder of our own makes the values: mappings become :class:`Map`, sequences :class:`Seq`, both carrying the file,
line and column of themselves, their keys and their values, so the story loader can report problems as
``path:line:column: message``. Only the YAML core schema is accepted: any other tag (``!!python/...``)
is an error, never code. Duplicate keys are reported instead of silently overwritten, merge keys
(``<<``) work, and the number of values a document may expand to is bounded (alias bombs).
"""

from __future__ import annotations

from collections import namedtuple

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from typing import Any

    from yaml.error import Mark  # a type only

MAX_NODES = 2_000_000  # a 5 MiB story file has well under a million; an alias bomb blows past it
# Text a document may expand to, counting every alias as the text it stands for: a 5 MiB file holds at
# most 5 MiB without aliases; a big scalar behind an anchor used by hundreds of scenes blows past it.
MAX_TEXT_BYTES = 24 * 1024 * 1024
MAX_DEPTH = 200

_T = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL, MAP, SEQ, MERGE, TIMESTAMP = (
    _T + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "merge", "timestamp")
)
_PLAIN = frozenset((INT, FLOAT, BOOL, NULL))


class Pos(namedtuple("Pos", "path line col")):
    """A place in a file: ``path``, 1-based ``line`` and ``col``. (A collections.namedtuple, not a
    typing.NamedTuple: importing typing costs more start-up than the whole story cache saves.)"""

    __slots__ = ()

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


def _mark_pos(path: str, mark: Mark) -> Pos:
    return Pos(path, mark.line + 1, mark.column + 1)


class Map(dict):
    """A dict with the position of itself, its keys and its values.

    Positions are kept as the parser's marks and turned into :class:`Pos` only when asked for.
    """

    __slots__ = ("path", "mark", "key_marks", "val_marks")
    path: str
    mark: Mark
    key_marks: dict[Any, Mark]
    val_marks: dict[Any, Mark]

    @property
    def pos(self) -> Pos:
        return _mark_pos(self.path, self.mark)

    def at(self, key: Any) -> Pos:
        m = self.val_marks.get(key) or self.key_marks.get(key)
        return _mark_pos(self.path, m) if m is not None else self.pos

    def key_at(self, key: Any) -> Pos:
        m = self.key_marks.get(key)
        return _mark_pos(self.path, m) if m is not None else self.pos


class Seq(list):
    """A list with the position of itself and of each item."""

    __slots__ = ("path", "mark", "item_marks")
    path: str
    mark: Mark
    item_marks: list[Mark]

    @property
    def pos(self) -> Pos:
        return _mark_pos(self.path, self.mark)

    def at(self, index: int) -> Pos:
        if 0 <= index < len(self.item_marks):
            return _mark_pos(self.path, self.item_marks[index])
        return self.pos


class YamlProblem(Exception):
    def __init__(self, pos: Pos, message: str):
        super().__init__(f"{pos}: {message}")
        self.pos = pos
        self.message = message


def load_yaml(text: str, path: str) -> tuple[Any, list[YamlProblem]]:
    """Parse one YAML document. Returns (data, problems); data is None when it cannot be read.

    PyYAML is imported here, on the first parse (:mod:`.yamlparse`): a story read from the cache needs
    none of it, and the headless path is measured against a bare ``import yaml, transitions``."""
    from .yamlparse import parse

    return parse(text, path)
