"""Read a story folder into a :class:`~pizzaborg.engine.model.Story`, reporting every problem.

``load_story(path)`` returns the story or raises :class:`StoryError`, whose ``problems`` list holds
every problem found (``path:line:column: message``), not only the first.

The package is split by what each part knows: ``reader`` (problems and the checked reading of one
value or file), ``sections`` (each kind of mapping in story.yaml and the round files) and
``references`` (what one section names in another, checked once all are read). This module puts
them together and keeps the names other modules import from ``pizzaborg.engine.loader``.
"""

from __future__ import annotations

import gc
from pathlib import Path

from .. import cache
from ..cache import new_sha256
from ..files import inside
from ..model import Story
from ..yamlsrc import Pos
from .reader import (
    CHOICE_ID_RE,
    FLAG_RE,
    ID_RE,
    MAX_FILE_BYTES,
    Problem,
    StoryError,
    SyntaxProblem,
    _read_file,
    _Reader,
    _rel,
    did_you_mean,
    problem_order,
)
from .references import _check_references
from .sections import (
    AUDIT_KEYS,
    AUDIT_NUMBERS,
    CHOICE_KEYS,
    EVENT_KEYS,
    KPI_KEYS,
    ROUND_FILE_KEYS,
    ROUND_KEYS,
    SCENE_KEYS,
    STORY_KEYS,
    _read_audit,
    _read_capacity,
    _read_endings,
    _read_kpis,
    _read_learning,
    _read_round,
)

__all__ = [
    "AUDIT_KEYS",
    "AUDIT_NUMBERS",
    "CHOICE_ID_RE",
    "CHOICE_KEYS",
    "EVENT_KEYS",
    "FLAG_RE",
    "ID_RE",
    "KPI_KEYS",
    "MAX_FILE_BYTES",
    "Problem",
    "ROUND_FILE_KEYS",
    "ROUND_KEYS",
    "SCENE_KEYS",
    "STORY_KEYS",
    "StoryError",
    "SyntaxProblem",
    "default_story_dir",
    "did_you_mean",
    "gc_paused",
    "load_story",
    "problem_order",
    "read_story",
]


def default_story_dir() -> Path:
    """The shipped story: inside the installed package, or story/ at the top of a checkout."""
    here = Path(__file__).resolve().parent.parent.parent  # src/pizzaborg
    packaged = here / "story"
    if (packaged / "story.yaml").is_file():
        return packaged
    return here.parent.parent / "story"


def load_story(path: str | Path | None = None) -> Story:
    """Load a story to play. An unchanged story comes from the cache (see ``cache``); a story with
    problems raises StoryError with all of them."""
    root = Path(path) if path is not None else default_story_dir()
    key = cache.key_of(root) if cache.cache_dir() is not None else None  # with the cache off, nothing extra is read
    story = cache.load(root, key)
    if story is not None:
        return story
    story, problems = read_story(root)
    if problems or story is None:
        raise StoryError(problems)
    if key is not None and cache.key_of(root) == key:  # unchanged while it was read
        cache.store(story, key)
    return story


class gc_paused:
    """Reading builds many small acyclic objects; the cyclic GC would rescan them again and again
    (superlinear on big stories), so it is paused while a story is read and checked."""

    def __enter__(self) -> None:
        self.was_on = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self.was_on:
            gc.enable()


def read_story(path: str | Path | None = None) -> tuple[Story | None, list[Problem]]:
    """Read and validate a story folder: returns (story or None, problems)."""
    with gc_paused():
        return _read_story(path)


