"""The policies on contact sets (``UserContacts``, both faces): the resource rules judge every element
of a set's lists and name it by its index, the status rule reads each managed contact's status, and
``ilert-one-owner-per-user-contacts`` reports a user's contacts of one kind managed by a set and by
another resource. Called with pulumi-policy's real argument objects."""

from __future__ import annotations

import pytest
from policy_args import (
    USER,
    Res,
    email,
    native_email,
    native_phone,
    phone,
    run_resource,
    run_stack,
    user_contacts,
)
from pulumi_ilert_contacts import policies
from pulumi_ilert_contacts.core.kinds import SET_BY_TYPE
from pulumi_ilert_contacts.core.validation import UNKNOWN
from pulumi_ilert_contacts.policies import (
    validate_contact_status,
    validate_email_allowed_domains,
    validate_one_owner_per_user,
    validate_phone_allowed_regions,
    validate_phone_e164,
    validate_user_has_phone,
)

DOMAINS = {"allowedDomains": ["example.com"]}
REGIONS = {"allowedRegions": ["DE"]}
MOBILE = {"target": "+4915123456789", "region_code": "DE", "primary": True}
US_NUMBER = "+12025550123"


def test_the_policies_know_the_sets_of_both_faces() -> None:
    assert set(policies.SET_FACES) == set(SET_BY_TYPE)
    assert {face.native for face in policies.SET_FACES.values()} == {False, True}


# -- the resource rules on every element ----------------------------------------------------------


@pytest.mark.parametrize("native", [False, True])
def test_each_email_outside_the_allowed_domains_is_reported_by_its_index(native: bool) -> None:
    addresses = ["jane@example.com", "jane@gmail.com", "Jane@EXAMPLE.com", "jane.doe@web.de"]
    contact_set = user_contacts("jane", native=native, emails=addresses)

    outcome = run_resource(validate_email_allowed_domains, contact_set, DOMAINS)

    label = 'UserContacts "jane"' + (" (native)" if native else "")
    assert outcome.messages == [
        f"{label}: emails[1] is at a domain that is not in allowedDomains (example.com); ilert would "
        "notify a mailbox outside the organisation",
        f"{label}: emails[3] is at a domain that is not in allowedDomains (example.com); ilert would "
        "notify a mailbox outside the organisation",
    ]
    # The pack cannot tell a secret element: no address is repeated.
    assert not any(part in m for part in ("@", "gmail", "web.de") for m in outcome.messages)


def test_a_set_element_not_known_yet_is_left_to_the_update_the_others_are_judged() -> None:
    contact_set = user_contacts("jane", emails=[UNKNOWN, "jane@gmail.com"])
    outcome = run_resource(validate_email_allowed_domains, contact_set, DOMAINS)
    [message] = outcome.messages
    assert message.startswith('UserContacts "jane": emails[1] is at a domain that is not in allowedDomains')
    assert outcome.not_applicable is None


def test_a_whole_list_not_known_yet_is_not_applicable() -> None:
    outcome = run_resource(validate_email_allowed_domains, user_contacts("jane", emails=UNKNOWN), DOMAINS)
    assert outcome.violations == []
    assert outcome.not_applicable == "emails not known yet; judged when the update runs"


def test_a_kind_the_set_leaves_unmanaged_is_not_judged() -> None:
    numbers_only = user_contacts("jane", phone_numbers=[MOBILE])
    outcome = run_resource(validate_email_allowed_domains, numbers_only, DOMAINS)
    assert outcome.violations == [] and outcome.not_applicable is None
    assert run_resource(validate_phone_e164, user_contacts("jane", emails=["x@gmail.com"])).violations == []


@pytest.mark.parametrize(
    ("native", "where"),
    [(False, "UserContacts.phone_numbers[1].target"), (True, "UserContacts.phoneNumbers[1].target")],
)
def test_a_number_of_another_region_is_reported_by_its_index_without_the_number(
    native: bool, where: str
) -> None:
    wrong = {"target": US_NUMBER, "region_code": "DE", "primary": False}
    contact_set = user_contacts("jane", native=native, phone_numbers=[MOBILE, wrong])

    [message] = run_resource(validate_phone_e164, contact_set).messages

    assert message.startswith(f'UserContacts "jane"{" (native)" if native else ""}: {where} (not shown) ')
    assert "is a number of region US" in message
    assert US_NUMBER not in message and "2025550123" not in message


