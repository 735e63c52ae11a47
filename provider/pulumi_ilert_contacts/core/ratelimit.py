"""Client-side rate limiting: one budget per API key, kept by pyrate-limiter where every process
that uses the key sees it.

ilert allows 120 requests per minute per API key and answers 429 (without Retry-After) until the
next one-minute window. The Pulumi engine drives a provider from many threads at once, and several
stacks deploying at once (each ``pulumi up`` with its own provider process, on one machine or on
many CI runners) spend the budget of one key together. So:

- The budget is a sliding log of request start times (pyrate-limiter's ``SlidingWindowLog``): at
  most ``limit`` requests start in any ``window`` seconds (plus a small margin), which holds for
  any window alignment the server may use (ilert's are fixed, on the wall clock).
- By default the log is machine-local: pyrate-limiter's SQLite bucket, one small database per key
  in a per-user directory (``budget_dir()``), under a file lock for each acquisition (the kernel
  releases it when a process dies, so a killed provider never leaves it held).
- With ``ILERT_RATE_STORE=redis://...`` (or ``rediss://``) the log is in that Redis (pyrate-limiter's
  Redis bucket: one atomic script per acquisition), stamped by the store's clock: every machine
  that names the store shares the budget.
- The budget is named after a keyed SHA-256 of endpoint and token, truncated to 128 bits: nothing
  of the token is stored, and the name matches no other tool's hash of it. It holds start times.

What stays ours, because the library has no notion of it: the budget's name; the fallbacks (a
store that cannot be reached: the machine's budget cut to ``1 / FALLBACK_SHARE``, said once, the
store tried again a window later; a directory that cannot be used: this process alone); a 429's
hold on every process (the server's window is used up, so the log is filled until the next one);
stamping each admission when it is decided (pyrate-limiter's blocking wait stamps a retried
acquisition with its first stamp plus the time slept, which falls behind the clock after a lock
wait and would free the slot early); in Redis, the store's clock, counting the entries stamped a
moment later too (two processes stamp before their scripts run, in either order), and an expiry
for the log.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from .config import RATE_STORE_ENV
from .errors import IlertConfigError

if TYPE_CHECKING:
    from pyrate_limiter import AbstractBucket, Limiter

RATE_LIMIT_ENV = "ILERT_RATE_LIMIT"
RATE_WINDOW_ENV = "ILERT_RATE_WINDOW"
RATE_DIR_ENV = "ILERT_RATE_DIR"
RATE_STORE_PASSWORD_ENV = "ILERT_RATE_STORE_PASSWORD"
DEFAULT_LIMIT = 120
DEFAULT_WINDOW = 60.0
APP_DIR = "pulumi-ilert-contacts"
LOCK_TIMEOUT = 5.0
"""Seconds to wait for another process's hold on a machine's budget before going it alone."""
STORE_TIMEOUT = 2.0
"""Seconds to wait for the shared store to connect or answer before falling back."""
FALLBACK_SHARE = 4
"""While the shared store is down, each machine takes this fraction of the limit (1/4), so that a
fleet of up to this many machines falling back together stays within the key's rate."""
STORE_KEY_PREFIX = "pulumi-ilert-contacts:rate:"
_NAME_KEY = b"pulumi-ilert-contacts rate budget v1"

log = logging.getLogger("pulumi_ilert_contacts.ratelimit")


@dataclass(frozen=True)
class _Level:
    """One place a budget can be kept: ``open`` makes its pyrate-limiter bucket for a ``Rate``."""

    where: str  # what failed, for the log: "rate store redis://...", "rate budget directory ..."
    what: str  # what limits when it is the fallback: "this machine's budget", "this process alone"
    open: Callable[[Any], AbstractBucket]
    limit: int
    shared: bool  # a store shared by a fleet: tried again after a failure


def _memory(rate: Any) -> AbstractBucket:
    from pyrate_limiter import InMemoryBucket

    class MemoryBucket(InMemoryBucket):
        def put(self, item: Any) -> bool:
            item.timestamp = _now(self)
            return bool(super().put(item))

    return MemoryBucket([rate])


