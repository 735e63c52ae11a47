"""``ContactEmail.get`` / ``ContactPhoneNumber.get``: the id is checked in the program, and the read
behind a ``get()`` fails clearly for a contact ilert does not have (a refresh drops it instead)."""

from __future__ import annotations

from typing import Any

import pulumi
import pytest
from pulumi_ilert_contacts import (
    ContactEmail,
    ContactEmailProvider,
    ContactPhoneNumber,
    ContactPhoneNumberProvider,
    IlertError,
    IlertNotFoundError,
)
from pulumi_ilert_contacts.core.kinds import EMAIL, PHONE, ContactKind
from pulumi_ilert_contacts.declarations import get_options
from pulumi_ilert_contacts.dynamic.provider import ContactProvider
from pulumi_ilert_contacts.emulator.admin_client import EmulatorAdmin

from .support import USER, total_requests

PROVIDER_BLOB = "opaque-serialized-provider"
ID_FORM = "expected '<user_id>:<contact_id>', e.g. '1001:17'"


def seeded(kind: ContactKind) -> dict[str, Any]:
    """The properties the engine passes to the read of a ``get()``: every one seeded as None."""
    return {**{prop.name: None for prop in kind.properties}, "__provider": PROVIDER_BLOB}


@pytest.mark.parametrize("resource", [ContactEmail, ContactPhoneNumber])
@pytest.mark.parametrize(
    "bad_id", ["17", "1001", "1001:", ":17", "1001:17:3", "jane@example.com", "u1001:17"]
)
def test_get_with_a_malformed_id_fails_in_the_program_naming_the_resource_and_the_form(
    resource: type[ContactEmail] | type[ContactPhoneNumber], bad_id: str, admin: EmulatorAdmin
) -> None:
    with pytest.raises(IlertError) as caught:
        resource.get("login", bad_id)

    assert str(caught.value) == (
        f"Unable to get {resource.__name__} 'login': malformed ilert contact id {bad_id!r}: {ID_FORM}"
    )
    assert total_requests(admin) == 0


def test_get_options_read_the_id_and_keep_the_other_options() -> None:
    opts = get_options(EMAIL, "login", "1001:17", pulumi.ResourceOptions(protect=True))

    assert (opts.id, opts.protect) == ("1001:17", True)


def test_get_options_leave_an_id_not_known_yet_to_the_read() -> None:
    later = pulumi.Output.from_input("17")

    assert get_options(PHONE, "mobile", later, None).id is later


def test_read_for_get_returns_every_output_of_the_contact(email: ContactEmailProvider) -> None:
    read = email.read(f"{USER}:1", seeded(EMAIL))

    assert read.id == f"{USER}:1"
    assert read.outs == {
        "user_id": USER,
        "target": f"user{USER}@example.com",
        "adopt": False,
        "contact_id": 1,
        "status": "OK",
    }


@pytest.mark.parametrize(
    ("provider_name", "id_", "user", "contact"),
    [
        ("email", f"{USER}:99999", USER, 99999),  # no such contact
        ("email", "999:1", "999", 1),  # no such user
        ("phone", f"{USER}:1", USER, 1),  # contact 1 is the user's login email, not a phone
    ],
)
def test_read_for_get_of_a_contact_ilert_does_not_have_fails_naming_it(
    request: pytest.FixtureRequest, provider_name: str, id_: str, user: str, contact: int
) -> None:
    provider: ContactProvider = request.getfixturevalue(provider_name)

    with pytest.raises(IlertNotFoundError) as caught:
        provider.read(id_, seeded(provider.kind))

    assert str(caught.value) == (
        f"Unable to read {provider.kind.resource} {id_!r}: ilert has no {provider.kind.label} {contact} "
        f"for user {user} (the user or the contact does not exist, or the API key may not see it); "
        "give the id of an existing contact, '<user_id>:<contact_id>', e.g. '1001:17'"
    )


def test_read_for_get_of_a_malformed_id_names_it_before_any_request(
    phone: ContactPhoneNumberProvider, admin: EmulatorAdmin
) -> None:
    with pytest.raises(IlertError) as caught:
        phone.read("17", seeded(PHONE))

    assert (
        str(caught.value)
        == f"Unable to read ContactPhoneNumber '17': malformed ilert contact id '17': {ID_FORM}"
    )
    assert total_requests(admin) == 0


def test_refresh_of_a_contact_gone_from_ilert_still_drops_it(email: ContactEmailProvider) -> None:
    state = {
        "user_id": USER,
        "target": "gone@example.com",
        "adopt": False,
        "contact_id": 99999,
        "status": "OK",
    }

    assert email.read(f"{USER}:99999", {**state, "__provider": PROVIDER_BLOB}).id == ""
