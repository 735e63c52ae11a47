"""The plugin from a Python program, through ``pulumi_ilert_contacts.native``: the typed classes
through ``up`` and a no-op plan, the look-up functions found and not found, bad input at preview and
a lost create answer that makes no duplicate; the ``UserContacts`` set from typed Args and plain
dicts (up, a no-op plan, an update writing one request per difference, destroy), an address given
as a secret kept secret. The lifecycle in depth is in test_native_yaml.py and test_user_contacts.py:
the engine drives the plugin the same way from either language."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from emulator_support import api_request, requests_made, set_contacts
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
from pulumi_harness import SECRET_SIG, SECRET_VALUE_SIG, Stack
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


SET_USER = 1004
"""The set's user: the set owns every contact of its kinds, so no other test here touches it."""


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(token=TOKEN, users=(*USERS, SET_USER)) as server:
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



# -- the contact set -----------------------------------------------------------------------------

SET_PROGRAM = """
import pulumi
from pulumi_ilert_contacts import native

cfg = pulumi.Config()
moved = cfg.get_bool("moved") or False
ops = native.UserContacts(
    "ops",
    user_id="1004",
    emails=["oncall@example.com" if moved else "ops@example.com",
            pulumi.Output.secret("private.ops@example.com")],
    phone_numbers=[
        native.UserContactsPhoneNumberArgs(target="0151 23456789", region_code="DE", primary=not moved),
        {"target": "030 123456", "region_code": "DE", "primary": moved},
    ],
)
pulumi.export("numbers", ops.phone_number_contacts.apply(
    lambda cs: [(c["target"], c["region_code"], c["primary"], c["contact_id"]) for c in cs]))
pulumi.export("phone_numbers", ops.phone_numbers)
pulumi.export("emails", ops.emails)
pulumi.export("email_contacts", ops.email_contacts)
"""

SECRET_EMAIL = "private.ops@example.com"


def test_the_native_set_from_typed_args_and_plain_dicts_lives_through_up_no_op_update_and_destroy(
    tmp_path_factory: pytest.TempPathFactory, pulumi_home: Path, emulator: EmulatorServer
) -> None:
    stack = python_stack(tmp_path_factory.mktemp("native-python-set"), pulumi_home, emulator, SET_PROGRAM)
    emulator.admin.reset_requests()

    stack.up()

    # One list per kind; the login email (unlisted) deleted; one POST per listed contact.
    assert requests_made(emulator.admin) == {"GET": 2, "POST": 4, "DELETE": 1}
    assert set_contacts(emulator.admin, SET_USER) == (
        ["ops@example.com", SECRET_EMAIL],
        [("+4915123456789", True), ("+4930123456", False)],
    )
    outputs = stack.outputs()
    ids = {c["target"]: c["id"] for c in emulator.admin.contacts()["phone_numbers"]}
    assert outputs["numbers"] == [
        ["+4915123456789", "DE", True, ids["+4915123456789"]],
        ["+4930123456", "DE", False, ids["+4930123456"]],
    ]
    assert outputs["phone_numbers"] == [
        {"target": "+4915123456789", "region_code": "DE", "primary": True},
        {"target": "+4930123456", "region_code": "DE", "primary": False},
    ]
    # The secret address: secret in the outputs that repeat it and in the state.
    assert outputs["emails"] == outputs["email_contacts"] == "[secret]"
    assert SECRET_EMAIL in stack.run("stack", "output", "--json", "--show-secrets").stdout
    exported = stack.export()
    assert SECRET_EMAIL not in exported
    [state] = stack.native_resources()
    assert state["id"] == str(SET_USER)
    for where, prop in (("inputs", "emails"), ("outputs", "emails"), ("outputs", "emailContacts")):
        assert state[where][prop][SECRET_SIG] == SECRET_VALUE_SIG, (where, prop)

    emulator.admin.reset_requests()
    stack.preview("--expect-no-changes")
    stack.up("--expect-no-changes")
    assert emulator.admin.requests()["total"] == 0

    # One address swapped, the primary moved to the other number.
    stack.run("config", "set", "moved", "true")
    emulator.admin.reset_requests()
    stack.up()
    # A list per changed kind (the state may be stale), then one write per difference.
    assert requests_made(emulator.admin) == {"GET": 2, "POST": 1, "DELETE": 1, "PUT": 1}
    assert set_contacts(emulator.admin, SET_USER) == (
        ["oncall@example.com", SECRET_EMAIL],
        [("+4915123456789", False), ("+4930123456", True)],
    )
    assert [n[2] for n in stack.outputs()["numbers"]] == [False, True]
    assert SECRET_EMAIL not in stack.export()

    emulator.admin.reset_requests()
    stack.destroy()
    assert emulator.admin.requests()["total"] == 0  # destroy forgets
    assert set_contacts(emulator.admin, SET_USER)[0] == ["oncall@example.com", SECRET_EMAIL]
    assert stack.native_resources() == []
