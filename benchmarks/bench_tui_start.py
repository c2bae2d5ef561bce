"""Process start to the title screen drawn, against a bare Textual app that draws one Static.

Bar (issue 4): at most 1.3× the bare app. Both run in a pseudo-terminal of 100×30; the clock stops
when the screen's text appears on the terminal (the title menu's "New game" for PizzaBorg, the Static's
text for the bare app). Medians of several runs, after one warm-up run each.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

RUNS = 15
TIMEOUT = 20.0
ANSI = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\|[@-Z\\-_])")

BARE_APP = """
from textual.app import App
from textual.widgets import Static


class Bare(App):
    def compose(self):
        yield Static("Hello from a bare Textual app")

    def on_mount(self):
        self.call_after_refresh(self.exit)


Bare().run()
"""


def time_to_text(cmd: list, marker: bytes, cwd: str) -> float:
    """Seconds from starting ``cmd`` in a 100×30 pty until ``marker`` shows on its screen."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", COLUMNS="100", LINES="30")
    env.pop("NO_COLOR", None)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env, start_new_session=True)
    os.close(slave)
    seen = b""
    try:
        while True:
            left = TIMEOUT - (time.perf_counter() - t0)
            if left <= 0:
                raise RuntimeError(
                    f"{cmd[-1]}: {marker!r} not drawn within {TIMEOUT} s; screen so far: {ANSI.sub(b'', seen)[-300:]!r}"
                )
            ready, _, _ = select.select([master], [], [], left)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                raise RuntimeError(f"{cmd}: exited before drawing {marker!r}: {ANSI.sub(b'', seen)[-300:]!r}")
            seen += chunk
            if marker in ANSI.sub(b"", seen):
                return time.perf_counter() - t0
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        os.close(master)


def median_times(a: tuple, b: tuple, cwd: str, runs: int = RUNS) -> tuple:
    """Medians for two (cmd, marker) pairs, run alternately so that load on the machine hits both."""
    time_to_text(*a, cwd)  # warm the file cache and .pyc files
    time_to_text(*b, cwd)
    ta, tb = [], []
    for _ in range(runs):
        ta.append(time_to_text(*a, cwd))
        tb.append(time_to_text(*b, cwd))
    return statistics.median(ta), statistics.median(tb)


def main() -> int:
    story_dir = sys.argv[1] if len(sys.argv) > 1 else None
    script = Path(sys.executable).with_name("pizzaborg")
    game = [str(script)] if script.exists() else [sys.executable, "-m", "pizzaborg"]
    if story_dir:
        game += ["--story", str(Path(story_dir).resolve())]
    with tempfile.TemporaryDirectory() as tmp:
        bare_py = Path(tmp) / "bare_app.py"
        bare_py.write_text(BARE_APP, encoding="utf-8")
        bare, ours = median_times(
            ([sys.executable, str(bare_py)], b"Hello from a bare Textual app"), (game, b"New game"), tmp
        )
    ratio = ours / bare
    ok = ratio <= 1.3
    print(
        f"TUI start to title drawn {ours * 1000:6.0f} ms   bare Textual app drawn {bare * 1000:6.0f} ms   "
        f"ratio {ratio:4.2f} (bar <= 1.3)   {'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
