"""Moving a user's contacts from single resources to a ``UserContacts`` set, in one ``pulumi up``:
the engine creates the set (which adopts the contacts) and then deletes the single resources the
program no longer declares. Those deletes keep the contacts the set lists, with a warning on each
resource, in both faces; nothing is posted or deleted. Requests are counted at the emulator.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from emulator_support import login_email
from native_support import write_yaml, yaml_stack
from pulumi_harness import Stack
from pulumi_ilert_contacts.emulator import EmulatorServer

MOBILE = "+4915123456789"

SINGLES_YAML = """
resources:
  jane-email:
    type: ilert-contacts:index:ContactEmail
    properties: { userId: "1001", target: jane@example.com }
  jane-mobile:
    type: ilert-contacts:index:ContactPhoneNumber
    properties: { userId: "1001", target: "+4915123456789", regionCode: DE, primary: true }
"""

SET_YAML = f"""
resources:
  jane:
    type: ilert-contacts:index:UserContacts
    properties:
      userId: "1001"
      emails: [jane@example.com, {login_email(1001)}]
      phoneNumbers: [{{ target: "+4915123456789", regionCode: DE, primary: true }}]
"""

SINGLES_PY = """
from pulumi_ilert_contacts import ContactEmail, ContactPhoneNumber

ContactEmail("ops-email", user_id="1003", target="ops@example.com")
ContactPhoneNumber("ops-mobile", user_id="1003", target="+4915123456789", region_code="DE", primary=True)
"""

SET_PY = f"""
from pulumi_ilert_contacts import UserContacts

UserContacts(
    "ops",
    user_id="1003",
    emails=["ops@example.com", "{login_email(1003)}"],
    phone_numbers=[{{"target": "+4915123456789", "region_code": "DE", "primary": True}}],
)
"""


def contact_ids(emulator: EmulatorServer, user: int) -> dict[str, int]:
    contacts = emulator.admin.contacts()
    listed = [c for kind in ("emails", "phone_numbers") for c in contacts[kind]]
    return {c["target"]: c["id"] for c in listed if c["user_id"] == str(user)}


def move(stack: Stack, emulator: EmulatorServer, user: int, rewrite: Callable[[], None]) -> str:
    """Deploy the singles, switch the program to the set, ``up``: what the second ``up`` printed."""
    stack.up()
    before = contact_ids(emulator, user)
    rewrite()
    emulator.admin.reset_requests()

    output = stack.up().stdout

    counts = {m: n for m, n in emulator.admin.request_counts().items() if n and m != "total"}
    assert counts == {"GET": 2}  # one list per kind; nothing posted, nothing deleted
    assert contact_ids(emulator, user) == before
    emulator.admin.reset_requests()
    stack.preview("--expect-no-changes")
    assert emulator.admin.requests()["total"] == 0
    return output


def test_a_native_stack_moved_from_single_resources_to_a_set_keeps_every_contact(
    tmp_path: Path, pulumi_home: Path, emulator: EmulatorServer
) -> None:
    stack = yaml_stack(tmp_path, pulumi_home, emulator, SINGLES_YAML)

    output = move(stack, emulator, 1001, lambda: write_yaml(stack, SET_YAML))

    assert output.count("UserContacts set lists it now, so this resource is only removed from the stack") >= 2
    assert "ContactEmail (jane-email):\n    warning: kept email contact" in output
    assert "jane@example.com" not in output.split("Diagnostics:")[1]


def test_a_dynamic_stack_moved_from_single_resources_to_a_set_keeps_every_contact(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = make_stack(SINGLES_PY)

    output = move(stack, emulator, 1003, lambda: stack.write_program(SET_PY))

    assert "ContactPhoneNumber (ops-mobile):\n    warning: kept phone number contact" in output
