"""SQLite-backed state of the ilert contacts emulator.

One connection serves every request thread; a lock serialises access, which keeps each
store method atomic without relying on SQLite's own locking between connections. Every
write is committed before the method returns, so a file-backed emulator that is killed
and restarted comes back with exactly what its clients were told had been stored.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

ContactKind = Literal["email", "phone"]
ContactStatus = Literal["OK", "LOCKED", "BLACKLISTED"]

CONTACT_STATUSES: tuple[ContactStatus, ...] = ("OK", "LOCKED", "BLACKLISTED")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY
);
CREATE TABLE IF NOT EXISTS contacts (
    -- AUTOINCREMENT: ids are never reused after a delete, as on the live API, so a
    -- stale id held by a client can never silently point at somebody else's contact.
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
    user_id INTEGER NOT NULL REFERENCES users(id),
    target TEXT NOT NULL,
    region_code TEXT,
    is_primary INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'OK' CHECK (status IN ('OK', 'LOCKED', 'BLACKLISTED'))
);
CREATE INDEX IF NOT EXISTS contacts_by_user ON contacts (user_id, kind);
"""


class DuplicateTargetError(Exception):
    """The user already has a contact of this kind with the same target."""

    def __init__(self, kind: ContactKind, target: str) -> None:
        super().__init__(f"user already has an {kind} contact with target {target!r}")
        self.kind = kind
        self.target = target


class ClosedStoreError(RuntimeError):
    """The store was used after :meth:`ContactStore.close`."""


@dataclass(frozen=True)
class Contact:
    """One stored contact method, of either kind."""

    id: int
    kind: ContactKind
    user_id: int
    target: str
    region_code: str | None
    primary: bool
    status: ContactStatus

    def to_api(self) -> dict[str, Any]:
        """The JSON object the live API returns for this contact."""
        if self.kind == "email":
            return {"id": self.id, "target": self.target, "status": self.status}
        return {
            "id": self.id,
            "regionCode": self.region_code,
            "target": self.target,
            "primary": self.primary,
            "status": self.status,
        }

    def to_admin(self) -> dict[str, Any]:
        """The API object plus its owner, as listed by the admin surface."""
        return {"user_id": str(self.user_id), **self.to_api()}


def login_email(user_id: int) -> str:
    """The login email address a seeded user gets when none is given."""
    return f"user{user_id}@example.com"


def _same_target_key(kind: ContactKind, target: str) -> str:
    # Mail systems treat addresses case-insensitively in practice, so two emails that
    # differ only in case are the same contact; phone targets are already canonical E.164.
    return target.lower() if kind == "email" else target


