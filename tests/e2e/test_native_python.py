"""The plugin from a Python program, through ``pulumi_ilert_contacts.native``: the typed classes
through ``up`` and a no-op plan, the look-up functions found and not found, bad input at preview and
a lost create answer that makes no duplicate. The lifecycle in depth is in test_native_yaml.py:
the engine drives the plugin the same way from either language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from emulator_support import api_request
from native_support import (
    EMAIL,
    NO_WRITES,
    PHONE,
    login_email,
    non_login,
    python_stack,
    write_python,
    writes,
)
from pulumi_fixtures import TOKEN, USERS
from pulumi_harness import Stack
from pulumi_ilert_contacts.emulator import EmulatorServer

PROGRAM = """
import pulumi
from pulumi_ilert_contacts import native

email = native.ContactEmail("jane-email", native.ContactEmailArgs(user_id="1001", target="jane@example.com"))
mobile = native.ContactPhoneNumber("jane-mobile", user_id=1001, region_code="DE", target="0151 23456789",
                                   primary=True)
for name, contact in (("email", email), ("mobile", mobile)):
    pulumi.export(name, {"id": contact.id, "user_id": contact.user_id, "target": contact.target,
                         "contact_id": contact.contact_id, "status": contact.status})
pulumi.export("mobile_primary", mobile.primary)
pulumi.export("mobile_region_code", mobile.region_code)
"""


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(token=TOKEN, users=USERS) as server:
        yield server


@pytest.fixture(scope="module")
def deployed(
    tmp_path_factory: pytest.TempPathFactory, pulumi_home: Path, emulator: EmulatorServer
) -> Stack:
    """``PROGRAM``, deployed once."""
    stack = python_stack(tmp_path_factory.mktemp("native-python"), pulumi_home, emulator, PROGRAM)
    emulator.admin.reset_requests()
    stack.up()
    return stack


def test_typed_classes_create_the_contacts_with_typed_outputs(
    deployed: Stack, emulator: EmulatorServer
) -> None:
    assert writes(emulator) == {"POST": 2, "PUT": 0, "DELETE": 0}
    contacts = non_login(emulator)
    [email] = [c for c in contacts["emails"] if c["user_id"] == "1001"]
    [phone] = [c for c in contacts["phone_numbers"] if c["user_id"] == "1001"]
    outputs = deployed.outputs()
    assert outputs["email"] == {
        "id": f"1001:{email['id']}", "user_id": "1001", "target": "jane@example.com",
        "contact_id": email["id"], "status": "OK",
    }
    assert outputs["mobile"] == {
        "id": f"1001:{phone['id']}", "user_id": "1001", "target": "+4915123456789",
        "contact_id": phone["id"], "status": "OK",
    }
    assert (outputs["mobile_primary"], outputs["mobile_region_code"]) == (True, "DE")
    assert (phone["target"], phone["regionCode"], phone["primary"]) == ("+4915123456789", "DE", True)
    assert sorted(r["type"] for r in deployed.native_resources()) == [EMAIL, PHONE]


def test_second_preview_and_up_change_nothing_and_call_nothing(
    deployed: Stack, emulator: EmulatorServer
) -> None:
    emulator.admin.reset_requests()

    deployed.preview("--expect-no-changes")
    deployed.up("--expect-no-changes")

    assert emulator.admin.requests()["total"] == 0


# -- a stack whose program each test rewrites --------------------------------------------------

LOOKUPS = """
import pulumi
from pulumi_ilert_contacts import native

login = native.get_contact_email(user_id="1002", target="User1002@EXAMPLE.com")
pulumi.export("login", {"contact_id": login.contact_id, "status": login.status})
# The output form takes inputs that may be outputs of other resources.
mobile = native.get_contact_phone_number_output(user_id=pulumi.Output.from_input("1002"),
                                                target="0151 23456789", region_code="DE")
pulumi.export("mobile", mobile.apply(lambda m: {"contact_id": m.contact_id, "status": m.status,
                                                "target": m.target, "region_code": m.region_code,
                                                "primary": m.primary}))
"""

NOT_FOUND = """
from pulumi_ilert_contacts import native

native.get_contact_email(user_id="1002", target="nobody@example.com")
"""

BAD_USER_ID = """
from pulumi_ilert_contacts import native

native.ContactEmail("bob-email", user_id="10O2", target="bob@example.com")
"""

ONE_EMAIL = """
import pulumi
from pulumi_ilert_contacts import native

email = native.ContactEmail("lost-answer", user_id="1003", target="lost.answer@example.com")
pulumi.export("id", email.id)
"""


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory, pulumi_home: Path, emulator: EmulatorServer) -> Stack:
    return python_stack(tmp_path_factory.mktemp("native-python-scratch"), pulumi_home, emulator, LOOKUPS)


def test_functions_find_the_login_email_and_a_phone_number_of_a_user(
    scratch: Stack, emulator: EmulatorServer
) -> None:
    [login] = [c for c in emulator.admin.contacts()["emails"] if c["target"] == login_email(1002)]
    phone = api_request(
        emulator, "POST", "/users/1002/contacts/phone-numbers",
        json={"target": "+4915123456789", "regionCode": "DE", "primary": False},
    ).json()
    write_python(scratch, LOOKUPS)
    emulator.admin.reset_requests()

    scratch.up()

    outputs = scratch.outputs()
    assert outputs["login"] == {"contact_id": login["id"], "status": "OK"}
    assert outputs["mobile"] == {
        "contact_id": phone["id"], "status": "OK", "target": "+4915123456789", "region_code": "DE",
        "primary": False,
    }
    assert writes(emulator) == NO_WRITES


def test_function_fails_clearly_when_the_user_has_no_such_contact(
    scratch: Stack, emulator: EmulatorServer
) -> None:
    write_python(scratch, NOT_FOUND)

    result = scratch.preview(check=False)

    assert result.code != 0
    assert (
        "getContactEmail: Unable to find email contact 'nobody@example.com' of user 1002" in result.output
    ), result


def test_bad_input_fails_preview_naming_resource_property_and_reason_without_calls(
    scratch: Stack, emulator: EmulatorServer
) -> None:
    write_python(scratch, BAD_USER_ID)
    emulator.admin.reset_requests()

    result = scratch.preview(check=False)

    assert result.code != 0
    assert f"{EMAIL} resource 'bob-email': property userId" in result.output, result
    reason = "ContactEmail.userId must contain digits only (a numeric ilert user id), got '10O2'"
    assert reason in result.output
    assert emulator.admin.requests()["total"] == 0


def test_lost_create_answer_makes_no_duplicate(scratch: Stack, emulator: EmulatorServer) -> None:
    write_python(scratch, ONE_EMAIL)
    # ilert creates the contact, then the connection drops before the answer reaches the plugin.
    emulator.admin.add_fault("POST", "drop_after", path="/users/1003/contacts/emails$")
    emulator.admin.reset_requests()

    scratch.up()

    assert emulator.admin.faults() == [], "the fault was not hit: the test proved nothing"
    [contact] = [c for c in non_login(emulator)["emails"] if c["user_id"] == "1003"]
    assert contact["target"] == "lost.answer@example.com"
    assert emulator.admin.request_counts().get("POST") == 1
    assert scratch.outputs()["id"] == f"1003:{contact['id']}"
    scratch.preview("--expect-no-changes")

