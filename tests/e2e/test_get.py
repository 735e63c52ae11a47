"""``ContactEmail.get`` / ``ContactPhoneNumber.get`` through the real engine: an existing contact is
read (every attribute resolved) and never managed; a malformed or unknown id fails clearly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests
from pulumi_fixtures import TOKEN
from pulumi_harness import Stack
from pulumi_ilert_contacts.emulator import EmulatorServer

GET_PROGRAM = """
import pulumi
from pulumi_ilert_contacts import ContactEmail, ContactPhoneNumber

cfg = pulumi.Config()
login = ContactEmail.get("login", cfg.require("emailId"))
mobile = ContactPhoneNumber.get("mobile", cfg.require("phoneId"))
pulumi.export("login", {"id": login.id, "user_id": login.user_id, "target": login.target,
                        "adopt": login.adopt, "contact_id": login.contact_id, "status": login.status})
pulumi.export("mobile", {"id": mobile.id, "user_id": mobile.user_id, "region_code": mobile.region_code,
                         "target": mobile.target, "primary": mobile.primary, "adopt": mobile.adopt,
                         "contact_id": mobile.contact_id, "status": mobile.status})
"""

EMAIL_GET = """
import pulumi
from pulumi_ilert_contacts import ContactEmail

login = ContactEmail.get("login", pulumi.Config().require("emailId"))
pulumi.export("target", login.target)
"""


def login_email_id(emulator: EmulatorServer, user: int) -> int:
    """The id of the login email the emulator seeds for each user."""
    [login] = [c for c in emulator.admin.contacts()["emails"] if c["user_id"] == str(user)]
    return int(login["id"])


def phone_added_in_ilert(emulator: EmulatorServer) -> dict[str, Any]:
    """A primary phone number entered in ilert by hand (not by Pulumi)."""
    answer = requests.post(
        f"{emulator.url}/api/users/1002/contacts/phone-numbers",
        headers={"Authorization": f"Bearer {TOKEN}"},
        json={"target": "+4915123456789", "regionCode": "DE", "primary": True},
        timeout=10,
    )
    answer.raise_for_status()
    contact: dict[str, Any] = answer.json()
    return contact


def writes(emulator: EmulatorServer) -> dict[str, int]:
    counts = emulator.admin.request_counts()
    return {method: counts.get(method, 0) for method in ("POST", "PUT", "DELETE")}


def test_get_reads_existing_contacts_with_every_attribute_and_never_manages_them(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    email_id = login_email_id(emulator, 1001)
    phone = phone_added_in_ilert(emulator)
    before = emulator.admin.contacts()
    emulator.admin.reset_requests()
    stack = make_stack(GET_PROGRAM, {"emailId": f"1001:{email_id}", "phoneId": f"1002:{phone['id']}"})

    stack.up()

    assert stack.outputs() == {
        "login": {
            "id": f"1001:{email_id}",
            "user_id": "1001",
            "target": "user1001@example.com",
            "adopt": False,
            "contact_id": email_id,
            "status": "OK",
        },
        "mobile": {
            "id": f"1002:{phone['id']}",
            "user_id": "1002",
            "region_code": "DE",
            "target": "+4915123456789",
            "primary": True,
            "adopt": False,
            "contact_id": phone["id"],
            "status": "OK",
        },
    }
    assert [r["external"] for r in stack.contact_resources()] == [True, True]
    assert writes(emulator) == {"POST": 0, "PUT": 0, "DELETE": 0}

    stack.preview("--expect-no-changes")
    stack.destroy()

    assert writes(emulator) == {"POST": 0, "PUT": 0, "DELETE": 0}
    assert emulator.admin.contacts() == before
    assert stack.contact_resources() == []


def test_get_of_an_unknown_contact_fails_preview_and_up_naming_the_id(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = make_stack(EMAIL_GET, {"emailId": "1001:99999"})
    message = (
        "Unable to read ContactEmail '1001:99999': ilert has no email contact 99999 for user 1001 "
        "(the user or the contact does not exist, or the API key may not see it); give the id of an "
        "existing contact, '<user_id>:<contact_id>', e.g. '1001:17'"
    )

    preview = stack.preview(check=False)
    up = stack.up(check=False)

    assert preview.code != 0 and message in preview.output, preview
    assert up.code != 0 and message in up.output, up
    assert "login" in up.output
    assert stack.contact_resources() == []
    assert writes(emulator) == {"POST": 0, "PUT": 0, "DELETE": 0}


def test_get_of_a_contact_of_the_other_kind_fails(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    email_id = login_email_id(emulator, 1001)
    stack = make_stack(
        """
        from pulumi_ilert_contacts import ContactPhoneNumber
        ContactPhoneNumber.get("mobile", "1001:{id}")
        """.replace("{id}", str(email_id))
    )

    result = stack.up(check=False)

    assert result.code != 0
    assert f"ilert has no phone number contact {email_id} for user 1001" in result.output, result
    assert stack.contact_resources() == []


def test_get_of_a_malformed_id_fails_in_the_program_before_any_request(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = make_stack(EMAIL_GET, {"emailId": "17"})
    emulator.admin.reset_requests()

    result = stack.preview(check=False)

    assert result.code != 0
    expected = "Unable to get ContactEmail 'login': malformed ilert contact id '17': "
    assert expected + "expected '<user_id>:<contact_id>', e.g. '1001:17'" in result.output, result
    assert emulator.admin.requests()["total"] == 0
