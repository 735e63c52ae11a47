"""Both dynamic providers' methods against the emulator, as the Pulumi engine calls them."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi_ilert_contacts import (
    ContactEmailProvider,
    ContactPhoneNumberProvider,
    IlertError,
    IlertNotFoundError,
    IlertValidationError,
)
from pulumi_ilert_contacts.core.client import shared_client
from pulumi_ilert_contacts.core.kinds import PHONE
from pulumi_ilert_contacts.dynamic.provider import ContactProvider
from pulumi_ilert_contacts.emulator import EmulatorServer
from pulumi_ilert_contacts.emulator.admin_client import EmulatorAdmin

from .support import OTHER_USER, TOKEN, USER, emails_of, phones_of

PROVIDER_BLOB = "opaque-serialized-provider"
"""Stands in for ``__provider``: the engine passes it along with every property bag."""


def checked(provider: ContactProvider, news: dict[str, Any]) -> dict[str, Any]:
    """The inputs ``check`` makes of ``news``, as the engine would pass them on."""
    result = provider.check({}, {**news, "__provider": PROVIDER_BLOB})
    assert result.failures == []
    return {**result.inputs, "__provider": PROVIDER_BLOB}


def without_provider(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k != "__provider"}


@pytest.fixture
def email(ilert_env: EmulatorServer) -> ContactEmailProvider:
    return ContactEmailProvider()


@pytest.fixture
def phone(ilert_env: EmulatorServer) -> ContactPhoneNumberProvider:
    return ContactPhoneNumberProvider()


# -- full lifecycle ---------------------------------------------------------------------------


def test_email_lifecycle_check_create_read_diff_update_read_delete(
    email: ContactEmailProvider, admin: EmulatorAdmin
) -> None:
    inputs = checked(email, {"user_id": int(USER), "target": "Jane@Example.COM"})
    assert without_provider(inputs) == {"user_id": USER, "target": "Jane@example.com", "adopt": False}

    created = email.create(inputs)
    contact_id = created.outs["contact_id"]
    assert created.id == f"{USER}:{contact_id}"
    assert created.outs == {**without_provider(inputs), "contact_id": contact_id, "status": "OK"}
    assert {"id": contact_id, "target": "Jane@example.com", "status": "OK"}.items() <= emails_of(admin, USER)[
        -1
    ].items()

    read = email.read(created.id, created.outs)
    assert read.id == created.id
    assert read.outs == created.outs
    assert read.inputs == without_provider(inputs)
    assert email.diff(created.id, read.outs, inputs).changes is False

    new_inputs = checked(email, {"user_id": USER, "target": "jane.doe@example.com"})
    diff = email.diff(created.id, read.outs, new_inputs)
    assert diff.changes is True
    assert diff.replaces == []

    updated = email.update(created.id, read.outs, new_inputs)
    assert updated.outs is not None
    assert updated.outs["contact_id"] == contact_id
    assert updated.outs["target"] == "jane.doe@example.com"
    assert [c["target"] for c in emails_of(admin, USER) if c["id"] == contact_id] == ["jane.doe@example.com"]

    reread = email.read(created.id, updated.outs)
    assert reread.outs == updated.outs
    assert email.diff(created.id, reread.outs, new_inputs).changes is False

    email.delete(created.id, reread.outs)
    assert contact_id not in [c["id"] for c in emails_of(admin, USER)]
    gone = email.read(created.id, reread.outs)
    assert gone.id == ""


def test_phone_lifecycle_check_create_read_diff_update_read_delete(
    phone: ContactPhoneNumberProvider, admin: EmulatorAdmin
) -> None:
    inputs = checked(phone, {"user_id": USER, "region_code": "de", "target": "0151 23456789"})
    assert without_provider(inputs) == {
        "user_id": USER,
        "region_code": "DE",
        "target": "+4915123456789",
        "primary": False,
        "adopt": False,
    }

    created = phone.create(inputs)
    contact_id = created.outs["contact_id"]
    assert created.id == f"{USER}:{contact_id}"
    assert phones_of(admin, USER) == [
        {
            "user_id": USER,
            "id": contact_id,
            "regionCode": "DE",
            "target": "+4915123456789",
            "primary": False,
            "status": "OK",
        }
    ]

    read = phone.read(created.id, created.outs)
    assert read.outs == created.outs
    assert read.inputs == without_provider(inputs)
    assert phone.diff(created.id, read.outs, inputs).changes is False

    new_inputs = checked(
        phone, {"user_id": USER, "region_code": "US", "target": "+1 650 253 0000", "primary": True}
    )
    diff = phone.diff(created.id, read.outs, new_inputs)
    assert (diff.changes, diff.replaces) == (True, [])

    updated = phone.update(created.id, read.outs, new_inputs)
    assert updated.outs is not None
    assert updated.outs["contact_id"] == contact_id
    stored = phones_of(admin, USER)[0]
    assert (stored["id"], stored["target"], stored["regionCode"], stored["primary"]) == (
        contact_id,
        "+16502530000",
        "US",
        True,
    )

    reread = phone.read(created.id, updated.outs)
    assert reread.outs == updated.outs
    assert phone.diff(created.id, reread.outs, new_inputs).changes is False

    phone.delete(created.id, reread.outs)
    assert phones_of(admin, USER) == []
    assert phone.read(created.id, reread.outs).id == ""


# -- read -------------------------------------------------------------------------------------


def test_read_of_a_contact_deleted_outside_pulumi_returns_empty_id(
    email: ContactEmailProvider,
) -> None:
    created = email.create(checked(email, {"user_id": USER, "target": "jane@example.com"}))
    shared_client().delete_contact(email.kind, USER, created.outs["contact_id"])

    assert email.read(created.id, created.outs).id == ""


def test_read_of_a_contact_of_an_unknown_user_returns_empty_id(email: ContactEmailProvider) -> None:
    assert email.read("999:1", {"user_id": "999", "target": "x@example.com"}).id == ""


def test_read_reports_the_status_ilert_sets(email: ContactEmailProvider, admin: EmulatorAdmin) -> None:
    created = email.create(checked(email, {"user_id": USER, "target": "jane@example.com"}))
    admin.set_status(created.outs["contact_id"], "LOCKED")

    read = email.read(created.id, created.outs)

    assert read.outs["status"] == "LOCKED"


def test_read_shows_a_target_changed_in_ilert_as_drift(
    email: ContactEmailProvider, admin: EmulatorAdmin
) -> None:
    inputs = checked(email, {"user_id": USER, "target": "jane@example.com"})
    created = email.create(inputs)
    shared_client().update_contact(
        email.kind, USER, created.outs["contact_id"], {"target": "someone.else@example.com"}
    )

    read = email.read(created.id, created.outs)

    assert read.inputs is not None
    assert read.inputs["target"] == "someone.else@example.com"
    assert email.diff(created.id, read.outs, inputs).changes is True


def test_read_keeps_the_users_spelling_of_the_same_mailbox(email: ContactEmailProvider) -> None:
    inputs = checked(email, {"user_id": USER, "target": "Jane@example.com"})
    created = email.create(inputs)
    shared_client().update_contact(
        email.kind, USER, created.outs["contact_id"], {"target": "jane@example.com"}
    )

    read = email.read(created.id, created.outs)

    assert read.outs["target"] == "Jane@example.com"
    assert email.diff(created.id, read.outs, inputs).changes is False


def test_read_by_id_alone_imports_the_contact_without_a_diff(email: ContactEmailProvider) -> None:
    # `pulumi import` reads with the id and no properties.
    read = email.read(f"{USER}:1", {})

    assert read.id == f"{USER}:1"
    assert read.inputs == {"user_id": USER, "target": f"user{USER}@example.com", "adopt": False}
    assert read.outs == {**read.inputs, "contact_id": 1, "status": "OK"}
    program = checked(email, {"user_id": int(USER), "target": f"user{USER}@example.com"})
    assert email.diff(read.id, read.outs, program).changes is False


def test_read_of_a_malformed_id_says_what_an_id_looks_like(email: ContactEmailProvider) -> None:
    with pytest.raises(IlertError, match="expected '<user_id>:<contact_id>'"):
        email.read("42", {})


# -- diff -------------------------------------------------------------------------------------


def test_diff_of_identical_inputs_has_no_changes(email: ContactEmailProvider) -> None:
    inputs = checked(email, {"user_id": USER, "target": "jane@example.com"})

    diff = email.diff(f"{USER}:9", {**inputs, "contact_id": 9, "status": "OK"}, inputs)

    assert diff.changes is False
    assert diff.replaces == []


def test_diff_of_target_change_updates_in_place(phone: ContactPhoneNumberProvider) -> None:
    olds = checked(phone, {"user_id": USER, "region_code": "DE", "target": "+4915123456789"})
    news = checked(phone, {"user_id": USER, "region_code": "DE", "target": "+4915123456780"})

    diff = phone.diff(f"{USER}:9", olds, news)

    assert diff.changes is True
    assert diff.replaces == []
    assert diff.delete_before_replace is False


@pytest.mark.parametrize("provider_class", [ContactEmailProvider, ContactPhoneNumberProvider])
def test_diff_of_user_id_change_replaces_the_contact(
    provider_class: type[ContactProvider], ilert_env: EmulatorServer
) -> None:
    provider = provider_class()
    base = (
        {"target": "+4915123456789", "region_code": "DE"}
        if provider.kind is PHONE
        else {"target": "jane@example.com"}
    )
    olds = checked(provider, {"user_id": USER, **base})
    news = checked(provider, {"user_id": OTHER_USER, **base})

    diff = provider.diff(f"{USER}:9", olds, news)

    assert diff.changes is True
    assert diff.replaces == ["user_id"]


def test_diff_ignores_a_different_serialized_provider(email: ContactEmailProvider) -> None:
    inputs = without_provider(checked(email, {"user_id": USER, "target": "jane@example.com"}))

    diff = email.diff(f"{USER}:9", {**inputs, "__provider": "old-blob"}, {**inputs, "__provider": "new-blob"})

    assert diff.changes is False


def test_diff_treats_missing_flags_as_their_defaults(phone: ContactPhoneNumberProvider) -> None:
    # State written before `primary`/`adopt` were recorded must not show a change.
    news = checked(phone, {"user_id": USER, "region_code": "DE", "target": "+4915123456789"})
    olds = {k: v for k, v in news.items() if k not in ("primary", "adopt")}

    assert phone.diff(f"{USER}:9", olds, news).changes is False


def test_diff_and_check_make_no_request(email: ContactEmailProvider, admin: EmulatorAdmin) -> None:
    inputs = checked(email, {"user_id": USER, "target": "jane@example.com"})
    email.diff(f"{USER}:9", inputs, checked(email, {"user_id": USER, "target": "joe@example.com"}))

    assert admin.requests()["total"] == 0


# -- update and delete ------------------------------------------------------------------------


def test_update_of_adopt_alone_calls_nothing(email: ContactEmailProvider, admin: EmulatorAdmin) -> None:
    created = email.create(checked(email, {"user_id": USER, "target": "jane@example.com"}))
    admin.reset_requests()

    updated = email.update(
        created.id,
        created.outs,
        checked(email, {"user_id": USER, "target": "jane@example.com", "adopt": True}),
    )

    assert updated.outs is not None
    assert updated.outs["contact_id"] == created.outs["contact_id"]
    assert updated.outs["adopt"] is True
    assert admin.requests()["total"] == 0


def test_update_of_a_contact_deleted_outside_pulumi_says_to_refresh(email: ContactEmailProvider) -> None:
    created = email.create(checked(email, {"user_id": USER, "target": "jane@example.com"}))
    shared_client().delete_contact(email.kind, USER, created.outs["contact_id"])

    with pytest.raises(IlertNotFoundError) as caught:
        email.update(created.id, created.outs, checked(email, {"user_id": USER, "target": "j@example.com"}))

    assert str(caught.value).startswith(
        f"Unable to update email contact {created.outs['contact_id']} of user {USER}: ilert API returned 404"
    )
    assert "pulumi refresh" in str(caught.value)


def test_delete_of_an_already_deleted_contact_succeeds(
    email: ContactEmailProvider, admin: EmulatorAdmin
) -> None:
    created = email.create(checked(email, {"user_id": USER, "target": "jane@example.com"}))
    email.delete(created.id, created.outs)

    email.delete(created.id, created.outs)

    assert admin.request_counts()["DELETE"] == 2
    assert [c["target"] for c in emails_of(admin, USER)] == [f"user{USER}@example.com"]


def test_create_for_an_unknown_user_names_the_user(email: ContactEmailProvider) -> None:
    with pytest.raises(IlertNotFoundError) as caught:
        email.create(checked(email, {"user_id": "999", "target": "jane@example.com"}))

    assert str(caught.value) == (
        "Unable to create email contact for user 999: ilert API returned 404: User 999 not found [NOT_FOUND]"
    )


# -- adopt ------------------------------------------------------------------------------------


def test_adopt_takes_over_the_login_email_without_a_post(
    email: ContactEmailProvider, admin: EmulatorAdmin
) -> None:
    login = emails_of(admin, USER)[0]
    admin.reset_requests()

    created = email.create(
        checked(email, {"user_id": USER, "target": f"user{USER}@example.com", "adopt": True})
    )

    assert created.id == f"{USER}:{login['id']}"
    assert created.outs["adopt"] is True
    assert admin.request_counts()["POST"] == 0
    assert emails_of(admin, USER) == [login]


def test_adopt_updates_an_existing_phone_to_match(
    phone: ContactPhoneNumberProvider, admin: EmulatorAdmin
) -> None:
    existing = shared_client().create_contact(
        phone.kind, USER, {"target": "+4915123456789", "regionCode": "DE", "primary": False}
    )
    admin.reset_requests()

    created = phone.create(
        checked(
            phone,
            {"user_id": USER, "region_code": "DE", "target": "0151 23456789", "primary": True, "adopt": True},
        )
    )

    assert created.id == f"{USER}:{existing['id']}"
    counts = admin.request_counts()
    assert (counts["POST"], counts["PUT"]) == (0, 1)
    assert [(c["id"], c["primary"]) for c in phones_of(admin, USER)] == [(existing["id"], True)]


def test_adopt_creates_the_contact_when_there_is_none(
    email: ContactEmailProvider, admin: EmulatorAdmin
) -> None:
    created = email.create(checked(email, {"user_id": USER, "target": "new@example.com", "adopt": True}))

    assert admin.request_counts()["POST"] == 1
    assert created.outs["contact_id"] in [c["id"] for c in emails_of(admin, USER)]


def test_create_of_an_existing_target_without_adopt_suggests_adopt(
    email: ContactEmailProvider, admin: EmulatorAdmin
) -> None:
    with pytest.raises(IlertValidationError) as caught:
        email.create(checked(email, {"user_id": USER, "target": f"user{USER}@example.com"}))

    message = str(caught.value)
    assert message.startswith(f"Unable to create email contact for user {USER}: ilert API returned 400")
    assert "set adopt to true" in message
    assert len(emails_of(admin, USER)) == 1


# -- phone specifics --------------------------------------------------------------------------


def test_making_a_phone_primary_clears_the_other_primary(
    phone: ContactPhoneNumberProvider, admin: EmulatorAdmin
) -> None:
    first = phone.create(
        checked(phone, {"user_id": USER, "region_code": "DE", "target": "+4915123456789", "primary": True})
    )
    second = phone.create(
        checked(phone, {"user_id": USER, "region_code": "US", "target": "+16502530000", "primary": False})
    )
    assert {c["id"]: c["primary"] for c in phones_of(admin, USER)} == {
        first.outs["contact_id"]: True,
        second.outs["contact_id"]: False,
    }

    phone.update(
        second.id,
        second.outs,
        checked(phone, {"user_id": USER, "region_code": "US", "target": "+16502530000", "primary": True}),
    )

    assert {c["id"]: c["primary"] for c in phones_of(admin, USER)} == {
        first.outs["contact_id"]: False,
        second.outs["contact_id"]: True,
    }
    assert phone.read(first.id, first.outs).outs["primary"] is False


# -- configure --------------------------------------------------------------------------------


@pytest.mark.parametrize("provider_class", [ContactEmailProvider, ContactPhoneNumberProvider])
def test_configure_with_stack_config_works_without_environment(
    provider_class: type[ContactProvider], emulator: EmulatorServer, admin: EmulatorAdmin
) -> None:
    provider = provider_class()
    raw = {"ilert:apiToken": TOKEN, "ilert:endpoint": emulator.url}
    provider.configure(ConfigureRequest(Config(raw_config=raw, project_name="contacts")))
    props = (
        {"user_id": USER, "region_code": "DE", "target": "+4915123456789"}
        if provider.kind is PHONE
        else {"user_id": USER, "target": "jane@example.com"}
    )

    created = provider.create(checked(provider, props))

    assert created.id.startswith(f"{USER}:")
    assert admin.request_counts()["POST"] == 1
    assert provider.read(created.id, created.outs).id == created.id
