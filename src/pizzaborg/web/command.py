"""``pizzaborg serve``: its options and the checks made before anything listens. Only argparse at import:
aiohttp and textual-serve come with :func:`run`."""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from pathlib import Path

from ..cliargs import whole_number
from ..engine.errors import PizzaBorgError

MIN_CODE = 6
DEFAULT_MAX_SESSIONS = 30
DEFAULT_IDLE_MINUTES = 30.0
DEFAULT_SEATS_PER_CLIENT = 2  # web/guard.py has the same figures (it imports aiohttp; this module may not)
DEFAULT_PER_ADDRESS = 256
DEFAULT_QUOTA_MB, DEFAULT_QUOTA_FILES = 20, 200  # web/quota.py's defaults
DEFAULT_POOL = 2
DEFAULT_GRACE_MINUTES = 10.0
NEEDS_EXTRA = "pizzaborg serve needs the web extra: pip install 'pizzaborg[web]' (or 'make serve')"


class ServeError(PizzaBorgError):
    """Bad input to serve: exit 2 with this one-line message."""


_positive_int = whole_number(1, 1000, "")
_pool_size = whole_number(0, 100, "")
_port = whole_number(1, 65535, "a port", noun="port number")


def _minutes(text: str) -> float:
    try:
        m = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of minutes") from None
    if not 0.01 <= m <= 24 * 60:
        raise argparse.ArgumentTypeError("must be between 0.01 and 1440 minutes")
    return m


def _grace_minutes(text: str) -> float:
    try:
        m = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of minutes") from None
    if not 0 <= m <= 24 * 60:
        raise argparse.ArgumentTypeError("must be between 0 and 1440 minutes")
    return m


def register(sub, common) -> None:
    serve = sub.add_parser(
        "serve",
        parents=[common],
        help="trainer: host the game for a class in the browser",
        description="Serve the terminal game to browsers (needs the web extra: pip install 'pizzaborg[web]'). "
        "Each browser gets its own game, saves and resume code. Only this machine can connect unless --host "
        "says otherwise; any other host needs an access code (--code, or one is made and printed).",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)"
    )
    serve.add_argument("--port", type=_port, default=8000, help="default 8000")
    serve.add_argument("--code", metavar="CODE", help=f"the access code learners type (at least {MIN_CODE} characters)")
    serve.add_argument(
        "--max-sessions",
        type=_positive_int,
        default=DEFAULT_MAX_SESSIONS,
        metavar="N",
        help=f"games played at once (default {DEFAULT_MAX_SESSIONS}); more learners are asked to wait",
    )
    serve.add_argument(
        "--idle-minutes",
        type=_minutes,
        default=DEFAULT_IDLE_MINUTES,
        metavar="M",
        help=f"close (and save) a game nobody typed in for M minutes (default {DEFAULT_IDLE_MINUTES:g})",
    )
    serve.add_argument(
        "--max-sessions-per-learner",
        type=_positive_int,
        default=DEFAULT_SEATS_PER_CLIENT,
        metavar="N",
        help=f"games one browser that typed the access code may play at once (default {DEFAULT_SEATS_PER_CLIENT})",
    )
    serve.add_argument(
        "--max-connections-per-address",
        type=whole_number(4, 100000, ""),
        default=DEFAULT_PER_ADDRESS,
        metavar="N",
        help=f"open connections from one address (default {DEFAULT_PER_ADDRESS}: a class behind one NAT "
        "shares an address, and a browser opens up to 6 while the page loads); a trusted proxy has no such cap",
    )
    serve.add_argument(
        "--session-quota-mb",
        type=whole_number(1, 100000, ""),
        default=DEFAULT_QUOTA_MB,
        metavar="MB",
        help=f"saves one session may keep, in MB (default {DEFAULT_QUOTA_MB}); the oldest kept autosaves go first",
    )
    serve.add_argument(
        "--session-quota-files",
        type=whole_number(2, 100000, ""),
        default=DEFAULT_QUOTA_FILES,
        metavar="N",
        help=f"files one session's saves folder may hold (default {DEFAULT_QUOTA_FILES})",
    )
    serve.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="ADDR",
        help="a reverse proxy (address or network) whose X-Forwarded-For/-Proto/-Host headers are believed; repeatable",
    )
    serve.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name the server answers to, besides localhost, this machine's names and any IP address "
        "(e.g. the name behind a proxy); repeatable; '*' for any",
    )
    serve.add_argument(
        "--lms",
        action="append",
        default=[],
        metavar="URL",
        help="an LMS that may launch games here as a cmi5 AU (its address: the launch's fetch URL and xAPI "
        "endpoint must be on it); repeatable; without it no LMS can (docs/lms.md)",
    )
    serve.add_argument(
        "--pool",
        type=_pool_size,
        default=DEFAULT_POOL,
        metavar="N",
        help=f"games kept started and waiting for the next learners (default {DEFAULT_POOL}; 0: each game starts "
        "when its learner connects, in a process of its own)",
    )
    serve.add_argument(
        "--reattach-grace",
        type=_grace_minutes,
        default=DEFAULT_GRACE_MINUTES,
        metavar="M",
        help=f"a page closed or reloaded finds its live game again within M minutes (default "
        f"{DEFAULT_GRACE_MINUTES:g}; 0: the game is saved and stopped when its page goes)",
    )
    serve.add_argument(
        "--assignment",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help="every learner plays this assignment; reports go to --hand-ins",
    )
    serve.add_argument(
        "--hand-ins", metavar="DIR", help="where reports and server records land (default DATA/hand-ins)"
    )
    serve.add_argument(
        "--data-dir",
        metavar="DIR",
        default="pizzaborg-class",
        help="the server's folder: sessions and their saves (default ./pizzaborg-class)",
    )


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _writable_folder(path: Path, what: str) -> Path:
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".pizzaborg-write-test"
        probe.write_text("", encoding="ascii")
        probe.unlink()
    except OSError as exc:
        raise ServeError(f"the {what} {path} cannot be written: {exc.strerror or exc}") from None
    return path.resolve()


