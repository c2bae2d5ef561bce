"""The class server (issue 12): the page in a browser against the terminal game, and many sessions at once.

1. Page load to the title drawn in the system Chromium (Playwright; a fresh browser context each run,
   so a new session and a new game process), against the same game's start to its title in a 100×30
   pseudo-terminal (bench_tui_start's clock). Medians of several runs, alternating. Bar: 3×.
2. 1, 10 and 30 sessions opened at once by websocket clients (no browser: 30 Chromium pages would
   measure Chromium on this 2-core machine, not the server): time from the page request to the title's
   text arriving on the session's websocket (median and slowest), and memory per session (the game
   processes' proportional set size, PSS, which counts shared library pages once, plus the server's
   own growth shared out). Bars: with 30 sessions the slowest title within 60 s, and at most 150 MB
   per session.

Without textual-serve, Playwright or Chromium the figures cannot be taken: each prints FAIL with why.
"""

from __future__ import annotations

import asyncio
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(HERE))

MINI = ROOT / "tests" / "fixtures" / "mini"
RUNS = 5
LEVELS = (1, 10, 30)
RATIO_BAR, SLOWEST_BAR, MB_BAR = 3.0, 60.0, 150.0
ANSI = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\|[@-Z\\-_])")


def pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def children(pid: int) -> list:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def browser_vs_terminal(srv, tmp: str) -> tuple:
    from bench_tui_start import time_to_text
    from playwright.sync_api import sync_playwright
    from web_helpers import SCRIPT, TERMINAL_HOOK, launch_chromium, wait_screen

    game = ([str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "pizzaborg"]) + ["--story", str(MINI)]
    web, term = [], []
    with sync_playwright() as p:
        browser = launch_chromium(p)

        def page_once() -> float:
            context = browser.new_context(viewport={"width": 1000, "height": 640})
            page = context.new_page()
            page.add_init_script(TERMINAL_HOOK)
            t0 = time.perf_counter()
            page.goto(srv.url)
            wait_screen(page, "New game", timeout=60)
            took = time.perf_counter() - t0
            context.close()
            return took

        page_once()  # warm-up: caches, .pyc files
        time_to_text(game, b"New game", tmp)
        for _ in range(RUNS):
            web.append(page_once())
            term.append(time_to_text(game, b"New game", tmp))
        browser.close()
    return statistics.median(web), statistics.median(term)


async def open_sessions(url: str, n: int) -> tuple:
    import aiohttp

    sessions = [aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) for _ in range(n)]
    sockets = []

    async def one(http) -> float:
        t0 = time.perf_counter()
        async with http.get(url + "/") as r:
            await r.read()
            if r.status != 200:
                raise RuntimeError(f"the page answered {r.status}")
        ws = await http.ws_connect(url + "/ws?width=100&height=30")
        sockets.append(ws)
        seen = b""
        while True:
            msg = await ws.receive(timeout=120)
            if msg.type != aiohttp.WSMsgType.BINARY:
                if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                    raise RuntimeError("a session closed before its title")
                continue
            seen += msg.data
            if b"New game" in ANSI.sub(b"", seen):
                return time.perf_counter() - t0

    times = await asyncio.gather(*(one(h) for h in sessions))
    return times, sockets, sessions


async def close_all(sockets, sessions) -> None:
    for ws in sockets:
        await ws.close()
    for h in sessions:
        await h.close()


def concurrency(srv) -> list:
    rows = []
    base = pss_kb(srv.proc.pid)
    for n in LEVELS:

        async def level(n: int = n):
            times, sockets, sessions = await open_sessions(srv.url, n)
            kids = [k for k in children(srv.proc.pid)]
            games = sum(pss_kb(k) for k in kids)
            server_growth = max(0, pss_kb(srv.proc.pid) - base)
            await close_all(sockets, sessions)
            return times, len(kids), (games + server_growth) / n / 1024

        times, procs, mb = asyncio.run(level())
        end = time.monotonic() + 60
        while children(srv.proc.pid) and time.monotonic() < end:  # every game has left (event: process gone)
            time.sleep(0.1)
        rows.append((n, statistics.median(times), max(times), mb, procs))
    return rows


def main() -> int:
    try:
        import textual_serve  # noqa: F401
        from web_helpers import ServerProcess, browser_problem
    except ImportError as exc:
        print(f"class server figures not taken: {exc} (bar <= {RATIO_BAR}) FAIL")
        return 1
    problem = browser_problem()
    code = 0
    with tempfile.TemporaryDirectory() as tmp:
        with ServerProcess(
            "--story",
            str(MINI),
            "--data-dir",
            str(Path(tmp) / "data"),
            "--max-sessions",
            str(max(LEVELS)),
            cwd=Path(tmp),
        ) as srv:
            if problem:
                print(f"browser page load to title: not measured: {problem} (bar <= {RATIO_BAR})   FAIL")
                code = 1
            else:
                web, term = browser_vs_terminal(srv, tmp)
                ratio = web / term
                ok = ratio <= RATIO_BAR
                code |= not ok
                print(
                    f"browser page load to title drawn {web * 1000:6.0f} ms   terminal start to title "
                    f"{term * 1000:6.0f} ms   "
                    f"ratio {ratio:4.2f} (bar <= {RATIO_BAR})   {'PASS' if ok else 'FAIL'}"
                )
            for n, median, slowest, mb, procs in concurrency(srv):
                ok = mb <= MB_BAR and (n < max(LEVELS) or slowest <= SLOWEST_BAR)
                code |= not ok
                print(
                    f"{n:2d} sessions at once: title in {median:5.1f} s median, {slowest:5.1f} s slowest; "
                    f"{mb:5.1f} MB per session ({procs} game processes) "
                    f"(bar <= {MB_BAR:g} MB{f', slowest <= {SLOWEST_BAR:g} s' if n == max(LEVELS) else ''})   "
                    f"{'PASS' if ok else 'FAIL'}"
                )
    return code


if __name__ == "__main__":
    sys.exit(main())
