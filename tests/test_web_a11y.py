"""The class server's pages for people who do not use a mouse or do not see the screen well (issue 23, item 5).

axe-core (pinned in tests/npm/axe, installed by ``make npm-axe``) checks every page the class server
serves, in English and Dutch, at a desktop size, at the size of an 80x24 terminal and at a phone's width:
no serious or critical violation is allowed; the moderate and minor ones are printed (``pytest -s``). A
whole game is played with the keyboard only (never a click), the pages work at 200% zoom, and a
learner who asks for less motion gets none. What a screen reader gets: docs/trainers.md, "Accessibility of
the class page".
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import MINI_DIR
from web_helpers import SCREEN_JS, TERMINAL_HOOK, ServerProcess, browser_problem, launch_chromium, screen, wait_screen

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent / "npm" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
CODE = "class-42-code"
LANGS = {"en-GB": "en", "nl-NL": "nl"}  # the browser's locale: the page's language
VIEWPORTS = {
    "desktop": {"width": 1280, "height": 800},
    "80x24": {"width": 760, "height": 520},  # 84x24 cells of the 16 px font, and the bar: the least the game takes
    "phone": {"width": 360, "height": 640},
}
TEXTAREA = "#terminal .xterm-helper-textarea"
AXE_JS = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' '))}));
}"""


@pytest.fixture(scope="module")
def browser():
    problem = browser_problem()
    if problem:
        pytest.skip(problem)
    if not AXE.is_file():
        pytest.skip(f"axe-core is not installed in {AXE.parents[2]}: make npm-axe (npm ci there)")
    pytest.importorskip("textual_serve", reason="the web extra is not installed: pip install -e '.[web]'")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


def _axe(page, where: str, found: dict) -> None:
    """Run axe-core on the page as it is; keep every violation under ``where``."""
    page.add_script_tag(path=str(AXE))  # the context bypasses the page's CSP for this script only
    found[where] = page.evaluate(AXE_JS)


def _serious(found: dict) -> list[str]:
    lines, minor = [], []
    for where, violations in found.items():
        for v in violations:
            line = f"{where}: {v['impact']} {v['id']} ({v['help']}): {', '.join(v['nodes'][:3])}"
            (lines if v["impact"] in ("serious", "critical") else minor).append(line)
    print("\naxe-core, moderate and minor:", *(minor or ["none"]), sep="\n  ")
    return lines


def _focused(page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement; return e ? (e.id || e.className || e.tagName) : ''; }"
    )


def _game_has_focus(page) -> None:
    page.wait_for_function(
        "(sel) => document.activeElement === document.querySelector(sel)", arg=TEXTAREA, timeout=15000
    )


def _drawn(page) -> None:
    """The game drew its first screen: the title, or (on a phone) the request for 80x24."""
    try:
        page.wait_for_function(
            "() => { const s = ("
            + SCREEN_JS
            + ")(); return s.includes('A small test story') || s.includes('80×24'); }",
            timeout=20000,
            polling=50,
        )
    except Exception:
        raise AssertionError(f"no game drawn on {page.url}:\n{screen(page)}\n{page.text_content('body')}") from None