def settings(args) -> dict:
    """Everything the server needs, checked: a one-line ServeError for each problem."""
    code = args.code
    if code is not None:
        code = code.strip()
        if len(code) < MIN_CODE or len(code) > 64 or not code.isprintable():
            raise ServeError(f"--code must be {MIN_CODE} to 64 printable characters")
        if sum(ch.isalnum() for ch in code) < MIN_CODE:  # codes are compared as typed loosely: letters, digits
            raise ServeError(f"--code needs at least {MIN_CODE} letters or digits")
    elif not is_loopback(args.host):
        from .codes import new_code

        code = new_code(2)  # off this machine, never without a code: one is made and printed
    story_dir = getattr(args, "story", None)
    story_dir = str(Path(story_dir).resolve()) if story_dir else None
    from ..engine import StoryError, load_story

    try:
        story = load_story(story_dir)
    except StoryError as exc:
        raise ServeError(f"the story cannot be played: {exc}; run 'pizzaborg story check' for every problem") from None
    assignment_path, cohort, hand_ins = None, None, None
    data_dir = _writable_folder(Path(args.data_dir), "data folder")
    if getattr(args, "assignment", None):
        from ..trainer.assignment import AssignmentError, load_assignment
        from ..trainer.classrecord import KeyProblem, ensure_key

        try:
            a = load_assignment(args.assignment)
            a.check_story(story)
        except AssignmentError as exc:
            raise ServeError(str(exc)) from None
        assignment_path = str(Path(args.assignment).resolve())
        cohort = a.cohort
        hand_ins = _writable_folder(Path(args.hand_ins) if args.hand_ins else data_dir / "hand-ins", "hand-ins folder")
        try:
            ensure_key(hand_ins)
        except KeyProblem as exc:  # empty, short, someone else's or writable by others: one line, no start
            raise ServeError(str(exc)) from None
        except (OSError, ValueError) as exc:
            raise ServeError(f"the hand-ins folder's class-server key cannot be made or read: {exc}") from None
    elif args.hand_ins:
        raise ServeError("--hand-ins needs --assignment (reports are written for an assignment)")
    proxies = tuple(getattr(args, "trusted_proxy", None) or ())
    for p in proxies:
        try:
            ipaddress.ip_network(p.strip().strip("[]"), strict=False)
        except ValueError:
            raise ServeError(
                f"--trusted-proxy '{p}' is not an IP address or network (e.g. 127.0.0.1, 10.0.0.0/8)"
            ) from None
    hosts = tuple(h.strip().lower().rstrip(".") for h in getattr(args, "allowed_host", None) or ())
    for h in hosts:
        if not h or not (h == "*" or all(part.replace("-", "").isalnum() for part in h.split("."))):
            raise ServeError(f"--allowed-host '{h}' is not a host name")
    lms: tuple[str, ...] = ()
    if getattr(args, "lms", None):
        from ..trainer.cmi5 import Cmi5Error, origin

        try:
            lms = tuple(origin(u) for u in args.lms)
        except Cmi5Error as exc:
            raise ServeError(f"--lms: {exc}") from None
    return dict(
        host=args.host,
        port=args.port,
        data_dir=data_dir,
        story_dir=story_dir,
        code=code,
        max_sessions=args.max_sessions,
        idle_seconds=args.idle_minutes * 60,
        pool=args.pool,
        reattach_grace=args.reattach_grace * 60,
        fixed_lang=bool(getattr(args, "lang", None) or os.environ.get("PIZZABORG_LANG")),
        assignment_path=assignment_path,
        hand_ins=hand_ins,
        cohort=cohort,
        max_per_client=getattr(args, "max_sessions_per_learner", DEFAULT_SEATS_PER_CLIENT),
        max_connections_per_address=getattr(args, "max_connections_per_address", DEFAULT_PER_ADDRESS),
        trusted_proxies=proxies,
        allowed_hosts=hosts,
        lms=lms,
        quota_mb=getattr(args, "session_quota_mb", DEFAULT_QUOTA_MB),
        quota_files=getattr(args, "session_quota_files", DEFAULT_QUOTA_FILES),
    )


def run(args) -> int:
    try:
        conf = settings(args)
        try:
            from .server import ClassServer
        except ImportError:
            raise ServeError(NEEDS_EXTRA) from None
        server = ClassServer(**conf)
        try:
            server.serve()
        except OSError as exc:
            raise ServeError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
    except ServeError as exc:
        print(f"pizzaborg: {exc}", file=sys.stderr)
        return 2
    return 0
