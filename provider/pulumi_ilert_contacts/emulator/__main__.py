"""Command line: run the ilert contacts emulator until SIGTERM or SIGINT.

    python -m pulumi_ilert_contacts.emulator --port 8080 --token T --users 1001,1002

Once serving it prints exactly one line, ``ilert emulator listening on http://HOST:PORT``,
so a parent process can wait for that line and read the port from it.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import TYPE_CHECKING

from ..core.config import is_loopback_host

if TYPE_CHECKING:
    from .server import EmulatorServer

EXTRA_HINT = (
    "the ilert emulator needs its web server (Werkzeug), an optional dependency: "
    "pip install 'pulumi-ilert-contacts[emulator]'"
)


def _user_ids(text: str) -> list[int]:
    try:
        users = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numeric user ids, got {text!r}") from None
    if any(user < 1 for user in users):
        raise argparse.ArgumentTypeError("user ids must be positive")
    return users


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ilert-contacts-emulator", description="Serve a local emulator of the ilert contacts REST API."
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8080, help="port to listen on; 0 picks a free one")
    parser.add_argument("--token", default="test-token", help="the API key clients must send as Bearer")
    parser.add_argument("--users", type=_user_ids, default=[], help="user ids to seed, e.g. 1001,1002")
    parser.add_argument("--db", help="SQLite file that keeps state across restarts (default: in memory)")
    parser.add_argument("--rate-limit", type=int, help="API requests allowed per key per window")
    parser.add_argument("--rate-window", type=float, default=60.0, help="rate limit window in seconds")
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow listening on a non-loopback interface (the admin surface still answers loopback only)",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    return parser


def _server_class() -> type[EmulatorServer] | None:
    """The emulator's server class, or None when its optional web server is not installed."""
    try:
        from .server import EmulatorServer
    except ModuleNotFoundError as exc:
        if exc.name != "werkzeug":
            raise
        return None
    return EmulatorServer


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator until SIGTERM or SIGINT; returns the exit status."""
    args = _parser().parse_args(argv)
    if not is_loopback_host(args.host) and not args.allow_remote:
        # The emulator accepts one fixed token and keeps test data: exposing it to the
        # network by accident is worse than an extra flag when it is meant.
        print(
            f"refusing to listen on non-loopback host {args.host}; pass --allow-remote to do so",
            file=sys.stderr,
        )
        return 2

    server_class = _server_class()
    if server_class is None:
        print(EXTRA_HINT, file=sys.stderr)
        return 2
    server = server_class(
        token=args.token,
        users=args.users,
        db=args.db,
        host=args.host,
        port=args.port,
        rate_limit=args.rate_limit,
        rate_window=args.rate_window,
        verbose=args.verbose,
    )
    try:
        server.start()
    except OSError as exc:
        print(f"cannot start the emulator: {exc}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    try:
        # Handlers only once serving: main() that fails to start leaves its caller's
        # signal handling as it was.
        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        print(f"ilert emulator listening on {server.url}", flush=True)
        # Wait in short slices: a signal delivered to a server thread only runs its Python
        # handler once the main thread wakes up.
        while not stop.wait(0.1):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
