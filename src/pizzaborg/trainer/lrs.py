"""A small xAPI client for a Learning Record Store: POST statements in batches, GET them page by page.

Standard library only (urllib): two requests with basic authentication and JSON do not need a client
library, and the trainer tools stay installable without one. Only the commands that talk to an LRS
import this module; headless play never does.

Every failure is an :class:`LrsError` with a one-line message that names the LRS (scheme, host and
path; never the credentials) and says whether trying again later can help (``retry``).
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import urllib.parse

from ..engine.errors import PizzaBorgError

XAPI_VERSION = "1.0.3"
BATCH = 100  # statements per POST
PAGE = 500  # statements asked for per GET page (the LRS may send fewer)
TIMEOUT = 30.0
MAX_PAGES = 100_000
MAX_ANSWER = 32 * 1024 * 1024  # bytes of one answer: a page of 500 statements is a few MiB
MAX_DEPTH = 64  # a statement nests about 8 levels
ENV_USER, ENV_PASSWORD = "PIZZABORG_LRS_USER", "PIZZABORG_LRS_PASSWORD"
ENV_CA = "PIZZABORG_LRS_CA"  # a PEM file of certificates to trust besides the system's (a self-signed LRS)


class LrsError(PizzaBorgError):
    """Talking to the LRS failed; the message is one line. ``retry``: trying again later may work."""

    def __init__(self, message: str, retry: bool = False, status: int | None = None):
        super().__init__(message)
        self.retry = retry
        self.status = status


class AnswerTooLarge(LrsError):
    """The answer was larger than a request may read (see :meth:`Lrs.get_statements`)."""


class NoAnswerInTime(LrsError):
    """The LRS did not answer within the timeout (see :meth:`Lrs.get_statements`)."""


def check_endpoint(url) -> str:
    """The LRS's xAPI endpoint as ``http(s)://host[:port]/path/`` (with the trailing slash), or LrsError."""
    if not isinstance(url, str) or not url.strip():
        raise LrsError("the LRS address is empty: give its xAPI endpoint, e.g. https://lrs.example.org/xAPI/")
    url = url.strip()
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise LrsError(
            f"'{_short(url)}' is not an LRS address: give its xAPI endpoint, e.g. https://lrs.example.org/xAPI/"
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LrsError(
            f"'{_short(url)}' is not an http(s) address: give the LRS's xAPI endpoint, e.g. https://lrs.example.org/xAPI/"
        )
    if parts.username is not None or parts.password is not None:
        raise LrsError(
            "the LRS address contains credentials: give them with --user/--password or "
            f"{ENV_USER}/{ENV_PASSWORD}, not in the address"
        )
    if parts.query or parts.fragment:
        raise LrsError(f"'{_short(url)}': the LRS endpoint takes no query (?...) or fragment (#...)")
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def credentials(user: str | None = None, password: str | None = None) -> tuple:
    """(user, password) from the options, else from PIZZABORG_LRS_USER/_PASSWORD; (None, None) when unset."""
    user = user if user is not None else os.environ.get(ENV_USER)
    password = password if password is not None else os.environ.get(ENV_PASSWORD)
    if user is not None and ":" in user:
        raise LrsError("an LRS user name cannot contain ':' (basic authentication)")
    if (user is None) != (password is None):
        raise LrsError(f"give both the LRS user and password (--user/--password or {ENV_USER}/{ENV_PASSWORD})")
    return user, password


def _short(text: object, n: int = 60) -> str:
    text = "".join(ch if ch.isprintable() else "?" for ch in str(text))
    return text if len(text) <= n else text[: n - 1] + "…"


def _tls_context():
    """Certificates checked against the system's authorities, plus the file named by PIZZABORG_LRS_CA (a
    PEM bundle: how a trainer trusts an LRS with a self-signed or in-house certificate)."""
    import ssl

    ca = os.environ.get(ENV_CA) or None
    try:
        return ssl.create_default_context(cafile=ca)
    except (OSError, ssl.SSLError) as exc:
        why = _short(getattr(exc, "strerror", None) or exc)
        raise LrsError(
            f"the certificate file {ENV_CA}={_short(ca)} cannot be used ({why}): "
            "give a PEM file of the LRS's certificate or its authority's"
        ) from None


def _proxy_for(parts):
    """The proxy (split address) the environment names for this address, or None."""
    import urllib.request

    proxy = urllib.request.getproxies().get(parts.scheme)
    if not proxy or urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    split = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    return split if split.hostname else None


class _Deadline:
    """Closes the connection's socket when the request's total time is up, so a server that trickles a byte
    every few seconds cannot keep the request going past the stated wait (a per-read timeout would)."""

    def __init__(self, conn, seconds: float):
        import threading

        self.conn = conn
        self.expired = False
        self._timer = threading.Timer(max(0.0, seconds), self._expire)
        self._timer.daemon = True

    def _expire(self) -> None:
        self.expired = True
        sock = getattr(self.conn, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self):
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()


class Lrs:
    """One LRS endpoint with optional basic-auth credentials."""

    def __init__(
        self,
        endpoint: str,
        user: str | None = None,
        password: str | None = None,
        timeout: float = TIMEOUT,
        batch: int = BATCH,
    ):
        self.endpoint = check_endpoint(endpoint)
        self.timeout = timeout
        self.batch = max(1, int(batch))
        self._auth = None
        self.user = user  # which account reads: the trainer's LRS cache is kept per account
        if user is not None:
            token = base64.b64encode(f"{user}:{password or ''}".encode()).decode("ascii")
            self._auth = f"Basic {token}"
        self.requests = 0
        self.new = 0

    @property
    def where(self) -> str:
        """The endpoint as shown in messages (it never holds credentials)."""
        return _short(self.endpoint, 100)

    # ---- HTTP ----------------------------------------------------------------------------------
    def _request(self, method: str, url: str, body: bytes | None = None, limit: int = MAX_ANSWER) -> tuple:
        """(status, body) of one request that takes at most ``self.timeout`` seconds *in all* (connecting,
        sending, every byte of the answer) and reads at most ``limit`` bytes of answer. Redirects are
        answers, never followed: credentials are never carried to another address."""
        import http.client
        import ssl
        import time

        headers = {"X-Experience-API-Version": XAPI_VERSION, "Accept": "application/json", "Connection": "close"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self._auth:
            headers["Authorization"] = self._auth
        parts = urllib.parse.urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        start = time.monotonic()
        host, port = parts.hostname or "", parts.port  # the address was checked: it has a host
        proxy = _proxy_for(parts)  # HTTP(S)_PROXY and NO_PROXY, as urllib honours them
        if proxy is not None and parts.scheme == "http":
            host, port, target = proxy.hostname or "", proxy.port or 80, url  # a plain proxy takes the whole address
        conn: http.client.HTTPConnection
        if parts.scheme == "https":
            if proxy is not None:
                conn = http.client.HTTPSConnection(
                    proxy.hostname or "", proxy.port or 80, timeout=self.timeout, context=_tls_context()
                )
                conn.set_tunnel(host, port or 443)
            else:
                conn = http.client.HTTPSConnection(host, port, timeout=self.timeout, context=_tls_context())
        else:
            conn = http.client.HTTPConnection(host, port, timeout=self.timeout)
        self.requests += 1
        deadline = _Deadline(conn, self.timeout)
        try:
            with deadline:
                conn.request(method, target, body=body, headers=headers)
                resp = conn.getresponse()
                length = resp.getheader("Content-Length")
                if length and length.strip().isdigit() and int(length) > limit:
                    raise AnswerTooLarge(
                        f"the LRS at {self.where} answered with {int(length) // (1024 * 1024)} MiB, "
                        f"more than the {limit // (1024 * 1024)} MiB an answer may be: not read",
                        status=resp.status,
                    )
                chunks, size = [], 0
                while size <= limit:
                    chunk = resp.read(min(1 << 16, limit + 1 - size))
                    if not chunk:
                        break
                    chunks.append(chunk)
                    size += len(chunk)
                if deadline.expired:  # the socket was shut under the read: what came is not the whole answer
                    raise TimeoutError
                if size > limit:
                    raise AnswerTooLarge(
                        f"the LRS at {self.where} answered with more than the {limit // (1024 * 1024)} MiB "
                        "an answer may be: not read",
                        status=resp.status,
                    )
                return resp.status, b"".join(chunks)
        except LrsError:
            raise
        except ssl.SSLCertVerificationError as exc:
            raise LrsError(
                f"the LRS at {self.where} showed a certificate this computer does not trust "
                f"({_short(exc.verify_message or exc, 80)}), so it was refused: to trust it, set {ENV_CA} "
                "to a PEM file of its certificate (or of the authority that signed it)"
            ) from None
        except ssl.SSLError as exc:
            raise LrsError(
                f"no secure connection to the LRS at {self.where} ({_short(exc.reason or exc)}): check that "
                "the address's https:// is right, or ask for the LRS's certificate"
            ) from None
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            late = time.monotonic() - start >= self.timeout
            if deadline.expired or late or isinstance(exc, (socket.timeout, TimeoutError)):
                raise NoAnswerInTime(
                    f"the LRS at {self.where} did not answer within {self.timeout:g} s; nothing was lost: "
                    "try again later",
                    retry=True,
                ) from None
            if isinstance(exc, (socket.gaierror, ConnectionRefusedError)) or getattr(conn, "sock", None) is None:
                text = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                raise LrsError(
                    f"cannot reach the LRS at {self.where} ({_short(text)}); nothing was lost: try again later",
                    retry=True,
                ) from None
            text = exc.strerror if isinstance(exc, OSError) and exc.strerror else (str(exc) or exc.__class__.__name__)
            raise LrsError(
                f"the connection to the LRS at {self.where} failed ({_short(text)}); nothing was lost: try again later",
                retry=True,
            ) from None
        finally:
            conn.close()

    def _failure(self, status: int, raw: bytes, doing: str) -> LrsError:
        detail = _detail(raw)
        said = f" ({detail})" if detail else ""
        if status in (401, 403) and self._auth is None:
            return LrsError(
                f"the LRS at {self.where} asks for credentials (HTTP {status}) and none were given: give "
                f"--user and --password (or {ENV_USER}/{ENV_PASSWORD})",
                status=status,
            )
        if status in (401, 403):
            return LrsError(
                f"the LRS at {self.where} refused the credentials (HTTP {status}{': ' + detail if detail else ''}): "
                f"check the user and password",
                status=status,
            )
        if status == 409:
            return LrsError(
                f"the LRS at {self.where} already holds different statements with the same ids (HTTP 409){said}: "
                "these results were changed after they were first sent; the LRS keeps the first ones",
                status=status,
            )
        if status == 413:
            return LrsError(
                f"the LRS at {self.where} refuses a request this large (HTTP 413) even for one statement", status=status
            )
        if 300 <= status < 400:
            return LrsError(
                f"the LRS at {self.where} answered with a redirect (HTTP {status}): give the address it redirects to",
                status=status,
            )
        if status >= 500:
            return LrsError(
                f"the LRS at {self.where} failed while {doing} (HTTP {status}){said}; nothing was lost: "
                "try again later",
                retry=True,
                status=status,
            )
        if status == 404:
            return LrsError(
                f"no xAPI statements resource at {self.where}statements (HTTP 404): check the endpoint "
                "address (it usually ends in /xAPI/ or /xapi/)",
                status=status,
            )
        return LrsError(f"the LRS at {self.where} refused {doing} (HTTP {status}){said}", status=status)

    # ---- statements ----------------------------------------------------------------------------
    def post(self, statements: list) -> int:
        """POST ``statements`` in batches; return how many were sent. A 413 halves the batch and retries.
        ``self.new`` is then how many of them the LRS did not hold yet (it answers 204, or the ids it
        stored, when it already holds identical statements)."""
        url = self.endpoint + "statements"
        sent = 0
        self.new = 0
        size = self.batch
        i = 0
        while i < len(statements):
            chunk = statements[i : i + size]
            body = json.dumps(chunk, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")
            status, raw = self._request("POST", url, body)
            if status == 413 and size > 1:
                size = max(1, size // 2)
                continue
            if status not in (200, 204):
                raise self._failure(status, raw, "the statements")
            self.new += _stored_count(status, raw, len(chunk))
            sent += len(chunk)
            i += len(chunk)
        return sent

    def get_statements(self, params: dict) -> list:
        """Every statement the query finds, following the LRS's ``more`` links. ``params`` may set
        ``limit`` (else :data:`PAGE`): 0 asks for "the maximum the server will allow" (xAPI), one page for
        a small query where each page costs a lot (Ralph 5's filesystem backend reads its whole store for
        every page of at most 100, and answers ``limit=0`` with every statement at once); a first answer
        larger than :data:`MAX_ANSWER`, or not given within the timeout, is asked for again in pages of
        :data:`PAGE`."""
        url = self.endpoint + "statements?" + urllib.parse.urlencode({"limit": PAGE, **params})
        out: list = []
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            try:
                status, raw = self._request("GET", url)
            except (AnswerTooLarge, NoAnswerInTime):
                if out or seen or str(params.get("limit")) != "0":
                    raise
                return self.get_statements({**params, "limit": PAGE})
            if status != 200:
                raise self._failure(status, raw, "the query")
            from ..engine.files import depth

            try:
                page = json.loads(raw.decode("utf-8-sig"))
            except RecursionError:
                raise LrsError(
                    f"the LRS at {self.where} answered the query with something nested too deep: not a statement list"
                ) from None
            except (UnicodeDecodeError, ValueError):
                raise LrsError(f"the LRS at {self.where} answered the query with something that is not JSON") from None
            if not depth(page, MAX_DEPTH):
                raise LrsError(
                    f"the LRS at {self.where} answered the query with something nested more than "
                    f"{MAX_DEPTH} levels deep: not a statement list"
                )
            if not isinstance(page, dict) or not isinstance(page.get("statements"), list):
                raise LrsError(f"the LRS at {self.where} answered the query without a list of statements")
            out.extend(s for s in page["statements"] if isinstance(s, dict))
            more = page.get("more")
            if not isinstance(more, str) or not more:
                return out
            nxt = urllib.parse.urljoin(self.endpoint, more)
            if urllib.parse.urlsplit(nxt).netloc != urllib.parse.urlsplit(self.endpoint).netloc:
                raise LrsError(f"the LRS at {self.where} pointed the next page at another server; not followed")
            if nxt in seen or not page["statements"]:
                return out
            seen.add(nxt)
            url = nxt
        raise LrsError(f"the LRS at {self.where} kept sending pages; stopped after {MAX_PAGES}")


def _stored_count(status: int, raw: bytes, sent: int) -> int:
    """How many statements of a batch the LRS stored now: 204 (Ralph, when it held them all already) is none;
    200 lists the ids it stored; an answer without a list counts as all of them."""
    if status == 204:
        return 0
    try:
        ids = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return sent
    return len(ids) if isinstance(ids, list) and len(ids) <= sent else sent


def _detail(raw: bytes) -> str:
    """The LRS's own explanation, one short line (Ralph and others answer {"detail": ...} or text)."""
    try:
        text = raw.decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - best effort only
        return ""
    try:
        data = json.loads(text) if len(text) < 64 * 1024 else None
        if isinstance(data, dict):
            for key in ("detail", "message", "error"):
                if isinstance(data.get(key), str):
                    text = data[key]
                    break
    except (ValueError, RecursionError):
        pass
    text = re.sub(r"\s+", " ", "".join(ch if ch.isprintable() else " " for ch in text)).strip()
    return _short(text, 120)
