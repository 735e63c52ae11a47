"""The plugin from a Pulumi YAML program, through the real engine and the YAML language host: the
quickstart's lifecycle (up, a no-op plan, update, replace, refresh, destroy), the look-up functions
and bad input at preview.

The lifecycle tests share one stack and run in order, each starting from what the previous one
left (the stack's state is read, never assumed), as a user's stack lives through its changes.
"""

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
    write_yaml,
    writes,
    yaml_stack,
)
from pulumi_fixtures import TOKEN, USERS
from pulumi_harness import Stack
from pulumi_ilert_contacts.emulator import EmulatorServer

QUICKSTART = """
config:
  userId:
    type: string
    default: "1001"
  email:
    type: string
    default: jane.doe@example.com
resources:
  jane-email:
    type: ilert-contacts:index:ContactEmail
    properties:
      userId: ${userId}
      target: ${email}
  jane-mobile:
    type: ilert-contacts:index:ContactPhoneNumber
    properties:
      userId: ${userId}
      regionCode: DE
      target: 0151 23456789 # national form; stored as +4915123456789
      primary: true
outputs:
  emailId: ${jane-email.id}
  emailContactId: ${jane-email.contactId}
  emailStatus: ${jane-email.status}
  phoneId: ${jane-mobile.id}
  phoneContactId: ${jane-mobile.contactId}
  phoneTarget: ${jane-mobile.target}
  phoneStatus: ${jane-mobile.status}
"""


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(token=TOKEN, users=USERS) as server:
        yield server


@pytest.fixture(scope="module")
def quickstart(
    tmp_path_factory: pytest.TempPathFactory, pulumi_home: Path, emulator: EmulatorServer
) -> Stack:
    """The YAML quickstart, deployed once for the lifecycle tests."""
    stack = yaml_stack(tmp_path_factory.mktemp("yaml-quickstart"), pulumi_home, emulator, QUICKSTART)
    emulator.admin.reset_requests()
    stack.up()
    return stack


def test_up_creates_the_quickstart_contacts_with_ids_and_status(
    quickstart: Stack, emulator: EmulatorServer
) -> None:
    assert emulator.admin.request_counts().get("POST") == 2
    contacts = non_login(emulator)
    [email] = contacts["emails"]
    [phone] = contacts["phone_numbers"]
    assert (email["user_id"], email["target"]) == ("1001", "jane.doe@example.com")
    assert (phone["user_id"], phone["target"], phone["regionCode"], phone["primary"]) == (
        "1001", "+4915123456789", "DE", True
    )
    outputs = quickstart.outputs()
    assert outputs["emailId"] == f"1001:{email['id']}" and outputs["emailContactId"] == email["id"]
    assert outputs["phoneId"] == f"1001:{phone['id']}" and outputs["phoneContactId"] == phone["id"]
    assert (outputs["phoneTarget"], outputs["emailStatus"], outputs["phoneStatus"]) == (
        "+4915123456789", "OK", "OK"
    )
    assert sorted(r["type"] for r in quickstart.native_resources()) == [EMAIL, PHONE]


def test_second_preview_and_up_change_nothing_and_call_nothing(
    quickstart: Stack, emulator: EmulatorServer
) -> None:
    emulator.admin.reset_requests()

    quickstart.preview("--expect-no-changes")
    quickstart.up("--expect-no-changes")

    assert emulator.admin.requests()["total"] == 0


def test_changing_target_updates_in_place_with_one_put(quickstart: Stack, emulator: EmulatorServer) -> None:
    before = quickstart.outputs()["emailContactId"]
    quickstart.run("config", "set", "email", "jane@example.com")
    emulator.admin.reset_requests()

    preview = quickstart.preview()
    assert "jane-email" in preview.output and "~ 1 to update" in preview.output
    assert "replace" not in preview.output
    assert emulator.admin.requests()["total"] == 0
    quickstart.up()

    assert writes(emulator) == {"POST": 0, "PUT": 1, "DELETE": 0}
    assert quickstart.outputs()["emailContactId"] == before
    assert [(c["id"], c["target"]) for c in non_login(emulator)["emails"]] == [(before, "jane@example.com")]


def test_changing_user_id_replaces_with_new_contacts_for_the_new_user(
    quickstart: Stack, emulator: EmulatorServer
) -> None:
    quickstart.run("config", "set", "userId", "1002")
    emulator.admin.reset_requests()

    preview = quickstart.preview()
    assert "+-2 to replace" in preview.output, preview
    quickstart.up()

    assert writes(emulator) == {"POST": 2, "PUT": 0, "DELETE": 2}
    contacts = non_login(emulator)
    [email] = contacts["emails"]
    [phone] = contacts["phone_numbers"]
    assert (email["user_id"], email["target"]) == ("1002", "jane@example.com")
    assert (phone["user_id"], phone["target"], phone["primary"]) == ("1002", "+4915123456789", True)
    outputs = quickstart.outputs()
    assert (outputs["emailId"], outputs["phoneId"]) == (f"1002:{email['id']}", f"1002:{phone['id']}")
    quickstart.preview("--expect-no-changes")


def test_refresh_drops_a_contact_deleted_outside_and_up_recreates_it(
    quickstart: Stack, emulator: EmulatorServer
) -> None:
    old_id = quickstart.outputs()["emailContactId"]
    assert api_request(emulator, "DELETE", f"/users/1002/contacts/emails/{old_id}").status_code == 204

    quickstart.refresh()
    assert [r["type"] for r in quickstart.native_resources()] == [PHONE]

    emulator.admin.reset_requests()
    quickstart.up()
    assert writes(emulator) == {"POST": 1, "PUT": 0, "DELETE": 0}
    [email] = non_login(emulator)["emails"]
    assert email["target"] == "jane@example.com" and email["id"] != old_id
    assert quickstart.outputs()["emailId"] == f"1002:{email['id']}"
    quickstart.preview("--expect-no-changes")


