"""Fixtures for the generator tests: a real emulator on loopback, seeded with a varied account.

The generator runs in its own process (as a user runs it) and reaches the emulator over HTTP;
nothing is mocked.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from pulumi_ilert_contacts.emulator import EmulatorServer

from .support import TOKEN, api_post, generator_env


@dataclass(frozen=True)
class Account:
    """The emulator and the ids of the contacts seeded in it."""

    emulator: EmulatorServer
    env: dict[str, str]
    locked_email: int
    dotted_email: int
    primary_phone: int
    blacklisted_phone: int
    invalid_email: int


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    """A fresh emulator with users 1001, 1002 and 1003, each with its login email."""
    with EmulatorServer(token=TOKEN, users=[1001, 1002, 1003]) as server:
        yield server


@pytest.fixture
def account(emulator: EmulatorServer) -> Account:
    """Contacts of every shape the generator must handle.

    User 1001: two addresses that slugify alike (one LOCKED), a primary and a BLACKLISTED phone.
    User 1002: an address ilert holds in a spelling ``check()`` normalises (domain case).
    User 1003: an address ilert accepted that fails the provider's validation.
    """
    dotted = api_post(emulator, 1001, "emails", {"target": "jane.doe@example.com"})
    locked = api_post(emulator, 1001, "emails", {"target": "jane-doe@example.com"})
    primary = api_post(
        emulator, 1001, "phone-numbers", {"target": "+4915123456789", "regionCode": "DE", "primary": True}
    )
    blacklisted = api_post(
        emulator, 1001, "phone-numbers", {"target": "+12025550123", "regionCode": "US", "primary": False}
    )
    api_post(emulator, 1002, "emails", {"target": "Oncall@Example.COM"})
    api_post(
        emulator, 1002, "phone-numbers", {"target": "+33612345678", "regionCode": "FR", "primary": False}
    )
    invalid = api_post(emulator, 1003, "emails", {"target": "pager@localhost"})
    emulator.admin.set_status(locked["id"], "LOCKED")
    emulator.admin.set_status(blacklisted["id"], "BLACKLISTED")
    emulator.admin.reset_requests()
    return Account(
        emulator=emulator,
        env=generator_env(emulator),
        locked_email=locked["id"],
        dotted_email=dotted["id"],
        primary_phone=primary["id"],
        blacklisted_phone=blacklisted["id"],
        invalid_email=invalid["id"],
    )
