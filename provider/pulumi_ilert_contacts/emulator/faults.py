"""Fault injection, request counting and rate limiting for the emulator.

These are the knobs tests turn to make the emulator misbehave the way a real network and
a real API do: errors, lost responses, slow answers and 429s. Every class here is shared
by all request threads, so each one guards its state with its own lock.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal, cast

FaultAction = Literal["status", "drop_before", "drop_after", "delay"]
FAULT_ACTIONS: tuple[FaultAction, ...] = ("status", "drop_before", "drop_after", "delay")
API_METHODS = ("GET", "POST", "PUT", "DELETE")


class FaultSpecError(ValueError):
    """A fault rule sent to the admin surface is malformed."""


@dataclass
class FaultRule:
    """One fault rule: which requests it matches and what it does to them.

    A rule is used up after ``remaining`` matching requests, unless ``expires_at`` is
    set, in which case it applies to every matching request until then.
    """

    id: int
    method: str
    path: re.Pattern[str] | None
    action: FaultAction
    status: int | None
    body: str | None
    content_type: str | None
    retry_after: int | None
    remaining: int
    seconds: float | None
    expires_at: float | None

    def matches(self, method: str, path: str) -> bool:
        """Whether the rule applies to a request with this method and path."""
        if self.method not in ("*", method):
            return False
        return self.path is None or self.path.search(path) is not None

    def describe(self) -> dict[str, Any]:
        """The rule as JSON, for listing active rules."""
        return {
            "id": self.id,
            "method": self.method,
            "path": self.path.pattern if self.path is not None else None,
            "action": self.action,
            "status": self.status,
            "body": self.body,
            "content_type": self.content_type,
            "retry_after": self.retry_after,
            "count": self.remaining,
            "seconds": self.seconds,
        }


def _optional_int(spec: dict[str, Any], key: str) -> int | None:
    value = spec.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise FaultSpecError(f"{key} must be an integer")
    return value


def _optional_str(spec: dict[str, Any], key: str) -> str | None:
    value = spec.get(key)
    if value is not None and not isinstance(value, str):
        raise FaultSpecError(f"{key} must be a string")
    return value


class FaultInjector:
    """An ordered list of fault rules; the first live rule matching a request wins."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._next_id = 1

    def add(self, spec: dict[str, Any]) -> FaultRule:
        """Add a rule from its admin-surface JSON form.

        ``seconds`` is the sleep for ``delay``; for every other action it turns the rule
        from "the next ``count`` requests" into "every request for this many seconds".

        :raises FaultSpecError: the spec is malformed.
        """
        method = spec.get("method", "*")
        if not isinstance(method, str) or method.upper() not in (*API_METHODS, "*"):
            raise FaultSpecError(f"method must be one of {', '.join(API_METHODS)} or '*'")
        action = spec.get("action")
        if action not in FAULT_ACTIONS:
            raise FaultSpecError(f"action must be one of {', '.join(FAULT_ACTIONS)}")
        path_text = _optional_str(spec, "path")
        try:
            path = re.compile(path_text) if path_text is not None else None
        except re.error as exc:
            raise FaultSpecError(f"path is not a valid regular expression: {exc}") from exc
        status = _optional_int(spec, "status")
        if action == "status" and status is None:
            raise FaultSpecError("a 'status' fault needs a status")
        if status is not None and not 100 <= status <= 599:
            raise FaultSpecError("status must be an HTTP status code between 100 and 599")
        count = _optional_int(spec, "count")
        count = 1 if count is None else count
        if count < 1:
            raise FaultSpecError("count must be at least 1")
        retry_after = _optional_int(spec, "retry_after")
        if retry_after is not None and retry_after < 0:
            raise FaultSpecError("retry_after must not be negative")
        seconds_value = spec.get("seconds")
        if seconds_value is not None and (
            isinstance(seconds_value, bool)
            or not isinstance(seconds_value, int | float)
            or not math.isfinite(seconds_value)
            or seconds_value < 0
        ):
            raise FaultSpecError("seconds must be a non-negative number")
        seconds = float(seconds_value) if seconds_value is not None else None
        if action == "delay" and seconds is None:
            raise FaultSpecError("a 'delay' fault needs seconds")
        with self._lock:
            rule = FaultRule(
                id=self._next_id,
                method=method.upper(),
                path=path,
                action=cast(FaultAction, action),
                status=status,
                body=_optional_str(spec, "body"),
                content_type=_optional_str(spec, "content_type"),
                retry_after=retry_after,
                remaining=count,
                seconds=seconds,
                expires_at=(
                    time.monotonic() + seconds if seconds is not None and action != "delay" else None
                ),
            )
            self._next_id += 1
            self._rules.append(rule)
        return rule

    def take(self, method: str, path: str) -> FaultRule | None:
        """The rule to apply to this request, if any, using up one of its matches."""
        now = time.monotonic()
        with self._lock:
            self._rules = [rule for rule in self._rules if not _spent(rule, now)]
            for rule in self._rules:
                if rule.matches(method, path):
                    if rule.expires_at is None:
                        rule.remaining -= 1
                    return rule
        return None

    def rules(self) -> list[FaultRule]:
        """The rules still in force, in the order they are tried."""
        now = time.monotonic()
        with self._lock:
            return [rule for rule in self._rules if not _spent(rule, now)]

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()


