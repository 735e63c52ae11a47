"""``UserContacts`` through the real engine: the native set from Pulumi YAML (up adopting the login
email and deleting a hand-made contact, a no-op plan with no request, drift shown by refresh and put
right by up, an update with one write per difference, import by user id, destroy that forgets unless
``deleteOnDestroy``), the dynamic set from a Python program (its lifecycle), and an address given
with ``fn::secret`` kept secret through up and refresh.

The YAML tests share one stack and run in order, each starting from what the previous one left.
Requests are counted at the emulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from emulator_support import api_request, login_email
from native_support import write_yaml, yaml_stack
from pulumi_fixtures import TOKEN, USERS
from pulumi_harness import SECRET_SIG, SECRET_VALUE_SIG, Stack
from pulumi_ilert_contacts.emulator import EmulatorServer

SET = "ilert-contacts:index:UserContacts"
MOBILE = "+4915123456789"


def program(emails: list[str], *, imported: str = "", delete_on_destroy: bool = False) -> str:
    """Jane's set (user 1001), and the set of user 1002 when ``imported`` (its YAML options)."""
    listed = ", ".join(emails)
    body = f"""
resources:
  jane:
    type: {SET}
    properties:
      userId: "1001"
      emails: [{listed}]
      phoneNumbers:
        - {{ target: "0151 23456789", regionCode: DE, primary: true }}
outputs:
  emails: ${{jane.emails}}
  contacts: ${{jane.emailContacts}}
  phones: ${{jane.phoneNumberContacts}}
"""
    if imported:
        flag = "\n      deleteOnDestroy: true" if delete_on_destroy else ""
        body = body.replace(
            "outputs:",
            f"""  bob:
    type: {SET}
    properties:
      userId: "1002"
      emails: [{login_email(1002)}, oncall.1002@example.com]
      phoneNumbers: []{flag}
{imported}outputs:""",
        )
    return body


def counts(emulator: EmulatorServer) -> dict[str, int]:
    """Requests since the last reset, by method (only those made)."""
    return {m: n for m, n in emulator.admin.request_counts().items() if n and m != "total"}


def emails_of(emulator: EmulatorServer, user: int) -> list[str]:
    return sorted(c["target"] for c in emulator.admin.contacts()["emails"] if c["user_id"] == str(user))


def add_email(emulator: EmulatorServer, user: int, target: str) -> dict[str, Any]:
    """An email a person adds in the ilert UI."""
    response = api_request(emulator, "POST", f"/users/{user}/contacts/emails", json={"target": target})
    assert response.ok
    result: dict[str, Any] = response.json()
    return result


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(token=TOKEN, users=USERS) as server:
        yield server


@pytest.fixture(scope="module")
def jane(tmp_path_factory: pytest.TempPathFactory, pulumi_home: Path, emulator: EmulatorServer) -> Stack:
    """The YAML stack, deployed once: before it, a person added a personal address to Jane."""
    add_email(emulator, 1001, "jane.private@example.org")
    stack = yaml_stack(
        tmp_path_factory.mktemp("user-contacts"),
        pulumi_home,
        emulator,
        program(["jane@example.com", login_email(1001)]),
    )
    stack.preview()
    emulator.admin.reset_requests()
    stack.up()
    return stack


def test_up_makes_the_users_contacts_exactly_the_listed_ones_and_a_second_plan_calls_nothing(
    jane: Stack, emulator: EmulatorServer
) -> None:
    # One list per kind (for the preview's warning, kept for the create); the login email adopted;
    # one POST per missing contact; the unlisted deleted.
    assert counts(emulator) == {"GET": 2, "POST": 2, "DELETE": 1}
    assert emails_of(emulator, 1001) == ["jane@example.com", login_email(1001)]
    [phone] = [c for c in emulator.admin.contacts()["phone_numbers"] if c["user_id"] == "1001"]
    assert (phone["target"], phone["primary"]) == (MOBILE, True)
    outputs = jane.outputs()
    assert outputs["emails"] == ["jane@example.com", login_email(1001)]
    assert [(c["target"], c["status"]) for c in outputs["contacts"]] == [
        ("jane@example.com", "OK"),
        (login_email(1001), "OK"),
    ]
    assert [(p["target"], p["contactId"]) for p in outputs["phones"]] == [(MOBILE, phone["id"])]
    # The preview named the contact the new set deletes, as a warning on the resource.
    [preview] = [r for r in jane.history if r.args[0] == "preview"]
    assert (
        "warning: this new UserContacts set of user 1001 deletes 1 existing contact(s) it does not list: "
        in (preview.output)
    ), preview
    assert "email contact jane.private@example.org (id " in preview.output, preview
    [state] = jane.native_resources()
    assert (state["type"], state["id"]) == (SET, "1001")

    # Order never makes a diff.
    write_yaml(jane, program([login_email(1001).upper(), "jane@example.com"]))
    emulator.admin.reset_requests()
    jane.preview("--expect-no-changes")
    jane.up("--expect-no-changes")
    assert emulator.admin.requests()["total"] == 0


