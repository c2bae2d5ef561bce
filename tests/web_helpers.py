"""Starting ``pizzaborg serve`` in a process and reading the page's terminal in Chromium.

Used by the class server's tests and by benchmarks/bench_web.py. Waits are on events (a line printed,
text on the page), never fixed sleeps.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

SCRIPT = Path(sys.executable).with_name("pizzaborg")
CHROMIUM = os.environ.get("PIZZABORG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Keep every xterm.js Terminal the page makes, so that the test reads what the browser has on screen
# (the terminal's buffer, which its canvas draws) without changing the product's page.
TERMINAL_HOOK = """
window.__pbTerms = [];
Object.defineProperty(Object.prototype, 'terminal', {configurable: true,
  set(v) { Object.defineProperty(this, 'terminal', {value: v, writable: true, configurable: true, enumerable: true});
           if (v && v.buffer && v.buffer.active) { window.__pbTerms.push(v); } },
  get() { return undefined; }});
"""
SCREEN_JS = """() => {
  const t = window.__pbTerms && window.__pbTerms[window.__pbTerms.length - 1];
  if (!t) { return ''; }
  const b = t.buffer.active; const rows = [];
  for (let i = 0; i < b.length; i++) { const l = b.getLine(i); rows.push(l ? l.translateToString(true) : ''); }
  return rows.join('\\n');
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def browser_problem() -> str | None:
    """Why the browser tests cannot run here, or None."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed: pip install -e '.[browser]' (make test-browser does)"
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        return (
            f"no Chromium at {CHROMIUM}: apt-get install chromium (the Debian package; .ci/run installs it "
            "when it runs as root; Playwright's own browser download is not used)"
        )
    return None


def chromium_path() -> str:
    return CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")


class ServerProcess:
    """``pizzaborg serve ARGS`` on a free loopback port; ``lines`` is what it printed so far."""

    def __init__(self, *args: str, cwd: Path, port: int | None = None, timeout: float = 30.0):
        for attempt in range(3):
            self.port = port or free_port()
            self._start(list(args), cwd)
            try:
                self.wait_for("PizzaBorg class server:", timeout)
                return
            except AssertionError:
                # tests run in parallel (make test): another worker may have taken the free port between
                # free_port() and the server's bind; only then is it tried again, on another port
                taken = self.proc.poll() is not None and any("cannot listen on" in line for line in self.lines)
                if port is not None or not taken or attempt == 2:
                    raise

    def _start(self, argv: list, cwd: Path) -> None:
        cmd = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "pizzaborg"]
        if "--port" not in argv:
            argv += ["--port", str(self.port)]
        self.proc = subprocess.Popen(
            cmd + ["serve", *argv],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: list = []
        self._q: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self._q.put(line.rstrip("\n"))
        self._q.put(None)

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        end = time.monotonic() + timeout
        for line in self.lines:
            if text in line:
                return line
        while True:
            try:
                line = self._q.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                raise AssertionError(
                    f"the server did not print {text!r} within {timeout} s: {self.lines[-10:]}"
                ) from None
            if line is None:
                raise AssertionError(
                    f"the server ended (exit {self.proc.wait()}) before printing {text!r}: {self.lines[-10:]}"
                )
            self.lines.append(line)
            if text in line:
                return line

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> int:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS, headless=True)


def screen(page) -> str:
    return page.evaluate(SCREEN_JS)


def wait_screen(page, *texts: str, timeout: float = 20.0) -> str:
    """Wait until every text is on the page's terminal; return the screen."""
    import json

    cond = (
        "() => { const s = (" + SCREEN_JS + ")(); return " + json.dumps(list(texts)) + ".every(t => s.includes(t)); }"
    )
    try:
        page.wait_for_function(cond, timeout=timeout * 1000, polling=50)
    except Exception:
        raise AssertionError(f"{texts} not on the page's screen after {timeout} s:\n{screen(page)}") from None
    return screen(page)


def press_until(page, key: str, *texts: str, tries: int = 3, timeout: float = 6.0) -> str:
    """Press ``key`` until every text shows: a key that reaches the game while a screen is still being
    swapped can be dropped by the browser's terminal, so it is pressed again (at most ``tries`` times)."""
    for attempt in range(tries):
        page.keyboard.press(key)
        try:
            return wait_screen(page, *texts, timeout=timeout if attempt < tries - 1 else 20.0)
        except AssertionError:
            if attempt == tries - 1:
                raise
    raise AssertionError("unreachable")
