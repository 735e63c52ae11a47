"""The core's behaviour through both faces: every test runs once with the dynamic providers and
once with the plugin's ContactsProvider (the ``face`` fixture), against the same emulator, and
asserts the same answers, errors and requests.

What differs between the faces is only how properties are spelled (``region_code`` and
``regionCode``): the faces adapter (``faces.py``) translates, so a test written once proves the
faces equal. Bad input through both faces is in test_bad_input.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from emulator_support import api_call, api_post, emails_of, phones_of
from pulumi_ilert_contacts import IlertError, IlertNotFoundError, IlertValidationError
from pulumi_ilert_contacts.core.directory import DIRECTORY
from pulumi_ilert_contacts.core.kinds import EMAIL, PHONE, ContactKind
from pulumi_ilert_contacts.emulator import EmulatorServer
from pulumi_ilert_contacts.emulator.admin_client import EmulatorAdmin

from .faces import Face
from .support import TOKEN, USER

JANE = {"user_id": USER, "target": "jane@example.com"}
MOBILE = {"user_id": USER, "region_code": "DE", "target": "+4915123456789"}


def checked(face: Face, kind: Any, news: dict[str, Any]) -> dict[str, Any]:
    """The inputs check makes of ``news``, as the engine passes them on; check must accept them."""
    result = face.check(kind, news)
    assert result.failures == {}
    return result.inputs


def methods(admin: EmulatorAdmin) -> list[tuple[str, int | None]]:
    return [(entry["method"], entry["status"]) for entry in admin.requests()["log"]]


def elsewhere(emulator: EmulatorServer, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """A change made outside Pulumi (a person in the ilert UI), seen by the next run: its provider
    process starts with no cached contact lists."""
    answer = api_call(emulator, TOKEN, method, path, body)
    DIRECTORY.clear()
    return answer


# -- check and diff ---------------------------------------------------------------------------


def test_check_normalises_a_phone_the_same_way(face: Face, admin: EmulatorAdmin) -> None:
    inputs = checked(face, PHONE, {"user_id": 1234, "region_code": " de ", "target": "0151 23456789"})

    assert inputs == {
        "user_id": USER,
        "region_code": "DE",
        "target": "+4915123456789",
        "primary": False,
        "adopt": False,
    }
    assert admin.requests()["total"] == 0


def test_check_of_checked_inputs_changes_nothing(face: Face) -> None:
    once = checked(face, EMAIL, {"user_id": " 01234 ", "target": "Jane@EXAMPLE.com", "adopt": True})

    assert face.check(EMAIL, once, once).inputs == once
    assert once == {"user_id": USER, "target": "Jane@example.com", "adopt": True}


def test_diff_of_identical_inputs_has_no_changes(face: Face) -> None:
    inputs = checked(face, EMAIL, JANE)
    state = {**inputs, "contact_id": 7, "status": "OK"}

    plan = face.diff(EMAIL, f"{USER}:7", state, inputs)

    assert (plan.changes, plan.replaces) == (False, [])


def test_diff_of_a_target_updates_in_place_keeping_the_id_stable(face: Face, admin: EmulatorAdmin) -> None:
    olds = {**checked(face, PHONE, MOBILE), "contact_id": 7, "status": "OK"}
    news = checked(face, PHONE, {**MOBILE, "target": "+4915123456780"})

    plan = face.diff(PHONE, f"{USER}:7", olds, news)

    assert (plan.changes, plan.replaces) == (True, [])
    assert {"user_id", "contact_id"} <= set(plan.stables)
    assert admin.requests()["total"] == 0


def test_diff_of_the_user_replaces_the_contact(face: Face) -> None:
    olds = {**checked(face, EMAIL, JANE), "contact_id": 7, "status": "OK"}
    news = checked(face, EMAIL, {**JANE, "user_id": "5678"})

    plan = face.diff(EMAIL, f"{USER}:7", olds, news)

    assert (plan.changes, plan.replaces) == (True, ["user_id"])


def test_diff_treats_missing_flags_as_their_defaults(face: Face) -> None:
    olds = {**MOBILE, "contact_id": 7, "status": "OK"}  # a state written before the flags existed

    assert face.diff(PHONE, f"{USER}:7", olds, checked(face, PHONE, MOBILE)).changes is False


# -- create, read, update, delete -------------------------------------------------------------


def test_phone_lifecycle_create_read_update_read_delete(face: Face, admin: EmulatorAdmin) -> None:
    inputs = checked(face, PHONE, {"user_id": USER, "region_code": "de", "target": "0151 23456789"})

    created = face.create(PHONE, inputs)
    contact_id = created.outs["contact_id"]
    assert created.id == f"{USER}:{contact_id}"
    assert created.outs == {**inputs, "contact_id": contact_id, "status": "OK"}
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

    read = face.read(PHONE, created.id, created.outs)
    assert (read.id, read.outs, read.inputs) == (created.id, created.outs, inputs)

    news = checked(
        face, PHONE, {"user_id": USER, "region_code": "US", "target": "+1 650 253 0000", "primary": True}
    )
    updated = face.update(PHONE, created.id, read.outs, news)
    assert updated.outs == {**news, "contact_id": contact_id, "status": "OK"}
    stored = phones_of(admin, USER)[0]
    assert (stored["id"], stored["target"], stored["regionCode"], stored["primary"]) == (
        contact_id,
        "+16502530000",
        "US",
        True,
    )
    assert (
        face.diff(PHONE, created.id, face.read(PHONE, created.id, updated.outs).outs, news).changes is False
    )

    face.delete(PHONE, created.id, updated.outs)
    assert phones_of(admin, USER) == []
    assert face.read(PHONE, created.id, updated.outs).id == ""


def test_email_create_sends_one_post_and_the_outputs_match_ilert(face: Face, admin: EmulatorAdmin) -> None:
    created = face.create(EMAIL, checked(face, EMAIL, {**JANE, "target": "Jane@Example.COM"}))

    assert methods(admin) == [("POST", 201)]
    [stored] = [c for c in emails_of(admin, USER) if c["id"] == created.outs["contact_id"]]
    assert stored["target"] == created.outs["target"] == "Jane@example.com"


def test_read_of_a_contact_deleted_outside_pulumi_returns_empty_id(
    face: Face, emulator: EmulatorServer
) -> None:
    created = face.create(EMAIL, checked(face, EMAIL, JANE))
    elsewhere(emulator, "DELETE", f"/users/{USER}/contacts/emails/{created.outs['contact_id']}")

    assert face.read(EMAIL, created.id, created.outs).id == ""


def test_read_shows_a_target_changed_in_ilert_as_drift(face: Face, emulator: EmulatorServer) -> None:
    created = face.create(EMAIL, checked(face, EMAIL, JANE))
    elsewhere(
        emulator,
        "PUT",
        f"/users/{USER}/contacts/emails/{created.outs['contact_id']}",
        {"target": "joe@example.com"},
    )

    read = face.read(EMAIL, created.id, created.outs)

    assert read.outs["target"] == "joe@example.com"
    assert face.diff(EMAIL, created.id, read.outs, checked(face, EMAIL, JANE)).changes is True


def test_read_reports_the_status_ilert_sets(face: Face, admin: EmulatorAdmin) -> None:
    created = face.create(EMAIL, checked(face, EMAIL, JANE))
    admin.set_status(created.outs["contact_id"], "LOCKED")

    assert face.read(EMAIL, created.id, created.outs).outs["status"] == "LOCKED"


def test_update_of_adopt_alone_calls_nothing(face: Face, admin: EmulatorAdmin) -> None:
    created = face.create(EMAIL, checked(face, EMAIL, JANE))
    admin.reset_requests()

    updated = face.update(EMAIL, created.id, created.outs, checked(face, EMAIL, {**JANE, "adopt": True}))

    assert updated.outs == {**created.outs, "adopt": True}
    assert admin.requests()["total"] == 0


def test_update_of_a_contact_deleted_outside_pulumi_says_to_refresh(
    face: Face, emulator: EmulatorServer
) -> None:
    created = face.create(EMAIL, checked(face, EMAIL, JANE))
    contact_id = created.outs["contact_id"]
    elsewhere(emulator, "DELETE", f"/users/{USER}/contacts/emails/{contact_id}")

    with pytest.raises(IlertNotFoundError) as caught:
        face.update(
            EMAIL, created.id, created.outs, checked(face, EMAIL, {**JANE, "target": "j@example.com"})
        )

    assert str(caught.value).startswith(
        f"Unable to update email contact {contact_id} of user {USER}: ilert API returned 404"
    )
    assert "pulumi refresh" in str(caught.value)


def test_delete_of_an_already_deleted_contact_succeeds(face: Face, admin: EmulatorAdmin) -> None:
    created = face.create(EMAIL, checked(face, EMAIL, JANE))
    face.delete(EMAIL, created.id, created.outs)

    face.delete(EMAIL, created.id, created.outs)

    assert admin.request_counts()["DELETE"] == 2
    assert [c["target"] for c in emails_of(admin, USER)] == [f"user{USER}@example.com"]


def test_making_a_phone_primary_clears_the_other_primary(face: Face, admin: EmulatorAdmin) -> None:
    first = face.create(PHONE, checked(face, PHONE, {**MOBILE, "primary": True}))
    us = {"user_id": USER, "region_code": "US", "target": "+16502530000"}
    second = face.create(PHONE, checked(face, PHONE, us))

    face.update(PHONE, second.id, second.outs, checked(face, PHONE, {**us, "primary": True}))

    assert {c["id"]: c["primary"] for c in phones_of(admin, USER)} == {
        first.outs["contact_id"]: False,
        second.outs["contact_id"]: True,
    }
    assert face.read(PHONE, first.id, first.outs).outs["primary"] is False


def test_create_for_an_unknown_user_names_the_user(face: Face) -> None:
    with pytest.raises(IlertNotFoundError) as caught:
        face.create(EMAIL, checked(face, EMAIL, {**JANE, "user_id": "999"}))

    assert str(caught.value) == (
        "Unable to create email contact for user 999: ilert API returned 404: User 999 not found [NOT_FOUND]"
    )


# -- lost answers -----------------------------------------------------------------------------


def test_lost_create_answer_makes_no_duplicate(face: Face, admin: EmulatorAdmin) -> None:
    admin.add_fault("POST", "drop_after")

    created = face.create(EMAIL, checked(face, EMAIL, JANE))

    assert [c["id"] for c in emails_of(admin, USER) if c["target"] == JANE["target"]] == [
        created.outs["contact_id"]
    ]
    assert created.id == f"{USER}:{created.outs['contact_id']}"
    assert admin.request_counts()["POST"] == 1


def test_lost_phone_create_answer_returns_the_contact_made(face: Face, admin: EmulatorAdmin) -> None:
    admin.add_fault("POST", "drop_after")

    created = face.create(PHONE, checked(face, PHONE, {**MOBILE, "primary": True}))

    [stored] = phones_of(admin, USER)
    assert created.outs == {
        **checked(face, PHONE, {**MOBILE, "primary": True}),
        "contact_id": stored["id"],
        "status": "OK",
    }


def test_500_on_create_makes_no_duplicate(face: Face, admin: EmulatorAdmin) -> None:
    admin.add_fault("POST", "status", status=500)

    created = face.create(EMAIL, checked(face, EMAIL, JANE))

    assert [c["id"] for c in emails_of(admin, USER) if c["target"] == JANE["target"]] == [
        created.outs["contact_id"]
    ]
    # The POST was not resent blindly: the contact was looked up first.
    assert methods(admin) == [("POST", 500), ("GET", 200), ("POST", 201)]


def test_create_whose_answer_and_look_up_both_fail_reports_the_create(
    face: Face, admin: EmulatorAdmin
) -> None:
    admin.add_fault("POST", "drop_after")
    admin.add_fault("GET", "drop_before", count=20)

    with pytest.raises(IlertError) as caught:
        face.create(EMAIL, checked(face, EMAIL, JANE))

    message = str(caught.value)
    assert message.startswith(f"Unable to create email contact for user {USER}")
    assert "ILERT_ADOPT_EXISTING=true" in message
    assert len([c for c in emails_of(admin, USER) if c["target"] == JANE["target"]]) == 1


# -- adoption ---------------------------------------------------------------------------------


def test_adopt_takes_over_the_login_email_without_a_post(face: Face, admin: EmulatorAdmin) -> None:
    login = emails_of(admin, USER)[0]
    admin.reset_requests()

    created = face.create(
        EMAIL, checked(face, EMAIL, {**JANE, "target": f"user{USER}@example.com", "adopt": True})
    )

    assert created.id == f"{USER}:{login['id']}"
    assert created.outs["adopt"] is True
    assert admin.request_counts()["POST"] == 0
    assert emails_of(admin, USER) == [login]


def test_adopt_updates_an_existing_phone_to_match(
    face: Face, admin: EmulatorAdmin, emulator: EmulatorServer
) -> None:
    existing = elsewhere(
        emulator,
        "POST",
        f"/users/{USER}/contacts/phone-numbers",
        {"target": "+4915123456789", "regionCode": "DE", "primary": False},
    )
    admin.reset_requests()

    created = face.create(
        PHONE, checked(face, PHONE, {**MOBILE, "target": "0151 23456789", "primary": True, "adopt": True})
    )

    assert created.id == f"{USER}:{existing['id']}"
    counts = admin.request_counts()
    assert (counts["POST"], counts["PUT"]) == (0, 1)
    assert [(c["id"], c["primary"]) for c in phones_of(admin, USER)] == [(existing["id"], True)]


def test_create_of_an_existing_target_without_adopt_suggests_adopt(face: Face, admin: EmulatorAdmin) -> None:
    with pytest.raises(IlertValidationError) as caught:
        face.create(EMAIL, checked(face, EMAIL, {**JANE, "target": f"user{USER}@example.com"}))

    message = str(caught.value)
    assert message.startswith(f"Unable to create email contact for user {USER}: ilert API returned 400")
    assert "set adopt to true" in message
    assert len(emails_of(admin, USER)) == 1


# -- look-up by id (get, import) --------------------------------------------------------------


def test_get_reads_every_output_of_the_contact_and_plans_no_change(face: Face, admin: EmulatorAdmin) -> None:
    login = emails_of(admin, USER)[0]
    id_ = f"{USER}:{login['id']}"

    got = face.get(EMAIL, id_)

    expected = {
        "user_id": USER,
        "target": login["target"],
        "adopt": False,
        "contact_id": login["id"],
        "status": "OK",
    }
    assert (got.id, got.outs) == (id_, expected)
    assert got.inputs is not None
    assert face.diff(EMAIL, id_, got.outs, checked(face, EMAIL, got.inputs)).changes is False


@pytest.mark.parametrize(
    ("kind", "id_", "user", "contact"),
    [
        (EMAIL, f"{USER}:99999", USER, 99999),  # no such contact
        (EMAIL, "999:1", "999", 1),  # no such user
        (PHONE, f"{USER}:1", USER, 1),  # contact 1 is the user's login email, not a phone
    ],
)
def test_get_of_a_contact_ilert_does_not_have_fails_naming_it(
    face: Face, kind: ContactKind, id_: str, user: str, contact: int
) -> None:
    with pytest.raises(IlertNotFoundError) as caught:
        face.get(kind, id_)

    assert str(caught.value) == (
        f"Unable to read {kind.resource} {id_!r}: ilert has no {kind.label} {contact} "
        f"for user {user} (the user or the contact does not exist, or the API key may not see it); "
        "give the id of an existing contact, '<user_id>:<contact_id>', e.g. '1001:17'"
    )


def test_get_of_a_malformed_id_names_it_before_any_request(face: Face, admin: EmulatorAdmin) -> None:
    with pytest.raises(IlertError) as caught:
        face.get(PHONE, "17")

    assert str(caught.value) == (
        "Unable to read ContactPhoneNumber '17': malformed ilert contact id '17': "
        "expected '<user_id>:<contact_id>', e.g. '1001:17'"
    )
    assert admin.requests()["total"] == 0


def test_get_of_a_spelling_check_normalises_reads_it_normalised_and_plans_no_change(
    face: Face, emulator: EmulatorServer, admin: EmulatorAdmin
) -> None:
    # ilert holds an upper-case domain; the imported state must hold what check() makes of it, or
    # the program written for the contact would plan an update and the first `up` would PUT.
    contact = api_post(emulator, TOKEN, USER, "emails", {"target": "Oncall@Example.COM"})

    got = face.get(EMAIL, f"{USER}:{contact['id']}")

    assert got.inputs == {"user_id": USER, "target": "Oncall@example.com", "adopt": False}
    assert got.outs["target"] == "Oncall@example.com"
    declared = checked(face, EMAIL, {"user_id": USER, "target": "Oncall@example.com"})
    assert face.diff(EMAIL, got.id, got.outs, declared).changes is False
    assert admin.request_counts().get("PUT", 0) == 0


def test_get_of_a_value_that_fails_validation_keeps_it_as_ilert_holds_it(
    face: Face, emulator: EmulatorServer
) -> None:
    contact = api_post(emulator, TOKEN, USER, "emails", {"target": "pager@localhost"})

    got = face.get(EMAIL, f"{USER}:{contact['id']}")

    assert got.inputs is not None
    assert got.inputs["target"] == got.outs["target"] == "pager@localhost"


def test_refresh_of_a_contact_gone_from_ilert_drops_it(face: Face) -> None:
    state = {
        "user_id": USER,
        "target": "gone@example.com",
        "adopt": False,
        "contact_id": 99999,
        "status": "OK",
    }

    assert face.read(EMAIL, f"{USER}:99999", state).id == ""


def test_read_of_a_contact_of_an_unknown_user_returns_empty_id(face: Face) -> None:
    assert face.read(EMAIL, "999:1", {"user_id": "999", "target": "x@example.com", "adopt": False}).id == ""


def test_read_keeps_the_users_spelling_of_the_same_mailbox(face: Face, emulator: EmulatorServer) -> None:
    inputs = checked(face, EMAIL, {**JANE, "target": "Jane@example.com"})
    created = face.create(EMAIL, inputs)
    path = f"/users/{USER}/contacts/emails/{created.outs['contact_id']}"
    elsewhere(emulator, "PUT", path, {"target": "jane@example.com"})

    read = face.read(EMAIL, created.id, created.outs)

    assert read.outs["target"] == "Jane@example.com"
    assert face.diff(EMAIL, created.id, read.outs, inputs).changes is False


def test_adopt_creates_the_contact_when_there_is_none(face: Face, admin: EmulatorAdmin) -> None:
    created = face.create(EMAIL, checked(face, EMAIL, {**JANE, "target": "new@example.com", "adopt": True}))

    assert admin.request_counts()["POST"] == 1
    assert created.outs["contact_id"] in [c["id"] for c in emails_of(admin, USER)]
