"""The LRS client without an LRS: bad addresses, no connection, and each HTTP answer a real LRS can give
(a local HTTP server answering with that status) become one clear line; nothing is lost offline.
The conversation with a real LRS is in test_lrs.py."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from trainer_helpers import MINI, cli, make_assignment, mini, one_line, report_of, write_json  # noqa: F401

from pizzaborg.trainer.assignment import write_assignment
from pizzaborg.trainer.lrs import Lrs, LrsError, check_endpoint
from pizzaborg.trainer.xapi import statements


class Answers(BaseHTTPRequestHandler):
    """Answers each POST with the next (status, body) of the server's script; records batch sizes."""

    def do_POST(self):  # noqa: N802
        size = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(size))
        srv = self.server
        srv.batches.append(len(body))
        srv.auth.append(self.headers.get("Authorization"))
        status, text = srv.script.pop(0) if srv.script else (200, json.dumps([s["id"] for s in body]))
        if len(body) > srv.max_batch:
            status, text = 413, ""
        if status == 200:
            srv.accepted += len(body)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(text.encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def fake_lrs():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Answers)
    server.script, server.batches, server.auth, server.max_batch, server.accepted = [], [], [], 10**9, 0
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield server
    server.shutdown()
    server.server_close()


def url_of(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/xAPI/"


def closed_port_url() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/xAPI"


@pytest.mark.parametrize(
    "url, says",
    [
        ("ftp://lrs.example.org/xAPI/", "not an http(s) address"),
        ("https://bob:pw@lrs.example.org/xAPI/", "contains credentials"),
        ("https://lrs.example.org/xAPI/?x=1", "takes no query"),
        ("https://lrs.example.org:99999/", "not an LRS address"),
        ("", "is empty"),
    ],
)
def test_bad_lrs_addresses_are_one_line(cli, tmp_path, mini, url, says):
    path = write_json(tmp_path / "r.json", report_of(mini))
    code, out, err = cli("send", path, "--lrs", url, "--story", MINI)
    assert code == 2 and out == ""
    assert says in one_line(err)
    assert "pw" not in err or "bob:pw" not in err


def test_endpoint_gets_its_trailing_slash():
    assert check_endpoint(" http://127.0.0.1:8100/xAPI ") == "http://127.0.0.1:8100/xAPI/"


def test_no_connection_is_one_line_per_report_and_exit_1(cli, tmp_path, mini):
    path = write_json(tmp_path / "r.json", report_of(mini))
    code, out, err = cli(
        "send", path, "--lrs", closed_port_url(), "--story", MINI, "--user", "u", "--password", "secret-pw"
    )
    assert code == 1
    line = one_line(out)
    assert line.startswith(f"{path}: NOT sent: cannot reach the LRS at http://127.0.0.1:") and "try again later" in line
    assert "secret-pw" not in out + err


def test_a_report_that_does_not_verify_is_not_sent(cli, tmp_path, mini, fake_lrs):
    r = report_of(mini)
    r["score"] = (r["score"] or 0) + 7
    path = write_json(tmp_path / "r.json", r)
    code, out, err = cli("send", path, "--lrs", url_of(fake_lrs), "--story", MINI)
    assert code == 1 and "NOT sent: not verified: score" in one_line(out)
    assert fake_lrs.batches == []


@pytest.mark.parametrize(
    "status, body, says",
    [
        (
            401,
            '{"detail": "Invalid authentication credentials"}',
            "refused the credentials (HTTP 401: Invalid authentication credentials)",
        ),
        (403, "", "refused the credentials (HTTP 403)"),
        (
            409,
            '{"detail": "Differing statements already exist with the same ID: x"}',
            "already holds different statements with the same ids (HTTP 409)",
        ),
        (
            500,
            '{"detail": "Statements bulk indexation failed"}',
            "failed while the statements (HTTP 500) (Statements bulk indexation failed)",
        ),
        (404, "not here", "no xAPI statements resource at"),
        (400, '{"detail": "bad \\u001b[2J statement"}', "refused the statements (HTTP 400) (bad [2J statement)"),
    ],
)
def test_each_answer_of_an_lrs_is_a_clear_line(cli, tmp_path, mini, fake_lrs, status, body, says):
    fake_lrs.script = [(status, body)]
    path = write_json(tmp_path / "r.json", report_of(mini))
    code, out, err = cli("send", path, "--lrs", url_of(fake_lrs), "--story", MINI, "--user", "u", "--password", "p")
    assert code == 1
    line = one_line(out)
    assert says in line, line
    assert "\x1b" not in out


def test_batches_and_a_413_halves_them(mini, fake_lrs):
    stmts = statements(report_of(mini))
    assert len(stmts) > 8
    fake_lrs.max_batch = 3  # a request of more statements is "too large"
    lrs = Lrs(url_of(fake_lrs), "user", "pw", batch=8)
    assert lrs.post(stmts) == len(stmts) == fake_lrs.accepted
    assert fake_lrs.batches[:3] == [8, 4, 2] and max(fake_lrs.batches[2:]) == 2
    fake_lrs.max_batch = 0  # not even one statement fits
    with pytest.raises(LrsError, match="HTTP 413"):
        lrs.post(stmts)
    assert all(a and a.startswith("Basic ") for a in fake_lrs.auth)


def test_credentials_come_from_the_environment_and_both_are_needed(cli, tmp_path, mini, fake_lrs, monkeypatch):
    path = write_json(tmp_path / "r.json", report_of(mini))
    monkeypatch.setenv("PIZZABORG_LRS_USER", "env-user")
    monkeypatch.delenv("PIZZABORG_LRS_PASSWORD", raising=False)
    code, out, err = cli("send", path, "--lrs", url_of(fake_lrs), "--story", MINI)
    assert code == 2 and "give both the LRS user and password" in one_line(err)
    monkeypatch.setenv("PIZZABORG_LRS_PASSWORD", "env-pw")
    code, out, err = cli("send", path, "--lrs", url_of(fake_lrs), "--story", MINI)
    assert code == 0, out + err
    import base64

    assert fake_lrs.auth == ["Basic " + base64.b64encode(b"env-user:env-pw").decode()]


def test_plain_assignment_offline_keeps_the_results_and_says_so(cli, tmp_path, mini):
    url = closed_port_url()
    a = make_assignment(mini, lrs={"endpoint": url, "key": "k", "secret": "the-secret"})
    apath = tmp_path / "a.yaml"
    write_assignment(a, apath)
    saves = tmp_path / "s"
    r = cli(
        "--plain", "--story", MINI, "--saves-dir", saves, "--assignment", apath, stdin="Cleo\n1\n1\n1\n1\n1\n1\nq\n"
    )
    assert r.code == 0, r.err
    flat = " ".join(r.out.split())
    assert "Your results were not sent to your trainer's LRS yet: cannot reach the LRS" in flat
    assert "sent the next time you start this assignment" in flat
    queued = list((saves / "outbox").glob("*.json"))
    assert len(queued) == 1
    data = json.loads(queued[0].read_text())
    assert data["endpoint"] == url + "/" and data["statements"][0]["verb"]["id"].endswith("initialized")
    for f in saves.rglob("*"):
        if f.is_file():
            assert "the-secret" not in f.read_text(), f
    # the next start tries again and says so; still offline: still kept
    r = cli("--plain", "--story", MINI, "--saves-dir", saves, "--assignment", apath, stdin="q\n")
    assert "1 earlier result(s) are still waiting to be sent" in " ".join(r.out.split())
    assert len(list((saves / "outbox").glob("*.json"))) == 1


def test_assignment_lrs_settings_are_checked(cli, tmp_path):
    code, out, err = cli(
        "assignment",
        "new",
        "--story",
        MINI,
        "--cohort",
        "W",
        "-o",
        tmp_path / "a.yaml",
        "--lrs",
        "https://lrs.example.org/xAPI/",
        "--lrs-key",
        "k",
    )
    assert code == 2 and "both a key and its secret" in one_line(err)
    code, out, err = cli(
        "assignment",
        "new",
        "--story",
        MINI,
        "--cohort",
        "W",
        "-o",
        tmp_path / "a.yaml",
        "--lrs",
        "https://lrs.example.org/xAPI/",
        "--lrs-key",
        "k",
        "--lrs-secret",
        "s",
    )
    assert code == 0, err
    assert "write statements only" in out
    text = (tmp_path / "a.yaml").read_text()
    assert "endpoint: https://lrs.example.org/xAPI/" in text
    (tmp_path / "b.yaml").write_text(text.replace("endpoint: https://", "endpoint: ftp://"))
    code, out, err = cli("--plain", "--story", MINI, "--assignment", tmp_path / "b.yaml")
    assert code == 2 and "lrs.endpoint" in one_line(err)


def test_headless_play_does_not_load_the_http_client(mini_dir):
    code = textwrap.dedent(
        f"""
        import contextlib, io, sys
        from pizzaborg.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            assert main(['play', '--choices', '1', '--story', {str(mini_dir)!r}, '--json']) == 0
        http = {"urllib.request", "urllib.error", "http.client", "pizzaborg.trainer.lrs", "pizzaborg.trainer.send"}
        libs = ('requests', 'httpx', 'urllib3', 'aiohttp')
        bad = sorted(m for m in sys.modules if m in http or m.split('.')[0] in libs)
        print(bad)
        """
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]"


def test_cohort_needs_reports_or_an_lrs_with_an_assignment(cli, tmp_path, mini):
    code, out, err = cli("cohort", "--story", MINI)
    assert code == 2 and "cohort needs report files or folders, or --lrs URL" in one_line(err)
    code, out, err = cli("cohort", "--lrs", closed_port_url(), "--story", MINI)
    assert code == 2 and "needs --assignment FILE" in one_line(err)
    a = make_assignment(mini)
    write_assignment(a, tmp_path / "a.yaml")
    code, out, err = cli("cohort", "--lrs", closed_port_url(), "--assignment", tmp_path / "a.yaml", "--story", MINI)
    assert code == 1 and out == "" and "cannot reach the LRS" in one_line(err)


def test_delivery_notes_say_their_own_severity(tmp_path, mini):
    """The TUI colours the LRS line by the note's severity (it used to look for " were sent" in English)."""
    from pizzaborg.engine.notes import severity
    from pizzaborg.trainer.send import deliver, retry_pending

    a = make_assignment(mini, lrs={"endpoint": closed_port_url(), "key": "k", "secret": "s"})
    report = report_of(mini, assignment=a)
    line = deliver(report, a, tmp_path)
    assert line and severity(line) == "warning"
    again = retry_pending(a, tmp_path)
    assert again and severity(again) == "warning"
