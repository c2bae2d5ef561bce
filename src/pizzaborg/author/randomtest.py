"""Seeded random playthroughs of a story: coverage, endings, scores and failures (``story randomtest``).

Game ``k`` of a run with seed ``S`` is played with the game seed ``S + k`` (which decides the random
events). At each decision the player takes one of the offered choices it has taken least often so
far, ties broken by a generator seeded from ``S``, so that a run reaches rare choices quickly. Games
are played in fixed chunks of :data:`CHUNK` games, each with its own counts and generator, so a run
gives the same result whether the chunks run one after another or in parallel processes.

A failure is an exception raised by the engine, a dead end (a scene that offers no choice), a game
that does not end within :data:`MAX_STEPS` decisions, or a broken invariant (an unknown ending, a KPI
outside its range, a score outside 0–100). Each failure carries the game seed and the decisions that
lead to it, so ``pizzaborg play --seed S --choices ...`` replays it.
"""

from __future__ import annotations

import os
import random
import shlex
import statistics
import time
from dataclasses import dataclass, field

from .bots import ReusableGame

CHUNK = 1000
MAX_STEPS = 2_000


@dataclass
class Failure:
    kind: str  # exception, dead-end, no-ending, invariant
    seed: int
    scene: str | None
    message: str
    decisions: list  # [(scene, choice)]

    def reproduce(self, story_dir=None) -> str:
        cmd = f"pizzaborg play --seed {self.seed}"
        if story_dir:
            cmd += f" --story {shlex.quote(str(story_dir))}"
        if self.decisions:
            cmd += " --choices " + ",".join(c for _, c in self.decisions)
        return cmd

    def as_dict(self, story_dir=None) -> dict:
        return {
            "kind": self.kind,
            "seed": self.seed,
            "scene": self.scene,
            "message": self.message,
            "decisions": [{"scene": s, "choice": c} for s, c in self.decisions],
            "reproduce": self.reproduce(story_dir),
        }


@dataclass
class ChunkResult:
    games: int = 0
    endings: dict = field(default_factory=dict)
    scores: list = field(default_factory=list)
    choice_hits: dict = field(default_factory=dict)  # (scene, choice) -> times taken
    scene_games: dict = field(default_factory=dict)  # scene -> games that played it
    failures: list = field(default_factory=list)


def _check_invariants(story, game) -> str | None:
    if story.ending(game.ending) is None:
        return f"the game ended with an unknown ending '{game.ending}'"
    for k, v in game.kpis.items():
        kpi = story.kpis[k]
        if not kpi.min <= v <= kpi.max:
            return f"KPI {k} = {v} is outside its range {kpi.min}..{kpi.max}"
    score = game.report().overall
    if score is not None and not 0 <= score <= 100:
        return f"the score {score} is outside 0..100"
    return None


def run_chunk(story, seed: int, first: int, count: int) -> ChunkResult:
    """Play games ``first`` .. ``first + count - 1`` of the run with ``seed``."""
    out = ChunkResult()
    rng = random.Random(f"randomtest|{seed}|{first // CHUNK}")
    hits: dict = {}  # Choice object -> times taken (objects hash fast; ids are mapped at the end)
    for s in story.scenes.values():
        for c in s.choices:
            hits[c] = 0
    game = None
    randrange = rng.randrange
    limit = steps_limit(story)
    for k in range(first, first + count):
        game_seed = seed + k
        try:
            if game is None:
                game = ReusableGame(story, game_seed)
            else:
                game.restart(game_seed)
        except Exception as exc:  # the engine failed before the first decision
            out.failures.append(Failure("exception", game_seed, story.start, f"{type(exc).__name__}: {exc}", []))
            game = None
            continue
        taken: list = []
        failure = None
        try:
            for _ in range(limit):
                if game.over:
                    break
                state = game.state
                offered = game.available()  # only what the capacity can pay for
                if not offered:
                    failure = Failure("dead-end", game_seed, state, f"scene '{state}' offers no choice", taken)
                    break
                span = game.pick
                if span is not None:  # a portfolio: least taken first, a random allowed number of picks
                    ordered = sorted(offered, key=lambda c: (hits[c], randrange(1 << 30)))
                    cid = game.portfolio(ordered, span[0] + randrange(span[1] - span[0] + 1))
                    if cid is None:
                        failure = Failure(
                            "dead-end",
                            game_seed,
                            state,
                            f"scene '{state}' offers no portfolio the capacity left can pay for",
                            taken,
                        )
                        break
                    for c in offered:
                        if c.id in cid.split("+"):
                            hits[c] += 1
                    taken.append((state, cid))
                    game.choose(cid)
                    continue
                if len(offered) == 1:
                    pick = offered[0]
                else:
                    low = min(hits[c] for c in offered)
                    least = [c for c in offered if hits[c] == low]
                    pick = least[randrange(len(least))] if len(least) > 1 else least[0]
                hits[pick] += 1
                taken.append((state, pick.id))
                game.choose(pick.id)
            else:
                failure = Failure("no-ending", game_seed, game.state, _no_ending(taken, limit), taken)
            if failure is None:
                problem = _check_invariants(story, game)
                if problem:
                    failure = Failure("invariant", game_seed, None, problem, taken)
        except Exception as exc:
            where = taken[-1][0] if taken else story.start
            failure = Failure("exception", game_seed, where, f"{type(exc).__name__}: {exc}", taken)
            try:
                game.close()
            except Exception:
                pass
            game = None
        out.games += 1
        for scene in {s for s, _ in taken}:
            out.scene_games[scene] = out.scene_games.get(scene, 0) + 1
        if failure is not None:
            out.failures.append(failure)
            continue
        assert game is not None  # only a failure drops the game
        out.endings[game.ending] = out.endings.get(game.ending, 0) + 1
        out.scores.append(game.report().overall or 0.0)
    for s in story.scenes.values():
        for c in s.choices:
            out.choice_hits[(s.id, c.id)] = hits[c]
    if game is not None:
        game.close()
    return out


