"""The whole lifecycle through the real Pulumi engine: up, preview, update, replace, refresh, destroy."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from emulator_support import api_request
from pulumi_fixtures import TOKEN
from pulumi_harness import Stack
from pulumi_ilert_contacts.emulator import EmulatorServer

PROGRAM = """
import pulumi
from pulumi_ilert_contacts import ContactEmail, ContactPhoneNumber

cfg = pulumi.Config()
email = ContactEmail("jane-email", user_id=cfg.get("userId") or "1001",
                     target=cfg.get("email") or "jane@example.com")
phone = ContactPhoneNumber("jane-mobile", user_id="1001", region_code="DE",
                           target="0151 23456789", primary=True)
pulumi.export("email_id", email.id)
pulumi.export("email_contact_id", email.contact_id)
pulumi.export("phone_id", phone.id)
pulumi.export("phone_target", phone.target)
pulumi.export("phone_status", phone.status)
"""


def non_login(emulator: EmulatorServer) -> dict[str, list[dict[str, Any]]]:
    """The emulator's contacts, without the login emails every user starts with."""
    contacts = emulator.admin.contacts()
    return {
        "emails": [c for c in contacts["emails"] if c["target"] != f"user{c['user_id']}@example.com"],
        "phone_numbers": contacts["phone_numbers"],
    }


