"""The class server in a real browser: the system Chromium driven by Playwright.

Load the page, enter the access code, start an assignment's game, make choices, reload, continue,
finish, and find the report and the class server's record in the hand-ins folder.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from conftest import MINI_DIR
from web_helpers import (
    SCRIPT,
    TERMINAL_HOOK,
    ServerProcess,
    browser_problem,
    launch_chromium,
    press_until,
    screen,
    wait_screen,
)

from pizzaborg.engine import saves as S

pytestmark = pytest.mark.browser

CODE = "class-42-code"
NAME = "Ada O'Neil <b>"


@pytest.fixture(scope="module")
def browser():
    problem = browser_problem()
    if problem:
        pytest.skip(problem)
    pytest.importorskip("textual_serve", reason="the web extra is not installed: pip install -e '.[web]'")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


def _assignment(tmp_path):
    path = tmp_path / "class.yaml"
    cmd = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "pizzaborg"]
    subprocess.run(
        cmd + ["assignment", "new", "--story", str(MINI_DIR), "--cohort", "Web class", "--seed", "7", "-o", str(path)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return path


def _press_and_wait_for_change(page, key: str, tries: int = 3) -> str:
    before = screen(page)
    for attempt in range(tries):
        page.keyboard.press(key)
        try:
            page.wait_for_function(
                "(before) => (" + _screen_fn() + ")() !== before",
                arg=before,
                timeout=6000 if attempt < tries - 1 else 15000,
                polling=50,
            )
            return screen(page)
        except Exception:
            pass
    raise AssertionError(f"pressing {key} changed nothing on the screen:\n{before}")


def _next_key(shown: str) -> str:
    """1 on a scene with choices; Enter on feedback, news, a month's end and its reflection."""
    dialog = "█▀▀" in shown or "(Enter)" in shown or "The Collective" in shown
    return "1" if re.search(r"│\s+1\. ", shown) and not dialog else "Enter"


def _screen_fn() -> str:
    from web_helpers import SCREEN_JS

    return SCREEN_JS


def test_a_class_plays_an_assignment_in_the_browser(browser, tmp_path):
    assignment = _assignment(tmp_path)
    hand_ins = tmp_path / "hand-ins"
    with ServerProcess(
        "--story",
        str(MINI_DIR),
        "--assignment",
        str(assignment),
        "--hand-ins",
        str(hand_ins),
        "--code",
        CODE,
        "--data-dir",
        "data",
        "--reattach-grace",  # a reload stops the game: it continues from the autosave (test_web_pool*: live)
        "0",
        cwd=tmp_path,
    ) as srv:
        page = browser.new_page(viewport={"width": 1100, "height": 760})
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.add_init_script(TERMINAL_HOOK)

        # the access code first: a wrong one gets a message and no game
        page.goto(srv.url)
        page.fill("#code", "not-the-code")
        page.click("#enter")
        assert "not right" in page.text_content(".error")
        assert page.locator("#terminal").count() == 0
        assert not (tmp_path / "data" / "sessions").exists()
        page.fill("#code", CODE)
        page.click("#enter")

        # the title drawn by the game in the page's terminal; the resume code on the page
        wait_screen(page, "New game", "A small test story")
        resume = page.text_content("#resume-code")
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", resume)

        page.click("#terminal")
        page.keyboard.press("n")
        wait_screen(page, "assignment for Web class", "learner id")
        page.keyboard.type(NAME)
        page.keyboard.press("Enter")
        wait_screen(page, "You run the IT of a small bakery.")
        page.keyboard.press("Enter")
        wait_screen(page, "The oven controller needs a patch.", NAME)
        press_until(page, "1", "The Collective")

        # reload: the same session continues from its autosave
        page.reload()
        wait_screen(page, "New game", "Continue")
        assert page.text_content("#resume-code") == resume
        page.click("#terminal")
        shown = press_until(page, "c", NAME, "Month 1 of 2")
        assert "The oven controller needs a patch." not in shown  # past the first decision

        # play to the end: choice 1 wherever there is a choice, Enter through the rest
        for _ in range(30):
            shown = screen(page)
            if "Ending:" in shown:
                break
            _press_and_wait_for_change(page, _next_key(shown))
        shown = wait_screen(page, "Ending:", "Your report is handed in")
        assert str(tmp_path) not in shown  # no server path in the browser

        # offline: the page fetched nothing from anywhere but the class server
        assert requests and all(u.startswith(srv.url + "/") for u in requests), [
            u for u in requests if not u.startswith(srv.url)
        ]
        page.close()

    # the report and the server's record in the hand-ins folder; the session's saves in its own folder
    reports = sorted(hand_ins.glob("*.json"))
    assert len(reports) == 1
    from pizzaborg.trainer.classrecord import read_record, trainer_keys

    record, problem = read_record(reports[0], trainer_keys([hand_ins])[0])
    assert problem is None and record["learner_as_typed"] == NAME
    assert record["session"] in reports[0].name and NAME.split()[0] not in reports[0].name
    assert record["session_started"] <= record["game_started"] <= record["finished"]
    report = json.loads(reports[0].read_text(encoding="utf-8"))
    assert report["learner"] == NAME and report["seed"] == 7 and report["ending"]["title"] == "Good"
    save = S.read_save(tmp_path / "data" / "sessions" / record["session"], "autosave")
    assert save.learner == NAME and save.decisions[0] == {"scene": "a.start", "choice": "assess"}
    assert resume not in (tmp_path / "data" / "sessions.json").read_text(encoding="utf-8")

    cmd = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "pizzaborg"]
    cohort = subprocess.run(
        cmd + ["cohort", str(hand_ins), "--story", str(MINI_DIR)], capture_output=True, text=True, timeout=60
    )
    assert cohort.returncode == 0, cohort.stderr
    assert "recorded by the class server" in cohort.stdout and f"session {record['session']}" in cohort.stdout


