"""Run the emulator as a real HTTP server on a background thread.

A real socket (not a WSGI test client) matters: the provider under test runs in the
Pulumi engine's own process and can only reach the emulator over the network, and the
fault injection drops real TCP connections.
"""

from __future__ import annotations

import ipaddress
import os
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import EmulatorApp
from .faults import FaultInjector, KeyRateLimit, RequestCounter
from .store import ContactStore

if TYPE_CHECKING:
    # Only read by type checkers, so Python 3.10 (no typing.Self) can still import this.
    from typing import Self

    from .admin_client import EmulatorAdmin


class _RequestHandler(WSGIRequestHandler):
    """Werkzeug's handler, with the per-request access log off unless asked for."""

    verbose = False

    def log(self, type: str, message: str, *args: Any) -> None:
        # Access lines drown test and benchmark output; warnings and errors still show.
        if self.verbose or type != "info":
            super().log(type, message, *args)


class _VerboseRequestHandler(_RequestHandler):
    verbose = True


def _url_host(host: str) -> str:
    """The host part of a URL a client can use to reach a server bound to ``host``."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.is_unspecified:
        # Bound to every interface: loopback is the one address sure to reach it.
        return "[::1]" if address.version == 6 else "127.0.0.1"
    return f"[{host}]" if address.version == 6 else host


class EmulatorServer:
    """The ilert contacts API emulator, served over HTTP from a daemon thread.

    Example::

        with EmulatorServer(users=[1001]) as emulator:
            requests.get(f"{emulator.url}/api/users/1001/contacts/emails",
                         headers={"Authorization": "Bearer test-token"})

    :param token: the API key clients must send as ``Authorization: Bearer <token>``.
    :param users: user ids to seed (each with its login email contact) on start.
    :param db: a SQLite file for state that survives a restart; in memory if None.
    :param host: the interface to listen on.
    :param port: the port to listen on; 0 picks a free one (see :attr:`port`).
    :param rate_limit: API requests allowed per key per window; None for no limit.
    :param rate_window: the rate limit's window in seconds.
    :param verbose: log every request (Werkzeug's access log) to stderr.
    """

    def __init__(
        self,
        token: str = "test-token",
        users: Iterable[int | str] = (),
        db: str | os.PathLike[str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limit: int | None = None,
        rate_window: float = 60.0,
        verbose: bool = False,
    ) -> None:
        self.token = token
        self.users = [int(user) for user in users]
        self.db = os.fspath(db) if db is not None else None
        self.host = host
        self.requested_port = port
        self.rate_limit = rate_limit
        self.rate_window = rate_window
        self.verbose = verbose
        self.app: EmulatorApp | None = None
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._store: ContactStore | None = None

    def start(self) -> Self:
        """Open the store, seed the users and start serving; returns self."""
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        store = ContactStore(self.db)
        try:
            for user in self.users:
                store.seed_user(user)
            app = EmulatorApp(
                store,
                self.token,
                FaultInjector(),
                RequestCounter(),
                KeyRateLimit(self.rate_limit, self.rate_window),
            )
            handler = _VerboseRequestHandler if self.verbose else _RequestHandler
            try:
                server = make_server(
                    self.host, self.requested_port, app, threaded=True, request_handler=handler
                )
            except SystemExit as exc:
                # Werkzeug exits the process when it cannot bind; a library must raise.
                raise OSError(f"cannot listen on {self.host}:{self.requested_port}") from exc
        except BaseException:
            store.close()
            raise
        self._store, self.app, self._server = store, app, server
        # serve_forever only notices a shutdown request between polls, so the interval is
        # how long stop() takes; test suites stop a server per test, idle wake-ups are cheap.
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name=f"ilert-emulator-{server.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the store; a stopped server can be started again."""
        server, thread, store = self._server, self._thread, self._store
        self._server = self._thread = self._store = None
        self.app = None
        if server is not None:
            server.shutdown()
        if thread is not None:
            thread.join()
        if server is not None:
            # serve_forever closes the socket on its way out, but not if it never ran.
            server.server_close()
        if store is not None:
            store.close()

    @property
    def running(self) -> bool:
        """Whether the server is serving."""
        return self._server is not None

    @property
    def port(self) -> int:
        """The port the server listens on (the chosen one when started with port 0)."""
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return self._server.port

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:54321``; the API is under ``/api``."""
        return f"http://{_url_host(self.host)}:{self.port}"

    @property
    def api_url(self) -> str:
        """The API's base URL, ``<url>/api``, as a client's endpoint setting takes it."""
        return f"{self.url}/api"

    @property
    def admin(self) -> EmulatorAdmin:
        """A client of this server's admin surface."""
        from .admin_client import EmulatorAdmin

        return EmulatorAdmin(self.url)

    def __enter__(self) -> Self:
        return self.start() if not self.running else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
