"""The class server's cookies in a real browser (issue 22 §4): a learner who comes back through a link on
another site (an LMS page) keeps their session and its resume code."""

from __future__ import annotations

import re

import pytest
from conftest import MINI_DIR
from web_helpers import TERMINAL_HOOK, ServerProcess, browser_problem, launch_chromium, wait_screen

pytestmark = pytest.mark.browser

LMS = "http://lms.example/course"


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


def _resume_code(page) -> str:
    return page.inner_text("#resume-code").strip()


def test_a_learner_coming_back_through_a_link_on_another_site_keeps_the_session(browser, tmp_path):
    with ServerProcess("--story", str(MINI_DIR), "--data-dir", "data", cwd=tmp_path) as srv:
        context = browser.new_context()
        context.add_init_script(TERMINAL_HOOK)
        # the LMS: another site, whose page links to the class server (answered by the browser's router)
        context.route(
            LMS,
            lambda route: route.fulfill(
                status=200, content_type="text/html", body=f'<a id="go" href="{srv.url}/">Play the game</a>'
            ),
        )
        page = context.new_page()
        page.goto(srv.url + "/")
        first = _resume_code(page)
        assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", first)
        wait_screen(page, "New game")  # the game started: its session is kept on the server
        page.goto(LMS)
        page.click("#go")
        page.wait_for_selector("#resume-code")
        assert _resume_code(page) == first
        context.close()
