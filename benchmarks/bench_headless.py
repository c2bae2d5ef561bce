"""A whole headless game, as a process, against a process that only imports yaml and transitions.

Bar (issue 2): `pizzaborg play --choices … --json` of a whole game at most 2.0× the time of
`python -c "import yaml, transitions"`. Also checks that the headless path never imports Textual.
``--lang XX`` plays the same game in a language (issue 21: the bar holds in English and in each).
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from pizzaborg.engine import Game, load_story

RUNS = 15


def whole_game_choices(story_dir=None) -> str:
    story = load_story(story_dir)
    game = Game(story, seed=7)
    numbers: list = []
    for _ in range(1000):  # a bound: a story that never ends fails here instead of hanging the bench
        if game.over:
            break
        available = [c.n for c in game.scene.choices if c.available]
        pick = available[len(numbers) % len(available)]  # a varied but fixed path the capacity allows
        numbers.append(pick)
        game.choose_number(pick)
    else:
        raise SystemExit("bench_headless: the game did not end within 1,000 decisions")
    return ",".join(map(str, numbers))


def timed(cmd: list, runs: int = RUNS) -> tuple:
    """Median wall time and median CPU time (user + system of the child) of ``runs`` runs.

    CPU time is the figure compared with the bar: it is the work the command does, and it hardly
    moves when other processes share the machine, while wall time does."""
    # the warm-up run writes the .pyc files: any non-empty PYTHONDONTWRITEBYTECODE (even "0") stops
    # that, and every run would then compile the modules changed since the last write
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(cmd, check=True, capture_output=True, env=env)  # warm the file cache, .pyc files, story cache
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return statistics.median(walls), statistics.median(cpus)


def main() -> int:
    argv = sys.argv[1:]
    lang = None
    if "--lang" in argv:  # the same game in a language (issue 21: the bar holds in each)
        at = argv.index("--lang")
        lang = argv[at + 1]
        del argv[at : at + 2]
    story_dir = argv[0] if argv else None
    choices = whole_game_choices(story_dir)
    script = Path(sys.executable).with_name("pizzaborg")
    play = [str(script)] if script.exists() else [sys.executable, "-m", "pizzaborg"]
    play += ["play", "--choices", choices, "--seed", "7", "--json"] + (["--lang", lang] if lang else [])
    if story_dir:
        play += ["--story", story_dir]
    out = subprocess.run(play, check=True, capture_output=True, text=True).stdout
    result = json.loads(out)
    assert result["over"], "the benchmark game must be a whole game"
    args = play[1:] if script.exists() else play[3:]
    probe_code = (
        "import contextlib, io, sys\n"
        "from pizzaborg.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    main({args!r})\n"
        "print(any(m.split('.')[0] in ('textual', 'rich') for m in sys.modules))\n"
    )
    probe = subprocess.run(
        [sys.executable, "-c", probe_code], check=True, capture_output=True, text=True
    ).stdout.strip()
    base_wall, base = timed([sys.executable, "-c", "import yaml, transitions"])
    game_wall, game = timed(play)
    ratio = game / base
    ok = ratio <= 2.0 and probe == "False"
    print(
        f"headless whole game{f' in {lang}' if lang else ''} ({len(result['decisions'])} decisions) "
        f"{game * 1000:4.0f} ms CPU   "
        f"import yaml, transitions {base * 1000:4.0f} ms CPU   ratio {ratio:4.2f} (bar <= 2.0)   "
        f"wall {game_wall * 1000:.0f}/{base_wall * 1000:.0f} ms = {game_wall / base_wall:4.2f}   "
        f"textual imported: {'no' if probe == 'False' else 'YES'}   {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
