"""Client-side rate limiting: one budget per API key, shared by every thread and every provider
process on the machine.

ilert allows 120 requests per minute per API key and answers 429 (without Retry-After) until the
next one-minute window. The Pulumi engine drives a provider from many threads at once, and several
stacks deploying at once (separate ``pulumi up`` commands, each with its own provider process)
spend the budget of one key together. So the budget is kept per key, and on disk:

- A sliding log of request start times: at most ``limit`` requests start in any ``window`` seconds,
  which holds for any window alignment the server may use (ilert's are fixed, on the wall clock).
- The log of a key lives in a small file in a per-user directory (``budget_dir()``), locked with
  ``flock`` for each acquisition. The lock is held for a read and a write of that file, and the
  kernel releases it when a process dies, so a killed provider never leaves it held.
- The file is named after a keyed SHA-256 of endpoint and token, truncated to 128 bits: nothing of
  the token is on disk, and the name matches no other tool's hash of it. It holds start times only.
- Where the directory cannot be used (read-only home, no ``flock``), the limiter falls back to the
  process's own log and says so once on the provider's log.

Across machines (CI runners, colleagues) nothing is shared: there only the retry layer's 429
handling (``retry.py``) helps.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import sys
import threading
import time
from collections import deque
from pathlib import Path

RATE_LIMIT_ENV = "ILERT_RATE_LIMIT"
RATE_WINDOW_ENV = "ILERT_RATE_WINDOW"
RATE_DIR_ENV = "ILERT_RATE_DIR"
DEFAULT_LIMIT = 120
DEFAULT_WINDOW = 60.0
APP_DIR = "pulumi-ilert-contacts"
LOCK_TIMEOUT = 5.0
"""Seconds to wait for another process's hold on a budget file before going it alone."""
CLOCK_SLACK = 1.0
"""Start times this far in the future are kept (another process's clock read); later ones are a
wall-clock jump backwards and are dropped."""
_NAME_KEY = b"pulumi-ilert-contacts rate budget v1"

log = logging.getLogger("pulumi_ilert_contacts.ratelimit")