class RateLimiter:
    """At most ``limit`` acquisitions in any ``window`` seconds from one budget; ``limit <= 0``
    disables it.

    The budget is kept at the first of ``levels`` that works (by default this process's memory
    only). When one fails, the next is used and the failure is logged once; a shared store is
    tried again every ``window`` seconds, silently until it answers.
    """

    def __init__(self, limit: int, window: float, levels: list[_Level] | None = None) -> None:
        self.limit = limit
        self.window = window
        self.margin = min(max(window * 0.01, 0.1), 0.5)
        """Added to the window, for the time between taking a slot and the request reaching ilert
        (which varies by process and thread: two requests a window apart could otherwise land in
        one of ilert's windows)."""
        self.levels = levels or [_Level("this process's budget", "this process alone", _memory, limit, False)]
        self._lock = threading.Lock()
        self._at = 0  # the level in use
        self._open: dict[int, tuple[Limiter, AbstractBucket]] = {}
        self._retry_shared_at = 0.0
        self._blocked_until = 0.0

    @property
    def where(self) -> str:
        """Where the budget is kept now (for logs and tests)."""
        return self.levels[self._at].where

    def acquire(self) -> float:
        """Wait for a slot; return the seconds waited."""
        if self.limit <= 0:
            return 0.0
        started = time.monotonic()
        while self.limit > 0:
            hold = self._blocked_until - time.monotonic()
            if hold > 0:
                time.sleep(hold)
                continue
            at, opened = self._opened()
            if opened is None:
                continue  # the level failed to open: the next one is in use
            try:
                if opened[0].try_acquire("request"):
                    break
                failure: BaseException = TimeoutError(f"its lock was held for over {LOCK_TIMEOUT:g} s")
            except Exception as exc:  # a budget store's failure must never fail a deploy
                failure = exc
            self._failed(at, failure)
        return time.monotonic() - started

    def block_for(self, seconds: float) -> None:
        """Hold back for ``seconds`` every thread, and every process on a shared budget (after a 429:
        ilert's window is used up)."""
        self._blocked_until = max(self._blocked_until, time.monotonic() + seconds)
        with self._lock:
            at, opened = self._at, self._open.get(self._at)
        if opened is None or not isinstance(opened[1], _Held):
            return
        try:
            opened[1].hold(min(seconds, self.window), self.levels[at].limit)
        except Exception as exc:
            self._failed(at, exc)

    def close(self) -> None:
        """Close the budgets opened (their connections and cleaning threads)."""
        with self._lock:
            opened, self._open = list(self._open.values()), {}
        for limiter, _ in opened:
            limiter.close()

    def _opened(self) -> tuple[int, tuple[Limiter, AbstractBucket] | None]:
        """The level to take from, opened on first use (the shared store again once its time to be
        tried again has come)."""
        with self._lock:
            at = self._at
            if at > 0 and self.levels[0].shared and time.monotonic() >= self._retry_shared_at:
                at = 0
            opened = self._open.get(at)
        if opened is not None:
            return at, opened
        level = self.levels[at]
        try:
            from pyrate_limiter import Limiter, Rate

            bucket = level.open(Rate(level.limit, round((self.window + self.margin) * 1000)))
            opened = (Limiter(bucket), bucket)
        except Exception as exc:
            self._failed(at, exc)
            return at, None
        with self._lock:
            raced, opened = opened, self._open.setdefault(at, opened)  # another thread's, if first
            if at < self._at:
                log.warning("%s answers again: sharing its budget", level.where)
            self._at = at
        if raced is not opened:
            raced[0].close()
        return at, opened

    def _failed(self, at: int, exc: BaseException) -> None:
        with self._lock:
            stale = self._open.pop(at, None)
            level = self.levels[at]
            if level.shared:
                self._retry_shared_at = time.monotonic() + self.window
            if at < self._at:
                pass  # the shared store tried again and still down, or another thread said it
            elif at + 1 < len(self.levels):
                self._at = at + 1
                following = self.levels[at + 1]
                share = "" if following.limit == self.limit else f" at {following.limit} of {self.limit}"
                again = f", trying it again every {self.window:g} s" if level.shared else ""
                log.warning(
                    "%s is unusable (%s): limiting %s%s%s",
                    level.where, _describe(exc), following.what, share, again,
                )
            else:  # memory does not fail; were it to, stop limiting rather than fail the deploy
                log.warning("%s is unusable (%s): not limiting", level.where, _describe(exc))
                self.limit = 0
        if stale is not None:
            stale[0].close()


