"""Two class servers behind nginx (issue 22 §3): sticky by session, one data folder, one class key and one
hand-ins folder shared, a server stopped (SIGTERM, then SIGKILL) while learners play.

The first tests need no nginx: two servers' tables and keys on one data folder (what the proxy test found:
each server had a key of its own, so a page one gave out was refused by the other, and the second writer
of ``sessions.json`` dropped the first one's sessions). The last one starts Debian's nginx as an
unprivileged process with ``deploy/nginx.conf`` (the file docs/deploy.md shows), two ``pizzaborg serve``
processes and websocket clients that play whole assignment games through the proxy. Waits are on events:
frames on a websocket, a line printed, a port that answers, a process's end.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pizzaborg.web.sessions import Sessions

ROOT = Path(__file__).resolve().parent.parent
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
CODE = "PROXY-CLASS-7"
ANSI = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|P[^\x1b]*\x1b\\|[@-Z\\-_])")


# ---- two servers, one data folder: no nginx needed ---------------------------------------------
def test_two_servers_sharing_a_data_folder_keep_each_others_sessions(tmp_path):
    one, two = Sessions(tmp_path), Sessions(tmp_path)
    a, b = one.new(), two.new()
    one.keep(a)
    two.keep(b)  # before: written from what two had read at its start, so a's session was gone
    stored = json.loads((tmp_path / "sessions.json").read_text(encoding="utf-8"))
    assert sorted(r["id"] for r in stored.values()) == sorted([a.id, b.id])
    # each finds the other's session by its code (a learner whose server stopped, on the other one)
    assert two.find(a.resume) is not None and two.find(a.resume).id == a.id
    assert one.find(b.resume) is not None and one.find(b.resume).created == b.created
    # a third start reads both
    assert Sessions(tmp_path).find(a.resume) is not None


def test_a_page_one_server_gave_out_is_good_on_the_other(tmp_path):
    one, two = Sessions(tmp_path), Sessions(tmp_path)
    s = one.new()
    found = two.find(one.cookie(s))  # the cookie of a page whose game has not opened yet: signed by one
    assert found is not None and (found.id, found.resume) == (s.id, s.resume)
    other = Sessions(tmp_path / "elsewhere")  # a server with a folder of its own does not take it
    assert other.find(one.cookie(s)) is None
    assert (tmp_path / ".pizzaborg-server-key").stat().st_mode & 0o077 == 0  # private


def test_an_access_cookie_is_good_on_every_server_with_the_folder_and_the_code(tmp_path):
    pytest.importorskip("textual_serve", reason="the web extra is not installed: pip install -e '.[web]'")
    from types import SimpleNamespace

    from pizzaborg.web.server import ClassServer

    def server(code: str, folder: Path = tmp_path) -> ClassServer:
        quiet = SimpleNamespace(write=lambda *_: None, flush=lambda: None)
        return ClassServer(
            host="127.0.0.1", port=0, data_dir=folder, story_dir=None, code=code, max_sessions=4, idle_seconds=60.0,
            out=quiet,
        )  # fmt: skip

    one, two = server(CODE), server(CODE)
    token = one._access_token()
    client = token.partition(".")[0]
    assert two._access_token(client) == token
    assert server("ANOTHER-CODE")._access_token(client) != token  # a new code: the old cookies no longer open
    (tmp_path / "b").mkdir()
    assert server(CODE, tmp_path / "b")._access_token(client) != token


def test_sessions_json_that_goes_bad_under_a_running_server_is_not_overwritten(tmp_path):
    said: list[str] = []
    one = Sessions(tmp_path, say=said.append)
    one.keep(one.new())
    broken = (tmp_path / "sessions.json").read_bytes().replace(b"{", b"[", 1)  # another writer's damage
    (tmp_path / "sessions.json").write_bytes(broken)
    late = one.new()
    one.keep(late)
    assert (tmp_path / "sessions.json").read_bytes() == broken
    assert len(said) == 1 and "sessions.side.json" in said[0]
    assert Sessions(tmp_path, say=said.append).find(late.resume) is not None
