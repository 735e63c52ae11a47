"""``ContactEmail.get`` / ``ContactPhoneNumber.get``: the id is checked in the program. The read behind
a ``get()`` (and ``pulumi import``), through both faces, is in test_faces.py."""

from __future__ import annotations

import pulumi
import pytest
from pulumi_ilert_contacts import (
    ContactEmail,
    ContactPhoneNumber,
    IlertError,
)
from pulumi_ilert_contacts.core.kinds import EMAIL, PHONE
from pulumi_ilert_contacts.declarations import get_options
from pulumi_ilert_contacts.emulator.admin_client import EmulatorAdmin

from .support import total_requests

ID_FORM = "expected '<user_id>:<contact_id>', e.g. '1001:17'"


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
