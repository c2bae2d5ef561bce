"""The SCORM dispatch packages in Chromium, with scorm-again standing in for the LMS (issue 23, item 3).

A tiny LMS page (on ``localhost``: another site than the class server on ``127.0.0.1``, so no cookie of
the class server reaches its frame) makes scorm-again's Scorm12API or Scorm2004API with a learner id and
name, and frames the package's launch page as an LMS does. The launch page trades its token for a one-time
launch URL, frames the game; a whole game is played with keys; the test then reads the API's final cmi
values (status, score and, in 2004, the learning points as objectives) and checks them against the report
the class server recorded. scorm-again comes from npm, pinned in tests/npm/scorm (make scorm-env).
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import subprocess
import sys
import threading
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest
from conftest import MINI_DIR
from web_helpers import SCREEN_JS, SCRIPT, TERMINAL_HOOK, ServerProcess, browser_problem, launch_chromium, screen

from pizzaborg.trainer import lms_package as L

pytestmark = pytest.mark.browser

SCORM_AGAIN = Path(__file__).resolve().parent / "npm" / "scorm" / "node_modules" / "scorm-again" / "dist"
LEARNER_ID, LEARNER_NAME = "lms-learner-0042", "O'Neil, Ada"
LMS_LANG = {"scorm12": "sv-SE", "scorm2004": "fr"}  # the learner's language in the LMS: the launch page's
LMS_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>LMS stand-in</title>
<script src="/scorm-again.js"></script>
<script>
  const q = new URLSearchParams(location.search), v = q.get("v"), lang = q.get("lang") || "";
  if (v === "12") {{
    window.API = new Scorm12API({{autocommit: false, logLevel: 5}});
    window.API.cmi.core.student_id = {id}; window.API.cmi.core.student_name = {name};
    window.API.cmi.student_preference.language = lang;
  }} else {{
    window.API_1484_11 = new Scorm2004API({{autocommit: false, logLevel: 5}});
    window.API_1484_11.cmi.learner_id = {id}; window.API_1484_11.cmi.learner_name = {name};
    window.API_1484_11.cmi.learner_preference.language = lang;
  }}
</script></head>
<body><iframe id="sco" title="course" src="/pkg/launch.html" style="width:1100px;height:760px"></iframe></body></html>
""".format(id=json.dumps(LEARNER_ID), name=json.dumps(LEARNER_NAME))


@pytest.fixture(scope="module")
def browser():
    problem = browser_problem()
    if problem:
        pytest.skip(problem)
    if not (SCORM_AGAIN / "scorm-again.js").is_file():
        pytest.skip("scorm-again is not installed: make scorm-env (npm ci in tests/npm/scorm)")
    pytest.importorskip("textual_serve", reason="the web extra is not installed: pip install -e '.[web]'")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


# post a forged result to the launch page, then a marker: messages arrive in order, so when the marker
# has, the forged one was handled (and must have changed nothing)
FORGE_JS = """(element) => new Promise(resolve => {
  const sco = document.getElementById('sco').contentWindow;
  const api = window.API || window.API_1484_11;
  sco.addEventListener('message', e => {
    if (e.data === 'marker') { resolve((api.LMSGetValue || api.GetValue).call(api, element)); }
  });
  sco.postMessage({type: 'pizzaborg-result', completed: true, score: 100, passed: true, objectives: []}, '*');
  sco.postMessage('marker', '*');
})"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


class Lms:
    """The LMS stand-in: a static site on localhost serving its page, scorm-again and the unzipped package."""

    def __init__(self, root: Path, package: Path) -> None:
        (root / "pkg").mkdir(parents=True)
        zipfile.ZipFile(package).extractall(root / "pkg")
        shutil.copy(SCORM_AGAIN / "scorm-again.js", root / "scorm-again.js")
        (root / "index.html").write_text(LMS_PAGE, encoding="utf-8")
        handler = functools.partial(_Quiet, directory=str(root))
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://localhost:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class FakeLrs:
    """The assignment's LRS, for dual tracking: keeps the statements POSTed to it; ``got`` is set once some came."""

    def __init__(self) -> None:
        self.statements: list = []
        self.got = threading.Event()
        lrs = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                lrs.statements.extend(body)
                out = json.dumps([st["id"] for st in body]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)
                lrs.got.set()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.httpd.server_address[1]}/xAPI/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class GameFrame:
    """The game's frame seen as the web_helpers see a page: its screen, and the page's keyboard."""

    def __init__(self, page, frame) -> None:
        self.page, self.frame, self.keyboard = page, frame, page.keyboard

    def evaluate(self, *args, **kwargs):
        return self.frame.evaluate(*args, **kwargs)

    def wait_for_function(self, *args, **kwargs):
        return self.frame.wait_for_function(*args, **kwargs)


