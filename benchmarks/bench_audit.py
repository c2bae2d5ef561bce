"""`pizzaborg story audit` of the shipped story, as a process, against the bar.

Bar (issue 9): under 30 s with the default 50 games per test-wise learner. The figure is the median
wall time of RUNS runs of the whole command (start-up, loading the story, the tells, 8 players × 50
games, the JSON report). The audit is expected to *fail* on the current story (exit 1); that is its
verdict, not a failure of the benchmark. Exit 1 when the median is over the bar.

    python benchmarks/bench_audit.py [STORY_DIR] [--runs R]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BAR_SECONDS = 30.0
RUNS = 3


def main(argv: list) -> int:
    opts = {argv[i]: argv[i + 1] for i in range(len(argv) - 1) if argv[i] == "--runs"}
    story_dir = next(
        (a for i, a in enumerate(argv) if not a.startswith("-") and (i == 0 or argv[i - 1] not in opts)), None
    )
    script = Path(sys.executable).with_name("pizzaborg")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "pizzaborg"]
    cmd += ["story", "audit", "--json"] + ([story_dir] if story_dir else [])
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
            print(f"bench_audit: the command failed ({run.returncode}): {run.stderr.strip()}", file=sys.stderr)
            return 1
        data = json.loads(run.stdout)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    failed = sum(not t["passed"] for t in data["tells"])
    ok = wall < BAR_SECONDS
    print(
        f"story audit ({data['story']['id']} {data['story']['version']}, {data['decisions']} decisions, "
        f"{data['games_per_learner']} games per learner)  {wall:.2f} s (bar < {BAR_SECONDS:.0f} s) CPU {cpu:.1f} s; "
        f"runs {', '.join(f'{w:.1f}' for w in walls)} s; {failed} of {len(data['tells'])} threshold(s) fail "
        f"{'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
