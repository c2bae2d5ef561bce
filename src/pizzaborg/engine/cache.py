"""A cache of loaded stories, so that playing an unchanged story does not parse and validate its YAML
again on every start (the headless path is measured against a bare ``import yaml, transitions``).

The cache holds the validated story model as JSON: data, never code. An entry is keyed
by the bytes of every YAML file in the story folder, the folder, the working directory (positions in
the model are relative to it) and the engine's version, so any edit is a miss. Only stories that
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
from .conditions import Condition, parse_condition
from .files import write_atomic
from .yamlsrc import Pos

FORMAT = 2  # 2: shuffle, pins, conditional effects and weights, capacity, portfolios, drift
KEEP = 16  # entries kept in the cache folder
_CLASSES = {
    c.__name__: c
    for c in (model.Text, model.Route, model.Choice, model.Scene, model.Kpi, model.LearningPoint, model.Area,
              model.WorstPractice, model.Ending, model.Round, model.Story, model.Effect, model.Capacity)
}


class Unsupported(Exception):
    """A value the cache format does not know: such a story is simply not cached."""


def new_sha256():
    try:  # the builtin module: importing hashlib loads OpenSSL, a few ms of start-up
        from _sha256 import sha256
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
    """A digest of everything the loaded story depends on, or None when the folder cannot be read."""
    from .. import __version__

    digest = new_sha256()
    try:
        root = root.resolve()
        digest.update(f"{FORMAT}\0{__version__}\0{root}\0{os.getcwd()}\0".encode())
        found = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            for name in filenames:
                if name.endswith((".yaml", ".yml")):
                    found.append(os.path.join(dirpath, name))
        for path in sorted(found):
            with open(path, "rb") as fh:
                data = fh.read()
            digest.update(os.path.relpath(path, root).encode() + b"\0" + str(len(data)).encode() + b"\0" + data)
    except OSError:
        return None
    return digest.hexdigest()


# ---- encoding ------------------------------------------------------------------------------------


def _enc(v):
    if v is None or v.__class__ in (str, int, float, bool):
        return v
    cls = v.__class__
    if cls is list:
        return [_enc(x) for x in v]
    if cls is dict:
        out = {}
        for k, x in v.items():
            if k.__class__ is not str or k.startswith("$"):
                raise Unsupported(f"dict key {k!r}")
            out[k] = _enc(x)
        return out
    if cls is tuple:
        return {"$t": [_enc(x) for x in v]}
    if cls is Pos:
        return {"$p": [v.path, v.line, v.col]}
    if cls is Condition:
        return {"$c": v.source}
    if isinstance(v, Path):
        return {"$P": str(v)}
    name = cls.__name__
    if _CLASSES.get(name) is cls:
        out = {"$o": name}
        for slot in cls.__slots__:
            if slot != "__dict__" and hasattr(v, slot):  # __dict__ holds per-process caches only
                out[slot] = _enc(getattr(v, slot))
        return out
    raise Unsupported(f"a {name}")


def _decoder(kpis: set):
    conditions: dict = {}

    def hook(d: dict):
        if len(d) == 1:
            (k, v), = d.items()
            if k == "$t":
                return tuple(v)
            if k == "$c":
                c = conditions.get(v)
                if c is None:
                    c = conditions[v] = parse_condition(v, kpis)
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


def load(root: Path, key: str | None):
    """The cached story for ``key``, or None."""
    directory = cache_dir()
    if directory is None or key is None:
        return None
    try:
        with open(directory / f"{key}.json", encoding="utf-8") as fh:
            header = json.loads(fh.readline())
            if header.get("format") != FORMAT or header.get("key") != key:
                return None
            story = json.loads(fh.read(), object_hook=_decoder(set(header["kpis"])))
    except Exception:  # a damaged, foreign or half-written entry is a miss, never a failure
        return None
    if not isinstance(story, model.Story) or story.__class__ is not model.Story:
        return None
    if getattr(story, "files", None) is None:
        return None
    return story


def store(story, key: str | None) -> None:
    """Write ``story`` under ``key``, atomically; any failure is ignored."""
    directory = cache_dir()
    if directory is None or key is None:
        return
    try:
        body = json.dumps(_enc(story), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (Unsupported, ValueError, RecursionError):
        return
    header = json.dumps({"format": FORMAT, "key": key, "kpis": sorted(story.kpis)})
    try:
        directory.mkdir(parents=True, exist_ok=True)
        write_atomic(directory / f"{key}.json", header + "\n" + body)
        _prune(directory)
    except OSError:
        pass


def _prune(directory: Path, keep: int = KEEP) -> None:
    """Keep the newest ``keep`` entries: an author who edits all day does not fill the disk."""
    entries = []
    for p in directory.glob("*.json"):
        try:
            entries.append((p.stat().st_mtime, p))
        except OSError:
            pass
    for _, p in sorted(entries, reverse=True)[keep:]:
        try:
            p.unlink()
        except OSError:
            pass