def test_refresh_shows_an_outside_change_and_up_restores_the_program(
    quickstart: Stack, emulator: EmulatorServer
) -> None:
    phone_id = quickstart.outputs()["phoneContactId"]
    changed = {"target": "+4917612345678", "regionCode": "DE", "primary": False}
    assert api_request(emulator, "PUT", f"/users/1002/contacts/phone-numbers/{phone_id}", json=changed).ok

    refresh = quickstart.refresh()
    assert "jane-mobile" in refresh.output and "~ 1 updated" in refresh.output, refresh
    [phone_state] = [r for r in quickstart.native_resources() if r["type"] == PHONE]
    assert (phone_state["outputs"]["target"], phone_state["outputs"]["primary"]) == ("+4917612345678", False)
    preview = quickstart.preview()
    assert "jane-mobile" in preview.output and "~ 1 to update" in preview.output, preview

    emulator.admin.reset_requests()
    quickstart.up()
    assert writes(emulator) == {"POST": 0, "PUT": 1, "DELETE": 0}
    [phone] = non_login(emulator)["phone_numbers"]
    assert (phone["id"], phone["target"], phone["primary"]) == (phone_id, "+4915123456789", True)
    quickstart.preview("--expect-no-changes")


def test_destroy_removes_the_stack_contacts_and_nothing_else(
    quickstart: Stack, emulator: EmulatorServer
) -> None:
    kept = {"target": "kept@example.com"}
    assert api_request(emulator, "POST", "/users/1002/contacts/emails", json=kept).ok
    emulator.admin.reset_requests()

    quickstart.destroy()

    assert writes(emulator) == {"POST": 0, "PUT": 0, "DELETE": 2}
    emails = sorted((c["user_id"], c["target"]) for c in emulator.admin.contacts()["emails"])
    assert emails == sorted([("1002", "kept@example.com"), *((str(u), login_email(u)) for u in USERS)])
    assert emulator.admin.contacts()["phone_numbers"] == []
    assert quickstart.native_resources() == []


# -- functions and bad input, on a stack of their own ------------------------------------------

LOOKUPS = """
variables:
  login:
    fn::invoke:
      function: ilert-contacts:index:getContactEmail
      arguments:
        userId: "1003"
        target: USER1003@Example.com # compared as check normalises it
  mobile:
    fn::invoke:
      function: ilert-contacts:index:getContactPhoneNumber
      arguments:
        userId: "1003"
        regionCode: DE
        target: 0151 23456789
outputs:
  loginContactId: ${login.contactId}
  loginStatus: ${login.status}
  mobileContactId: ${mobile.contactId}
  mobileRegionCode: ${mobile.regionCode}
  mobilePrimary: ${mobile.primary}
"""

NOT_FOUND = """
variables:
  nobody:
    fn::invoke:
      function: ilert-contacts:index:getContactEmail
      arguments:
        userId: "1003"
        target: nobody@example.com
outputs:
  nobodyContactId: ${nobody.contactId}
"""

BAD_REGION = """
resources:
  bob-desk:
    type: ilert-contacts:index:ContactPhoneNumber
    properties:
      userId: "1003"
      regionCode: XX
      target: 030 1234567
"""


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory, pulumi_home: Path, emulator: EmulatorServer) -> Stack:
    """A stack whose program each test rewrites; it never deploys contacts."""
    return yaml_stack(tmp_path_factory.mktemp("yaml-scratch"), pulumi_home, emulator, LOOKUPS)


def test_functions_find_the_login_email_and_a_phone_number_of_a_user(
    scratch: Stack, emulator: EmulatorServer
) -> None:
    [login] = [c for c in emulator.admin.contacts()["emails"] if c["target"] == login_email(1003)]
    phone = api_request(
        emulator, "POST", "/users/1003/contacts/phone-numbers",
        json={"target": "+4915123456789", "regionCode": "DE", "primary": True},
    ).json()
    write_yaml(scratch, LOOKUPS)
    emulator.admin.reset_requests()

    scratch.up()

    assert scratch.outputs() == {
        "loginContactId": login["id"],
        "loginStatus": "OK",
        "mobileContactId": phone["id"],
        "mobileRegionCode": "DE",
        "mobilePrimary": True,
    }
    assert writes(emulator) == NO_WRITES


def test_function_fails_clearly_when_the_user_has_no_such_contact(
    scratch: Stack, emulator: EmulatorServer
) -> None:
    write_yaml(scratch, NOT_FOUND)

    result = scratch.preview(check=False)

    assert result.code != 0
    assert (
        "getContactEmail: Unable to find email contact 'nobody@example.com' of user 1003" in result.output
    ), result


def test_bad_input_fails_preview_naming_resource_property_and_reason_without_calls(
    scratch: Stack, emulator: EmulatorServer
) -> None:
    write_yaml(scratch, BAD_REGION)
    emulator.admin.reset_requests()

    result = scratch.preview(check=False)

    assert result.code != 0
    assert f"{PHONE} resource 'bob-desk': property regionCode" in result.output, result
    assert "ContactPhoneNumber.regionCode 'XX' is not a known ISO 3166-1 alpha-2 region code" in result.output
    assert emulator.admin.requests()["total"] == 0
