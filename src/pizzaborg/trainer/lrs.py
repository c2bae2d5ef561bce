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
import urllib.error
import urllib.parse
import urllib.request

from ..engine.errors import PizzaBorgError

XAPI_VERSION = "1.0.3"
BATCH = 100  # statements per POST
PAGE = 500  # statements asked for per GET page (the LRS may send fewer)
TIMEOUT = 30.0
MAX_PAGES = 100_000
ENV_USER, ENV_PASSWORD = "PIZZABORG_LRS_USER", "PIZZABORG_LRS_PASSWORD"


class LrsError(PizzaBorgError):
    """Talking to the LRS failed; the message is one line. ``retry``: trying again later may work."""

    def __init__(self, message: str, retry: bool = False, status: int | None = None):
        super().__init__(message)
        self.retry = retry
        self.status = status


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
        raise LrsError(f"'{_short(url)}' is not an http(s) address: give the LRS's xAPI endpoint, e.g. https://lrs.example.org/xAPI/")
    if parts.username is not None or parts.password is not None:
        raise LrsError("the LRS address contains credentials: give them with --user/--password or "
                       f"{ENV_USER}/{ENV_PASSWORD}, not in the address")
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


def _short(text: str, n: int = 60) -> str:
    text = "".join(ch if ch.isprintable() else "?" for ch in str(text))
    return text if len(text) <= n else text[: n - 1] + "…"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Credentials are never carried to another address: a redirect is an answer, not followed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect())


class Lrs:
    """One LRS endpoint with optional basic-auth credentials."""

    def __init__(self, endpoint: str, user: str | None = None, password: str | None = None, timeout: float = TIMEOUT,
                 batch: int = BATCH):
        self.endpoint = check_endpoint(endpoint)
        self.timeout = timeout
        self.batch = max(1, int(batch))
        self._auth = None
        if user is not None:
            token = base64.b64encode(f"{user}:{password or ''}".encode()).decode("ascii")
            self._auth = f"Basic {token}"
        self.requests = 0

    @property
    def where(self) -> str:
        """The endpoint as shown in messages (it never holds credentials)."""
        return _short(self.endpoint, 100)

    # ---- HTTP ----------------------------------------------------------------------------------
    def _request(self, method: str, url: str, body: bytes | None = None) -> tuple:
        headers = {"X-Experience-API-Version": XAPI_VERSION, "Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self._auth:
            headers["Authorization"] = self._auth
        req = urllib.request.Request(url, data=body, method=method, headers=headers)
        self.requests += 1
        try:
            with _OPENER.open(req, timeout=self.timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as exc:
            try:
                raw = exc.read()
            except OSError:
                raw = b""
            finally:
                exc.close()
            return exc.code, raw
        except urllib.error.URLError as exc:
            reason = exc.reason
            text = reason.strerror if isinstance(reason, OSError) and reason.strerror else str(reason)
            raise LrsError(f"cannot reach the LRS at {self.where} ({_short(text)}); nothing was lost: try again later",
                           retry=True) from None
        except TimeoutError:
            raise LrsError(f"the LRS at {self.where} did not answer within {self.timeout:g} s; nothing was lost: "
                           "try again later", retry=True) from None
        except (ConnectionError, OSError) as exc:
            raise LrsError(f"the connection to the LRS at {self.where} failed ({_short(exc.strerror or str(exc))}); "
                           "nothing was lost: try again later", retry=True) from None

    def _failure(self, status: int, raw: bytes, doing: str) -> LrsError:
        detail = _detail(raw)
        said = f" ({detail})" if detail else ""
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
            return LrsError(f"the LRS at {self.where} refuses a request this large (HTTP 413) even for one statement",
                            status=status)
        if 300 <= status < 400:
            return LrsError(f"the LRS at {self.where} answered with a redirect (HTTP {status}): give the address it "
                            "redirects to", status=status)
        if status >= 500:
            return LrsError(f"the LRS at {self.where} failed while {doing} (HTTP {status}){said}; nothing was lost: "
                            "try again later", retry=True, status=status)
        if status == 404:
            return LrsError(f"no xAPI statements resource at {self.where}statements (HTTP 404): check the endpoint "
                            "address (it usually ends in /xAPI/ or /xapi/)", status=status)
        return LrsError(f"the LRS at {self.where} refused {doing} (HTTP {status}){said}", status=status)

    # ---- statements ----------------------------------------------------------------------------
    def post(self, statements: list) -> int:
        """POST ``statements`` in batches; return how many were sent. A 413 halves the batch and retries."""
        url = self.endpoint + "statements"
        sent = 0
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
            sent += len(chunk)
            i += len(chunk)
        return sent

    def get_statements(self, params: dict) -> list:
        """Every statement the query finds, following the LRS's ``more`` links."""
        url = self.endpoint + "statements?" + urllib.parse.urlencode({**params, "limit": PAGE})
        out: list = []
        seen = set()
        for _ in range(MAX_PAGES):
            status, raw = self._request("GET", url)
            if status != 200:
                raise self._failure(status, raw, "the query")
            try:
                page = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise LrsError(f"the LRS at {self.where} answered the query with something that is not JSON") from None
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


def _detail(raw: bytes) -> str:
    """The LRS's own explanation, one short line (Ralph and others answer {"detail": ...} or text)."""
    try:
        text = raw.decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - best effort only
        return ""
    try:
        data = json.loads(text)
        if isinstance(data, dict):
            for key in ("detail", "message", "error"):
                if isinstance(data.get(key), str):
                    text = data[key]
                    break
    except ValueError:
        pass
    text = re.sub(r"\s+", " ", "".join(ch if ch.isprintable() else " " for ch in text)).strip()
    return _short(text, 120)
