"""A cache of loaded stories, so that playing an unchanged story does not parse and validate its YAML
again on every start (the headless path is measured against a bare ``import yaml, transitions``).

The cache holds the validated story model as JSON: data, never code. An entry is named by the bytes
of story.yaml, the names in rounds/, the folder, the working directory (positions in the model are
relative to it) and the engine's version; it records the files the story was read from, and is used
only when they still give the story's hash, so any edit is a miss. Only the files the story uses are
read, each a regular file of at most 5 MiB; a story whose entry would be larger than 32 MiB is not
cached, and the folder keeps at most 16 entries and 128 MiB. Only stories that
loaded without a problem are cached; ``story check`` always reads the YAML. A cache that cannot be
read, written or decoded is ignored: the story is then read as usual.

Where: ``$PIZZABORG_CACHE`` (``off`` turns the cache off), else ``$XDG_CACHE_HOME/pizzaborg``, else
``~/.cache/pizzaborg``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from . import model
from .conditions import Condition, LazyCondition
from .files import write_atomic
from .yamlsrc import Pos

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up time)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

# 2: shuffle, pins, conditional effects and weights, capacity, portfolios, drift;
# 3: bounded entries, paths as ASCII JSON
FORMAT = 3
KEEP = 16  # entries kept in the cache folder
MAX_ENTRY_BYTES = 32 * 1024 * 1024  # a story whose model would encode to more is not cached
MAX_TOTAL_BYTES = 128 * 1024 * 1024  # the whole cache folder: older entries go first
MAX_SOURCE_BYTES = 5 * 1024 * 1024  # a story file (the loader's limit)
_CLASSES = {
    c.__name__: c
    for c in (
        model.Text,
        model.Route,
        model.Choice,
        model.Scene,
        model.Kpi,
        model.LearningPoint,
        model.Area,
        model.WorstPractice,
        model.Ending,
        model.Round,
        model.Story,
        model.Effect,
        model.Capacity,
    )
}


class Unsupported(Exception):
    """A value the cache format does not know: such a story is simply not cached."""


def new_sha256() -> Any:
    try:  # the builtin module: importing hashlib loads OpenSSL, a few ms of start-up
        from _sha256 import sha256  # type: ignore[import-not-found]
    except ImportError:  # pragma: no cover - other Pythons
        from hashlib import sha256
    return sha256()


def cache_dir() -> Path | None:
    explicit = os.environ.get("PIZZABORG_CACHE")
    if explicit is not None:
        return None if explicit.strip().lower() in ("", "off", "0", "no") else Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pizzaborg"


def key_of(root: Path) -> str | None:
    """A digest naming the cache entry of the story in ``root``, or None when it cannot be made.

    It reads story.yaml only (a regular file, bounded) and lists the names in ``rounds/``; the round
    files the story uses are checked when an entry is loaded (their digest is the story's hash). Files
    the story does not use are never read, whatever they are."""
    from .. import __version__
    from .files import read_bounded

    digest = new_sha256()
    try:
        root = root.resolve()
        digest.update(f"{FORMAT}\0{__version__}\0{root}\0{os.getcwd()}\0".encode("utf-8", "surrogateescape"))
        digest.update(read_bounded(root / "story.yaml", MAX_SOURCE_BYTES) + b"\0")
        try:
            names = sorted(n for n in os.listdir(root / "rounds") if n.endswith((".yaml", ".yml")))
        except (FileNotFoundError, NotADirectoryError):
            names = []
        for name in names:
            digest.update(name.encode("utf-8", "surrogateescape") + b"\0")
    except (OSError, ValueError):
        return None
    return digest.hexdigest()


def _sources_unchanged(sources: list, expected_hash: str) -> bool:
    """True when the files a cached story was read from still give its hash (each read bounded)."""
    from .files import read_bounded

    digest = new_sha256()
    try:
        for path, name in sources:
            digest.update(
                name.encode("utf-8", "surrogateescape") + b"\0" + read_bounded(path, MAX_SOURCE_BYTES) + b"\0"
            )
    except (OSError, ValueError, TypeError):
        return False
    return digest.hexdigest() == expected_hash


# ---- encoding ------------------------------------------------------------------------------------


class _Budget:
    """Text left before an entry is too large to cache (a shared string counts each time it is written)."""

    def __init__(self) -> None:
        self.left = MAX_ENTRY_BYTES


def _enc(v: Any, budget: _Budget | None = None) -> Any:
    if budget is None:
        budget = _Budget()
    if v is None or v.__class__ in (int, float, bool):
        return v
    if v.__class__ is str:
        budget.left -= len(v)
        if budget.left < 0:
            raise Unsupported("too large to cache")
        return v
    cls = v.__class__
    if cls is list:
        return [_enc(x, budget) for x in v]
    if cls is dict:
        out = {}
        for k, x in v.items():
            if k.__class__ is not str or k.startswith("$"):
                raise Unsupported(f"dict key {k!r}")
            out[k] = _enc(x, budget)
        return out
    if cls is tuple:
        return {"$t": [_enc(x, budget) for x in v]}
    if cls is Pos:
        return {"$p": [v.path, v.line, v.col]}
    if cls is Condition or cls is LazyCondition:
        return {"$c": v.source}
    if isinstance(v, Path):
        return {"$P": str(v)}
    name = cls.__name__
    if _CLASSES.get(name) is cls:
        out = {"$o": name}
        for slot in _CLASSES[name].__slots__:
            if slot != "__dict__" and hasattr(v, slot):  # __dict__ holds per-process caches only
                out[slot] = _enc(getattr(v, slot), budget)
        return out
    raise Unsupported(f"a {name}")


def _decoder(kpis: set) -> Callable[[dict], Any]:
    conditions: dict = {}

    def hook(d: dict) -> Any:
        if len(d) == 1:
            ((k, v),) = d.items()
            if k == "$t":
                return tuple(v)
            if k == "$c":
                c = conditions.get(v)
                if c is None:
                    c = conditions[v] = LazyCondition(v, kpis)  # parsed on first use
                return c
            if k == "$p":
                return Pos(*v)
            if k == "$P":
                return Path(v)
        name = d.pop("$o", None)
        if name is None:
            return d
        cls = _CLASSES[name]
        obj = cls.__new__(cls)
        for slot, value in d.items():
            setattr(obj, slot, value)
        return obj

    return hook


# ---- the cache -----------------------------------------------------------------------------------


def load(root: Path, key: str | None) -> model.Story | None:
    """The cached story for ``key``, or None."""
    directory = cache_dir()
    if directory is None or key is None:
        return None
    from .files import read_bounded

    try:
        raw = read_bounded(directory / f"{key}.json", MAX_ENTRY_BYTES + 64 * 1024).decode("utf-8")
        head, _, body = raw.partition("\n")
        header = json.loads(head)
        if header.get("format") != FORMAT or header.get("key") != key:
            return None
        if not _sources_unchanged(header["sources"], header["hash"]):
            return None
        story = json.loads(body, object_hook=_decoder(set(header["kpis"])))
    except Exception:  # a damaged, foreign, too large or half-written entry is a miss, never a failure
        return None
    if not isinstance(story, model.Story) or story.__class__ is not model.Story:
        return None
    if story.hash != header["hash"]:
        return None
    story.__dict__["_sources"] = [tuple(s) for s in header["sources"]]
    if getattr(story, "files", None) is None:
        return None
    return story


def store(story: model.Story, key: str | None) -> None:
    """Write ``story`` under ``key``, atomically; any failure is ignored."""
    directory = cache_dir()
    if directory is None or key is None:
        return
    sources = story.__dict__.get("_sources")
    if not sources:
        return
    try:
        # ASCII: paths with bytes that are not UTF-8 (a folder named so) round-trip as \udcXX escapes
        body = json.dumps(_enc(story), ensure_ascii=True, separators=(",", ":"), allow_nan=False)
    except (Unsupported, ValueError, RecursionError, MemoryError):
        return
    header = json.dumps(
        {
            "format": FORMAT,
            "key": key,
            "kpis": sorted(story.kpis),
            "hash": story.hash,
            "sources": [list(s) for s in sources],
        },
        ensure_ascii=True,
    )
    try:
        directory.mkdir(parents=True, exist_ok=True)
        write_atomic(directory / f"{key}.json", header + "\n" + body)
        _prune(directory)
    except (OSError, UnicodeError):
        pass


def _prune(directory: Path, keep: int = KEEP, total: int = MAX_TOTAL_BYTES) -> None:
    """Keep the newest ``keep`` entries, at most ``total`` bytes in all: an author who edits all day
    does not fill the disk."""
    entries = []
    for p in directory.glob("*.json"):
        try:
            st = p.lstat()
            entries.append((st.st_mtime, st.st_size, p))
        except OSError:
            pass
    used = 0
    for n, (_, size, p) in enumerate(sorted(entries, key=lambda e: e[0], reverse=True)):
        used += size
        if n < keep and used <= total:
            continue
        try:
            p.unlink()
        except OSError:
            pass
