"""A process-wide view of each user's contacts, so a refresh costs one list per (user, kind).

``pulumi refresh`` reads every contact of the stack; reading them one GET at a time costs one
request per contact, against a budget of 120 per minute. The API lists a user's contacts of one
kind in one unpaged call, so reads are answered from that list. A provider process lives for one
engine command; the list is kept for at most ``TTL`` seconds within it and dropped as soon as this
process writes to that user's contacts of that kind. Concurrent readers of the same list wait for
the one fetch in flight instead of each fetching it.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from .client import IlertClient
from .errors import IlertNotFoundError
from .kinds import ContactKind

TTL = 30.0

_Key = tuple[str, str, str]  # (endpoint, kind path, user id)


class ContactDirectory:
    """Cached contact lists, keyed by endpoint, kind and user."""

    def __init__(self, ttl: float = TTL) -> None:
        self.ttl = ttl
        self._lists: dict[_Key, tuple[float, dict[int, dict[str, Any]] | None]] = {}
        self._locks: dict[_Key, threading.Lock] = {}
        self._generation: dict[_Key, int] = {}
        self._guard = threading.Lock()

    def _key(self, client: IlertClient, kind: ContactKind, user_id: str) -> _Key:
        return (client.settings.endpoint, kind.path, user_id)

    def _lock_for(self, key: _Key) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def contacts(
        self, client: IlertClient, kind: ContactKind, user_id: str, *, fresh: bool = False
    ) -> dict[int, dict[str, Any]] | None:
        """The user's contacts of ``kind`` by id; ``None`` if ilert does not know the user."""
        key = self._key(client, kind, user_id)
        with self._lock_for(key):
            cached = self._lists.get(key)
            if cached is not None and not fresh and time.monotonic() - cached[0] < self.ttl:
                return cached[1]
            with self._guard:
                generation = self._generation.get(key, 0)
            try:
                listed: dict[int, dict[str, Any]] | None = {
                    int(c["id"]): c for c in client.list_contacts(kind, user_id)
                }
            except IlertNotFoundError:
                listed = None
            with self._guard:
                # A write that landed while this list was in flight makes it stale: use it for
                # this answer, but do not keep it.
                if self._generation.get(key, 0) == generation:
                    self._lists[key] = (time.monotonic(), listed)
            return listed

    def find(
        self, client: IlertClient, kind: ContactKind, user_id: str, contact_id: int
    ) -> dict[str, Any] | None:
        """The contact, or ``None`` if it (or its user) is gone."""
        listed = self.contacts(client, kind, user_id)
        return None if listed is None else listed.get(contact_id)

    def find_by_target(
        self, client: IlertClient, kind: ContactKind, user_id: str, target: str
    ) -> dict[str, Any] | None:
        """The user's contact with this target, looked up afresh (used before writing)."""
        listed = self.contacts(client, kind, user_id, fresh=True)
        if not listed:
            return None
        wanted = _comparable(kind, target)
        for contact in listed.values():
            if _comparable(kind, str(contact.get("target", ""))) == wanted:
                return contact
        return None

    def invalidate(self, client: IlertClient, kind: ContactKind, user_id: str) -> None:
        """Forget a list after this process changed it."""
        key = self._key(client, kind, user_id)
        with self._guard:
            self._lists.pop(key, None)
            self._generation[key] = self._generation.get(key, 0) + 1

    def clear(self) -> None:
        """Forget everything."""
        with self._guard:
            self._lists.clear()


def _comparable(kind: ContactKind, target: str) -> str:
    # Email addresses are matched without regard to case: ilert and mail servers treat
    # Jane@Example.com and jane@example.com as one mailbox. Phone targets are E.164 already.
    return target.casefold() if kind.path == "emails" else target


def same_target(kind: ContactKind, a: str, b: str) -> bool:
    """Whether two targets name the same contact for ``kind``."""
    return _comparable(kind, a) == _comparable(kind, b)


DIRECTORY = ContactDirectory()
"""The process's directory, shared by both providers."""