def test_an_idle_game_is_closed_and_the_page_says_why(browser, tmp_path):
    with ServerProcess("--story", str(MINI_DIR), "--data-dir", "data", "--idle-minutes", "0.05", cwd=tmp_path) as srv:
        page = browser.new_page(viewport={"width": 1000, "height": 640})
        blocked = []
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        page.add_init_script(TERMINAL_HOOK)
        page.goto(srv.url)
        wait_screen(page, "New game")
        message = page.locator("#closed-message")
        message.filter(has_text="without a key press").wait_for(state="visible", timeout=30000)
        assert "It is saved: reload this page and choose Continue." in message.text_content()
        assert blocked == []  # the page's own script and styles run under its Content-Security-Policy
        page.click("#reload")
        wait_screen(page, "New game")  # a new game process for the same session
        page.close()


def _bar_in_view(page) -> dict:
    return page.evaluate("""() => { const r = document.getElementById('bar').getBoundingClientRect();
        return {top: r.top, bottom: r.bottom, scrolled: document.scrollingElement.scrollTop + window.scrollY,
                shown: document.getElementById('resume-code').textContent}; }""")


def test_keys_work_without_a_click_and_the_resume_code_stays_in_view(browser, tmp_path):
    """A learner types at once (the terminal has the focus when the game is drawn), and the bar with
    the resume code stays at the top of the page while the game is played."""
    with ServerProcess("--story", str(MINI_DIR), "--data-dir", "data", cwd=tmp_path) as srv:
        page = browser.new_page(viewport={"width": 900, "height": 600})
        page.add_init_script(TERMINAL_HOOK)
        page.goto(srv.url)
        wait_screen(page, "New game", "A small test story")
        page.keyboard.press("n")  # no click on the page first
        wait_screen(page, "Your name")
        page.keyboard.type("Ada")
        page.keyboard.press("Enter")
        wait_screen(page, "You run the IT of a small bakery.")
        page.keyboard.press("Enter")
        wait_screen(page, "The oven controller needs a patch.")
        press_until(page, "1", "The Collective")
        bar = _bar_in_view(page)
        assert bar["top"] == 0 and bar["bottom"] > 0 and bar["scrolled"] == 0, bar
        assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", bar["shown"])

        # on to the ending with keys only; the bar is still at the top there
        for _ in range(40):
            shown = screen(page)
            if "Ending:" in shown:
                break
            _press_and_wait_for_change(page, _next_key(shown))
        wait_screen(page, "Ending:")
        assert _bar_in_view(page)["top"] == 0 and _bar_in_view(page)["scrolled"] == 0
        page.close()
