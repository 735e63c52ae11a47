"""The policies on the native provider's resources (``ilert-contacts:index:...``, schema names such as
``regionCode``), alone and in stacks that mix them with dynamic resources, called with pulumi-policy's
real argument objects."""

from __future__ import annotations

import pytest
from policy_args import (
    NATIVE_EMAIL,
    NATIVE_PHONE,
    USER,
    Res,
    email,
    native_email,
    native_phone,
    other,
    phone,
    run_resource,
    run_stack,
)
from pulumi_ilert_contacts import policies
from pulumi_ilert_contacts.core.kinds import EMAIL, PHONE
from pulumi_ilert_contacts.core.validation import UNKNOWN
from pulumi_ilert_contacts.plugin.schema import resource_token
from pulumi_ilert_contacts.policies import (
    validate_contact_status,
    validate_email_allowed_domains,
    validate_no_duplicate_contacts,
    validate_phone_allowed_regions,
    validate_phone_e164,
    validate_single_primary_phone,
    validate_user_has_phone,
)

DOMAINS = {"allowedDomains": ["example.com"]}
REGIONS = {"allowedRegions": ["DE"]}


def test_the_policies_know_both_faces_type_tokens() -> None:
    assert policies.KIND_BY_TYPE == {
        "pulumi-python:dynamic/ilert:ContactEmail": EMAIL,
        "pulumi-python:dynamic/ilert:ContactPhoneNumber": PHONE,
        "ilert-contacts:index:ContactEmail": EMAIL,
        "ilert-contacts:index:ContactPhoneNumber": PHONE,
    }
    # The native tokens are the plugin's own, not a second spelling of them.
    assert {NATIVE_EMAIL, NATIVE_PHONE} == {resource_token(EMAIL), resource_token(PHONE)}


# -- resource policies on native resources ---------------------------------------------------


def test_native_email_outside_the_allowed_domains_is_reported_as_native() -> None:
    outcome = run_resource(
        validate_email_allowed_domains, native_email("jane-email", "jane@gmail.com"), DOMAINS
    )

    [message] = outcome.messages
    assert message.startswith(
        'ContactEmail "jane-email" (native): target is at a domain that is not in allowedDomains '
        "(example.com); "
    )
    assert "@" not in message and "gmail" not in message


def test_native_email_in_an_allowed_domain_passes() -> None:
    outcome = run_resource(validate_email_allowed_domains, native_email("e", "Jane@EXAMPLE.com"), DOMAINS)
    assert outcome.violations == [] and outcome.not_applicable is None


def test_native_phone_of_another_region_is_reported_in_schema_names() -> None:
    outcome = run_resource(validate_phone_e164, native_phone("jane-mobile", "+12025550123", "DE"))

    [message] = outcome.messages
    assert message == (
        'ContactPhoneNumber "jane-mobile" (native): ContactPhoneNumber.target (not shown) is a number of '
        "region US, but regionCode is DE; make them match"
    )


def test_native_bad_region_code_is_reported_on_region_code() -> None:
    outcome = run_resource(validate_phone_e164, native_phone("p", "+4915123456789", "XX"))

    [message] = outcome.messages
    assert "ContactPhoneNumber.regionCode 'XX' is not a known" in message


def test_native_national_number_is_reported_without_the_number() -> None:
    outcome = run_resource(validate_phone_e164, native_phone("p", "0151 23456789", "DE"))
    assert outcome.messages == [
        'ContactPhoneNumber "p" (native): ContactPhoneNumber.target is not in E.164 form'
    ]


def test_native_valid_phone_passes() -> None:
    outcome = run_resource(validate_phone_e164, native_phone("p"))
    assert outcome.violations == [] and outcome.not_applicable is None


def test_native_region_outside_allowed_regions_names_region_code() -> None:
    outcome = run_resource(validate_phone_allowed_regions, native_phone("us", "+12025550123", "US"), REGIONS)

    [message] = outcome.messages
    assert message.startswith(
        "ContactPhoneNumber \"us\" (native): regionCode 'US' is not in allowedRegions (DE)"
    )


@pytest.mark.parametrize(
    ("res", "reason"),
    [
        (native_phone("p", region_code=UNKNOWN), "regionCode not known yet"),
        (native_phone("p", target=UNKNOWN, region_code=UNKNOWN), "target and regionCode not known yet"),
        (native_phone("p", region_code=None), "regionCode not set; check() reports that"),
    ],
)
def test_native_values_not_known_or_rejected_are_not_judged(res: Res, reason: str) -> None:
    outcome = run_resource(validate_phone_e164, res)
    assert outcome.violations == []
    assert outcome.not_applicable is not None and reason in outcome.not_applicable


def test_native_properties_are_read_only_in_their_own_spelling() -> None:
    # A native resource has no region_code: a Python-named key on it is not what the engine sends.
    mixed_up = other("p", NATIVE_PHONE, userId=USER, target="+4915123456789", region_code="DE")
    outcome = run_resource(validate_phone_e164, mixed_up)
    assert outcome.violations == []
    assert outcome.not_applicable == "regionCode not set; check() reports that"