def test_a_number_in_national_form_is_reported_by_its_index() -> None:
    # check() normalises a known number; one unknown at check time reaches the pack as written.
    national = {"target": "0151 23456789", "region_code": "DE", "primary": False}
    outcome = run_resource(validate_phone_e164, user_contacts("jane", native=True, phone_numbers=[national]))
    assert outcome.messages == [
        'UserContacts "jane" (native): UserContacts.phoneNumbers[0].target is not in E.164 form'
    ]


def test_valid_numbers_of_a_set_pass() -> None:
    second = {"target": "+493012345678", "region_code": "de", "primary": False}
    outcome = run_resource(validate_phone_e164, user_contacts("jane", phone_numbers=[MOBILE, second]))
    assert outcome.violations == [] and outcome.not_applicable is None


def test_a_region_outside_the_allowed_regions_is_reported_in_the_face_spelling() -> None:
    us = {"target": US_NUMBER, "region_code": "US", "primary": False}
    dynamic = run_resource(validate_phone_allowed_regions, user_contacts("a", phone_numbers=[us]), REGIONS)
    native = run_resource(
        validate_phone_allowed_regions, user_contacts("a", native=True, phone_numbers=[MOBILE, us]), REGIONS
    )
    assert dynamic.messages[0].startswith(
        "UserContacts \"a\": phone_numbers[0].region_code 'US' is not in allowedRegions (DE)"
    )
    assert native.messages[0].startswith(
        "UserContacts \"a\" (native): phoneNumbers[1].regionCode 'US' is not in allowedRegions (DE)"
    )


# -- contact status from the set's contacts output ------------------------------------------------


@pytest.mark.parametrize(
    ("native", "where"), [(False, "email_contacts[1].status"), (True, "emailContacts[1].status")]
)
def test_each_locked_contact_of_a_set_is_reported_by_its_index(native: bool, where: str) -> None:
    contacts = [
        {"target": "jane@example.com", "contact_id": 1, "status": "OK"},
        {"target": "jane@example.org", "contact_id": 2, "status": "locked"},
    ]
    numbers = [{**MOBILE, "contact_id": 3, "status": UNKNOWN}]
    contact_set = user_contacts(
        "jane",
        native=native,
        emails=["jane@example.com", "jane@example.org"],
        email_contacts=contacts,
        phone_numbers=[MOBILE],
        phone_number_contacts=numbers,
    )

    outcome = run_stack(validate_contact_status, [contact_set])

    assert outcome.urns == [contact_set.urn]
    [message] = outcome.messages
    assert message.startswith(f'UserContacts "jane"{" (native)" if native else ""}: {where} is LOCKED: ')
    assert f"email contact of user {USER}" in message and "example.org" not in message


# -- ilert-one-owner-per-user-contacts ------------------------------------------------------------


def test_a_set_and_a_single_email_of_the_same_user_are_both_reported_naming_each_other() -> None:
    contact_set, single = user_contacts("jane", emails=["jane@example.com"]), email("jane-work")

    outcome = run_stack(validate_one_owner_per_user, [single, contact_set])

    assert sorted(outcome.urns) == sorted([contact_set.urn, single.urn])
    by_urn = dict(zip(outcome.urns, outcome.messages, strict=True))
    assert by_urn[contact_set.urn].startswith(
        f'UserContacts "jane": the email contacts of user {USER} are also managed by '
        f'ContactEmail "jane-work" ({single.urn}); '
    )
    assert by_urn[single.urn].startswith(
        f'ContactEmail "jane-work": the email contacts of user {USER} are also managed by '
        f'UserContacts "jane" ({contact_set.urn}); '
    )


