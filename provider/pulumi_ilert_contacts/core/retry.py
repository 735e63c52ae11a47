"""The one retry layer: a urllib3 ``Retry`` mounted on the session's adapter.

What it retries, and why:

- connection failures before anything was sent: any method (nothing reached ilert);
- 429: any method, POST included: ilert refused the request without acting. With Retry-After it
  waits that long; without (the live API sends none) it waits for the next rate-limit window and
  holds back the whole process's limiter so other threads do not burn the budget meanwhile;
- 5xx and dropped or timed-out answers: only GET, PUT and DELETE, which are idempotent here.
  A POST whose answer was lost may have created the contact, so it is never resent blindly:
  ``core.lifecycle`` looks the contact up by target first.

Total time spent waiting is bounded (``budget``), so ``pulumi up`` fails with a clear error
instead of hanging when ilert stays down.
"""

from __future__ import annotations

import random
import time
from typing import Any

from urllib3.util.retry import Retry

from .ratelimit import RateLimiter, seconds_to_next_window

IDEMPOTENT_METHODS = frozenset({"GET", "PUT", "DELETE", "HEAD", "OPTIONS"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class IlertRetry(Retry):
    """``Retry`` with ilert's rate-limit semantics and a total time budget."""

    def __init__(
        self,
        *args: Any,
        limiter: RateLimiter | None = None,
        budget: float = 300.0,
        started: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.limiter = limiter
        self.budget = budget
        self.started = time.monotonic() if started is None else started

    def new(self, **kw: Any) -> IlertRetry:
        # urllib3 copies a Retry on every attempt; carry our own fields across.
        new = super().new(**kw)
        assert isinstance(new, IlertRetry)
        new.limiter = self.limiter
        new.budget = self.budget
        new.started = self.started
        return new

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code not in RETRY_STATUSES or self.total is None or self.total <= 0:
            return False
        if status_code != 429 and method.upper() not in IDEMPOTENT_METHODS:
            return False
        return time.monotonic() - self.started < self.budget

    def is_exhausted(self) -> bool:
        return super().is_exhausted() or time.monotonic() - self.started >= self.budget

    def _last_status(self) -> int | None:
        return self.history[-1].status if self.history else None

    def get_backoff_time(self) -> float:
        if self._last_status() == 429 and self.limiter is not None:
            # No Retry-After: the 429 lasts until the next window. A little jitter spreads the
            # threads that all wake at the boundary.
            wait = seconds_to_next_window(self.limiter.window) + random.uniform(0.05, 0.25)
            self.limiter.block_for(wait)
            return wait
        return float(super().get_backoff_time())

    def sleep(self, response: Any = None) -> None:
        super().sleep(response)
        # Every resend is a request too: it takes its place in the process-wide limiter.
        if self.limiter is not None:
            self.limiter.acquire()


def make_retry(limiter: RateLimiter | None, total: int = 8, budget: float = 300.0) -> IlertRetry:
    """The retry policy mounted on the session."""
    return IlertRetry(
        total=total,
        connect=3,  # nothing listening: fail within seconds, not minutes
        read=3,
        status=total,
        other=0,
        allowed_methods=IDEMPOTENT_METHODS,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=0.5,
        backoff_max=10.0,
        respect_retry_after_header=True,
        raise_on_status=False,
        limiter=limiter,
        budget=budget,
    )