class RateLimiter:
    """At most ``limit`` acquisitions in any ``window`` seconds, within this process;
    ``limit <= 0`` disables it."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._starts: deque[float] = deque()
        self._blocked_until = 0.0
        self._cond = threading.Condition()

    def acquire(self) -> float:
        """Wait for a slot; return the seconds waited."""
        if self.limit <= 0:
            return 0.0
        waited = 0.0
        with self._cond:
            while True:
                now = time.monotonic()
                while self._starts and now - self._starts[0] >= self.window:
                    self._starts.popleft()
                if now >= self._blocked_until and len(self._starts) < self.limit:
                    self._starts.append(now)
                    return waited
                until = self._blocked_until if now < self._blocked_until else self._starts[0] + self.window
                pause = max(until - now, 0.001)
                self._cond.wait(pause)
                waited += time.monotonic() - now

    def block_for(self, seconds: float) -> None:
        """Hold every thread back for ``seconds`` (after a 429: the window is used up)."""
        with self._cond:
            self._blocked_until = max(self._blocked_until, time.monotonic() + seconds)


class SharedRateLimiter(RateLimiter):
    """A sliding log in a locked file: every process on the machine that uses the same file (the
    same key and window) takes its requests from one budget.

    Each process applies its own ``limit`` to the common log. A small ``margin`` is added to the
    window, for the time between taking a slot and the request reaching ilert (which varies by
    process and thread, so two requests a window apart could otherwise land in one window).
    """

    def __init__(self, limit: int, window: float, path: Path) -> None:
        super().__init__(limit, window)
        self.path = path
        self.margin = min(max(window * 0.01, 0.05), 0.5)
        self._local = threading.Lock()  # flock excludes processes; threads of one process queue here
        self._alone = False

    def acquire(self) -> float:
        """Wait for a slot in the shared budget; return the seconds waited."""
        if self.limit <= 0:
            return 0.0
        waited = 0.0
        while not self._alone:
            try:
                pause = self._take(time.time())
            except OSError as exc:
                self._go_alone(exc)
                break
            if pause <= 0:
                return waited
            time.sleep(pause)
            waited += pause
        return waited + super().acquire()

    def block_for(self, seconds: float) -> None:
        """Hold back every process on this budget for ``seconds`` (after a 429)."""
        super().block_for(seconds)
        if self._alone:
            return
        try:
            with self._locked() as budget:
                starts, blocked = _parse(budget.read())
                budget.write(starts, max(blocked, time.time() + seconds))
        except OSError as exc:
            self._go_alone(exc)

    def _take(self, now: float) -> float:
        """Take a slot (0.0) or say how long to wait before asking again."""
        span = self.window + self.margin
        with self._locked() as budget:
            starts, blocked = _parse(budget.read())
            starts = sorted(t for t in starts if now - span < t <= now + CLOCK_SLACK)
            if blocked > now + 2 * span:
                blocked = 0.0  # a wall-clock jump backwards: forget it
            if now >= blocked and len(starts) < self.limit:
                starts.append(now)
                budget.write(starts, blocked)
                return 0.0
        if now < blocked:
            return blocked - now
        # The slot that frees first: when enough of the oldest starts leave the window.
        return max(starts[len(starts) - self.limit] + span - now, 0.001)

    def _locked(self) -> _BudgetFile:
        return _BudgetFile(self.path, self._local)

    def _go_alone(self, exc: OSError) -> None:
        if not self._alone:
            self._alone = True
            log.warning(
                "rate budget file %s is unusable (%s): limiting this process alone", self.path, exc
            )


class _BudgetFile:
    """The budget file, open and locked (``with``): read its text, write it back."""

    def __init__(self, path: Path, local: threading.Lock) -> None:
        self.path = path
        self.local = local
        self.fd = -1

    def __enter__(self) -> _BudgetFile:
        self.local.acquire()
        try:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                _lock(self.fd)
            except BaseException:
                os.close(self.fd)
                raise
        except BaseException:
            self.local.release()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        try:
            _unlock(self.fd)
        finally:
            os.close(self.fd)
            self.local.release()

    def read(self) -> str:
        os.lseek(self.fd, 0, os.SEEK_SET)
        chunks = []
        while chunk := os.read(self.fd, 65536):
            chunks.append(chunk)
        return b"".join(chunks).decode("utf-8", errors="replace")

    def write(self, starts: list[float], blocked_until: float) -> None:
        data = json.dumps({"starts": [round(t, 4) for t in starts], "blocked_until": blocked_until})
        os.lseek(self.fd, 0, os.SEEK_SET)
        os.ftruncate(self.fd, 0)
        os.write(self.fd, data.encode())


def _parse(text: str) -> tuple[list[float], float]:
    # An empty file is a new budget; a damaged one (a crash mid-write) is treated as one too: at
    # worst one window is overspent, and the retry layer's 429 handling covers that.
    try:
        data = json.loads(text) if text.strip() else {}
        starts = [float(t) for t in data.get("starts", [])]
        return starts, float(data.get("blocked_until", 0.0))
    except (ValueError, TypeError, AttributeError):
        return [], 0.0


if sys.platform == "win32":
    import msvcrt

    def _lock(fd: int) -> None:
        # Locks one byte at offset 0; LK_NBLCK fails at once if another process holds it.
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            os.lseek(fd, 0, os.SEEK_SET)
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                return
            except OSError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(0.002)

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"the lock was held for over {LOCK_TIMEOUT:g} s") from None
                time.sleep(0.001)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def budget_name(endpoint: str, token: str) -> str:
    """The name of a key's budget: 128 bits of HMAC-SHA-256 of endpoint and token under a fixed
    label. It cannot be turned back into the token (an API key is long and random), and the label
    keeps it from matching a plain hash of the token that another tool might store."""
    digest = hmac.new(_NAME_KEY, f"{endpoint}\n{token}".encode(), hashlib.sha256).hexdigest()
    return digest[:32]


def budget_dir() -> Path:
    """Where the budget files live: ``ILERT_RATE_DIR``, else the per-user runtime directory
    (``$XDG_RUNTIME_DIR/pulumi-ilert-contacts``), else the per-user cache directory
    (``~/.cache/pulumi-ilert-contacts/rate``; on macOS ``~/Library/Caches/...``, on Windows
    ``%LOCALAPPDATA%\\...``)."""
    configured = os.environ.get(RATE_DIR_ENV)
    if configured:
        return Path(configured)
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isdir(runtime):
        return Path(runtime) / APP_DIR
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / APP_DIR / "rate"


def seconds_to_next_window(window: float) -> float:
    """Seconds until the next wall-clock window boundary, which is when ilert lifts a 429."""
    return window - (time.time() % window)


def window_from_env() -> float:
    """The rate-limit window in seconds (``ILERT_RATE_WINDOW``; scaled down in quick tests)."""
    return float(os.environ.get(RATE_WINDOW_ENV) or DEFAULT_WINDOW)


def limit_from_env() -> int:
    """Requests per window (``ILERT_RATE_LIMIT``; 0 disables the limiter)."""
    return int(os.environ.get(RATE_LIMIT_ENV) or DEFAULT_LIMIT)


def limiter_for(endpoint: str, token: str) -> RateLimiter:
    """The limiter of one API key: shared with every process on the machine that uses the key
    (and the same window), configured from ``ILERT_RATE_LIMIT`` and ``ILERT_RATE_WINDOW``."""
    limit, window = limit_from_env(), window_from_env()
    if limit <= 0:
        return RateLimiter(limit, window)
    directory = budget_dir()
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        log.warning("rate budget directory %s is unusable (%s): limiting this process alone", directory, exc)
        return RateLimiter(limit, window)
    return SharedRateLimiter(limit, window, directory / f"{budget_name(endpoint, token)}-{window:g}s.json")