def test_refresh_shows_a_hand_made_contact_and_up_deletes_it_and_nothing_else(
    jane: Stack, emulator: EmulatorServer
) -> None:
    stray = add_email(emulator, 1001, "stray@example.org")
    emulator.admin.reset_requests()

    refresh = jane.refresh()

    assert "jane" in refresh.output and "~ 1 updated" in refresh.output, refresh
    assert counts(emulator) == {"GET": 2}
    preview = jane.preview()
    assert "~ 1 to update" in preview.output, preview
    emulator.admin.reset_requests()
    jane.up()
    assert counts(emulator) == {"GET": 1, "DELETE": 1}
    assert stray["target"] not in emails_of(emulator, 1001)
    jane.preview("--expect-no-changes")


def test_an_update_writes_one_request_per_difference(jane: Stack, emulator: EmulatorServer) -> None:
    write_yaml(jane, program(["jane.doe@example.com", login_email(1001)]))
    emulator.admin.reset_requests()

    jane.up()

    # The changed list read afresh (the state may be stale), one POST, one DELETE.
    assert counts(emulator) == {"GET": 1, "POST": 1, "DELETE": 1}
    assert emails_of(emulator, 1001) == ["jane.doe@example.com", login_email(1001)]
    assert jane.outputs()["emails"] == ["jane.doe@example.com", login_email(1001)]


def test_import_by_user_id_writes_nothing_and_the_same_declaration_has_no_changes(
    jane: Stack, emulator: EmulatorServer
) -> None:
    add_email(emulator, 1002, "oncall.1002@example.com")
    emails = ["jane.doe@example.com", login_email(1001)]
    write_yaml(jane, program(emails, imported='    options:\n      import: "1002"\n'))
    emulator.admin.reset_requests()

    up = jane.up()

    assert "= 1 imported" in up.output, up
    assert set(counts(emulator)) == {"GET"}
    write_yaml(jane, program(emails, imported="\n"))
    jane.preview("--expect-no-changes")

    # The CLI's import by user id writes the declaration, and nothing to ilert.
    generated = jane.workdir / "carol.yaml"
    emulator.admin.reset_requests()
    jane.run("import", SET, "carol", "1003", "--yes", "--protect=false", "--out", str(generated))
    assert set(counts(emulator)) == {"GET"}
    carol = yaml.safe_load(generated.read_text())["resources"]["carol"]["properties"]
    assert carol == {
        "userId": "1003",
        "emails": [login_email(1003)],
        "phoneNumbers": [],
        "deleteOnDestroy": False,
    }

    # deleteOnDestroy alone is an update that calls nothing; carol, gone from the program, is forgotten.
    write_yaml(jane, program(emails, imported="\n", delete_on_destroy=True))
    emulator.admin.reset_requests()
    up = jane.up()
    assert "- 1 deleted" in up.output and "~ 1 updated" in up.output, up
    assert emulator.admin.requests()["total"] == 0
    assert emails_of(emulator, 1003) == [login_email(1003)]


def test_destroy_forgets_a_set_and_deletes_only_with_delete_on_destroy(
    jane: Stack, emulator: EmulatorServer
) -> None:
    emulator.admin.reset_requests()

    jane.destroy()

    assert counts(emulator) == {"GET": 1, "DELETE": 2}
    assert emails_of(emulator, 1002) == []
    assert emails_of(emulator, 1001) == ["jane.doe@example.com", login_email(1001)]
    assert [c["user_id"] for c in emulator.admin.contacts()["phone_numbers"]] == ["1001"]
    assert jane.native_resources() == []


