"""Checking the story's translations: five complete languages of the shipped story in under 1 s.

Bar (issue 21): ``story l10n check`` of all five languages (nl, sv, nb, es-419, fr) under 1 s: the
shipped story's own translations, complete and clean, so the checker reads and measures every entry.
Also measured: reading and applying one language, what a game in a language
adds to its start-up, the first time and from the translation cache.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pizzaborg.author.l10n import check
from pizzaborg.engine import l10n, load_story

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("nl", "sv", "nb", "es-419", "fr")


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        dst = Path(tmp) / "story"
        shutil.copytree(ROOT / "story", dst)
        story = load_story(dst)  # a copy: the timings below use a translation cache of their own
        lines, _ = check(story, list(LANGS))  # warm up
        assert not lines, lines[:3]
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            lines, _ = check(story, list(LANGS))
            times.append(time.perf_counter() - t0)
        t_check = statistics.median(times)
        os.environ["PIZZABORG_CACHE"] = str(Path(tmp) / "cache")  # a cold translation cache, then warm
        t0 = time.perf_counter()
        l10n.translate(story, "sv")
        t_cold = time.perf_counter() - t0
        applied = []
        for _ in range(5):
            t0 = time.perf_counter()
            l10n.translate(story, "sv")
            applied.append(time.perf_counter() - t0)
        t_apply = statistics.median(applied)
        entries = len(l10n.entries(story))
    ok_check = t_check < 1.0
    ok_cold = t_cold < 0.2
    ok_apply = t_apply < 0.02
    print(
        f"l10n check, 5 languages x {entries} entries {t_check * 1000:7.0f} ms (bar <= 1000 ms)   "
        f"{'PASS' if ok_check else 'FAIL'}"
    )
    print(
        f"l10n read and apply one language, first time {t_cold * 1000:7.1f} ms (bar <= 200 ms)   "
        f"{'PASS' if ok_cold else 'FAIL'}"
    )
    print(
        f"l10n read and apply one language, cached {t_apply * 1000:7.1f} ms (bar <= 20 ms)   "
        f"{'PASS' if ok_apply else 'FAIL'}"
    )
    return 0 if ok_check and ok_cold and ok_apply else 1


if __name__ == "__main__":
    sys.exit(main())