def steps_limit(story) -> int:
    """Decisions a game may take before it is called endless: MAX_STEPS, or more for a story with more
    scenes than that (an acyclic story of 2,002 rounds takes 2,002 decisions and is not a loop)."""
    return max(MAX_STEPS, 2 * len(story.scenes) + 10)


def _no_ending(taken: list, limit: int) -> str:
    """What a game that did not end within ``limit`` decisions did: a loop only when a scene came back."""
    seen: dict = {}
    for scene, _ in taken:
        seen[scene] = seen.get(scene, 0) + 1
    again = [s for s, n in seen.items() if n > 1]
    if again:
        most = max(again, key=lambda s: seen[s])
        return f"no ending after {limit} decisions: the story loops (scene '{most}' came back {seen[most] - 1} time(s))"
    return f"no ending after {limit} decisions, each in a scene of its own"


# ---- parallel chunks (fork only: the loaded story is inherited, not sent to the workers) --------------------
_STORY = None


def _chunk_in_worker(args):
    return run_chunk(_STORY, *args)


def _fork_context():
    import multiprocessing

    try:
        return multiprocessing.get_context("fork")
    except ValueError:
        return None


@dataclass
class RandomTestReport:
    story_id: str
    story_version: str
    games: int
    seed: int
    seconds: float
    jobs: int
    endings: dict  # ending id -> games (every ending of the story, 0 when never reached)
    scores: list
    scene_games: dict  # scene id -> games (every playable scene, 0 when never played)
    choice_hits: dict  # (scene, choice) -> times taken
    failures: list
    events: set  # scene ids that are pool events
    story_dir: str | None = None

    @property
    def never_taken(self) -> list:
        return [k for k, n in self.choice_hits.items() if n == 0]

    @property
    def never_played(self) -> list:
        return [s for s, n in self.scene_games.items() if n == 0]

    def score_stats(self) -> dict | None:
        s = self.scores
        if not s:
            return None
        return {
            "min": min(s),
            "mean": round(statistics.fmean(s), 1),
            "median": round(statistics.median(s), 1),
            "max": max(s),
            "histogram": histogram(s),
        }

    def as_dict(self) -> dict:
        finished = sum(self.endings.values())
        return {
            "story": {"id": self.story_id, "version": self.story_version},
            "games": self.games,
            "seed": self.seed,
            "seconds": round(self.seconds, 3),
            "jobs": self.jobs,
            "endings": {
                e: {"games": n, "share": round(n / finished, 4) if finished else 0.0} for e, n in self.endings.items()
            },
            "score": self.score_stats(),
            "scenes": dict(self.scene_games),
            "choices": {f"{s}/{c}": n for (s, c), n in self.choice_hits.items()},
            "never_taken": [f"{s}/{c}" for s, c in self.never_taken],
            "never_played": self.never_played,
            "failures": [f.as_dict(self.story_dir) for f in self.failures],
        }