def _read_story(path: str | Path | None) -> tuple[Story | None, list[Problem]]:
    root = Path(path) if path is not None else default_story_dir()
    reader = _Reader()
    meta_path = root / "story.yaml"
    if root.is_file():
        reader.err(Pos(str(root), 1, 1), "a story is a folder with a story.yaml, not a file")
        return None, reader.problems
    if not root.exists():
        reader.err(Pos(str(root), 1, 1), "no such folder")
        return None, reader.problems
    if not meta_path.is_file():
        reader.err(Pos(str(meta_path), 1, 1), "no story.yaml here: is this a story folder?")
        return None, reader.problems
    digest = new_sha256()
    rel_meta = _rel(meta_path)
    data, raw = _read_file(meta_path, rel_meta, reader)
    digest.update(b"story.yaml\0" + raw + b"\0")
    sources = [(str(meta_path.absolute()), "story.yaml")]  # what the hash is made of (the cache checks them)
    if data is None:
        return None, reader.problems
    meta = reader.mapping(
        data,
        Pos(rel_meta, 1, 1),
        "story.yaml",
        STORY_KEYS,
        {"id", "title", "version", "start", "company", "kpis", "learning", "endings"},
    )
    if meta is None:
        return None, reader.problems

    story_id = reader.ident(meta, "id", "the story") or "?"
    title = reader.text_value(meta, "title", "the story")
    version = reader.text_value(meta, "version", "the story")
    language = reader.text_value(meta, "language", "the story", "en")
    intro = reader.rich_text(meta, "intro", "the story")

    company_name, company_desc = "", ""
    if "company" in meta:
        comp = reader.mapping(meta["company"], meta.at("company"), "company", {"name", "description"}, {"name"})
        if comp is not None:
            company_name = reader.text_value(comp, "name", "company")
            company_desc = reader.text_value(comp, "description", "company")

    kpis = _read_kpis(meta, reader)
    reader.kpi_ids = set(kpis)
    reader.kpis = kpis
    shuffle = reader.flag_value(meta, "shuffle", "the story", True)
    reader.capacity = _read_capacity(meta, reader)
    areas, points, worst = _read_learning(meta, reader)
    endings = _read_endings(meta, reader)
    audit = _read_audit(meta, reader, kpis, endings)

    # round files
    files: list[tuple[Path, str, Pos]] = []
    if "rounds" in meta:
        seq = reader.seq(meta["rounds"], meta.at("rounds"), "'rounds'")
        for i, item in enumerate(seq or []):
            assert seq is not None
            if not isinstance(item, str):
                reader.err(seq.at(i), "a round file must be a path")
                continue
            p = (root / item).resolve()
            try:
                p.relative_to(root.resolve())
            except ValueError:
                reader.err(seq.at(i), f"round file '{item}' is outside the story folder")
                continue
            if not p.exists() or p.is_dir():
                reader.err(seq.at(i), f"round file '{item}' does not exist")
                continue
            files.append((p, item, seq.at(i)))
    else:
        rdir = root / "rounds"
        for p in sorted(rdir.glob("*.yaml")) + sorted(rdir.glob("*.yml")):
            if not inside(p, root):  # a link out of the story folder: refused as a listed one is (engine/files.py)
                reader.err(meta.pos, f"round file 'rounds/{p.name}' is outside the story folder (a link): not read")
                continue
            files.append((p, f"rounds/{p.name}", meta.pos))
        if not files:
            reader.err(meta.pos, "no round files: put them in rounds/*.yaml or list them in 'rounds'")

    rounds: dict = {}
    scenes: dict = {}
    pools: dict = {}
    pool_pos: dict = {}
    scene_pos: dict = {}
    for number, (p, rel_name, _) in enumerate(files, start=1):
        rel = _rel(p)
        rdata, rraw = _read_file(p, rel, reader)
        digest.update(rel_name.encode() + b"\0" + rraw + b"\0")
        sources.append((str(Path(p).absolute()), rel_name))
        if rdata is None:
            continue
        _read_round(rdata, rel, number, reader, rounds, scenes, pools, pool_pos, scene_pos)

    start = reader.ident(meta, "start", "the story") or ""
    story = Story(
        id=story_id,
        title=title,
        version=version,
        language=language,
        start=start,
        intro=intro,
        company=company_name,
        company_description=company_desc,
        kpis=kpis,
        areas=areas,
        points=points,
        worst=worst,
        endings=endings,
        rounds=rounds,
        scenes=scenes,
        pools=pools,
        hash=digest.hexdigest(),
        root=root,
        files=[rel_meta] + [_rel(p) for p, _, _ in files],
        audit=audit,
        shuffle=shuffle,
        capacity=reader.capacity,
    )
    story.__dict__["_sources"] = sources
    _check_references(story, meta, reader)
    if reader.suppressed:
        first = next(p for p in reader.problems if isinstance(p, SyntaxProblem))
        reader.fatal(
            first.pos,
            f"{reader.suppressed} reference(s) to ids are not checked until this file can be read "
            "(they may be defined in it)",
        )
    return (story if not reader.problems else None), sorted(reader.problems, key=problem_order)