def test_the_native_provider_resource_is_not_a_contact() -> None:
    provider = other("default", "pulumi:providers:ilert-contacts", apiToken="secret", endpoint="https://x")
    for validate in (validate_email_allowed_domains, validate_phone_e164, validate_phone_allowed_regions):
        outcome = run_resource(validate, provider, {**DOMAINS, **REGIONS})
        assert outcome.violations == [] and outcome.not_applicable is None
    assert run_stack(validate_user_has_phone, [provider]).violations == []


# -- stack policies across both faces --------------------------------------------------------


def test_a_dynamic_and_a_native_primary_of_one_user_are_two_primaries() -> None:
    dynamic, native = (
        phone("jane-mobile", primary=True),
        native_phone("jane-desk", "+493012345678", primary=True),
    )

    outcome = run_stack(validate_single_primary_phone, [dynamic, native])

    assert sorted(outcome.urns) == sorted([dynamic.urn, native.urn])
    by_urn = dict(zip(outcome.urns, outcome.messages, strict=True))
    assert by_urn[dynamic.urn].startswith('ContactPhoneNumber "jane-mobile": ')
    assert '(also "jane-desk" (native))' in by_urn[dynamic.urn]
    assert by_urn[native.urn].startswith('ContactPhoneNumber "jane-desk" (native): ')
    assert '(also "jane-mobile")' in by_urn[native.urn]
    assert f"user {USER} has 2 primary phone numbers" in by_urn[native.urn]


def test_two_native_primaries_with_numbers_as_doubles_are_reported() -> None:
    resources = [
        native_phone("a", primary=True, user_id=float(USER)),
        native_phone("b", "+493012345678", primary=True),
    ]
    assert len(run_stack(validate_single_primary_phone, resources).violations) == 2


def test_the_same_address_declared_dynamically_and_natively_is_a_duplicate() -> None:
    dynamic, native = email("jane-work", "jane@example.com"), native_email("jane-work", "JANE@Example.com")

    outcome = run_stack(validate_no_duplicate_contacts, [dynamic, native])

    assert sorted(outcome.urns) == sorted([dynamic.urn, native.urn])
    by_urn = dict(zip(outcome.urns, outcome.messages, strict=True))
    # Same name, two faces: the message tells them apart.
    assert by_urn[dynamic.urn].startswith('ContactEmail "jane-work": ')
    assert f'"jane-work" (native) ({native.urn})' in by_urn[dynamic.urn]
    assert by_urn[native.urn].startswith('ContactEmail "jane-work" (native): ')
    assert f'"jane-work" ({dynamic.urn})' in by_urn[native.urn]


def test_a_number_in_national_form_natively_duplicates_the_dynamic_e164_one() -> None:
    resources = [phone("mobile", "+4915123456789"), native_phone("mobile-2", "0151 23456789", "de")]
    outcome = run_stack(validate_no_duplicate_contacts, resources)
    assert len(outcome.violations) == 2
    by_urn = dict(zip(outcome.urns, outcome.messages, strict=True))
    assert by_urn[resources[1].urn].startswith(
        f'ContactPhoneNumber "mobile-2" (native): target is also declared for user {USER} by "mobile" '
    )
    assert not any("23456789" in message for message in outcome.messages)


def test_one_address_for_two_users_across_faces_is_no_duplicate() -> None:
    resources = [
        email("jane", user_id="1"),
        native_email("john", user_id="2"),
        native_phone("jane-p", user_id="1"),
    ]
    assert run_stack(validate_no_duplicate_contacts, resources).violations == []


def test_a_native_phone_gives_a_dynamic_users_email_a_phone() -> None:
    resources = [email("jane-email", user_id="1"), native_phone("jane-mobile", user_id="1")]
    assert run_stack(validate_user_has_phone, resources).violations == []


def test_a_user_with_only_native_emails_is_reported_once() -> None:
    resources = [native_email("jane-work", user_id="1"), email("jane-home", "jane@example.org", user_id="1")]

    outcome = run_stack(validate_user_has_phone, resources)

    [message] = outcome.messages
    assert "user 1 has contacts in this stack" in message
    assert '"jane-work" (native)' in message and '"jane-home"' in message


def test_a_native_phone_of_an_unknown_user_suppresses_the_phone_check() -> None:
    resources = [email("jane-email", user_id="1"), native_phone("p", user_id=UNKNOWN)]
    assert run_stack(validate_user_has_phone, resources).violations == []


def test_a_locked_native_contact_is_reported_from_its_status_output() -> None:
    resources = [native_email("jane-email", status="LOCKED", contactId=17), native_phone("p", status="OK")]

    outcome = run_stack(validate_contact_status, resources)

    [message] = outcome.messages
    assert message.startswith(
        f'ContactEmail "jane-email" (native): status is LOCKED: ilert delivers no notification to the '
        f"email contact of user {USER}. "
    )
    assert "jane@example.com" not in message


def test_mixed_stack_reports_do_not_depend_on_the_order_the_engine_sends_resources() -> None:
    resources = [
        email("jane-work", "jane@example.com"),
        native_email("jane-again", "JANE@example.com"),
        phone("desk", "+493012345678", primary=True),
        native_phone("mobile", primary=True),
        native_email("john", "john@example.com", user_id="2"),
    ]
    for validate in (validate_no_duplicate_contacts, validate_single_primary_phone, validate_user_has_phone):
        forward = run_stack(validate, resources)
        assert forward.violations, validate.__name__
        assert run_stack(validate, resources[::-1]).violations == forward.violations