def _cli(*args: str, cwd: Path) -> None:
    cmd = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "pizzaborg"]
    done = subprocess.run(cmd + list(args), cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def _play_to_the_end(game: GameFrame) -> str:
    from web_helpers import press_until, wait_screen

    wait_screen(game, "New game", "A small test story", timeout=60)
    game.frame.click("#terminal")
    game.keyboard.press("n")
    # the LMS's learner, as for a cmi5 launch (web/lms.py): nothing is typed
    wait_screen(game, "assignment for", "as your LMS knows you", LEARNER_NAME)
    game.keyboard.press("Enter")
    wait_screen(game, "You run the IT of a small bakery.")
    game.keyboard.press("Enter")
    wait_screen(game, "The oven controller needs a patch.")
    press_until(game, "1", "The Collective")
    for _ in range(40):
        shown = screen(game)
        if "Ending:" in shown:
            break
        dialog = "█▀▀" in shown or "(Enter)" in shown or "The Collective" in shown
        key = "1" if re.search(r"│\s+1\. ", shown) and not dialog else "Enter"
        before = shown
        for _attempt in range(3):
            game.keyboard.press(key)
            try:
                game.wait_for_function(
                    "(before) => (" + SCREEN_JS + ")() !== before", arg=before, timeout=8000, polling=50
                )
                break
            except Exception:
                continue
    return wait_screen(game, "Ending:", "Your report is handed in", timeout=30)


def _lms_result(page, kind: str) -> tuple[dict, list]:
    """The values the SCORM API holds once the launch page wrote the game's result."""
    api = "window.API" if kind == "scorm12" else "window.API_1484_11"
    done = (
        "() => ['passed', 'failed', 'completed'].includes(window.API.LMSGetValue('cmi.core.lesson_status'))"
        if kind == "scorm12"
        else "() => window.API_1484_11.GetValue('cmi.completion_status') === 'completed'"
    )
    page.wait_for_function(done, timeout=60000, polling=100)
    get = "LMSGetValue" if kind == "scorm12" else "GetValue"
    names = (
        ["cmi.core.lesson_status", "cmi.core.score.raw", "cmi.core.score.max", "cmi.core.student_id"]
        if kind == "scorm12"
        else [
            "cmi.completion_status",
            "cmi.success_status",
            "cmi.score.scaled",
            "cmi.score.raw",
            "cmi.objectives._count",
            "cmi.learner_id",
        ]
    )
    values = page.evaluate("(names) => Object.fromEntries(names.map(n => [n, " + api + "." + get + "(n)]))", names)
    objectives = []
    if kind == "scorm2004":
        objectives = page.evaluate(
            "(n) => [...Array(n).keys()].map(i => ['id', 'score.scaled', 'success_status', "
            "'completion_status'].map(k => window.API_1484_11.GetValue('cmi.objectives.' + i + '.' + k)))",
            int(values["cmi.objectives._count"]),
        )
    return values, objectives


@pytest.mark.timeout(300)
@pytest.mark.parametrize("kind", ["scorm12", "scorm2004"])
def test_a_whole_game_launched_from_a_scorm_lms_reports_status_score_and_points(browser, tmp_path, kind):
    lrs = FakeLrs()
    _cli("assignment", "new", "--story", str(MINI_DIR), "--cohort", "LMS class", "--seed", "7", "--mastery", "0.5",
         "--lrs", lrs.endpoint, "-o", "hw.yaml", cwd=tmp_path)  # fmt: skip
    hand_ins = tmp_path / "hand-ins"
    with ServerProcess(
        "--story", str(MINI_DIR), "--assignment", "hw.yaml", "--hand-ins", str(hand_ins), "--data-dir", "data",
        cwd=tmp_path,
    ) as srv:  # fmt: skip
        _cli("package", kind, "--story", str(MINI_DIR), "--assignment", "hw.yaml", "--url", srv.url + "/",
             "--hand-ins", str(hand_ins), "-o", "pkg.zip", cwd=tmp_path)  # fmt: skip
        lms = Lms(tmp_path / "lms", tmp_path / "pkg.zip")
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 860})
            page.add_init_script(TERMINAL_HOOK)  # every frame: the game's terminal is read in its own frame
            launches: list[str] = []
            page.on(
                "response",
                lambda r: launches.append(r.json()["url"]) if r.url.endswith("/scorm/launch") and r.ok else None,
            )
            page.goto(f"{lms.url}/index.html?v={'12' if kind == 'scorm12' else '2004'}&lang={LMS_LANG[kind]}")
            page.wait_for_function(
                "() => [...document.querySelectorAll('iframe')].length > 0", timeout=10000, polling=50
            )
            sco = page.frame_locator("#sco")
            sco.frame_locator("#pb-game").locator("#terminal").wait_for(timeout=30000)  # the game's page is in
            game_frame = next(f for f in page.frames if "/scorm/" in f.url)
            # a result posted by any other page than the game's frame is ignored (here: the LMS page itself)
            forged = page.evaluate(FORGE_JS, "cmi.core.lesson_status" if kind == "scorm12" else "cmi.completion_status")
            assert forged == "incomplete"
            _play_to_the_end(GameFrame(page, game_frame))

            values, objectives = _lms_result(page, kind)
            status = page.frame_locator("#sco").locator("#status").text_content()
            page.close()

            # the LMS lost it (a new attempt, a window closed before the result came): the same learner's next
            # launch reports the game finished before, at once, from the same session
            again_page = browser.new_page(viewport={"width": 1200, "height": 860})
            again_page.goto(f"{lms.url}/index.html?v={'12' if kind == 'scorm12' else '2004'}")
            assert _lms_result(again_page, kind) == (values, objectives)
            again_page.close()
        finally:
            lms.close()

        # dual tracking: the game's full xAPI record went to the assignment's LRS as well
        assert lrs.got.wait(30), "no statements reached the assignment's LRS"
        lrs.close()

        # the one-time launch URL was used: a second use is refused
        assert len(launches) >= 1
        with pytest.raises(urllib.error.HTTPError) as again:
            urllib.request.urlopen(launches[0], timeout=10)
        assert again.value.code == 410

    reports = sorted(hand_ins.glob("*.json"))
    assert len(reports) == 1, "the game's hand-in is recorded by the class server"
    from pizzaborg.trainer.classrecord import read_record, trainer_keys

    record, problem = read_record(reports[0], trainer_keys([hand_ins])[0])
    assert problem is None and record["session"] in reports[0].name
    report = json.loads(reports[0].read_text(encoding="utf-8"))
    verbs = [st["verb"]["id"].rsplit("/", 1)[1] for st in lrs.statements]
    assert {"completed", "passed" if report["mastery"]["passed"] else "failed"} <= set(verbs)
    assert {st["context"]["registration"] for st in lrs.statements} == {report["registration"]}
    passed = report["mastery"]["passed"]
    assert isinstance(passed, bool)
    from pizzaborg.engine.i18n import translator

    assert status == translator(LMS_LANG[kind]).gettext(L.LAUNCH_MESSAGES["recorded"])  # the LMS's language
    # a SCORM learner is "launched from the LMS" as a cmi5 one is (web/lms.py)
    from pizzaborg.trainer.assignment import load_assignment
    from pizzaborg.web.scorm import Launch, ScormLaunch

    expected = ScormLaunch.of(Launch(LEARNER_ID, LEARNER_NAME, lms.url, kind), load_assignment(tmp_path / "hw.yaml"))
    assert record["launched_from"] == "lms" and record["lms_registration"] == expected.registration
    assert report["learner"] == f"{LEARNER_NAME} ({LEARNER_ID})"
    cohort = subprocess.run(
        [str(SCRIPT) if SCRIPT.exists() else sys.executable, *([] if SCRIPT.exists() else ["-m", "pizzaborg"]),
         "cohort", str(hand_ins), "--story", str(MINI_DIR), "--format", "md"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert cohort.returncode == 0 and "launched from the LMS" in cohort.stdout, cohort.stdout + cohort.stderr
    if kind == "scorm12":
        assert values["cmi.core.lesson_status"] == ("passed" if passed else "failed")
        assert float(values["cmi.core.score.raw"]) == pytest.approx(report["score"])
        assert values["cmi.core.score.max"] == "100" and values["cmi.core.student_id"] == LEARNER_ID
    else:
        assert values["cmi.completion_status"] == "completed" and values["cmi.learner_id"] == LEARNER_ID
        assert values["cmi.success_status"] == ("passed" if passed else "failed")
        assert float(values["cmi.score.scaled"]) == pytest.approx(report["score"] / 100, abs=1e-4)
        points = {p["id"]: p for p in report["learning_points"] if p.get("score") is not None}
        assert [o[0] for o in objectives] == [L.objective_iri(report["story"]["id"], p) for p in points]
        for (_oid, scaled, success, completion), p in zip(objectives, points.values(), strict=True):
            assert float(scaled) == pytest.approx(p["estimate"]["estimate"] / 100, abs=1e-4)  # 0-100 in a report
            assert success == ("passed" if p["estimate"]["estimate"] >= 50 else "failed")
            assert completion == "completed"
