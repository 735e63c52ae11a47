"""A throwaway ``redis-server`` (Debian's package; ``make redis`` installs it) for the tests and the
benchmarks: on 127.0.0.1, a free port, a temporary directory, nothing saved to disk, optionally
with a password. ``stop()`` (or leaving the ``with`` block) ends it and removes the directory.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Python 3.10 has no typing.Self
    from typing import Self


class RedisServer:
    def __init__(self, password: str | None = None) -> None:
        self.password = password
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.dir: Path | None = None

    @property
    def url(self) -> str:
        """The server's URL, without its password."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> Self:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: run `make redis` (Debian's redis-server)")
        self.dir = Path(tempfile.mkdtemp(prefix="ilert-redis-"))
        for _ in range(5):  # a free port can be taken between the probe and the bind
            self.port = _free_port()
            args = [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.dir)]
            args += ["--save", "", "--appendonly", "no", "--logfile", str(self.dir / "redis.log")]
            if self.password:
                args += ["--requirepass", self.password]
            self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if self._wait_ready(timeout):
                return self
            self._end()
        raise RuntimeError(f"redis-server did not start: {self._log_tail()}")

    def stop(self) -> None:
        """End the server (a store going down mid-deploy, or the end of the test)."""
        self._end()
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def _end(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def _wait_ready(self, timeout: float) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    answer = conn.recv(64)
                if answer.startswith((b"+PONG", b"-NOAUTH")):
                    return True
            except OSError:
                pass
            time.sleep(0.05)
        return False

    def _log_tail(self) -> str:
        try:
            return (self.dir / "redis.log").read_text()[-500:] if self.dir else ""
        except OSError:
            return ""

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, _type: type[BaseException] | None, _value: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