def histogram(scores: list) -> dict:
    """Scores in bands of ten: "0-9", "10-19", ..., "90-100"."""
    bands = {f"{lo}-{lo + 9 if lo < 90 else 100}": 0 for lo in range(0, 100, 10)}
    keys = list(bands)
    for s in scores:
        bands[keys[min(9, max(0, int(s // 10)))]] += 1
    return bands


def run_randomtest(story, n: int = 10_000, seed: int = 0, jobs: int | None = None, story_dir=None) -> RandomTestReport:
    """Play ``n`` games; ``jobs`` processes (default: the CPUs, one chunk of :data:`CHUNK` games each)."""
    global _STORY
    t0 = time.perf_counter()
    chunks = [(seed, first, min(CHUNK, n - first)) for first in range(0, n, CHUNK)]
    if jobs is None:
        jobs = os.cpu_count() or 1
    jobs = max(1, min(jobs, len(chunks)))
    ctx = _fork_context() if jobs > 1 else None
    if ctx is None:
        jobs = 1
        results = [run_chunk(story, *c) for c in chunks]
    else:
        _STORY = story
        try:
            with ctx.Pool(jobs) as pool:
                results = pool.map(_chunk_in_worker, chunks, chunksize=1)
        finally:
            _STORY = None
    endings = {e.id: 0 for e in story.endings}
    scores: list = []
    scene_games = {s.id: 0 for s in story.scenes.values() if not s.is_draw}
    choice_hits = {(s.id, c.id): 0 for s in story.scenes.values() for c in s.choices if not c.synthetic}
    failures: list = []
    for r in results:
        for e, k in r.endings.items():
            endings[e] = endings.get(e, 0) + k
        scores.extend(r.scores)
        for s, k in r.scene_games.items():
            scene_games[s] = scene_games.get(s, 0) + k
        for key, k in r.choice_hits.items():
            if key in choice_hits:
                choice_hits[key] += k
        failures.extend(r.failures)
    events = {s.id for s in story.scenes.values() if s.is_event}
    return RandomTestReport(
        story.id,
        story.version,
        n,
        seed,
        time.perf_counter() - t0,
        jobs,
        endings,
        scores,
        scene_games,
        choice_hits,
        failures,
        events,
        story_dir,
    )


def format_report(report: RandomTestReport, story) -> str:
    lines = [
        f"randomtest: {report.story_id} {report.story_version}: {report.games} game(s), seeds "
        f"{report.seed}..{report.seed + report.games - 1}, {report.seconds:.2f} s ({report.jobs} process(es))",
        "",
        "Endings:",
    ]
    finished = sum(report.endings.values())
    for e, k in report.endings.items():
        share = 100 * k / finished if finished else 0.0
        lines.append(f"  {e:<24} {k:>7}  {share:5.1f} %" + ("   never reached" if k == 0 else ""))
    stats = report.score_stats()
    lines += ["", "Score:"]
    if stats:
        lines.append(
            f"  min {stats['min']:.1f}   mean {stats['mean']:.1f}   median {stats['median']:.1f}   max "
            f"{stats['max']:.1f}"
        )
        top = max(stats["histogram"].values()) or 1
        for band, k in stats["histogram"].items():
            lines.append(f"  {band:>7} {k:>7}  {'#' * round(40 * k / top)}")
    else:
        lines.append("  no game finished")
    lines += ["", "Scenes (games that played it) and choices (times taken):"]
    for s in story.scenes.values():
        if s.is_draw:
            continue
        tag = " (event)" if s.is_event else ""
        parts = ", ".join(f"{c.id} {report.choice_hits.get((s.id, c.id), 0)}" for c in s.choices if not c.synthetic)
        lines.append(f"  {s.id}{tag}: {report.scene_games.get(s.id, 0)}" + (f"   [{parts}]" if parts else ""))
    never = report.never_taken
    lines += ["", f"Choices never taken: {len(never)}"]
    lines += [f"  {s}/{c}" for s, c in never]
    unplayed = report.never_played
    lines += ["", f"Scenes never played: {len(unplayed)}"]
    lines += [f"  {s}" + (" (event)" if s in report.events else "") for s in unplayed]
    lines += ["", f"Failures: {len(report.failures)}"]
    groups: dict = {}
    for f in report.failures:
        groups.setdefault((f.kind, f.scene, f.message), []).append(f)
    for (kind, _scene, message), fs in groups.items():
        seeds = ", ".join(str(f.seed) for f in fs)
        lines.append(f"  FAIL {kind}: {message} — {len(fs)} game(s), seed(s) {seeds}")
        lines.append(f"    reproduce: {fs[0].reproduce(report.story_dir)}")
    return "\n".join(lines)
