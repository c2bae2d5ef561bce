"""A class of 60 over two class servers behind nginx (issue 22 §3), with one server killed during class.

Two ``pizzaborg serve`` processes share one data folder, access code, assignment and hand-ins folder;
Debian's nginx runs deploy/nginx.conf in front of them (tests/proxy_helpers.py: the same files and
learners as tests/test_web_nginx.py). 60 learners play the mini assignment to its end over websockets
(no browser), at most 10 at once. When 20 have handed in, server A is killed (SIGKILL: its games die
with it); when 40 have, it is started again. A learner whose game went continues from their autosave on
whichever server nginx sends them to.

Figures: hand-ins lost (learners who started without a signed hand-in at the end; bar 0), the cohort
over the shared hand-ins against the sum of the games each server finished (bar: equal), and the times
(each learner's page to hand-in, median and slowest; the whole class).
Without nginx or the web extra a figure cannot be taken: it prints FAIL with why.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests"))

LEARNERS, AT_ONCE, KILL_AT, BACK_AT = 60, 10, 20, 40
log: list[str] = []  # what each learner went through, printed for the learners with a problem
CODE = "BENCH-PROXY-60"
TRIES = 6  # a learner's page opened again after its server went (or while nginx finds out)


async def a_learner(n: int, url: str, data: Path, servers: dict, times: dict, ends: dict, problems: list) -> None:
    import aiohttp
    from proxy_helpers import Learner, where

    name = f"Learner {n:02d}"
    learner = Learner(url, name, CODE)
    t0 = time.perf_counter()
    last_seen = "?"  # the server that ran the learner's game when last asked
    try:
        for attempt in range(TRIES):
            try:
                await learner.open()
                how = await learner.start()
                log.append(f"{name}: attempt {attempt + 1}: {how}")
                if how == "ended":  # handed in just before its server went: its server is the last one seen
                    ends[name] = last_seen
                    break
                if how == "new":
                    await learner.wait_for("learner name")  # the game runs: where?
                running = {srv.proc.pid: k for k, srv in servers.items() if srv.proc.poll() is None}
                last_seen = _where_or(learner, data, running, where)
                await learner.play()
                running = {srv.proc.pid: k for k, srv in servers.items() if srv.proc.poll() is None}
                ends[name] = _where_or(learner, data, running, where)
                log.append(f"{name}: handed in on {ends[name]} (attempt {attempt + 1})")
                break
            except (TimeoutError, ConnectionError, aiohttp.ClientError) as exc:
                if learner.ws is not None:
                    await learner.ws.close()
                log.append(f"{name}: attempt {attempt + 1} lost its game: {type(exc).__name__}: {exc}")
                if attempt == TRIES - 1:
                    problems.append(f"{name}: {type(exc).__name__}: {exc}")
        times[name] = time.perf_counter() - t0
        if learner.finished and learner.ws is not None and not learner.ws.closed:
            try:  # as a learner who closes the game: its seat is free for the next at once
                await learner.quit()
            except (TimeoutError, ConnectionError, aiohttp.ClientError, AssertionError) as exc:
                log.append(f"{name}: could not quit: {type(exc).__name__}: {exc}")
    except AssertionError as exc:
        problems.append(f"{name}: {str(exc)[:300]}")
    finally:
        await learner.close()


def _where_or(learner, data: Path, running: dict, where) -> str:
    try:
        return where(learner, data, running)
    except AssertionError:  # the game has left already (it ends with the hand-in)
        return "?"


async def the_class(url: str, data: Path, servers: dict, restart) -> tuple:
    times: dict[str, float] = {}
    ends: dict[str, str] = {}
    problems: list[str] = []
    gate = asyncio.Semaphore(AT_ONCE)
    killed = back = False

    async def one(n: int) -> None:
        nonlocal killed, back
        async with gate:
            await a_learner(n, url, data, servers, times, ends, problems)
        done = len(times)
        if done >= KILL_AT and not killed:
            killed = True
            servers["A"].proc.kill()  # SIGKILL: its games die with it
            servers["A"].proc.wait()
        if done >= BACK_AT and killed and not back:
            back = True
            await asyncio.get_running_loop().run_in_executor(None, restart)

    t0 = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(1, LEARNERS + 1)))
    return times, ends, problems, time.perf_counter() - t0


def main() -> int:
    try:
        import textual_serve  # noqa: F401
        from proxy_helpers import NginxProcess, make_assignment, nginx_problem
        from web_helpers import SCRIPT, ServerProcess, free_port
    except ImportError as exc:
        print(f"60 learners behind nginx: not measured: {exc} (bar <= 0 hand-ins lost)   FAIL")
        return 1
    problem = nginx_problem()
    if problem:
        print(f"60 learners behind nginx: not measured: {problem} (bar <= 0 hand-ins lost)   FAIL")
        return 1
    # the learners hand in in the same minute: their reports are told apart by session, not by time
    from pizzaborg.trainer.classrecord import read_record, trainer_keys

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        data, hand_ins = tmp_path / "data", tmp_path / "hand-ins"
        args = [
            "--story", str(ROOT / "tests" / "fixtures" / "mini"), "--assignment", str(make_assignment(tmp_path)),
            "--hand-ins", str(hand_ins), "--data-dir", str(data), "--code", CODE, "--trusted-proxy", "127.0.0.1",
            "--pool", "2", "--max-sessions", "30",
        ]  # fmt: skip
        servers = {"A": ServerProcess(*args, cwd=tmp_path)}
        try:
            servers["B"] = ServerProcess(*args, cwd=tmp_path)
            port_a = servers["A"].port

            def restart() -> None:
                servers["A"] = ServerProcess(*args, cwd=tmp_path, port=port_a)

            with NginxProcess([servers["A"].port, servers["B"].port], free_port()) as nginx:
                times, ends, problems, took = asyncio.run(the_class(nginx.url, data, servers, restart))
        finally:
            for srv in servers.values():
                srv.stop()
        keys, _ = trainer_keys([hand_ins])
        handed: list[str] = []
        for report in hand_ins.glob("*.json"):
            record, why = read_record(report, keys)
            if record is not None:
                handed.append(record["learner_as_typed"])
            else:
                problems.append(f"{report.name}: {why}")
        cmd = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "pizzaborg"]
        argv = ["cohort", str(hand_ins), "--story", str(ROOT / "tests" / "fixtures" / "mini"), "--format", "json"]
        out = subprocess.run(cmd + argv, capture_output=True, text=True, timeout=300)
        cohort = json.loads(out.stdout) if out.returncode == 0 else {}
    for line in problems[:10]:
        print(f"  problem: {line}", file=sys.stderr)
    for name in sorted({n for n in handed if handed.count(n) > 1}):
        print(f"  handed in twice: {name}: {[line for line in log if line.startswith(name + ':')]}", file=sys.stderr)
    started = [f"Learner {n:02d}" for n in range(1, LEARNERS + 1)]
    lost = [name for name in started if name not in handed]
    twice = len(handed) - len(set(handed))
    a, b = (sum(1 for s in ends.values() if s == k) for k in ("A", "B"))
    unknown = sum(1 for s in ends.values() if s == "?")
    spans = sorted(times.values())
    ok = not lost and not twice
    print(
        f"{LEARNERS} learners over two servers behind nginx, A killed after {KILL_AT} hand-ins and back after "
        f"{BACK_AT}: {len(lost)} hand-ins lost, {twice} twice (bar <= 0 lost)   page to hand-in "
        f"{statistics.median(spans):.1f} s median, {spans[-1]:.1f} s slowest, the class in {took:.0f} s "
        f"({AT_ONCE} at once)   {'PASS' if ok else 'FAIL'}"
    )
    count = cohort.get("learners", -1)
    ok = count == a + b + unknown == len(handed)
    print(
        f"cohort over the shared hand-ins: {count} learners, {cohort.get('verified', 0)} verified by the class "
        f"server's record; games finished on A {a}, on B {b}" + (f", not told {unknown}" if unknown else "")
        + f" (bar = the sum, {a + b + unknown})   {'PASS' if ok else 'FAIL'}"
    )  # fmt: skip
    return 0 if ok and not lost and not twice else 1


if __name__ == "__main__":
    sys.exit(main())