class ContactStore:
    """Users and their email and phone contacts, in SQLite.

    :param db: a file path for state that outlives the process, or ``None`` for an
        in-memory database that disappears with the store.
    """

    def __init__(self, db: str | None = None) -> None:
        self._lock = threading.Lock()
        # check_same_thread=False: the threaded server calls in from many threads, and
        # self._lock (not SQLite) is what keeps those calls from interleaving.
        self._conn: sqlite3.Connection | None = sqlite3.connect(
            db if db is not None else ":memory:", check_same_thread=False
        )
        self._conn.row_factory = sqlite3.Row
        with self._locked() as conn:
            conn.executescript(_SCHEMA)
            conn.commit()

    @contextmanager
    def _locked(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if self._conn is None:
                raise ClosedStoreError("the emulator store is closed")
            try:
                yield self._conn
            except BaseException:
                # A half-done write must not ride along with the next caller's commit.
                self._conn.rollback()
                raise

    def close(self) -> None:
        """Close the database; later calls raise :class:`ClosedStoreError`."""
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    # -- users ---------------------------------------------------------------------------

    def seed_user(self, user_id: int, email: str | None = None) -> bool:
        """Create a user with its login email contact; return False if it already existed.

        Every real ilert user has an email contact for the address they log in with, so
        a new user starts with one (status OK). Seeding an existing user changes nothing.
        """
        with self._locked() as conn:
            if conn.execute("SELECT 1 FROM users WHERE id = ?", (user_id,)).fetchone():
                return False
            conn.execute("INSERT INTO users (id) VALUES (?)", (user_id,))
            conn.execute(
                "INSERT INTO contacts (kind, user_id, target, status) VALUES ('email', ?, ?, 'OK')",
                (user_id, email if email is not None else login_email(user_id)),
            )
            conn.commit()
            return True

    def user_exists(self, user_id: int) -> bool:
        """Whether the user is known."""
        with self._locked() as conn:
            return conn.execute("SELECT 1 FROM users WHERE id = ?", (user_id,)).fetchone() is not None

    # -- contacts ------------------------------------------------------------------------

    def list_contacts(self, user_id: int, kind: ContactKind) -> list[Contact]:
        """A user's contacts of one kind, oldest first."""
        with self._locked() as conn:
            rows = conn.execute(
                "SELECT * FROM contacts WHERE user_id = ? AND kind = ? ORDER BY id", (user_id, kind)
            ).fetchall()
        return [_contact(row) for row in rows]

    def all_contacts(self) -> list[Contact]:
        """Every contact of every user, oldest first."""
        with self._locked() as conn:
            rows = conn.execute("SELECT * FROM contacts ORDER BY id").fetchall()
        return [_contact(row) for row in rows]

    def get_contact(self, user_id: int, kind: ContactKind, contact_id: int) -> Contact | None:
        """The contact, or None if it does not exist, is another user's or the other kind."""
        with self._locked() as conn:
            return _get(conn, user_id, kind, contact_id)

    def create_contact(
        self,
        user_id: int,
        kind: ContactKind,
        target: str,
        region_code: str | None = None,
        primary: bool = False,
    ) -> Contact:
        """Store a new contact with status OK.

        :raises DuplicateTargetError: the user already has this target for this kind.
        """
        with self._locked() as conn:
            _check_unique(conn, user_id, kind, target, exclude_id=None)
            cursor = conn.execute(
                "INSERT INTO contacts (kind, user_id, target, region_code, is_primary, status)"
                " VALUES (?, ?, ?, ?, ?, 'OK')",
                (kind, user_id, target, region_code, int(primary)),
            )
            contact_id = cursor.lastrowid
            assert contact_id is not None
            if primary:
                _clear_other_primaries(conn, user_id, contact_id)
            conn.commit()
            created = _get(conn, user_id, kind, contact_id)
        assert created is not None
        return created

    def update_contact(
        self,
        user_id: int,
        kind: ContactKind,
        contact_id: int,
        target: str,
        region_code: str | None = None,
        primary: bool = False,
    ) -> Contact | None:
        """Replace a contact's target (and phone fields); its status is kept.

        :returns: the updated contact, or None if there is no such contact.
        :raises DuplicateTargetError: another contact of the user already has the target.
        """
        with self._locked() as conn:
            if _get(conn, user_id, kind, contact_id) is None:
                return None
            _check_unique(conn, user_id, kind, target, exclude_id=contact_id)
            conn.execute(
                "UPDATE contacts SET target = ?, region_code = ?, is_primary = ? WHERE id = ?",
                (target, region_code, int(primary), contact_id),
            )
            if primary:
                _clear_other_primaries(conn, user_id, contact_id)
            conn.commit()
            return _get(conn, user_id, kind, contact_id)

    def delete_contact(self, user_id: int, kind: ContactKind, contact_id: int) -> bool:
        """Delete a contact; return False if there was no such contact."""
        with self._locked() as conn:
            cursor = conn.execute(
                "DELETE FROM contacts WHERE id = ? AND user_id = ? AND kind = ?", (contact_id, user_id, kind)
            )
            conn.commit()
            return cursor.rowcount > 0

    def set_status(self, contact_id: int, status: ContactStatus) -> Contact | None:
        """Force a contact's status (the live API sets it, never the client)."""
        with self._locked() as conn:
            conn.execute("UPDATE contacts SET status = ? WHERE id = ?", (status, contact_id))
            conn.commit()
            row = conn.execute("SELECT * FROM contacts WHERE id = ?", (contact_id,)).fetchone()
        return _contact(row) if row is not None else None


def _contact(row: sqlite3.Row) -> Contact:
    return Contact(
        id=int(row["id"]),
        kind=row["kind"],
        user_id=int(row["user_id"]),
        target=str(row["target"]),
        region_code=row["region_code"],
        primary=bool(row["is_primary"]),
        status=row["status"],
    )


def _get(conn: sqlite3.Connection, user_id: int, kind: ContactKind, contact_id: int) -> Contact | None:
    row = conn.execute(
        "SELECT * FROM contacts WHERE id = ? AND user_id = ? AND kind = ?", (contact_id, user_id, kind)
    ).fetchone()
    return _contact(row) if row is not None else None


def _check_unique(
    conn: sqlite3.Connection, user_id: int, kind: ContactKind, target: str, exclude_id: int | None
) -> None:
    wanted = _same_target_key(kind, target)
    rows = conn.execute(
        "SELECT id, target FROM contacts WHERE user_id = ? AND kind = ?", (user_id, kind)
    ).fetchall()
    for row in rows:
        if row["id"] != exclude_id and _same_target_key(kind, row["target"]) == wanted:
            raise DuplicateTargetError(kind, target)


def _clear_other_primaries(conn: sqlite3.Connection, user_id: int, keep_id: int) -> None:
    # The live API allows one primary phone number per user: the newest claim wins.
    conn.execute(
        "UPDATE contacts SET is_primary = 0 WHERE user_id = ? AND kind = 'phone' AND id != ?",
        (user_id, keep_id),
    )