def test_up_creates_exactly_the_declared_contacts(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = make_stack(PROGRAM)
    stack.up()

    contacts = non_login(emulator)
    assert [(c["user_id"], c["target"]) for c in contacts["emails"]] == [("1001", "jane@example.com")]
    [phone] = contacts["phone_numbers"]
    assert (phone["user_id"], phone["target"], phone["regionCode"], phone["primary"]) == (
        "1001", "+4915123456789", "DE", True
    )
    outputs = stack.outputs()
    assert outputs["phone_id"] == f"1001:{phone['id']}"
    assert outputs["phone_target"] == "+4915123456789"
    assert outputs["phone_status"] == "OK"
    assert emulator.admin.request_counts().get("POST") == 2


def test_second_preview_and_up_change_nothing_and_call_nothing(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = make_stack(PROGRAM)
    stack.up()
    emulator.admin.reset_requests()

    stack.preview("--expect-no-changes")
    stack.up("--expect-no-changes")

    assert emulator.admin.requests()["total"] == 0


def test_changing_target_updates_in_place(make_stack: Callable[..., Stack], emulator: EmulatorServer) -> None:
    stack = make_stack(PROGRAM)
    stack.up()
    before = stack.outputs()["email_contact_id"]
    emulator.admin.reset_requests()

    stack.run("config", "set", "email", "jane.doe@example.com")
    preview = stack.preview()
    assert "update" in preview.output and "replace" not in preview.output
    stack.up()

    assert stack.outputs()["email_contact_id"] == before
    assert [c["target"] for c in non_login(emulator)["emails"]] == ["jane.doe@example.com"]
    counts = emulator.admin.request_counts()
    assert counts.get("PUT") == 1 and not counts.get("POST") and not counts.get("DELETE")


def test_changing_user_id_replaces_the_contact(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = make_stack(PROGRAM)
    stack.up()

    stack.run("config", "set", "userId", "1002")
    preview = stack.preview()
    assert "replace" in preview.output
    stack.up()

    emails = non_login(emulator)["emails"]
    assert [(c["user_id"], c["target"]) for c in emails] == [("1002", "jane@example.com")]
    assert stack.outputs()["email_id"] == f"1002:{emails[0]['id']}"


def test_refresh_drops_a_contact_deleted_outside_and_up_recreates_it(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = make_stack(PROGRAM)
    stack.up()
    old_id = stack.outputs()["email_contact_id"]
    assert api_request(emulator, "DELETE", f"/users/1001/contacts/emails/{old_id}").status_code == 204

    stack.refresh()
    assert "jane-email" not in [r["urn"].rsplit("::", 1)[-1] for r in stack.contact_resources()]

    stack.up()
    emails = non_login(emulator)["emails"]
    assert [c["target"] for c in emails] == ["jane@example.com"]
    assert emails[0]["id"] != old_id
    stack.preview("--expect-no-changes")


def test_refresh_shows_an_outside_change_and_up_restores_the_program(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = make_stack(PROGRAM)
    stack.up()
    phone_id = int(stack.outputs()["phone_id"].split(":")[1])
    changed = {"target": "+4917612345678", "regionCode": "DE", "primary": False}
    assert api_request(emulator, "PUT", f"/users/1001/contacts/phone-numbers/{phone_id}", json=changed).ok

    refresh = stack.refresh()
    assert "+4917612345678" in refresh.output or "update" in refresh.output
    preview = stack.preview()
    assert "jane-mobile" in preview.output and "update" in preview.output

    stack.up()
    [phone] = non_login(emulator)["phone_numbers"]
    assert (phone["id"], phone["target"], phone["primary"]) == (phone_id, "+4915123456789", True)
    stack.preview("--expect-no-changes")


def test_refresh_without_outside_change_leaves_nothing_to_do(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = make_stack(PROGRAM)
    stack.up()
    stack.refresh("--expect-no-changes")
    stack.preview("--expect-no-changes")


def test_destroy_removes_the_stack_contacts_and_nothing_else(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = make_stack(PROGRAM)
    stack.up()
    api_request(emulator, "POST", "/users/1001/contacts/emails", json={"target": "kept@example.com"})

    stack.destroy()

    emails = sorted(c["target"] for c in emulator.admin.contacts()["emails"])
    logins = [f"user{user}@example.com" for user in (1001, 1002, 1003)]
    assert emails == ["kept@example.com", *logins]
    assert emulator.admin.contacts()["phone_numbers"] == []
    assert stack.contact_resources() == []


def test_token_from_secret_config_alone_works_and_stays_out_of_the_state(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = make_stack(PROGRAM)
    assert not any(k.startswith("ILERT_") for k in stack.env)
    stack.up()
    assert len(non_login(emulator)["emails"]) == 1

    # As stored: the token nowhere, not even base64-encoded (the secret config is ciphertext).
    exported = stack.export()
    assert TOKEN not in exported
    assert base64.b64encode(TOKEN.encode()).decode()[:16] not in exported

    # Decrypted: no contact resource carries it, plain or inside the pickled provider. The engine
    # keeps the stack config (secrets included) as the inputs of its default `pulumi-python`
    # provider, as it does for every provider's config; that is the only place it may be.
    shown = json.loads(stack.export(show_secrets=True))["deployment"]["resources"]
    holders = [r["type"] for r in shown if TOKEN in json.dumps(r)]
    assert holders in ([], ["pulumi:providers:pulumi-python"])
    for resource in stack.contact_resources():
        assert TOKEN not in json.dumps(resource)
        provider = resource["outputs"]["__provider"]
        assert isinstance(provider, str), "the serialized provider is not even a secret: it holds none"
        assert TOKEN.encode() not in base64.b64decode(provider)


def test_invalid_input_fails_preview_naming_resource_property_and_reason(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = make_stack(
        """
        from pulumi_ilert_contacts import ContactPhoneNumber
        ContactPhoneNumber("bob-mobile", user_id="1001", region_code="DE", target="+12025550123")
        """
    )
    emulator.admin.reset_requests()

    result = stack.preview(check=False)

    assert result.code != 0
    assert "bob-mobile" in result.output
    assert "target" in result.output
    assert "is a number of region US, but region_code is DE" in result.output
    assert emulator.admin.requests()["total"] == 0


UNKNOWN_AT_PREVIEW = """
from pulumi_ilert_contacts import ContactEmail, ContactPhoneNumber

first = ContactEmail("first", user_id="1001", target="first@example.com")
# Not known until `first` exists: preview must let it through, `up` must check it then.
second = ContactEmail("second", user_id="1001", target=first.contact_id.apply(lambda _: "{target}"))
"""


def test_input_unknown_at_preview_passes_preview_and_is_checked_during_up(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = make_stack(UNKNOWN_AT_PREVIEW.format(target="second@example.com"))
    stack.preview()
    assert emulator.admin.requests()["total"] == 0
    stack.up()
    assert {c["target"] for c in non_login(emulator)["emails"]} == {"first@example.com", "second@example.com"}


def test_bad_input_unknown_at_preview_fails_up_before_any_call_for_it(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = make_stack(UNKNOWN_AT_PREVIEW.format(target="not-an-email"))
    stack.preview()

    result = stack.up(check=False)

    assert result.code != 0
    assert "second" in result.output and "is not a valid email address" in result.output
    assert emulator.admin.request_counts().get("POST") == 1  # `first` only
    assert {c["target"] for c in non_login(emulator)["emails"]} == {"first@example.com"}
