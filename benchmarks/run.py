"""Run every benchmarks/bench_*.py and print one table: each figure, its bar, pass or fail.

Each benchmark prints one line per figure that ends in PASS or FAIL and names its bar as
``(bar <= N)``; this runner gathers those lines. ``--record`` also writes the table, with the date
and the machine, into docs/performance.md (between the markers there).

Exit 0 when every benchmark passes, 1 otherwise.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
DOC = HERE.parent / "docs" / "performance.md"
BEGIN, END = "<!-- bench-table:begin -->", "<!-- bench-table:end -->"
ROW = re.compile(r"^(?P<figure>.*?)\s*\((?P<bar>bar[^)]*)\)(?P<rest>.*?)\s*(?P<result>PASS|FAIL)\s*$")


def run_one(path: Path) -> list:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, str(path)], capture_output=True, text=True)
    took = time.perf_counter() - t0
    rows = []
    for line in proc.stdout.splitlines():
        m = ROW.match(line.strip())
        if m:
            figure = re.sub(r"\s{2,}", "  ", m["figure"].strip())
            rest = re.sub(r"\s{2,}", "  ", m["rest"].strip())
            rows.append((path.stem, figure + (f"; {rest}" if rest else ""), m["bar"], m["result"]))
    if not rows:
        why = (proc.stderr.strip().splitlines() or ["no PASS/FAIL line"])[-1]
        rows.append((path.stem, f"did not report a figure: {why}", "-", "FAIL"))
    elif proc.returncode != 0 and all(r[3] == "PASS" for r in rows):
        rows.append((path.stem, f"exited {proc.returncode}", "-", "FAIL"))
    print(f"  {path.name} ({took:.1f} s)", file=sys.stderr)
    return rows


def table(rows: list) -> str:
    head = ("benchmark", "figure", "bar", "result")
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(4)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=False)) + " |"]
    lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        lines.append("| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=False)) + " |")
    return "\n".join(lines)


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores{', ' + cpu if cpu else ''}, Python "
        f"{platform.python_version()}"
    )


def record(text: str) -> None:
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = f"{BEGIN}\nLatest run: {stamp} on {machine()}.\n\n{text}\n{END}"
    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Performance\n\n" + BEGIN + "\n" + END + "\n"
    if BEGIN in doc and END in doc:
        doc = doc[: doc.index(BEGIN)] + block + doc[doc.index(END) + len(END) :]
    else:
        doc = doc.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(doc, encoding="utf-8")


def main(argv: list) -> int:
    rows = []
    for path in sorted(HERE.glob("bench_*.py")):
        rows.extend(run_one(path))
    text = table(rows)
    print(text)
    if "--record" in argv:
        record(text)
        print(f"recorded in {DOC.relative_to(HERE.parent)}")
    return 0 if all(r[3] == "PASS" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
