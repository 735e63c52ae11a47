"""Real servers for the security tests: a proxy that only records who tried to connect, and the
emulator behind TLS with a self-signed certificate. Both listen on 127.0.0.1 only."""

from __future__ import annotations

import socketserver
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pulumi_ilert_contacts.emulator.app import EmulatorApp
from pulumi_ilert_contacts.emulator.store import ContactStore
from werkzeug.serving import make_server

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment


@dataclass
class ProxyTrap:
    """A forward proxy that forwards nothing: it notes the request line of every connection
    (``CONNECT host:443 HTTP/1.1`` or ``POST http://host/... HTTP/1.1``) and refuses it.

    Set as ``HTTP(S)_PROXY`` for a process, it catches every connection that process's HTTP
    client would have opened to a non-loopback host, without any packet leaving the machine.
    """

    url: str
    seen: list[str] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        """Proxy variables routing every non-loopback HTTP(S) connection to the trap.

        Loopback stays direct: the engine and its plugins talk gRPC over 127.0.0.1.
        """
        names = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
        env = {name: self.url for name in names} | {name.lower(): self.url for name in names}
        return env | {"NO_PROXY": "127.0.0.1,localhost,::1", "no_proxy": "127.0.0.1,localhost,::1"}


@contextmanager
def proxy_trap() -> Iterator[ProxyTrap]:
    """Run a ``ProxyTrap`` on an ephemeral loopback port."""
    lock = threading.Lock()
    trap = ProxyTrap(url="")

    class Handler(socketserver.StreamRequestHandler):
        timeout = 5

        def handle(self) -> None:
            line = self.rfile.readline(4096).decode("latin-1").strip()
            with lock:
                trap.seen.append(line)
            self.wfile.write(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    trap.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield trap
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own key (``openssl``), and that key."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


@dataclass
class TlsEmulator:
    """The emulator's API served over HTTPS; ``requests`` counts every HTTP request that arrived."""

    url: str
    requests: int = 0


@contextmanager
def tls_emulator(cert: Path, key: Path, token: str, users: tuple[int, ...]) -> Iterator[TlsEmulator]:
    """Serve a fresh emulator over TLS on an ephemeral loopback port."""
    store = ContactStore()
    for user in users:
        store.seed_user(user)
    app = EmulatorApp(store, token)
    served = TlsEmulator(url="")

    def counting(environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        served.requests += 1
        return app(environ, start_response)

    server = make_server("127.0.0.1", 0, counting, threaded=True, ssl_context=(str(cert), str(key)))
    served.url = f"https://127.0.0.1:{server.port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        store.close()
