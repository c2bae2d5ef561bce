"""Issue 20, the LRS edges: a batch refused for good is set aside and the rest go on; a request has a total
deadline (a server trickling a byte every 2 s cannot hold it); an answer body is bounded; a self-signed
certificate says it was refused and how to trust it; a re-send says "already there"; no credentials is
not "refused the credentials"; a page nested 100,000 deep is "not a statement list"."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from trainer_helpers import MINI, cli, mini, one_line, report_of, write_json  # noqa: F401

from pizzaborg.trainer import send as S
from pizzaborg.trainer.lrs import ENV_CA, Lrs, LrsError
from pizzaborg.trainer.xapi import statements


class Script(BaseHTTPRequestHandler):
    """Answers each request with the next (status, body) of the server's script (200 + the ids, else)."""

    def _answer(self, default: bytes):
        srv = self.server
        status, text = srv.script.pop(0) if srv.script else (200, default)
        srv.seen.append((self.command, self.headers.get("Authorization")))
        srv.paths.append(self.path)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(text)))
        self.end_headers()
        self.wfile.write(text)

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        self.server.posted.append([s["id"] for s in body])
        self._answer(json.dumps([s["id"] for s in body]).encode())

    def do_GET(self):  # noqa: N802
        self._answer(b'{"statements": []}')

    def log_message(self, *args):
        pass


@pytest.fixture
def lrs_stub():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Script)
    server.script, server.seen, server.posted, server.paths = [], [], [], []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_address[1]}/xAPI/"
    yield server
    server.shutdown()
    server.server_close()


class RawServer:
    """A TCP server whose every connection is handled by ``serve(conn, stop)`` in a thread of its own."""

    def __init__(self, serve, wrap=None):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.stop = threading.Event()
        self.port = self.sock.getsockname()[1]
        self.serve, self.wrap = serve, wrap
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn):
        try:
            if self.wrap:
                conn = self.wrap(conn)
            conn.recv(65536)
            self.serve(conn, self.stop)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self):
        self.stop.set()
        self.sock.close()


def _trickle(conn, stop, every: float = 2.0):
    for ch in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n" + b" " * 100000:
        conn.sendall(bytes([ch]))
        if stop.wait(every):
            return


def _fast_trickle(conn, stop):
    """A byte every 0.4 s: no single read waits long, only the total deadline can stop it (a quicker test)."""
    _trickle(conn, stop, 0.4)


def _huge(length_header: bool):
    def serve(conn, stop):
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        head += b"Content-Length: 3221225472\r\n\r\n" if length_header else b"Connection: close\r\n\r\n"
        conn.sendall(head + b"[")
        block = b"0," * 32768
        for _ in range(3 * 1024**3 // len(block)):
            if stop.is_set():
                return
            conn.sendall(block)

    return serve


# ---- 4. the outbox ---------------------------------------------------------------------------------


def _outbox(saves, url, mini, n=3):
    regs = []
    for i in range(n):
        r = report_of(mini, seed=i + 1, learner=f"L{i}")
        S.queue(saves, url, f"{i}-{r['registration']}", statements(r))
        regs.append(r["registration"])
    return regs


@pytest.mark.parametrize("status", [401, 403, 409])
def test_a_batch_refused_for_good_is_set_aside_and_the_later_ones_go_on(tmp_path, mini, lrs_stub, status):
    saves = tmp_path / "saves"
    _outbox(saves, lrs_stub.url, mini)
    lrs_stub.script = [(status, b'{"detail": "no"}')]
    a = SimpleNamespace(lrs={"endpoint": lrs_stub.url, "key": "k", "secret": "s"})
    line = S.retry_pending(a, saves)
    assert "2 earlier result(s) that could not be sent before were sent" in line
    assert "1 result(s) were refused for good by your trainer's LRS (" in line and f"HTTP {status}" in line
    assert "set aside" in line and "tell your trainer" in line and "\n" not in line
    left = sorted(p.name for p in (saves / "outbox").iterdir())
    assert len(left) == 1 and left[0].startswith("0-") and left[0].endswith(".refused")
    assert S.retry_pending(a, saves) is None  # nothing blocks the next start


def test_a_first_send_refused_for_good_is_set_aside_at_once(tmp_path, mini, lrs_stub):
    from pizzaborg.trainer.handin import read_json_file  # noqa: F401 - the report as a game writes it

    saves = tmp_path / "saves"
    lrs_stub.script = [(403, b"")]
    a = SimpleNamespace(lrs={"endpoint": lrs_stub.url, "key": "k", "secret": "s"})
    line = S.deliver(report_of(mini), a, saves)
    assert "refused for good" in line and "HTTP 403" in line
    assert [p.suffix for p in (saves / "outbox").iterdir()] == [".refused"]


# ---- 5. a trickling, huge or untrusted answer ----------------------------------------------------------


def test_a_server_trickling_a_byte_every_2_s_cannot_hold_a_request_past_its_deadline(mini):
    srv = RawServer(_fast_trickle)
    try:
        lrs = Lrs(f"http://127.0.0.1:{srv.port}/xAPI/", timeout=2)
        t0 = time.monotonic()
        with pytest.raises(LrsError, match="did not answer within 2 s") as err:
            lrs.post(statements(report_of(mini)))
        elapsed = time.monotonic() - t0
        assert err.value.retry and elapsed < 4, elapsed
    finally:
        srv.close()


def test_the_learners_first_screen_waits_at_most_10_s_for_the_outbox(tmp_path, mini, monkeypatch):
    assert S.LEARNER_TIMEOUT == 10  # the budget; the test runs with a shorter one to keep the suite quick
    monkeypatch.setattr(S, "LEARNER_TIMEOUT", 2)
    srv = RawServer(_fast_trickle)
    try:
        url = f"http://127.0.0.1:{srv.port}/xAPI/"
        _outbox(tmp_path, url, mini)
        t0 = time.monotonic()
        line = S.retry_pending(SimpleNamespace(lrs={"endpoint": url, "key": "k", "secret": "s"}), tmp_path)
        elapsed = time.monotonic() - t0
        assert elapsed <= 3, elapsed
        assert "3 earlier result(s) are still waiting" in line
    finally:
        srv.close()


@pytest.mark.parametrize("length_header", [True, False])
def test_a_3_gib_answer_is_refused_in_small_memory(length_header):
    srv = RawServer(_huge(length_header))
    try:
        lrs = Lrs(f"http://127.0.0.1:{srv.port}/xAPI/", timeout=60)
        tracemalloc.start()
        with pytest.raises(LrsError, match="MiB") as err:
            lrs.get_statements({})
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert "not read" in str(err.value)
        assert peak < 100 * 1024 * 1024, f"{peak // 1024 // 1024} MiB"
    finally:
        srv.close()


def _cert(tmp_path):
    if not shutil.which("openssl"):
        pytest.skip("no openssl command to make a certificate")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    r = subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            key,
            "-out",
            cert,
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        capture_output=True,
        timeout=60,
    )
    if r.returncode:
        pytest.skip("openssl cannot make a self-signed certificate here")
    return key, cert


