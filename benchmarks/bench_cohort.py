"""`pizzaborg cohort` over 1,000 generated reports, verification included.

Bar (issue 5): at most 10 s. Measured twice: on the shipped story, and on a generated 60-scene story
(a full game's length, every learner on a different path: the replay cache cannot help). 2% of the
reports are tampered with and must be left out.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from genstory import write_story  # noqa: E402

from pizzaborg.cli import main as cli  # noqa: E402
from pizzaborg.engine import Game, load_story  # noqa: E402
from pizzaborg.trainer.assignment import new_assignment  # noqa: E402
from pizzaborg.trainer.formats import render  # noqa: E402
from pizzaborg.trainer.report import build_report  # noqa: E402

REPORTS = 1_000
TAMPERED = 20
BAR = 10.0


def generate(story_dir, out: Path) -> int:
    story = load_story(story_dir)
    assignment = new_assignment(story, "Benchmark cohort", seed=4242, mastery=0.6)
    rng = random.Random(7)
    start = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    for i in range(REPORTS):
        game = Game(story, assignment.seed)
        for _ in range(10_000):  # a bound: a story that never ends fails instead of hanging the bench
            if game.over:
                break
            game.choose(rng.choice(game.available()).id)
        began = start + timedelta(minutes=i)
        report = build_report(
            game,
            learner=f"learner {i:04d}",
            assignment=assignment,
            started=began,
            finished=began + timedelta(minutes=35),
        )
        game.close()
        if i < TAMPERED:
            report["score"] = 100 if report["score"] != 100 else 0
        (out / f"r{i:04d}.json").write_text(render(report, "json"), encoding="utf-8")
    return len(story.scenes)


def run_cohort(folder: Path, story_dir) -> tuple:
    args = ["cohort", str(folder), "--format", "json"] + (["--story", str(story_dir)] if story_dir else [])
    out, err = io.StringIO(), io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli(args)
    elapsed = time.perf_counter() - t0
    assert code == 0, err.getvalue()
    summary = json.loads(out.getvalue())
    assert summary["verified"] == REPORTS - TAMPERED, summary["verified"]
    assert len(summary["rejected"]) == TAMPERED
    return elapsed, summary


def main() -> int:
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        synthetic = write_story(tmp / "synthetic", 60)
        for label, story_dir in (("shipped story", None), ("60-scene story", synthetic)):
            folder = tmp / label.replace(" ", "-")
            folder.mkdir()
            try:
                scenes = generate(story_dir, folder)
            except Exception as exc:  # e.g. a checkout without the shipped story
                print(
                    f"cohort  {label}: could not generate reports ({type(exc).__name__}: {exc}) (bar <= {BAR:.0f} "
                    "s) FAIL"
                )
                ok = False
                continue
            elapsed, summary = run_cohort(folder, story_dir)
            passed = elapsed <= BAR
            ok = ok and passed
            print(
                f"cohort of {REPORTS:,} reports, verification included, {label} ({scenes} scenes): {elapsed:.2f} s "
                f"(bar <= {BAR:.0f} s)  {summary['verified']} verified, {len(summary['rejected'])} tampered left out  "
                f"{'PASS' if passed else 'FAIL'}"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