def test_no_page_has_a_serious_or_critical_axe_violation(browser, tmp_path, monkeypatch):
    monkeypatch.delenv("PIZZABORG_LANG")  # each browser gets its own language, not the class's
    found: dict = {}
    # each browser context comes from an address of its own (through a trusted proxy): the wrong codes it
    # types on purpose do not lock the next one out
    args = ("--story", str(MINI_DIR), "--pool", "0", "--reattach-grace", "0", "--trusted-proxy", "127.0.0.1")
    addresses = (f"192.0.2.{n}" for n in range(1, 250))
    with (
        ServerProcess(*args, "--code", CODE, "--data-dir", "a", cwd=tmp_path) as srv,
        ServerProcess(*args, "--max-sessions", "1", "--data-dir", "b", cwd=tmp_path) as full,
    ):
        seat = browser.new_page()  # takes the one seat of the second server: the others see "full"
        seat.add_init_script(TERMINAL_HOOK)
        seat.goto(full.url)
        _drawn(seat)
        for locale, lang in LANGS.items():
            for size, viewport in VIEWPORTS.items():
                for scheme in ("dark", "light") if size == "desktop" else ("dark",):
                    at = f"{lang} {size} {scheme}"
                    ctx = browser.new_context(
                        bypass_csp=True,
                        locale=locale,
                        viewport=viewport,
                        color_scheme=scheme,
                        extra_http_headers={"X-Forwarded-For": next(addresses)},
                    )
                    page = ctx.new_page()
                    page.add_init_script(TERMINAL_HOOK)
                    page.goto(srv.url)
                    assert page.get_attribute("html", "lang") == lang
                    _axe(page, f"{at} access code", found)
                    page.fill("#code", "not-the-code")
                    page.press("#code", "Enter")
                    page.locator(".error").wait_for()
                    _axe(page, f"{at} wrong access code", found)
                    page.fill("#code", CODE)
                    page.press("#code", "Enter")
                    _drawn(page)
                    _game_has_focus(page)
                    _axe(page, f"{at} game", found)

                    # the same game opened in a second tab: the first says why it closed
                    other = ctx.new_page()
                    other.add_init_script(TERMINAL_HOOK)
                    other.goto(srv.url)
                    page.locator("#closed-message").filter(has_text=re.compile(r"\w{8}")).wait_for()
                    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'reload'")
                    _axe(page, f"{at} game closed", found)
                    _drawn(other)
                    other.close()

                    page.goto(srv.url + "/new")
                    assert page.get_attribute("html", "lang") == lang
                    _axe(page, f"{at} resume code", found)
                    page.fill("#resume", "AAAA-BBBB-CCCC")
                    page.press("#resume", "Enter")
                    page.locator(".error").wait_for()
                    _axe(page, f"{at} unknown resume code", found)

                    page.goto(full.url)
                    assert page.locator("#full").count() == 1
                    assert page.get_attribute("html", "lang") == lang
                    _axe(page, f"{at} class full", found)
                    if size == "desktop" and scheme == "dark":  # too many wrong codes: the page says to wait
                        for _ in range(6):
                            page.goto(srv.url + "/new")
                            page.fill("#resume", "AAAA-BBBB-CCCC")
                            page.press("#resume", "Enter")
                            page.locator(".error").wait_for()
                            if page.locator(".error").filter(has_text=re.compile(r"\d+ s")).count():
                                break
                        else:
                            raise AssertionError("no lockout after 6 wrong resume codes")
                        _axe(page, f"{at} too many wrong codes", found)
                    ctx.close()
        seat.close()
    assert len(found) == 2 * (4 * 7 + 1), sorted(found)  # every page in every language, size and theme
    serious = _serious(found)
    assert serious == [], "\n".join(serious)


def test_a_whole_game_is_played_with_the_keyboard_only(browser, tmp_path, monkeypatch):
    """Never a click: the access code's field has the focus, then the game's terminal does."""
    monkeypatch.delenv("PIZZABORG_LANG")
    with ServerProcess("--story", str(MINI_DIR), "--code", CODE, "--data-dir", "data", cwd=tmp_path) as srv:
        page = browser.new_page(viewport=VIEWPORTS["80x24"])
        page.add_init_script(TERMINAL_HOOK)
        page.goto(srv.url)
        assert _focused(page) == "code"
        page.keyboard.type(CODE)
        page.keyboard.press("Tab")
        assert _focused(page) == "enter"
        ring = page.eval_on_selector(
            "#enter", "e => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineWidth]"
        )
        assert ring == ["solid", "3px"]  # a visible focus ring on the page's own controls
        page.keyboard.press("Enter")
        wait_screen(page, "New game")
        _game_has_focus(page)
        label = page.get_attribute(TEXTAREA, "aria-label")
        assert label == "PizzaBorg game: type here", label  # the terminal's name, in the page's language
        page.keyboard.press("Tab")  # Tab moves within the game (Textual's focus), the page keeps it there
        _game_has_focus(page)
        page.focus("#bar a")  # where a Tab from the browser's address bar lands: the next Tab is the game
        page.keyboard.press("Tab")
        _game_has_focus(page)
        page.keyboard.press("n")
        wait_screen(page, "learner name")
        page.keyboard.type("Ada")
        page.keyboard.press("Enter")
        wait_screen(page, "You run the IT of a small bakery.")
        for _ in range(40):  # 1 wherever there is a choice, Enter through the rest
            shown = screen(page)
            if "Ending:" in shown:
                break
            dialog = "█▀▀" in shown or "(Enter)" in shown or "The Collective" in shown
            key = "1" if re.search(r"│\s+1\. ", shown) and not dialog else "Enter"
            page.keyboard.press(key)
            try:
                page.wait_for_function(
                    "(before) => { const t = window.__pbTerms[window.__pbTerms.length - 1]; const b = t.buffer.active;"
                    " let s = ''; for (let i = 0; i < b.length; i++) { s += b.getLine(i).translateToString(true)"
                    " + '\\n'; } return s.replace(/\\n$/, '') !== before; }",
                    arg=shown,
                    timeout=15000,
                    polling=50,
                )
            except Exception:
                continue  # a key dropped while a screen was swapped: look again and press again
        wait_screen(page, "Ending:")
        assert _focused(page) == "xterm-helper-textarea"
        page.close()


