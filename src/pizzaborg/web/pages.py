"""The class server's own HTML pages (the gate, "the class is full", the game page). Text from outside
is escaped here; the pages load nothing from other sites (see the CSP in server.py). Each page is in
the language of the browser that asked for it: the server passes that language's translator ``t``
(web/lang.py chooses it); without one, English."""

from __future__ import annotations

from html import escape

from aiohttp import web

from ..engine.i18n import Translator, translator


def page_response(body: str, status: int = 200) -> web.Response:
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


def _head(title: str, extra: str = "", lang: str = "en") -> str:
    return (
        f'<!DOCTYPE html><html lang="{escape(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{escape(title)}</title><link rel="stylesheet" href="/pb/page.css">{extra}</head>'
    )


def gate_page(need_code: bool, error: str | None = None, t: Translator | None = None) -> str:
    t = t or translator(None)
    _ = t.gettext
    parts = [_head(_("PizzaBorg class"), lang=t.lang), '<body class="gate"><main><h1>PizzaBorg</h1>']
    if error:
        parts.append(f'<p class="error" role="alert">{escape(error)}</p>')
    if need_code:
        parts.append(
            '<form method="post" action="/enter">'
            f'<label for="code">{escape(_("Access code from your trainer"))}</label>'
            '<input id="code" name="code" autocomplete="off" autofocus maxlength="64">'
            f'<button type="submit" id="enter">{escape(_("Enter"))}</button></form>'
        )
    else:
        parts.append(
            f'<form method="post" action="/resume"><label for="resume">{escape(_("Your resume code"))}</label>'
            '<input id="resume" name="resume" autocomplete="off" autofocus maxlength="64" placeholder="ABCD-EFGH-JKMN">'
            f'<button type="submit" id="resume-go">{escape(_("Continue that game"))}</button></form>'
            '<form method="post" action="/new"><button type="submit" id="new-session">'
            f"{escape(_('Start a new session instead'))}</button></form>"
            f'<p><a href="/">{escape(_("Back to my game"))}</a></p>'
        )
    parts.append("</main></body></html>")
    return "".join(parts)


def full_message(n: int, t: Translator | None = None) -> str:
    t = t or translator(None)
    return t.ngettext(
        "The class server is full: {n} game is being played, the most it takes. "
        "Try again in a few minutes; if you had a game, it is saved.",
        "The class server is full: {n} games are being played, the most it takes. "
        "Try again in a few minutes; if you had a game, it is saved.",
        n,
    ).format(n=n)


def full_page(n: int, t: Translator | None = None) -> str:
    t = t or translator(None)
    _ = t.gettext
    return (
        _head(_("PizzaBorg class: full"), lang=t.lang) + '<body class="gate"><main><h1>PizzaBorg</h1>'
        f'<p class="error" role="alert" id="full">{escape(full_message(n, t))}</p>'
        f'<p><a href="/">{escape(_("Try again"))}</a></p></main></body></html>'
    )


def game_page(resume: str, cohort: str | None, t: Translator | None = None) -> str:
    t = t or translator(None)
    _ = t.gettext
    what = escape(_("Assignment: {cohort}").format(cohort=cohort)) + " · " if cohort else ""
    code = _("Your resume code: {code} (keep it to continue another day or on another device)")
    before, _sep, after = escape(code).partition("{code}")
    lost = _("The connection to the class server was lost. Your game is saved: this page tries again by itself.")
    return (
        _head(
            "PizzaBorg",
            # page.js first: it opens the game's websocket while textual.js loads; the font is fetched
            # alongside (the terminal measures its cells in it)
            '<link rel="preload" href="/static/fonts/RobotoMono-VariableFont_wght.ttf" as="font" type="font/ttf" '
            'crossorigin><link rel="stylesheet" href="/static/css/xterm.css"><script src="/pb/page.js"></script>'
            '<script src="/static/js/textual.js"></script>',
            lang=t.lang,
        )
        + '<body class="game"><header id="bar">'
        # the code itself never shrinks: a narrow window (a phone, 200% zoom) cuts the words around it instead
        + f'<span class="code"><span class="cut">{what}{before}</span>'
        + f'<strong id="resume-code">{escape(resume)}</strong><span class="cut">{after}</span></span>'
        + f'<button type="button" id="reader" aria-pressed="false">{escape(_("Screen reader rows"))}</button>'
        + f'<a href="/new">{escape(_("Another code…"))}</a></header><main id="game">'
        + '<div class="dialog-container intro-dialog"><div class="shade"></div><div class="intro">'
        + f"<div>{escape(_('Starting PizzaBorg…'))}</div>"
        + f'<button type="button" id="start">{escape(_("Start"))}</button></div></div>'
        + '<div class="dialog-container closed-dialog"><div class="shade"></div><div class="intro">'
        + f'<div class="message" id="closed-message" role="alert" data-lost="{escape(lost)}">'
        + f"{escape(_('The game has ended.'))}</div>"
        + f'<button type="button" id="reload">{escape(_("Reload"))}</button></div></div>'
        + '<div id="terminal" class="textual-terminal" data-session-websocket-url="" data-font-size="16" '
        + f'data-label="{escape(_("PizzaBorg game: type here"))}"></div>'
        + "</main></body></html>"
    )