# -- the dynamic set, from a Python program ------------------------------------------------------

DYNAMIC = """
import pulumi
from pulumi_ilert_contacts import UserContacts, UserContactsPhoneNumberArgs

cfg = pulumi.Config()
emails = ["user1003@example.com", pulumi.Output.secret("secret.ops@example.com")]
if cfg.get_bool("dropLogin"):
    emails = emails[1:]
ops = UserContacts(
    "ops",
    user_id=1003,
    emails=emails,
    phone_numbers=[
        UserContactsPhoneNumberArgs(target="0151 23456789", region_code="DE", primary=True),
        {"target": "+4930123456", "region_code": "DE"},
    ],
)
pulumi.export("numbers", ops.phone_number_contacts.apply(lambda cs: [c["target"] for c in cs]))
"""


def test_the_dynamic_set_lives_through_up_no_op_update_and_destroy(
    make_stack: Any, emulator: EmulatorServer
) -> None:
    stack: Stack = make_stack(DYNAMIC)
    old_pager = add_email(emulator, 1003, "old.pager@example.org")
    emulator.admin.reset_requests()

    result = stack.up()

    # No preview call for a dynamic create: what it deletes is said as it runs, on the resource.
    assert counts(emulator) == {"GET": 2, "POST": 3, "DELETE": 1}
    assert (
        "UserContacts (ops):\n    warning: this new UserContacts set of user 1003 deletes 1 existing "
        f"contact(s) it does not list: email contact old.pager@example.org (id {old_pager['id']})"
    ) in result.stdout
    assert emails_of(emulator, 1003) == ["secret.ops@example.com", login_email(1003)]
    assert stack.outputs()["numbers"] == [MOBILE, "+4930123456"]
    assert "secret.ops@example.com" not in stack.export()  # secret in the state and its outputs
    [state] = [r for r in stack.resources() if r["type"].endswith(":UserContacts")]
    assert "__output_items" not in {*state["inputs"], *state["outputs"]}  # what check alone is told
    emulator.admin.reset_requests()
    stack.preview("--expect-no-changes")
    assert emulator.admin.requests()["total"] == 0

    stack.run("config", "set", "dropLogin", "true")
    emulator.admin.reset_requests()
    stack.up()
    assert counts(emulator) == {"GET": 1, "DELETE": 1}
    assert emails_of(emulator, 1003) == ["secret.ops@example.com"]

    emulator.admin.reset_requests()
    stack.destroy()
    assert emulator.admin.requests()["total"] == 0
    assert emails_of(emulator, 1003) == ["secret.ops@example.com"]


# -- a secret address from Pulumi YAML -----------------------------------------------------------

HIDDEN = "hidden.1002@example.com"


def test_an_address_given_with_fn_secret_stays_secret_in_the_state_the_outputs_and_a_refresh(
    tmp_path_factory: pytest.TempPathFactory, pulumi_home: Path, emulator: EmulatorServer
) -> None:
    body = f"""
resources:
  bob:
    type: {SET}
    properties:
      userId: "1002"
      emails: [oncall.1002@example.com, {{fn::secret: {HIDDEN}}}]
outputs:
  emails: ${{bob.emails}}
  contacts: ${{bob.emailContacts}}
"""
    stack = yaml_stack(tmp_path_factory.mktemp("user-contacts-secret"), pulumi_home, emulator, body)

    stack.up()
    stack.refresh()

    assert emails_of(emulator, 1002) == [HIDDEN, "oncall.1002@example.com"]
    assert stack.outputs() == {"emails": "[secret]", "contacts": "[secret]"}
    assert HIDDEN not in stack.export()
    [state] = stack.native_resources()
    for where, prop in (("inputs", "emails"), ("outputs", "emails"), ("outputs", "emailContacts")):
        assert state[where][prop][SECRET_SIG] == SECRET_VALUE_SIG, (where, prop)
    assert all(HIDDEN not in result.output for result in stack.history)