def test_a_set_managing_only_numbers_leaves_the_emails_to_single_resources() -> None:
    resources = [user_contacts("jane", phone_numbers=[MOBILE]), email("jane-work"), native_email("jane-2")]
    assert run_stack(validate_one_owner_per_user, resources).violations == []


def test_an_empty_list_manages_its_kind() -> None:
    # "none of that kind": the set deletes the single resource's contact.
    resources = [user_contacts("jane", emails=[]), native_email("jane-work")]
    assert len(run_stack(validate_one_owner_per_user, resources).violations) == 2


def test_two_sets_of_one_user_conflict_on_the_kinds_both_manage_across_faces() -> None:
    dynamic = user_contacts("jane", emails=["jane@example.com"], phone_numbers=[MOBILE])
    native = user_contacts("jane-numbers", native=True, phone_numbers=UNKNOWN)

    outcome = run_stack(validate_one_owner_per_user, [native, dynamic])

    assert sorted(outcome.urns) == sorted([dynamic.urn, native.urn])
    assert all(f"the phone number contacts of user {USER}" in m for m in outcome.messages)
    by_urn = dict(zip(outcome.urns, outcome.messages, strict=True))
    assert f'UserContacts "jane-numbers" (native) ({native.urn})' in by_urn[dynamic.urn]


def test_single_numbers_of_a_user_whose_set_manages_numbers_are_each_reported() -> None:
    contact_set = user_contacts("jane", native=True, phone_numbers=[MOBILE], user_id=float(USER))
    mobile, desk = phone("jane-mobile"), native_phone("jane-desk", "+493012345678")

    outcome = run_stack(validate_one_owner_per_user, [mobile, desk, contact_set])

    assert len(outcome.violations) == 3
    by_urn = dict(zip(outcome.urns, outcome.messages, strict=True))
    # The set names both; each single names the set only (single resources beside each other are fine).
    assert '"jane-mobile"' in by_urn[contact_set.urn] and '"jane-desk" (native)' in by_urn[contact_set.urn]
    assert '"jane-desk"' not in by_urn[mobile.urn] and 'UserContacts "jane" (native)' in by_urn[mobile.urn]


@pytest.mark.parametrize(
    "resources",
    [
        [user_contacts("jane", user_id=UNKNOWN, emails=["jane@example.com"]), email("jane-work")],
        [user_contacts("jane", emails=["jane@example.com"]), email("jane-work", user_id=UNKNOWN)],
        [user_contacts("jane", user_id="1", emails=[]), email("john-work", user_id="2")],
        [email("jane-work"), native_email("jane-home", "jane@example.org"), phone("jane-mobile")],
    ],
    ids=["set-user-unknown", "single-user-unknown", "other-user", "no-set"],
)
def test_no_conflict_is_reported_without_a_set_of_a_known_user_and_kind(resources: list[Res]) -> None:
    assert run_stack(validate_one_owner_per_user, resources).violations == []


def test_conflict_reports_do_not_depend_on_the_order_the_engine_sends_resources() -> None:
    resources = [
        user_contacts("jane", emails=["jane@example.com"], phone_numbers=[MOBILE]),
        email("jane-work"),
        user_contacts("jane-2", native=True, phone_numbers=[]),
        native_phone("jane-desk", "+493012345678"),
    ]
    forward = run_stack(validate_one_owner_per_user, resources)
    assert len(forward.violations) == 5  # 2 for the emails, 3 for the numbers
    assert run_stack(validate_one_owner_per_user, resources[::-1]).violations == forward.violations


# -- the other stack rules see a set's numbers ----------------------------------------------------


def test_a_set_s_number_gives_the_user_a_phone() -> None:
    resources = [email("jane-work", user_id="1"), user_contacts("jane", user_id="1", phone_numbers=[MOBILE])]
    assert run_stack(validate_user_has_phone, resources).violations == []
    no_numbers = [email("jane-work", user_id="1"), user_contacts("jane", user_id="1", phone_numbers=[])]
    assert len(run_stack(validate_user_has_phone, no_numbers).violations) == 1
