"""The class server's own HTML pages (the gate, "the class is full", the game page). Text from outside
is escaped here; the pages load nothing from other sites (see the CSP in server.py)."""

from __future__ import annotations

from html import escape

from aiohttp import web


def page_response(body: str, status: int = 200) -> web.Response:
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")


def _head(title: str, extra: str = "") -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{escape(title)}</title><link rel="stylesheet" href="/pb/page.css">{extra}</head>'
    )


def gate_page(need_code: bool, error: str | None = None) -> str:
    parts = [_head("PizzaBorg class"), '<body class="gate"><main><h1>PizzaBorg</h1>']
    if error:
        parts.append(f'<p class="error" role="alert">{escape(error)}</p>')
    if need_code:
        parts.append(
            '<form method="post" action="/enter"><label for="code">Access code from your trainer</label>'
            '<input id="code" name="code" autocomplete="off" autofocus maxlength="64">'
            '<button type="submit" id="enter">Enter</button></form>'
        )
    else:
        parts.append(
            '<form method="post" action="/resume"><label for="resume">Your resume code</label>'
            '<input id="resume" name="resume" autocomplete="off" autofocus maxlength="64" placeholder="ABCD-EFGH-JKMN">'
            '<button type="submit" id="resume-go">Continue that game</button></form>'
            '<form method="post" action="/new"><button type="submit" id="new-session">'
            "Start a new session instead</button></form>"
            '<p><a href="/">Back to my game</a></p>'
        )
    parts.append("</main></body></html>")
    return "".join(parts)


def full_message(n: int) -> str:
    return (
        f"The class server is full: {n} game{'' if n == 1 else 's'} are being played, the most it takes. "
        "Try again in a few minutes; if you had a game, it is saved."
    )


def full_page(n: int) -> str:
    return (
        _head("PizzaBorg class: full") + '<body class="gate"><main><h1>PizzaBorg</h1>'
        f'<p class="error" role="alert" id="full">{escape(full_message(n))}</p>'
        '<p><a href="/">Try again</a></p></main></body></html>'
    )


def game_page(resume: str, cohort: str | None) -> str:
    what = f"Assignment: {escape(cohort)} · " if cohort else ""
    return (
        _head(
            "PizzaBorg",
            '<link rel="stylesheet" href="/static/css/xterm.css"><script src="/static/js/textual.js"></script>'
            '<script src="/pb/page.js"></script>',
        )
        + '<body class="game"><header id="bar">'
        + f'<span>{what}Your resume code: <strong id="resume-code">{escape(resume)}</strong> '
        + "(keep it to continue another day or on another device)</span>"
        + '<a href="/new">Another code…</a></header>'
        + '<div class="dialog-container intro-dialog"><div class="shade"></div><div class="intro">'
        + '<div>Starting PizzaBorg…</div><button type="button" id="start">Start</button></div></div>'
        + '<div class="dialog-container closed-dialog"><div class="shade"></div><div class="intro">'
        + '<div class="message" id="closed-message" role="alert">The game has ended.</div>'
        + '<button type="button" id="reload">Reload</button></div></div>'
        + '<div id="terminal" class="textual-terminal" data-session-websocket-url="" data-font-size="16"></div>'
        + "</body></html>"
    )
