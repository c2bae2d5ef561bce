"""The class server in the browser's language: Accept-Language parsed with its weights, the server's pages
translated, and the language handed to the game child."""

from __future__ import annotations

import re

import pytest
from i18n_pseudo import pseudo_catalogue, use_catalogues_from

from pizzaborg.engine import i18n
from pizzaborg.web.lang import choose, match, parse_accept_language

SHIPPED = ("en", "es-419", "fr", "nb", "nl", "sv")  # issue 21's languages


@pytest.mark.parametrize(
    "header, tags",
    [
        ("sv-SE,sv;q=0.9,en;q=0.5", ["sv-se", "sv", "en"]),
        ("en;q=0.2, fr-BE;q=0.8, nl", ["nl", "fr-be", "en"]),
        ("de;q=0, nb;q=0.7", ["nb"]),  # q=0: not acceptable
        ("fr;q=abc, sv;q=2, nl;q=nan, es", ["es"]),  # weights that are not weights
        ("en, fr", ["en", "fr"]),  # equal weights keep their order
        ("*;q=0.1, sv", ["sv", "*"]),
        ("<script>, sv;;q=0.5, , ;q=1", ["sv"]),
        ("", []),
        (None, []),
    ],
)
def test_accept_language_is_parsed_with_its_weights_best_first(header, tags):
    assert parse_accept_language(header) == tags


def test_a_huge_accept_language_header_is_bounded():
    assert len(parse_accept_language(",".join(["sv;q=0.5"] * 10_000))) <= 32
    assert parse_accept_language("x" * 100_000) == []


@pytest.mark.parametrize(
    "tag, shipped",
    [
        ("sv-SE", "sv"),
        ("fr-BE", "fr"),
        ("es-CL", "es-419"),
        ("es", "es-419"),
        ("es-419", "es-419"),
        ("no", "nb"),
        ("nb-NO", "nb"),
        ("NL", "nl"),
        ("en-GB", "en"),
        ("de", None),
        ("qps", None),
    ],
)
def test_a_browser_language_maps_to_the_nearest_shipped_one(tag, shipped):
    assert match(tag, SHIPPED) == shipped


def test_the_best_shipped_language_wins_else_the_servers_else_english():
    assert choose("de-DE,de;q=0.9,fr;q=0.4,en;q=0.3", None, SHIPPED) == "fr"
    assert choose("de-DE,ja", "sv", SHIPPED) == "sv"
    assert choose("de-DE", None, SHIPPED) == "en"
    assert choose(None, "nb", SHIPPED) == "nb"
    assert choose("*", "nl", SHIPPED) == "nl"
    assert choose("sv", None, ("en", "fr")) == "en"  # a language the game does not have (yet)
    assert choose("qps, sv", None, SHIPPED) == "sv"  # the pseudo-locale is not offered to browsers


# ---- the pages and the child ------------------------------------------------------------------------

pytest.importorskip("aiohttp", reason="the web extra is not installed: pip install -e '.[web]'")
pytest.importorskip("textual_serve", reason="the web extra is not installed: pip install -e '.[web]'")

ENGLISH = re.compile(r">[^<]*[A-Za-z]{3,}[^<]*<")  # a run of ASCII letters in the text between tags


@pytest.fixture
def qps(tmp_path, monkeypatch):
    use_catalogues_from(monkeypatch, tmp_path / "locale")
    pseudo_catalogue(tmp_path / "locale")
    return i18n.translator("qps")


def test_the_servers_pages_are_in_the_language_they_are_given(qps):
    from pizzaborg.web.pages import full_message, full_page, game_page, gate_page

    for page in (
        gate_page(need_code=True, error=qps.gettext("That access code is not right: ask your trainer for it."), t=qps),
        gate_page(need_code=False, t=qps),
        full_page(3, qps),
        game_page("ABCD-EFGH-JKMN", "Class 7", qps),
    ):
        assert '<html lang="qps">' in page
        text = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", page)
        left = [m for m in ENGLISH.findall(text) if "PizzaBorg" not in m and "ABCD" not in m and "Class 7" not in m]
        assert not left, left
    assert "⟦" in full_message(1, qps) and "⟦" in full_message(2, qps)
    english = game_page("ABCD-EFGH-JKMN", None)
    assert '<html lang="en">' in english and "Your resume code: </span><strong" in english
    assert "(keep it to continue another day or on another device)</span>" in english
    assert "The class server is full: 1 game is being played" in full_message(1)