def _spent(rule: FaultRule, now: float) -> bool:
    if rule.expires_at is not None:
        return now >= rule.expires_at
    return rule.remaining <= 0


@dataclass
class _LogEntry:
    method: str
    path: str
    status: int | None = None
    started: float = 0.0
    ended: float | None = None


WRITE_METHODS = frozenset({"POST", "PUT", "DELETE"})


class RequestCounter:
    """Every /api request received, by method, with the status the client saw.

    A request is counted when it arrives, so requests answered by a fault, by the
    authentication check or by the rate limiter count too. A connection dropped on
    purpose is logged with status ``None``: the client saw no status at all.

    Each entry also has when it arrived and when its answer was ready (seconds since the last
    reset), and the counter keeps the most requests (and writes: POST, PUT, DELETE) it was
    serving at once: how many a client had in flight.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._log: list[_LogEntry] = []
        self._by_method: Counter[str] = Counter()
        self._since = time.monotonic()
        self._in_flight = self._writes_in_flight = 0
        self._peak = self._peak_writes = 0

    def record(self, method: str, path: str) -> _LogEntry:
        """Count an arriving request; finish its log entry later with :meth:`complete`."""
        with self._lock:
            entry = _LogEntry(method, path, started=time.monotonic() - self._since)
            self._log.append(entry)
            self._by_method[method] += 1
            self._in_flight += 1
            self._peak = max(self._peak, self._in_flight)
            if method in WRITE_METHODS:
                self._writes_in_flight += 1
                self._peak_writes = max(self._peak_writes, self._writes_in_flight)
        return entry

    def complete(self, entry: _LogEntry, status: int | None) -> None:
        """Record the status that was sent for a counted request."""
        with self._lock:
            entry.status = status
            if entry.ended is None:
                entry.ended = time.monotonic() - self._since
                self._in_flight = max(0, self._in_flight - 1)
                if entry.method in WRITE_METHODS:
                    self._writes_in_flight = max(0, self._writes_in_flight - 1)

    def snapshot(self) -> dict[str, Any]:
        """Totals, counts by method, the most requests (and writes) served at once, and the log,
        as the admin surface returns them."""
        with self._lock:
            by_method = {method: 0 for method in API_METHODS}
            by_method.update(self._by_method)
            return {
                "total": len(self._log),
                "by_method": by_method,
                "peak_in_flight": self._peak,
                "peak_writes_in_flight": self._peak_writes,
                "log": [
                    {
                        "method": e.method,
                        "path": e.path,
                        "status": e.status,
                        "started": round(e.started, 4),
                        "ended": None if e.ended is None else round(e.ended, 4),
                    }
                    for e in self._log
                ],
            }

    def reset(self) -> None:
        """Forget every request counted so far (the requests still being served stay in flight)."""
        with self._lock:
            self._log.clear()
            self._by_method.clear()
            self._since = time.monotonic()
            self._peak, self._peak_writes = self._in_flight, self._writes_in_flight


class KeyRateLimit:
    """Per-API-key request limit over fixed windows aligned to wall-clock time.

    Windows start at multiples of ``window`` seconds since the epoch, as the live API's
    do, so a client cannot learn when its quota resets from the first request it made.

    :param limit: requests allowed per key per window; ``None`` disables limiting.
    """

    def __init__(self, limit: int | None = None, window: float = 60.0) -> None:
        self._lock = threading.Lock()
        self._limit = limit
        self._window = window
        self._current_window: int | None = None
        self._used: Counter[str] = Counter()

    @property
    def settings(self) -> dict[str, Any]:
        """The limit and window currently in force."""
        with self._lock:
            return {"limit": self._limit, "window": self._window}

    def configure(self, limit: int | None, window: float = 60.0) -> None:
        """Change the limit (``None`` disables it); usage counted so far is forgotten."""
        if limit is not None and limit < 0:
            raise ValueError("limit must not be negative")
        if window <= 0:
            raise ValueError("window must be positive")
        with self._lock:
            self._limit = limit
            self._window = window
            self._current_window = None
            self._used.clear()

    def allow(self, key: str) -> bool:
        """Count one request for ``key``; False if it is over the limit for this window."""
        with self._lock:
            if self._limit is None:
                return True
            window = math.floor(time.time() / self._window)
            if window != self._current_window:
                # Only the current window matters, so old counts can go.
                self._current_window = window
                self._used.clear()
            self._used[key] += 1
            return self._used[key] <= self._limit