_secrets: set[str] = set()
"""The store passwords in use, blanked from anything logged (a driver's error could quote one)."""


def _describe(exc: BaseException) -> str:
    """A failure in a few words, without a store password."""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    for secret in _secrets:
        text = text.replace(secret, "***")
    return text


def _now(bucket: Any) -> int:
    """The bucket's clock, in milliseconds."""
    return int(bucket.now())


class _Held:
    """A shared bucket that a 429 fills: ``limit`` entries stamped to leave the log ``seconds``
    from now, so that every process holds back until then."""

    def hold(self, seconds: float, limit: int) -> None:
        raise NotImplementedError


def _machine(path: Path) -> Callable[[Any], AbstractBucket]:
    """The machine's budget in ``path``: a SQLite database, with its lock file beside it."""

    def open_bucket(rate: Any) -> AbstractBucket:
        import sqlite3

        from pyrate_limiter import SQLiteBucket

        class MachineBucket(SQLiteBucket, _Held):
            def put(self, item: Any) -> bool:
                item.timestamp = _now(self)
                return bool(super().put(item))

            def leak(self, current_timestamp: int | None = None) -> int:
                try:
                    leaked: Any = super().leak(current_timestamp)
                    return int(leaked)
                except (OSError, sqlite3.Error):
                    return 0  # the acquisitions report a broken budget, not the cleaner

            def hold(self, seconds: float, limit: int) -> None:
                stamp = _now(self) + round(seconds * 1000) - self.rates[0].interval
                with self.lock:
                    self.conn.executemany(
                        f"INSERT INTO '{self.table}' (name, item_timestamp) VALUES (?, ?)",
                        [("429", stamp)] * limit,
                    ).close()
                    self.conn.commit()

        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        bucket = MachineBucket.init_from_file([rate], table="budget", db_path=str(path), use_file_lock=True)
        lock: Any = bucket.lock  # filelock's FileLock, waited for at most LOCK_TIMEOUT
        lock.timeout = LOCK_TIMEOUT
        return bucket

    return open_bucket


