"""A typed client of the emulator's admin surface (``/_emulator``), for tests and benchmarks.

The surface itself is served by :mod:`.admin_surface`.
"""

from __future__ import annotations

import time
from typing import Any, Literal, TypedDict, cast

import requests

FaultAction = Literal["status", "drop_before", "drop_after", "delay"]


class AdminEmail(TypedDict):
    """An email contact as the admin surface lists it."""

    user_id: str
    id: int
    target: str
    status: str


class AdminPhoneNumber(TypedDict):
    """A phone number contact as the admin surface lists it."""

    user_id: str
    id: int
    regionCode: str
    target: str
    primary: bool
    status: str


class AdminContacts(TypedDict):
    """Every stored contact, by kind."""

    emails: list[AdminEmail]
    phone_numbers: list[AdminPhoneNumber]


class RequestLogEntry(TypedDict):
    """One API request; ``status`` is None when a fault dropped the connection."""

    method: str
    path: str
    status: int | None
    started: float
    """Seconds from the last reset to the request's arrival."""
    ended: float | None
    """Seconds from the last reset to its answer (``None`` while it is being served)."""


class RequestStats(TypedDict):
    """API requests received since the last reset."""

    total: int
    by_method: dict[str, int]
    peak_in_flight: int
    """The most API requests the emulator was serving at once since the last reset."""
    peak_writes_in_flight: int
    """The same for writes (POST, PUT, DELETE)."""
    log: list[RequestLogEntry]


class EmulatorAdminError(RuntimeError):
    """The admin surface refused a call."""


class EmulatorAdmin:
    """Client of a running emulator's admin surface.

    :param url: the emulator's base URL, e.g. ``http://127.0.0.1:54321`` (no ``/api``).
    :param timeout: seconds to wait for each admin call.
    """

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        # A fresh connection per call (no shared Session) keeps the client safe to use
        # from many benchmark threads at once.
        response = requests.request(method, f"{self.url}/_emulator{path}", json=body, timeout=self.timeout)
        if response.status_code >= 400:
            raise EmulatorAdminError(
                f"{method} /_emulator{path} failed with {response.status_code}: {response.text}"
            )
        return response.json() if response.content else None

    def health(self) -> bool:
        """Whether the emulator answers its health check."""
        try:
            return bool(self._call("GET", "/health").get("ok"))
        except (requests.RequestException, EmulatorAdminError):
            return False

    def wait_ready(self, timeout: float = 10.0) -> None:
        """Wait until the emulator answers, e.g. after starting it as a subprocess.

        :raises TimeoutError: it did not answer within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while not self.health():
            if time.monotonic() >= deadline:
                raise TimeoutError(f"the emulator at {self.url} did not become ready in {timeout} s")
            time.sleep(0.05)

    def seed_user(self, id: int, email: str | None = None) -> bool:
        """Create a user with its login email contact; False if it already existed."""
        body: dict[str, Any] = {"id": id}
        if email is not None:
            body["email"] = email
        return bool(self._call("POST", "/users", body)["created"])

    def contacts(self) -> AdminContacts:
        """Every stored contact of every user."""
        return cast(AdminContacts, self._call("GET", "/contacts"))

    def set_status(self, contact_id: int, status: str) -> None:
        """Force a contact's status: "OK", "LOCKED" or "BLACKLISTED"."""
        self._call("PUT", f"/contacts/{contact_id}/status", {"status": status})

    def requests(self) -> RequestStats:
        """API requests received since the last reset: total, by method and the log."""
        return cast(RequestStats, self._call("GET", "/requests"))

    def request_counts(self) -> dict[str, int]:
        """API requests received since the last reset, by HTTP method."""
        return self.requests()["by_method"]

    def reset_requests(self) -> None:
        """Forget the requests counted so far."""
        self._call("DELETE", "/requests")

    def add_fault(
        self,
        method: str,
        action: FaultAction,
        path: str | None = None,
        status: int | None = None,
        count: int = 1,
        seconds: float | None = None,
        retry_after: int | None = None,
        body: str | None = None,
        content_type: str | None = None,
    ) -> int:
        """Add a fault rule for API requests; returns its id.

        :param method: the HTTP method to match, or ``"*"`` for any.
        :param action: ``status`` answers with ``status`` without acting; ``drop_before``
            closes the connection without acting; ``drop_after`` acts, then closes the
            connection without answering; ``delay`` sleeps ``seconds``, then answers.
        :param path: a regular expression searched for in the request path.
        :param count: how many matching requests the rule applies to.
        :param seconds: the sleep of a ``delay``; for the other actions, apply the rule to
            every matching request for this many seconds instead of ``count`` times.
        :param retry_after: send a ``Retry-After`` header with this many seconds.
        :param body: a raw body to answer with instead of the JSON error.
        :param content_type: the content type of the answer.
        """
        spec: dict[str, Any] = {"method": method, "action": action, "count": count}
        optional = {
            "path": path,
            "status": status,
            "seconds": seconds,
            "retry_after": retry_after,
            "body": body,
            "content_type": content_type,
        }
        spec.update({key: value for key, value in optional.items() if value is not None})
        return int(self._call("POST", "/faults", spec)["id"])

    def faults(self) -> list[dict[str, Any]]:
        """The fault rules still in force."""
        return cast(list[dict[str, Any]], self._call("GET", "/faults")["faults"])

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self._call("DELETE", "/faults")

    def set_rate_limit(self, limit: int | None, window: float = 60.0) -> None:
        """Limit API requests per key per ``window`` seconds; ``None`` turns the limit off."""
        self._call("PUT", "/rate-limit", {"limit": limit, "window": window})
