"""A client-side rate limiter shared by every thread of the process.

ilert allows 120 requests per minute per API key and answers 429 (without Retry-After) until the
next one-minute window. The Pulumi engine drives a provider from many threads at once, so the
limit is kept here, once per process: at most ``limit`` requests start in any ``window`` seconds.
A sliding log guarantees that for any window alignment the server may use.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque

RATE_LIMIT_ENV = "ILERT_RATE_LIMIT"
RATE_WINDOW_ENV = "ILERT_RATE_WINDOW"
DEFAULT_LIMIT = 120
DEFAULT_WINDOW = 60.0


class RateLimiter:
    """At most ``limit`` acquisitions in any ``window`` seconds; ``limit <= 0`` disables it."""

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


def seconds_to_next_window(window: float) -> float:
    """Seconds until the next wall-clock window boundary, which is when ilert lifts a 429."""
    return window - (time.time() % window)


def window_from_env() -> float:
    """The rate-limit window in seconds (``ILERT_RATE_WINDOW``; scaled down in quick tests)."""
    return float(os.environ.get(RATE_WINDOW_ENV) or DEFAULT_WINDOW)


def limiter_from_env() -> RateLimiter:
    """A limiter configured from ``ILERT_RATE_LIMIT`` (0 disables) and ``ILERT_RATE_WINDOW``."""
    return RateLimiter(int(os.environ.get(RATE_LIMIT_ENV) or DEFAULT_LIMIT), window_from_env())
