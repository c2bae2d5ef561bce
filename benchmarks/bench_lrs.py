"""Results to a Learning Record Store, against a real one: Ralph (filesystem backend) on 127.0.0.1.

Figures (issue 13):
- `pizzaborg send` of one 50-decision game (replay verification and the POST included), and the
  same send again (the LRS already holds every statement: a no-op);
- `pizzaborg cohort --lrs --no-cache` over 200 learners' 50-decision games (about 10,800 statements,
  read in one page where the LRS allows, and replay-verified), as a ratio to `pizzaborg cohort` over the
  same 200 report files;
- issue 22: `pizzaborg cohort --lrs` run again after 10 more games, with the trainer's cache from the run
  before (only what is new is read and replayed), against the same cohort read whole (`--no-cache`) the
  way it was before issue 22, in the LRS's pages (100 statements each from Ralph) instead of one.

The learners play their homework over a week (one game every 45 minutes), as a class does; the 10 late
games come the day after.

Ralph comes from `make lrs-env` (.venv-ralph); without it the figures cannot be measured and say so.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
import ralph_server  # noqa: E402
from genstory import write_story  # noqa: E402

from pizzaborg.cli import main as cli  # noqa: E402
from pizzaborg.engine import Game, load_story  # noqa: E402
from pizzaborg.trainer.assignment import new_assignment, write_assignment  # noqa: E402
from pizzaborg.trainer.formats import render  # noqa: E402
from pizzaborg.trainer.lrs import Lrs  # noqa: E402
from pizzaborg.trainer.report import build_report  # noqa: E402
from pizzaborg.trainer.xapi import statements  # noqa: E402

LEARNERS = 200
DECISIONS = 50
SEND_BAR = 2.0  # seconds for one 50-decision game
RATIO_BAR = 15.0  # the LRS cohort against the files cohort
LATE = 10  # games after the first cohort run
AGAIN_BAR = 2.0  # seconds: the cohort from the LRS again, after LATE new games (issue 22)


def run(*args) -> tuple:
    out, err = io.StringIO(), io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli([str(a) for a in args])
    took = time.perf_counter() - t0
    if code != 0:
        raise RuntimeError(f"pizzaborg {args[0]} exited {code}: {(err.getvalue() or out.getvalue()).strip()[-300:]}")
    return took, out.getvalue()


def report_for(story, assignment, i: int, rng) -> dict:
    game = Game(story, assignment.seed)
    for _ in range(10_000):  # a bound: a story that never ends fails here instead of hanging the bench
        if game.over:
            break
        game.choose(rng.choice(game.available()).id)
    began = datetime(2026, 11, 1, 9, 0, tzinfo=UTC) + timedelta(minutes=45 * i + (24 * 60 if i >= LEARNERS else 0))
    times, t = [], began
    for _ in game.decisions:  # each decision's time, as a face records it (the report's time spent follows)
        t += timedelta(milliseconds=rng.randrange(4_000, 60_000))
        times.append(t.isoformat(timespec="milliseconds").replace("+00:00", "Z"))
    report = build_report(
        game,
        learner=f"learner {i:04d}",
        assignment=assignment,
        started=began,
        finished=began + timedelta(minutes=40),
        times=times,
    )
    game.close()
    return report


def main() -> int:
    py, why = ralph_server.ralph_python()
    if py is None:
        print(f"send and cohort --lrs: not measured: {why} (bar <= {SEND_BAR:g} s) FAIL")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        story_dir = write_story(tmp / "story", DECISIONS)
        story = load_story(story_dir)
        assignment = new_assignment(story, "Benchmark cohort", seed=4242)
        apath = tmp / "assignment.yaml"
        write_assignment(assignment, apath)
        rng = random.Random(13)
        folder = tmp / "reports"
        folder.mkdir()
        for i in range(LEARNERS):
            (folder / f"r{i:04d}.json").write_text(
                render(report_for(story, assignment, i, rng), "json"), encoding="utf-8"
            )
        one = tmp / "one.json"  # a game of another assignment: not in the cohort
        other = new_assignment(story, "Another cohort", seed=4242)
        one.write_text(render(report_for(story, other, LEARNERS, rng), "json"), encoding="utf-8")

        server = ralph_server.start(py, tmp / "lrs", ralph_server.make_auth_file(py, tmp / "auth.json"))
        os.environ["PIZZABORG_LRS_USER"], os.environ["PIZZABORG_LRS_PASSWORD"] = ralph_server.TRAINER
        try:
            ok = True
            took, out = run("send", one, "--lrs", server.url, "--story", story_dir)
            again, _ = run("send", one, "--lrs", server.url, "--story", story_dir)
            n = int(out.split(": ", 1)[1].split()[0])
            passed = took <= SEND_BAR and again <= SEND_BAR
            ok = ok and passed
            print(
                f"send one {DECISIONS}-decision game ({n} statements, verification included): {took:.2f} s, "
                f"the same again (a no-op): {again:.2f} s (bar <= {SEND_BAR:g} s)  {'PASS' if passed else 'FAIL'}"
            )

            # into the LRS in large batches (setup, not a figure: Ralph's filesystem backend reads its whole
            # file for every POST, so 200 separate sends mostly measure that)
            everything = [
                st
                for f in sorted(folder.glob("*.json"))
                for st in statements(json.loads(f.read_text(encoding="utf-8")))
            ]
            Lrs(server.url, *ralph_server.TRAINER, batch=2000).post(everything)
            files, out_files = run("cohort", folder, "--assignment", apath, "--story", story_dir, "--format", "json")
            waited = [0.0, 0]
            request = Lrs._request

            def timed(self, *a, **kw):
                t0 = time.perf_counter()
                try:
                    return request(self, *a, **kw)
                finally:
                    waited[0] += time.perf_counter() - t0
                    waited[1] += 1

            Lrs._request = timed
            cache = tmp / "trainer-cache"
            cohort = ("cohort", "--lrs", server.url, "--assignment", apath, "--story", story_dir, "--format", "json")
            lrs, out_lrs = run(*cohort, "--no-cache")
            Lrs._request = request
            a, b = json.loads(out_files), json.loads(out_lrs)
            same = a["score"] == b["score"] and b["verified"] == a["verified"] == LEARNERS
            ratio = lrs / files
            passed = same and ratio <= RATIO_BAR
            ok = ok and passed
            print(
                f"cohort of {LEARNERS} learners x {DECISIONS} decisions from the LRS: {lrs:.2f} s, from files: "
                f"{files:.2f} s, ratio {ratio:.1f} (bar <= {RATIO_BAR:g}x)  {len(everything)} statements; "
                f"{waited[0]:.1f} s of it waiting for the LRS ({waited[1]} GET pages); same figures: "
                f"{'yes' if same else 'NO'}  {'PASS' if passed else 'FAIL'}"
            )

            # issue 22: the trainer's cache, then LATE more games, then the cohort again
            first, _ = run(*cohort, "--cache", cache)
            late = [
                st
                for i in range(LEARNERS + 1, LEARNERS + 1 + LATE)  # (LEARNERS is the other assignment's game)
                for st in statements(json.loads(render(report_for(story, assignment, i, rng), "json")))
            ]
            Lrs(server.url, *ralph_server.TRAINER, batch=2000).post(late)
            waited[:] = [0.0, 0]
            Lrs._request = timed
            again, out_again = run(*cohort, "--cache", cache)
            Lrs._request = request
            get = Lrs.get_statements  # as before issue 22: everything read again, in the LRS's pages

            def paged(self, params):
                return get(self, {k: v for k, v in params.items() if k != "limit"})

            Lrs.get_statements = paged
            try:
                whole, out_whole = run(*cohort, "--no-cache")
            finally:
                Lrs.get_statements = get
            c, d = json.loads(out_again), json.loads(out_whole)
            same = c["score"] == d["score"] and c["verified"] == d["verified"] == LEARNERS + LATE
            passed = same and again <= AGAIN_BAR
            ok = ok and passed
            print(
                f"cohort from the LRS again after {LATE} new games, with the trainer's cache: {again:.2f} s, "
                f"{waited[0]:.2f} s of it waiting for the LRS ({waited[1]} GET pages), {again - waited[0]:.2f} s "
                f"the rest (the first run that filled the cache: {first:.2f} s; the same read whole in pages, as "
                f"before issue 22: {whole:.2f} s) (bar <= {AGAIN_BAR:g} s); same figures: {'yes' if same else 'NO'}  "
                f"{'PASS' if passed else 'FAIL'}"
            )
        finally:
            server.stop()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
