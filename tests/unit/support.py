"""Constants and small helpers shared by the unit tests (fixtures live in conftest.py)."""

from __future__ import annotations

import time

from emulator_support import emails_of, phones_of
from pulumi_ilert_contacts.emulator.admin_client import EmulatorAdmin

__all__ = ["OTHER_USER", "TOKEN", "USER", "emails_of", "phones_of", "total_requests", "wait_until_answered"]

TOKEN = "tok-unit-5c1e9a77d2b04f3e"
"""The emulator's API key: distinctive, so a leak shows up in any text searched for it."""
USER = "1234"
OTHER_USER = "5678"


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