def test_the_pages_work_at_200_percent_zoom_and_without_motion(browser, tmp_path, monkeypatch):
    """200% zoom of a 1920x1080 window is a 960x540 viewport, where the game still has its 80x24; the
    forms reflow down to 320 px (400% of 1280) without scrolling sideways; the resume code stays on screen;
    with prefers-reduced-motion the game's terminal appears without a fade."""
    monkeypatch.delenv("PIZZABORG_LANG")
    with ServerProcess("--story", str(MINI_DIR), "--code", CODE, "--data-dir", "data", cwd=tmp_path) as srv:
        ctx = browser.new_context(viewport={"width": 320, "height": 256}, reduced_motion="reduce", locale="nl-NL")
        page = ctx.new_page()
        page.add_init_script(TERMINAL_HOOK)
        wide = "() => document.documentElement.scrollWidth <= window.innerWidth"
        page.goto(srv.url)
        assert page.evaluate(wide)
        page.set_viewport_size({"width": 960, "height": 540})
        page.fill("#code", CODE)
        page.press("#code", "Enter")
        wait_screen(page, "A small test story")
        assert page.evaluate(wide)
        box = page.locator("#resume-code").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 960, box
        fade = page.eval_on_selector("#terminal", "e => getComputedStyle(e).transitionDuration")
        assert fade in ("0s", ""), fade
        page.set_viewport_size({"width": 320, "height": 256})
        box = page.locator("#resume-code").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320, box
        page.goto(srv.url + "/new")
        assert page.evaluate(wide)
        ctx.close()


def test_screen_reader_rows_are_turned_on_and_off_with_the_keyboard_and_remembered(browser, tmp_path, monkeypatch):
    """The bar's toggle puts xterm.js in its screenReaderMode: the game's rows become a list a screen
    reader can read; the choice is kept in the browser for the next page; the game still takes keys."""
    monkeypatch.delenv("PIZZABORG_LANG")
    rows = "#terminal .xterm-accessibility-tree"
    with ServerProcess("--story", str(MINI_DIR), "--data-dir", "data", "--reattach-grace", "0", cwd=tmp_path) as srv:
        ctx = browser.new_context(viewport=VIEWPORTS["80x24"])
        page = ctx.new_page()
        page.add_init_script(TERMINAL_HOOK)
        page.goto(srv.url)
        wait_screen(page, "New game")
        _game_has_focus(page)
        assert page.get_attribute("#reader", "aria-pressed") == "false"
        assert page.locator(rows).count() == 0  # off by default: nothing extra for a sighted learner
        page.focus("#bar a")
        page.keyboard.press("Shift+Tab")
        assert _focused(page) == "reader"
        page.keyboard.press("Space")
        assert page.get_attribute("#reader", "aria-pressed") == "true"
        page.locator(rows).filter(has_text="New game").wait_for()
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")  # past the link, back to the game
        _game_has_focus(page)
        page.keyboard.press("n")
        page.locator(rows).filter(has_text="learner name").wait_for()  # the rows follow the game
        wait_screen(page, "learner name")

        page.reload()  # remembered in this browser
        wait_screen(page, "New game")
        assert page.get_attribute("#reader", "aria-pressed") == "true"
        page.locator(rows).filter(has_text="New game").wait_for()
        page.focus("#reader")
        page.keyboard.press("Enter")
        assert page.get_attribute("#reader", "aria-pressed") == "false"
        page.locator(rows).wait_for(state="detached")
        ctx.close()