def test_a_self_signed_certificate_says_it_was_refused_and_how_to_trust_it(tmp_path, monkeypatch):
    key, cert = _cert(tmp_path)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)

    def answer(conn, stop):
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 18\r\n\r\n" + b'{"statements": []}')

    srv = RawServer(answer, wrap=lambda c: ctx.wrap_socket(c, server_side=True))
    try:
        monkeypatch.delenv(ENV_CA, raising=False)
        lrs = Lrs(f"https://127.0.0.1:{srv.port}/xAPI/", timeout=10)
        with pytest.raises(LrsError) as err:
            lrs.get_statements({})
        text = str(err.value)
        assert "certificate" in text and "refused" in text and ENV_CA in text and "try again later" not in text
        assert not err.value.retry
        monkeypatch.setenv(ENV_CA, str(cert))
        assert Lrs(f"https://127.0.0.1:{srv.port}/xAPI/", timeout=10).get_statements({}) == []
    finally:
        srv.close()


def test_a_resend_says_already_there(cli, tmp_path, mini, lrs_stub):
    path = write_json(tmp_path / "r.json", report_of(mini))
    code, first, _ = cli("send", path, "--lrs", lrs_stub.url, "--story", MINI)
    assert code == 0 and "statement(s) sent to" in first
    lrs_stub.script = [(204, b"")]  # Ralph: every statement of the batch is held already
    code, again, _ = cli("send", path, "--lrs", lrs_stub.url, "--story", MINI)
    assert code == 0 and again != first
    assert f"{path}: already there: the LRS at {lrs_stub.url} holds these" in one_line(again)


def test_no_credentials_at_all_is_not_refused_credentials(cli, tmp_path, mini, lrs_stub, monkeypatch):
    monkeypatch.delenv("PIZZABORG_LRS_USER", raising=False)
    monkeypatch.delenv("PIZZABORG_LRS_PASSWORD", raising=False)
    lrs_stub.script = [(401, b'{"detail": "Invalid authentication credentials"}')]
    path = write_json(tmp_path / "r.json", report_of(mini))
    code, out, _ = cli("send", path, "--lrs", lrs_stub.url, "--story", MINI)
    line = one_line(out)
    assert code == 1 and "refused the credentials" not in line
    assert "asks for credentials (HTTP 401) and none were given: give --user and --password" in line


def test_a_page_nested_100000_deep_is_not_a_statement_list(lrs_stub):
    lrs_stub.script = [(200, b'{"statements": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")]
    with pytest.raises(LrsError, match="not a statement list"):
        Lrs(lrs_stub.url).get_statements({})


def test_the_environments_proxy_is_used_as_before(lrs_stub, monkeypatch):
    monkeypatch.setenv("http_proxy", lrs_stub.url.rsplit("/xAPI/", 1)[0])
    monkeypatch.delenv("no_proxy", raising=False)
    monkeypatch.delenv("NO_PROXY", raising=False)
    assert Lrs("http://lrs.example.org/xAPI/").get_statements({}) == []
    assert lrs_stub.paths[0].startswith("http://lrs.example.org/xAPI/statements?")
