"""Constants and small helpers shared by the unit tests (fixtures live in conftest.py)."""

from __future__ import annotations

import time
from typing import Any

from pulumi_ilert_contacts.emulator.admin_client import EmulatorAdmin

TOKEN = "tok-unit-5c1e9a77d2b04f3e"
"""The emulator's API key: distinctive, so a leak shows up in any text searched for it."""
USER = "1234"
OTHER_USER = "5678"


def emails_of(admin: EmulatorAdmin, user_id: str) -> list[dict[str, Any]]:
    """The email contacts the emulator holds for a user."""
    return [dict(c) for c in admin.contacts()["emails"] if c["user_id"] == user_id]


def phones_of(admin: EmulatorAdmin, user_id: str) -> list[dict[str, Any]]:
    """The phone number contacts the emulator holds for a user."""
    return [dict(c) for c in admin.contacts()["phone_numbers"] if c["user_id"] == user_id]


def total_requests(admin: EmulatorAdmin) -> int:
    """API requests the emulator received since its counter was last reset."""
    return admin.requests()["total"]


def wait_until_answered(admin: EmulatorAdmin, timeout: float = 10.0) -> None:
    """Wait until the emulator has answered every request it received (a delayed one included).

    Not for tests with drop faults: a dropped request stays unanswered in the log.
    """
    deadline = time.monotonic() + timeout
    while any(entry["status"] is None for entry in admin.requests()["log"]):
        if time.monotonic() > deadline:
            raise TimeoutError("the emulator is still answering a request")
        time.sleep(0.05)
