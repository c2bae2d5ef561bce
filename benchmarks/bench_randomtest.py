"""`pizzaborg story randomtest -n 10000` of the shipped story, as a process, against the bar.

Bar (issue 5): at most 10 s. The figure is the median wall time of RUNS runs of the whole command
(start-up, loading the story, 10,000 games, the JSON report); it runs one process per CPU, so the
CPU time (user + system, all processes) is printed too. Exit 1 when the median is over the bar.

    python benchmarks/bench_randomtest.py [STORY_DIR] [--jobs J] [--runs R]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BAR_SECONDS = 10.0
GAMES = 10_000
RUNS = 3


def main(argv: list) -> int:
    opts = {argv[i]: argv[i + 1] for i in range(len(argv) - 1) if argv[i] in ("--jobs", "--runs")}
    story_dir = next(
        (a for i, a in enumerate(argv) if not a.startswith("-") and (i == 0 or argv[i - 1] not in opts)), None
    )
    script = Path(sys.executable).with_name("pizzaborg")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "pizzaborg"]
    cmd += ["story", "randomtest", "-n", str(GAMES), "--json"]
    if story_dir:
        cmd += ["--story", story_dir]
    if "--jobs" in opts:
        cmd += ["--jobs", opts["--jobs"]]
    walls, cpus = [], []
    data = None
    for _ in range(int(opts.get("--runs", RUNS))):
        before = os.times()
        t0 = time.perf_counter()
        run = subprocess.run(cmd, capture_output=True, text=True)
        walls.append(time.perf_counter() - t0)
        after = os.times()
        cpus.append((after.children_user - before.children_user) + (after.children_system - before.children_system))
        if run.returncode not in (0, 1):
            print(f"bench_randomtest: the command failed ({run.returncode}): {run.stderr.strip()}", file=sys.stderr)
            return 1
        data = json.loads(run.stdout)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    decisions = sum(data["choices"].values())
    ok = wall <= BAR_SECONDS
    print(
        f"story randomtest -n {GAMES} ({data['story']['id']} {data['story']['version']}, "
        f"{decisions / GAMES:.1f} decisions a game, {data['jobs']} process(es))  {wall:.2f} s "
        f"(bar <= {BAR_SECONDS:.0f} s) CPU {cpu:.1f} s; runs {', '.join(f'{w:.1f}' for w in walls)} s; "
        f"{len(data['failures'])} failing game(s) {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