def _server(tmp_path):
    from pizzaborg.web.server import ClassServer

    return ClassServer(
        host="127.0.0.1",
        port=0,
        data_dir=tmp_path,
        story_dir=None,
        code=None,
        max_sessions=2,
        idle_seconds=60,
    )


def _request(accept: str | None):
    from aiohttp.test_utils import make_mocked_request

    headers = {"Accept-Language": accept} if accept is not None else {}
    return make_mocked_request("GET", "/", headers=headers)


def test_the_server_picks_the_browsers_language_and_passes_it_to_the_game(tmp_path):
    server = _server(tmp_path)
    server._languages = SHIPPED
    assert server._lang(_request("fr-BE,fr;q=0.9,en;q=0.8")) == "fr"
    assert server._lang(_request("de")) == "en"  # none shipped: the server's language, English here
    assert server._lang(_request(None)) == "en"
    s = server.sessions.new()
    assert server._child_env(s, "sv")["PIZZABORG_LANG"] == "sv"
    assert server._child_env(s)["PIZZABORG_LANG"] == "en"


def test_without_a_browser_language_the_server_speaks_its_own(tmp_path):
    server = _server(tmp_path)
    server._languages = SHIPPED
    i18n.use("nb")  # as --lang nb would have set it
    try:
        assert server._lang(_request("de-DE")) == "nb"
        assert server._lang(_request("sv")) == "sv"
    finally:
        i18n.use(None)


def test_the_game_child_uses_the_language_the_server_chose(monkeypatch):
    from pizzaborg.web import child

    seen = {}

    class Stop(Exception):
        pass

    def fake_app_class():
        seen["lang"] = i18n.current()
        raise Stop

    monkeypatch.setenv("PIZZABORG_LANG", "sv")
    monkeypatch.delenv("PIZZABORG_WEB_ASSIGNMENT", raising=False)
    monkeypatch.setattr(child, "_app_class", fake_app_class)
    try:
        with pytest.raises(Stop):
            child.main()
    finally:
        i18n.use(None)
    assert seen["lang"] == "sv"


def test_the_languages_a_browser_may_get_are_the_games_without_the_pseudo_locale(tmp_path, monkeypatch):
    from pizzaborg.web.lang import languages

    story = tmp_path / "story"
    (story / "l10n").mkdir(parents=True)
    (story / "l10n" / "fr.yaml").write_text("{}\n", encoding="utf-8")
    (story / "l10n" / "qps.yaml").write_text("{}\n", encoding="utf-8")
    use_catalogues_from(monkeypatch, tmp_path / "locale")
    pseudo_catalogue(tmp_path / "locale", "sv")
    pseudo_catalogue(tmp_path / "locale", "qps")
    assert languages(story) == ("en", "fr", "sv")


def test_an_assignments_language_comes_before_the_browsers(monkeypatch):
    from pizzaborg.trainer import assignment as trainer_assignment
    from pizzaborg.web import child

    seen = {}

    class Stop(Exception):
        pass

    class Assignment:
        language = "qps"
        seed = 1

    def fake_app_class():
        seen["lang"] = i18n.current()
        raise Stop

    monkeypatch.setenv("PIZZABORG_LANG", "sv")
    monkeypatch.setenv("PIZZABORG_WEB_ASSIGNMENT", "class.yaml")
    monkeypatch.setattr(trainer_assignment, "load_assignment", lambda path: Assignment())
    monkeypatch.setattr(child, "server_run", lambda *args: None)
    monkeypatch.setattr(child, "_app_class", fake_app_class)
    with pytest.raises(Stop):
        child.main()
    assert seen["lang"] == "qps"


def test_a_trainer_who_serves_with_lang_sets_the_class_language_before_any_browser(tmp_path):
    """Issue 21 §5's order: --lang (or $PIZZABORG_LANG) first, the browser's Accept-Language last; and the
    game child is told that the assignment's language does not replace it."""
    server = _server(tmp_path)
    server._languages = SHIPPED
    server.fixed_lang = True
    i18n.use("nb")  # serve --lang nb
    try:
        assert server._lang(_request("sv")) == "nb"
        assert server._lang(_request("fr-BE,fr;q=0.9")) == "nb"
        env = server._child_env(server.sessions.new(), server._lang(_request("sv")))
        assert env["PIZZABORG_LANG"] == "nb" and env["PIZZABORG_WEB_LANG_FIXED"] == "1"
    finally:
        i18n.use(None)
    server.fixed_lang = False
    assert server._child_env(server.sessions.new(), "sv")["PIZZABORG_WEB_LANG_FIXED"] == ""
