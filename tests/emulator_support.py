"""Helpers every suite shares to act on the emulator as someone other than the code under test:
a person in the ilert UI (the API, with the account's token), or a test reading what ilert holds
(the admin surface). Importable from any test folder (``tests`` is on pytest's pythonpath).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Literal

import pytest
import requests
from pulumi_ilert_contacts.emulator import EmulatorAdmin, EmulatorServer


def emulator_fixture(
    token: str, users: Iterable[int | str], scope: Literal["function", "module", "session"] = "function"
) -> Any:
    """The ``emulator`` fixture of a suite: a real emulator on a free loopback port accepting
    ``token``, ``users`` seeded (each with its login email contact), stopped after its ``scope``.

    In a conftest or a test module: ``emulator = emulator_fixture(TOKEN, [1234])``.
    """
    user_ids = [int(user) for user in users]

    @pytest.fixture(scope=scope, name="emulator")
    def emulator() -> Iterator[EmulatorServer]:
        with EmulatorServer(token=token, users=user_ids) as server:
            yield server

    return emulator


def api_request(emulator: EmulatorServer, method: str, path: str, **kwargs: Any) -> requests.Response:
    """One API request (``path`` below ``/api``) with the emulator's own token, as a person in the
    ilert UI would change ilert behind Pulumi's back; the response, whatever its status."""
    headers = {"Authorization": f"Bearer {emulator.token}"}
    return requests.request(method, f"{emulator.api_url}{path}", headers=headers, timeout=10, **kwargs)


def api_call(
    emulator: EmulatorServer, token: str, method: str, path: str, body: dict[str, Any] | None = None
) -> Any:
    """One API request (``path`` below ``/api``) with ``token``, as another process would send it;
    its JSON answer (an error status raises)."""
    response = requests.request(
        method,
        f"{emulator.api_url}{path}",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    response.raise_for_status()
    return response.json() if response.content else None


def api_post(
    emulator: EmulatorServer, token: str, user_id: int | str, kind: str, body: dict[str, Any]
) -> dict[str, Any]:
    """Create a contact through the API (``kind``: ``emails`` or ``phone-numbers``), as a person in
    the ilert UI would; the contact as the API answers it."""
    result: dict[str, Any] = api_call(emulator, token, "POST", f"/users/{user_id}/contacts/{kind}", body)
    return result


def login_email(user_id: int | str) -> str:
    """The login email contact the emulator seeds for every user (ilert creates one per user)."""
    return f"user{user_id}@example.com"


def emails_of(admin: EmulatorAdmin, user_id: str) -> list[dict[str, Any]]:
    """The email contacts the emulator holds for a user."""
    return [dict(c) for c in admin.contacts()["emails"] if c["user_id"] == user_id]


def phones_of(admin: EmulatorAdmin, user_id: str) -> list[dict[str, Any]]:
    """The phone number contacts the emulator holds for a user."""
    return [dict(c) for c in admin.contacts()["phone_numbers"] if c["user_id"] == user_id]


def set_contacts(admin: EmulatorAdmin, user_id: int | str) -> tuple[list[str], list[tuple[str, bool]]]:
    """What ilert holds for a user, as a contact set sees it: the email targets and the numbers with
    their primary flag, each sorted (a duplicate shows twice)."""
    live = admin.contacts()
    return (
        sorted(c["target"] for c in live["emails"] if c["user_id"] == str(user_id)),
        sorted((c["target"], c["primary"]) for c in live["phone_numbers"] if c["user_id"] == str(user_id)),
    )


def requests_made(admin: EmulatorAdmin) -> dict[str, int]:
    """The requests since the last reset, by method (only the methods used)."""
    return {method: n for method, n in admin.request_counts().items() if n and method != "total"}


def fresh_admin(emulator: EmulatorServer) -> EmulatorAdmin:
    """The admin client of an emulator shared by several tests, with no fault left in force and
    the request counter at zero."""
    admin = emulator.admin
    admin.clear_faults()
    admin.reset_requests()
    return admin
