"""A process-wide view of each user's contacts: one list per (user, kind) for a refresh, and for
adopting.

``pulumi refresh`` reads every contact of the stack, and adopting (``adopt=True``, or the recovery
switch ``ILERT_ADOPT_EXISTING``) looks every contact up by target; one GET per contact would cost
one request per contact against a budget of 120 per minute. The API lists a user's contacts of one
kind in one unpaged call, so both are answered from that list.

How the list is kept right:

- It is fetched once per (account, user, kind) and kept for at most ``TTL`` seconds. A provider
  process lives for one engine command, whose view of ilert is a snapshot taken over its run
  anyway; the TTL bounds how long a change made outside this process (in the ilert UI, by another
  stack) can go unseen. It is long enough that one command lists each user once: programs declare
  a user's contacts anywhere in their order (the benchmark's round-robin does), and adopting 500
  contacts takes the engine most of a minute.
- Concurrent readers of a list wait for the one fetch in flight instead of each fetching it.
- Writes are written through: the API's answer to a POST or PUT replaces (or adds) that contact
  in the cached list, a DELETE removes it (``record`` / ``forget``). A write whose outcome is
  unknown (its answer was lost, ilert failed) drops the list instead (``invalidate``), and the
  callers that must know the truth (after a lost create answer, after a duplicate refusal) ask for
  a fresh list (``fresh=True``).
- ``claim`` serialises the look-up-then-create of one target, so two creates of the same target
  in this process never both POST: the second finds the first one's contact in the list.
- ``hand_to_set`` marks the contacts a contact set has made or adopted in this process. A program
  that moves a user from single resources to a set runs the set's create first and deletes the
  single resources it no longer declares at the end of the same run; their delete must not take
  the contacts the set now lists (``owned_by_set``).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .client import IlertClient
from .errors import IlertNotFoundError
from .kinds import ContactKind

TTL = 300.0

_Key = tuple[str, str, str, str]  # (endpoint, key fingerprint, kind path, user id)
_Listing = dict[int, dict[str, Any]]


class ContactDirectory:
    """Cached contact lists, keyed by endpoint, API key, kind and user."""

    def __init__(self, ttl: float = TTL) -> None:
        self.ttl = ttl
        self._lists: dict[_Key, tuple[float, _Listing | None]] = {}
        self._locks: dict[_Key, threading.Lock] = {}
        self._claims: dict[tuple[_Key, str], threading.Lock] = {}
        self._generation: dict[_Key, int] = {}
        self._owned: set[tuple[_Key, int]] = set()
        self._guard = threading.Lock()

    def _key(self, client: IlertClient, kind: ContactKind, user_id: str) -> _Key:
        # Two API keys on one endpoint may see different accounts: keep their lists apart. The
        # fingerprint is only an in-memory dict key; nothing here is written anywhere.
        settings = client.settings
        account = hashlib.sha256(settings.token.encode()).hexdigest()[:16]
        return (settings.endpoint, account, kind.path, user_id)

    def _lock_for(self, key: _Key) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def contacts(
        self, client: IlertClient, kind: ContactKind, user_id: str, *, fresh: bool = False
    ) -> dict[int, dict[str, Any]] | None:
        """The user's contacts of ``kind`` by id; ``None`` if ilert does not know the user.

        A list fetched in this process less than ``TTL`` seconds ago is used unless ``fresh``.
        The contacts are copies: changing them changes nothing here.
        """
        key = self._key(client, kind, user_id)
        with self._lock_for(key):
            cached = self._lists.get(key)
            if cached is not None and not fresh and time.monotonic() - cached[0] < self.ttl:
                return _copy(cached[1])
            with self._guard:
                generation = self._generation.setdefault(key, 0)
            fetched_at = time.monotonic()
            try:
                listed: _Listing | None = {int(c["id"]): c for c in client.list_contacts(kind, user_id)}
            except IlertNotFoundError:
                listed = None
            with self._guard:
                # A write of unknown outcome while this list was in flight makes it stale: use it
                # for this answer, but do not keep it. (Writes with an answer wait for this lock
                # and are applied to the list after it is stored.)
                if self._generation.get(key, 0) == generation:
                    self._lists[key] = (fetched_at, listed)
            return _copy(listed)

    def find(
        self, client: IlertClient, kind: ContactKind, user_id: str, contact_id: int
    ) -> dict[str, Any] | None:
        """The contact, or ``None`` if it (or its user) is gone."""
        listed = self.contacts(client, kind, user_id)
        return None if listed is None else listed.get(contact_id)

    def find_by_target(
        self, client: IlertClient, kind: ContactKind, user_id: str, target: str, *, fresh: bool = True
    ) -> dict[str, Any] | None:
        """The user's contact with this target.

        Looked up afresh by default (after a lost create answer or a duplicate refusal, where only
        ilert can say). ``fresh=False`` uses this process's list when it has one (adopting: with
        writes written through, the list is right for everything this process did).
        """
        listed = self.contacts(client, kind, user_id, fresh=fresh)
        if not listed:
            return None
        wanted = kind.comparable_target(target)
        for contact in listed.values():
            if kind.comparable_target(str(contact.get("target", ""))) == wanted:
                return contact
        return None

    @contextmanager
    def claim(self, client: IlertClient, kind: ContactKind, user_id: str, target: str) -> Iterator[None]:
        """Hold the user's ``target`` for one look-up-then-create.

        The engine runs several creates at once (the SDK four, the plugin more). Two of the same
        target (two resources declaring one contact, or a replacement racing its original) would
        otherwise both find nothing and both POST; held in turn, the second finds the first's
        contact in the written-through list and adopts it, or is refused as a duplicate.
        """
        name = (self._key(client, kind, user_id), kind.comparable_target(target))
        with self._guard:
            lock = self._claims.setdefault(name, threading.Lock())
        with lock:
            yield

    def hand_to_set(self, client: IlertClient, kind: ContactKind, user_id: str, contact_id: int) -> None:
        """The contact is listed by a contact set (made or adopted by it in this process)."""
        with self._guard:
            self._owned.add((self._key(client, kind, user_id), contact_id))

    def owned_by_set(self, client: IlertClient, kind: ContactKind, user_id: str, contact_id: int) -> bool:
        """Whether a contact set of this process lists the contact (``hand_to_set``)."""
        with self._guard:
            return (self._key(client, kind, user_id), contact_id) in self._owned

    def record(self, client: IlertClient, kind: ContactKind, user_id: str, contact: dict[str, Any]) -> None:
        """Write through the API's answer to a POST or PUT: the contact as ilert now holds it."""
        self._apply(client, kind, user_id, lambda listed: _put(kind, listed, dict(contact)))

    def forget(self, client: IlertClient, kind: ContactKind, user_id: str, contact_id: int) -> None:
        """Write through a DELETE (or a 404): the contact is gone."""
        self._apply(client, kind, user_id, lambda listed: listed.pop(contact_id, None))

    def _apply(
        self, client: IlertClient, kind: ContactKind, user_id: str, change: Callable[[_Listing], object]
    ) -> None:
        key = self._key(client, kind, user_id)
        # The key's lock: a fetch in flight finishes (and stores its list) first, so the change is
        # applied on top of it whether or not that list already saw the write.
        with self._lock_for(key), self._guard:
            cached = self._lists.get(key)
            if cached is None or cached[1] is None:
                return  # nothing cached (or the user was unknown): the next read fetches
            change(cached[1])

    def invalidate(self, client: IlertClient, kind: ContactKind, user_id: str) -> None:
        """Forget a list after a write of unknown outcome (lost answer, ilert failed)."""
        key = self._key(client, kind, user_id)
        with self._guard:
            self._lists.pop(key, None)
            self._generation[key] = self._generation.get(key, 0) + 1

    def clear(self) -> None:
        """Forget everything."""
        with self._guard:
            self._lists.clear()
            self._owned.clear()
            # A fetch in flight must not store its list after the clear.
            for key in self._generation:
                self._generation[key] += 1


def _copy(listed: _Listing | None) -> _Listing | None:
    return None if listed is None else {cid: dict(contact) for cid, contact in listed.items()}


def _put(kind: ContactKind, listed: _Listing, contact: dict[str, Any]) -> None:
    if kind.path == "phone-numbers" and contact.get("primary"):
        # ilert keeps one primary number per user: making this one primary cleared the others.
        for cid, other in listed.items():
            if cid != contact["id"] and other.get("primary"):
                listed[cid] = {**other, "primary": False}
    listed[int(contact["id"])] = contact


DIRECTORY = ContactDirectory()
"""The process's directory, shared by both providers."""
