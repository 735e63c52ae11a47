"""The providers under network and API faults: rate limits, server errors, lost and slow answers.

What matters to a user: a create that went through once leaves exactly one contact in ilert, a
transient fault does not fail the update, and a persistent one fails it quickly with a clear error.
The lost-answer cases of a create run through both faces in test_faces.py.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from pulumi_ilert_contacts import (
    ContactEmailProvider,
    IlertAuthError,
    IlertServerError,
)
from pulumi_ilert_contacts.emulator.admin_client import EmulatorAdmin

from .support import USER, emails_of, wait_until_answered

TARGET = "jane@example.com"


def _inputs(provider: ContactEmailProvider, target: str = TARGET) -> dict[str, Any]:
    result = provider.check({}, {"user_id": USER, "target": target})
    assert result.failures == []
    return result.inputs


def _jane(admin: EmulatorAdmin) -> list[dict[str, Any]]:
    return [c for c in emails_of(admin, USER) if c["target"] == TARGET]


def _methods(admin: EmulatorAdmin) -> list[tuple[str, int | None]]:
    return [(entry["method"], entry["status"]) for entry in admin.requests()["log"]]


# -- rate limiting ----------------------------------------------------------------------------


def test_create_survives_a_burst_of_429s_and_makes_one_contact(
    email: ContactEmailProvider, admin: EmulatorAdmin
) -> None:
    admin.add_fault("POST", "status", status=429, count=3)

    created = email.create(_inputs(email))

    assert [c["id"] for c in _jane(admin)] == [created.outs["contact_id"]]
    assert _methods(admin) == [("POST", 429), ("POST", 429), ("POST", 429), ("POST", 201)]


def test_429_with_retry_after_is_honoured(email: ContactEmailProvider, admin: EmulatorAdmin) -> None:
    admin.add_fault("POST", "status", status=429, retry_after=1)
    started = time.monotonic()

    created = email.create(_inputs(email))

    assert time.monotonic() - started >= 0.9
    assert [c["id"] for c in _jane(admin)] == [created.outs["contact_id"]]
    assert admin.request_counts()["POST"] == 2


def test_emulator_rate_limit_is_waited_out(email: ContactEmailProvider, admin: EmulatorAdmin) -> None:
    # The live API's 429 carries no Retry-After: the provider waits for the next window.
    admin.set_rate_limit(2, window=1)
    created = [email.create(_inputs(email, f"person{n}@example.com")) for n in range(4)]

    assert len({c.outs["contact_id"] for c in created}) == 4
    assert len(emails_of(admin, USER)) == 5


# -- server errors ----------------------------------------------------------------------------


def test_500_on_read_is_retried(email: ContactEmailProvider, admin: EmulatorAdmin) -> None:
    created = email.create(_inputs(email))
    admin.reset_requests()
    admin.add_fault("GET", "status", status=500)

    read = email.read(created.id, created.outs)

    assert read.id == created.id
    assert _methods(admin) == [("GET", 500), ("GET", 200)]


def test_500_on_update_and_delete_is_retried(email: ContactEmailProvider, admin: EmulatorAdmin) -> None:
    created = email.create(_inputs(email))
    admin.add_fault("PUT", "status", status=503)
    admin.add_fault("DELETE", "status", status=502)

    updated = email.update(created.id, created.outs, _inputs(email, "joe@example.com"))
    email.delete(created.id, updated.outs or {})

    assert admin.request_counts()["PUT"] == 2
    assert admin.request_counts()["DELETE"] == 2
    assert [c["target"] for c in emails_of(admin, USER)] == [f"user{USER}@example.com"]



def test_persistent_503_on_create_fails_quickly_with_a_clear_error(
    email: ContactEmailProvider, admin: EmulatorAdmin
) -> None:
    admin.add_fault("POST", "status", status=503, seconds=60)
    started = time.monotonic()

    with pytest.raises(IlertServerError) as caught:
        email.create(_inputs(email))

    assert time.monotonic() - started < 10
    assert str(caught.value) == (
        f"Unable to create email contact for user {USER}: ilert API returned 503: "
        "Injected fault: Service Unavailable [SERVICE_UNAVAILABLE]"
    )
    assert admin.request_counts()["POST"] == 3
    assert _jane(admin) == []


def test_persistent_503_on_read_stops_after_a_bounded_number_of_retries(
    email: ContactEmailProvider, admin: EmulatorAdmin
) -> None:
    created = email.create(_inputs(email))
    admin.reset_requests()
    # Retry-After keeps each wait at one second; the bound under test is the number of attempts.
    admin.add_fault("GET", "status", status=503, seconds=60, retry_after=1)
    started = time.monotonic()

    with pytest.raises(IlertServerError) as caught:
        email.read(created.id, created.outs)

    assert time.monotonic() - started < 20
    assert str(caught.value).startswith(
        f"Unable to list email contacts of user {USER}: ilert API returned 503"
    )
    assert admin.request_counts()["GET"] == 9


def test_403_is_not_retried(email: ContactEmailProvider, admin: EmulatorAdmin) -> None:
    admin.add_fault(
        "POST", "status", status=403, body='{"status": 403, "message": "bad key", "code": "KEY_ERROR"}'
    )

    with pytest.raises(IlertAuthError) as caught:
        email.create(_inputs(email))

    assert caught.value.code == "KEY_ERROR"
    assert admin.requests()["total"] == 1


# -- lost and slow answers --------------------------------------------------------------------




def test_connection_dropped_before_create_is_retried_once(
    email: ContactEmailProvider, admin: EmulatorAdmin
) -> None:
    admin.add_fault("POST", "drop_before")

    created = email.create(_inputs(email))

    assert [c["id"] for c in _jane(admin)] == [created.outs["contact_id"]]
    assert _methods(admin) == [("POST", None), ("GET", 200), ("POST", 201)]


def test_create_answer_slower_than_the_timeout_makes_no_duplicate(
    email: ContactEmailProvider, admin: EmulatorAdmin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ILERT_HTTP_TIMEOUT", "1")
    admin.add_fault("POST", "delay", seconds=1.5)

    created = email.create(_inputs(email))
    wait_until_answered(admin)

    assert [c["id"] for c in _jane(admin)] == [created.outs["contact_id"]]
    assert all(status is not None for _, status in _methods(admin))


def test_lost_update_response_is_retried_to_the_same_result(
    email: ContactEmailProvider, admin: EmulatorAdmin
) -> None:
    created = email.create(_inputs(email))
    admin.add_fault("PUT", "drop_after")

    updated = email.update(created.id, created.outs, _inputs(email, "joe@example.com"))

    assert updated.outs is not None
    assert updated.outs["contact_id"] == created.outs["contact_id"]
    assert [c["target"] for c in emails_of(admin, USER) if c["id"] == created.outs["contact_id"]] == [
        "joe@example.com"
    ]
    assert admin.request_counts()["PUT"] == 2
