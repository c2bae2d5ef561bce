"""Loading and checking a generated story: 10,000 scenes against 1,000.

Bar (issue 2): ratio at most 12 (linear) and the 10,000-scene story in under 2 s.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from genstory import write_story  # noqa: E402

from pizzaborg.author.check import check_story  # noqa: E402


def measure(path: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        story, problems = check_story(path)
        times.append(time.perf_counter() - t0)
        assert story is not None and not problems, problems[:3]
    return statistics.median(times)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        small = write_story(Path(tmp) / "s1000", 1_000)
        large = write_story(Path(tmp) / "s10000", 10_000)
        measure(small, 1)  # warm up imports and caches
        t_small = measure(small, 5)
        t_large = measure(large, 3)
    ratio = t_large / t_small
    ok = ratio <= 12 and t_large < 2.0
    print(
        f"loader  1,000 scenes {t_small * 1000:7.0f} ms   10,000 scenes {t_large * 1000:7.0f} ms   "
        f"ratio {ratio:5.2f} (bar <= 12)   10k under 2 s: {'yes' if t_large < 2.0 else 'NO'}   "
        f"{'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
