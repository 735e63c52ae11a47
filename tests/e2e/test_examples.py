"""The shipped examples, as a user runs them: up, a no-change preview, destroy."""

from __future__ import annotations

from collections.abc import Callable

from pulumi_harness import Stack
from pulumi_ilert_contacts.emulator import EmulatorServer

ROSTER_EMAILS = {
    ("1001", "jane.doe@example.com"),
    ("1002", "john.roe@example.com"),
    ("1002", "oncall-john@example.com"),
    ("1003", "amelie@example.com"),
}
"""The addresses of examples/team-roster/roster.yaml: (user, target)."""
ROSTER_PHONES = {
    ("1001", "+4915123456789", "DE", True),
    ("1002", "+12025550123", "US", True),
    ("1002", "+16135550123", "CA", False),
    ("1003", "+33612345678", "FR", True),
}
"""Its numbers: (user, target in E.164, region, primary)."""


def test_quickstart_up_and_destroy(example_stack: Callable[..., Stack], emulator: EmulatorServer) -> None:
    stack = example_stack("quickstart", {"userId": "1002"})
    stack.up()
    outputs = stack.outputs()
    assert outputs["phone_target"] == "+4915123456789"
    assert outputs["email_status"] == outputs["phone_status"] == "OK"
    stack.preview("--expect-no-changes")
    stack.destroy()
    assert emulator.admin.contacts()["phone_numbers"] == []


def test_team_roster_creates_every_contact_of_the_roster(
    example_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = example_stack("team-roster")
    stack.up()

    contacts = emulator.admin.contacts()
    phones = {(p["user_id"], p["target"], p["regionCode"], p["primary"]) for p in contacts["phone_numbers"]}
    assert phones == ROSTER_PHONES
    emails = {(e["user_id"], e["target"]) for e in contacts["emails"] if not e["target"].startswith("user")}
    assert emails == ROSTER_EMAILS
    stack.preview("--expect-no-changes")
    stack.destroy()
    assert emulator.admin.contacts()["phone_numbers"] == []


def test_adopt_existing_takes_over_the_login_email_without_creating_one(
    example_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    [login] = [e for e in emulator.admin.contacts()["emails"] if e["user_id"] == "1001"]
    stack = example_stack("adopt-existing")
    emulator.admin.reset_requests()

    stack.up()

    assert emulator.admin.request_counts().get("POST") == 1  # the phone number only
    emails = [e for e in emulator.admin.contacts()["emails"] if e["user_id"] == "1001"]
    assert emails == [login]
    assert stack.outputs()["login_email_id"] == f"1001:{login['id']}"
    stack.preview("--expect-no-changes")

    stack.destroy()
    emails = [e for e in emulator.admin.contacts()["emails"] if e["user_id"] == "1001"]
    assert emails == [login], "retain_on_delete keeps the login email in ilert"
    assert emulator.admin.contacts()["phone_numbers"] == []


def test_team_roster_as_sets_makes_each_persons_contacts_exactly_the_roster(
    example_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = example_stack("team-roster", {"contactSets": "true"})
    emulator.admin.reset_requests()

    up = stack.up()

    # One set per person: one list per person and kind, a POST per contact of the roster, and the
    # login emails (not in the roster) deleted, as the README says.
    counts = emulator.admin.request_counts()
    assert (counts["GET"], counts["POST"], counts["PUT"], counts["DELETE"]) == (6, 8, 0, 3), counts
    assert "deletes 1 existing contact(s) it does not list: email contact user1001@example.com" in up.output
    sets = [r for r in stack.resources() if r["type"].endswith("ilert:UserContacts")]
    assert sorted(r["urn"].rsplit("::", 1)[1] for r in sets) == [
        "amelie-contacts",
        "jane-contacts",
        "john-contacts",
    ]
    contacts = emulator.admin.contacts()
    assert {(e["user_id"], e["target"]) for e in contacts["emails"]} == ROSTER_EMAILS
    phones = {(p["user_id"], p["target"], p["regionCode"], p["primary"]) for p in contacts["phone_numbers"]}
    assert phones == ROSTER_PHONES
    emulator.admin.reset_requests()
    stack.preview("--expect-no-changes")
    assert emulator.admin.requests()["total"] == 0

    stack.destroy()
    assert emulator.admin.requests()["total"] == 0
    assert emulator.admin.contacts() == contacts, "destroying a set forgets its contacts"