def _fleet(url: str, password: str | None, key: str) -> Callable[[Any], AbstractBucket]:
    """The fleet's budget under ``key`` in the Redis at ``url``, stamped by the store's clock."""

    def open_bucket(rate: Any) -> AbstractBucket:
        import redis
        from pyrate_limiter import RedisBucket
        from pyrate_limiter.buckets.redis_bucket import LuaScript
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        class FleetBucket(RedisBucket, _Held):
            offset_ms = 0

            def sync_clock(self) -> None:
                """Learn the store's clock: its time less ours halfway through the quickest of three
                calls (a slow one, the process descheduled, would put the halfway point astray)."""
                samples = []
                for _ in range(3):
                    before = time.time_ns()
                    reply: Any = self.redis.time()
                    after = time.time_ns()
                    store_ms = int(reply[0]) * 1000 + int(reply[1]) // 1000
                    samples.append((after - before, store_ms - (before + after) // 2_000_000))
                self.offset_ms = min(samples)[1]

            def now(self) -> int:
                return time.time_ns() // 1_000_000 + self.offset_ms

            def put(self, item: Any) -> bool:
                item.timestamp = _now(self)
                return bool(super().put(item))

            def leak(self, current_timestamp: int | None = None) -> int:
                try:
                    self.sync_clock()
                    # The log goes two windows (at least 30 s) after the last process that used it:
                    # every process renews this each time pyrate-limiter cleans (every 10 s).
                    self.redis.pexpire(self.bucket_key, max(2 * self.rates[0].interval, 30_000))
                    leaked: Any = super().leak(self.now())
                    return int(leaked)
                except (OSError, redis.RedisError):
                    return 0  # the acquisitions report the store's failure, not the cleaner

            def hold(self, seconds: float, limit: int) -> None:
                stamp = _now(self) + round(seconds * 1000) - self.rates[0].interval
                mark = uuid.uuid4().hex
                self.redis.zadd(self.bucket_key, {f"429:{mark}:{i}": stamp for i in range(limit)})

        client = redis.Redis.from_url(
            url,
            password=password,
            socket_timeout=STORE_TIMEOUT,
            socket_connect_timeout=STORE_TIMEOUT,
            retry=Retry(NoBackoff(), 0),  # a store that does not answer: fall back at once
        )
        # pyrate-limiter's script counts the log up to the caller's stamp; two processes stamp
        # before their scripts run, in either order, so the count must reach the entries stamped
        # a moment later too (as its SQLite bucket does), or one more than the limit gets in.
        script = LuaScript.PUT_ITEM
        if _COUNT_TO_STAMP not in script:
            raise RuntimeError("pyrate-limiter's Redis script is not the one this package amends")
        script = script.replace(_COUNT_TO_STAMP, "redis.call('ZCOUNT', bucket, window_start, '+inf')")
        bucket = FleetBucket([rate], client, key, client.script_load(script))
        bucket.sync_clock()
        return bucket

    return open_bucket


_COUNT_TO_STAMP = "redis.call('ZCOUNT', bucket, window_start, now)"


def budget_name(endpoint: str, token: str) -> str:
    """The name of a key's budget: 128 bits of HMAC-SHA-256 of endpoint and token under a fixed
    label. It cannot be turned back into the token (an API key is long and random), and the label
    keeps it from matching a plain hash of the token that another tool might store."""
    digest = hmac.new(_NAME_KEY, f"{endpoint}\n{token}".encode(), hashlib.sha256).hexdigest()
    return digest[:32]


def budget_dir() -> Path:
    """Where the machine's budgets live: ``ILERT_RATE_DIR``, else the per-user runtime directory
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


def redact_store(url: str) -> str:
    """The store's URL with its password (if any) as ``***``: the form for logs and errors."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        user = quote(parts.username or "", safe="")
        host = parts.netloc.rpartition("@")[2]
        return parts._replace(netloc=f"{user}:***@{host}").geturl()
    except ValueError:
        return "<a URL that cannot be parsed>"


def check_store(url: str, source: str = RATE_STORE_ENV) -> None:
    """Refuse a store URL this package cannot use, naming it (without its password) and ``source``.

    :raises IlertConfigError: not a ``redis://`` / ``rediss://`` URL with a host, or the Redis
        driver (``pulumi-ilert-contacts[redis]``) is not installed.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme not in ("redis", "rediss") or not host:
        raise IlertConfigError(
            f"invalid rate store {redact_store(url)!r} ({source}): expected a URL such as "
            "redis://redis.example.com:6379/0 or rediss://..."
        )
    try:
        import redis  # noqa: F401
    except ImportError:
        raise IlertConfigError(
            f"the rate store {redact_store(url)!r} needs the Redis driver: "
            "pip install 'pulumi-ilert-contacts[redis]'"
        ) from None


def limiter_for(
    endpoint: str, token: str, store: str | None = None, store_password: str | None = None
) -> RateLimiter:
    """The limiter of one API key, configured from ``ILERT_RATE_LIMIT`` and ``ILERT_RATE_WINDOW``:
    on the shared ``store`` (else ``ILERT_RATE_STORE``) with the machine's budget cut to
    ``1 / FALLBACK_SHARE`` behind it, else on the machine's budget; this process alone behind
    either.

    :raises IlertConfigError: the store's URL is unusable (``check_store``).
    """
    limit, window = limit_from_env(), window_from_env()
    if limit <= 0:
        return RateLimiter(limit, window)
    source = "the rateStore config" if store else RATE_STORE_ENV
    store = store or os.environ.get(RATE_STORE_ENV) or None
    store_password = store_password or os.environ.get(RATE_STORE_PASSWORD_ENV) or None
    name = f"{budget_name(endpoint, token)}-{window:g}s"
    levels = []
    local_limit = limit
    if store:
        check_store(store, source)
        for secret in (urlsplit(store).password, store_password):
            if secret:
                _secrets.update({secret, quote(secret, safe="")})
        local_limit = max(1, limit // FALLBACK_SHARE)
        fleet = _fleet(store, store_password, STORE_KEY_PREFIX + name)
        levels.append(_Level(f"rate store {redact_store(store)}", "", fleet, limit, True))
    directory = budget_dir()
    machine = _machine(directory / f"{name}.sqlite")
    where = f"rate budget directory {directory}"
    levels.append(_Level(where, "this machine's budget", machine, local_limit, False))
    levels.append(_Level("this process's budget", "this process alone", _memory, local_limit, False))
    return RateLimiter(limit, window, levels)
