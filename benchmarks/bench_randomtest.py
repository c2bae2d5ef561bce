"""`pizzaborg story randomtest -n 10000` of the shipped story, as a process, against the bar.

Bar (issue 5): at most 10 s on the project's machine. Prints the wall time of the whole command
(start-up, loading the story, 10,000 games, the report) and exits 1 when it is over the bar.

    python benchmarks/bench_randomtest.py [STORY_DIR] [--jobs J]
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

BAR_SECONDS = 10.0
GAMES = 10_000


def main(argv: list) -> int:
    story_dir = next((a for a in argv if not a.startswith("-")), None)
    script = Path(sys.executable).with_name("pizzaborg")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "pizzaborg"]
    cmd += ["story", "randomtest", "-n", str(GAMES), "--json"]
    if story_dir:
        cmd += ["--story", story_dir]
    if "--jobs" in argv:
        cmd += ["--jobs", argv[argv.index("--jobs") + 1]]
    t0 = time.perf_counter()
    run = subprocess.run(cmd, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    if run.returncode not in (0, 1):
        print(f"bench_randomtest: the command failed ({run.returncode}): {run.stderr.strip()}", file=sys.stderr)
        return 1
    data = json.loads(run.stdout)
    decisions = sum(data["choices"].values())
    verdict = "OK" if seconds <= BAR_SECONDS else "TOO SLOW"
    print(
        f"story randomtest -n {GAMES} ({data['story']['id']} {data['story']['version']}): {seconds:.2f} s "
        f"(bar {BAR_SECONDS:.0f} s) {verdict} — {decisions / GAMES:.1f} decisions per game, "
        f"{1e6 * data['seconds'] / max(1, decisions):.1f} µs per decision, {data['jobs']} process(es), "
        f"{len(data['failures'])} failure(s)"
    )
    return 0 if seconds <= BAR_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
