"""A real LRS for the `lrs` tests and the benchmarks: Ralph (PyPI ralph-malph[cli,lrs]) on 127.0.0.1.

Ralph lives in its own virtual environment (its pins are not ours): ``$PIZZABORG_RALPH_PYTHON``, else
``.venv-ralph/bin/python`` in the checkout (``make lrs-env`` and ``bash .ci/run`` create it).
:func:`ralph_python` says why not when it is missing. Users are made with Ralph's own ``ralph auth``;
the server is started by ``lrs_launcher.py`` (see there for the one workaround it applies).
"""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAUNCHER = Path(__file__).resolve().parent / "lrs_launcher.py"
TRAINER = ("trainer", "trainer-pw-1")  # all scopes: reads the cohort
KEY = ("cohort-key", "key-secret-2")  # statements/write only: what an assignment hands every learner
READY = "Uvicorn running on"


def ralph_python() -> tuple:
    """(path of the Python that has Ralph, None) or (None, why not)."""
    explicit = os.environ.get("PIZZABORG_RALPH_PYTHON")
    candidates = [Path(explicit)] if explicit else []
    candidates.append(ROOT / ".venv-ralph" / "bin" / "python")
    for c in candidates:
        if c.is_file():
            check = subprocess.run(
                [str(c), "-c", "import ralph.api, uvicorn, requests"],
                capture_output=True,
                text=True,
                timeout=120,
                env=dict(os.environ, RALPH_RUNSERVER_BACKEND="fs"),
            )
            if check.returncode == 0:
                return c, None
            return None, f"{c} cannot import Ralph's LRS ({(check.stderr.strip().splitlines() or ['?'])[-1]})"
    return None, (
        "Ralph (the LRS) is not installed: 'make lrs-env' installs ralph-malph[cli,lrs] into .venv-ralph "
        "(bash .ci/run does when PyPI is reachable), or set PIZZABORG_RALPH_PYTHON"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_auth_file(python: Path, path: Path) -> Path:
    """Ralph's credentials file, written by ``ralph auth`` (bcrypt hashes, scopes, an agent per user)."""
    env = dict(os.environ, RALPH_RUNSERVER_BACKEND="fs", RALPH_AUTH_FILE=str(path))
    ralph = str(Path(python).parent / "ralph")
    for (user, pw), scope, mbox in (
        (TRAINER, "all", "mailto:trainer@example.org"),
        (KEY, "statements/write", "mailto:cohort-key@example.org"),
    ):
        run = subprocess.run(
            [ralph, "auth", "-u", user, "-p", pw, "-s", scope, "-M", mbox, "-w"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if run.returncode != 0:
            raise RuntimeError(f"ralph auth failed: {run.stderr.strip()[-300:]}")
    return path


@dataclass
class Ralph:
    proc: subprocess.Popen
    port: int
    data: Path
    log: list

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI/"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)


def start(python: Path, data: Path, auth_file: Path, port: int | None = None, timeout: float = 90) -> Ralph:
    """Start Ralph and return once it says it is listening (an event, not a sleep)."""
    data.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    env = dict(os.environ, RALPH_LRS_RESTRICT_BY_AUTHORITY="true", RALPH_LRS_RESTRICT_BY_SCOPES="true")
    proc = subprocess.Popen(
        [str(python), str(LAUNCHER), "127.0.0.1", str(port), str(data), str(auth_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    lines: queue.Queue = queue.Queue()
    log: list = []

    def pump():
        for line in proc.stdout:
            log.append(line.rstrip())
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    server = Ralph(proc, port, data, log)
    while True:
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            server.stop()
            raise RuntimeError(f"Ralph did not start within {timeout:g} s: {' | '.join(log[-5:])}") from None
        if line is None:
            raise RuntimeError(f"Ralph exited at start: {' | '.join(log[-8:])}")
        if READY in line:
            return server


if __name__ == "__main__":  # python tests/ralph_server.py: start one by hand
    py, why = ralph_python()
    if py is None:
        sys.exit(why)
    base = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/pizzaborg-ralph")
    base.mkdir(parents=True, exist_ok=True)
    auth = base / "auth.json"
    if not auth.exists():
        make_auth_file(py, auth)
    r = start(py, base / "data", auth)
    print(f"Ralph at {r.url} (trainer {TRAINER[0]}/{TRAINER[1]}, key {KEY[0]}/{KEY[1]}); Ctrl+C stops it")
    try:
        r.proc.wait()
    except KeyboardInterrupt:
        r.stop()
