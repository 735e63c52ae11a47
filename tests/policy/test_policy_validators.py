"""Each validator of ``pulumi_ilert_contacts.policies`` called with pulumi-policy's real argument
objects: what it reports, what it lets pass, and when it does not apply."""

from __future__ import annotations

import subprocess
import sys

import pytest
from policy_args import (
    USER,
    Res,
    Validator,
    email,
    native_email,
    native_phone,
    other,
    phone,
    run_resource,
    run_stack,
    user_contacts,
)
from pulumi_ilert_contacts import policies
from pulumi_ilert_contacts.core.validation import UNKNOWN
from pulumi_ilert_contacts.policies import (
    all_policies,
    validate_contact_status,
    validate_email_allowed_domains,
    validate_no_duplicate_contacts,
    validate_phone_allowed_regions,
    validate_phone_e164,
    validate_single_primary_phone,
    validate_user_has_phone,
)
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy

DOMAINS = {"allowedDomains": ["example.com", "Example.org"]}
REGIONS = {"allowedRegions": ["DE", "at"]}

# -- ilert-email-allowed-domains -------------------------------------------------------------


def test_email_outside_the_allowed_domains_is_reported_with_resource_and_property_not_the_address() -> None:
    outcome = run_resource(validate_email_allowed_domains, email("jane-email", "jane@gmail.com"), DOMAINS)
    # The set rules' form: the pack cannot tell a secret address, so neither it nor its domain is shown.
    assert outcome.messages == [
        'ContactEmail "jane-email": target is at a domain that is not in allowedDomains (example.com, '
        "Example.org); ilert would notify a mailbox outside the organisation"
    ]


@pytest.mark.parametrize("target", ["jane@example.com", "Jane@EXAMPLE.COM", "ops@example.org"])
def test_email_in_an_allowed_domain_passes_whatever_the_case(target: str) -> None:
    outcome = run_resource(validate_email_allowed_domains, email("e", target), DOMAINS)
    assert outcome.violations == [] and outcome.not_applicable is None


def test_subdomain_is_not_an_allowed_domain() -> None:
    outcome = run_resource(validate_email_allowed_domains, email("e", "jane@mail.example.com"), DOMAINS)
    assert len(outcome.violations) == 1


@pytest.mark.parametrize("config", [None, {}, {"allowedDomains": []}])
def test_email_domains_without_config_do_not_apply(config: dict[str, object] | None) -> None:
    outcome = run_resource(validate_email_allowed_domains, email("e", "jane@gmail.com"), config)
    assert outcome.violations == []
    assert outcome.not_applicable == "no allowedDomains configured"


def test_email_target_unknown_in_preview_is_not_judged() -> None:
    outcome = run_resource(validate_email_allowed_domains, email("e", UNKNOWN), DOMAINS)
    assert outcome.violations == []
    assert outcome.not_applicable is not None and "target not known yet" in outcome.not_applicable


def test_email_policy_ignores_phone_numbers_and_other_resources() -> None:
    assert run_resource(validate_email_allowed_domains, phone("p"), DOMAINS).violations == []
    unrelated = other("x", target="jane@gmail.com")
    outcome = run_resource(validate_email_allowed_domains, unrelated, DOMAINS)
    assert outcome.violations == [] and outcome.not_applicable is None


# -- ilert-phone-e164 ------------------------------------------------------------------------


def test_valid_e164_number_of_its_region_passes() -> None:
    outcome = run_resource(validate_phone_e164, phone("p", "+4915123456789", "DE"))
    assert outcome.violations == [] and outcome.not_applicable is None


def test_number_of_another_region_is_reported_on_target_without_the_number() -> None:
    outcome = run_resource(validate_phone_e164, phone("jane-mobile", "+12025550123", "DE"))
    assert outcome.messages == [
        'ContactPhoneNumber "jane-mobile": ContactPhoneNumber.target (not shown) is a number of region US, '
        "but region_code is DE; make them match"
    ]


def test_invalid_number_is_reported() -> None:
    outcome = run_resource(validate_phone_e164, phone("p", "+49123", "DE"))
    assert outcome.messages == [
        'ContactPhoneNumber "p": ContactPhoneNumber.target (not shown) is not a valid phone number '
        "for region DE"
    ]


def test_national_form_is_reported_without_the_number_or_its_e164_spelling() -> None:
    # check() normalises a known number; one unknown at check time reaches the pack as written.
    outcome = run_resource(validate_phone_e164, phone("p", "0151 23456789", "DE"))
    assert outcome.messages == ['ContactPhoneNumber "p": ContactPhoneNumber.target is not in E.164 form']


def test_bad_region_code_is_reported_on_region_code() -> None:
    outcome = run_resource(validate_phone_e164, phone("p", "+4915123456789", "XX"))
    assert len(outcome.violations) == 1
    assert "ContactPhoneNumber.region_code 'XX' is not a known" in outcome.messages[0]


@pytest.mark.parametrize("field", ["target", "region_code"])
def test_phone_value_unknown_at_check_time_is_judged_later(field: str) -> None:
    outcome = run_resource(validate_phone_e164, phone("p", **{field: UNKNOWN}))
    assert outcome.violations == []
    assert outcome.not_applicable is not None and field in outcome.not_applicable


@pytest.mark.parametrize(
    ("validate", "res", "config"),
    [
        (validate_phone_e164, phone("p", target=None), None),
        (validate_phone_e164, phone("p", region_code=None), None),
        (validate_phone_allowed_regions, phone("p", region_code=None), REGIONS),
        (validate_email_allowed_domains, email("e", target=None), DOMAINS),
    ],
)
def test_value_check_already_rejected_is_not_reported_twice(
    validate: Validator, res: Res, config: dict[str, object] | None
) -> None:
    # check() drops a bad value from the inputs it returns; the engine reports its error.
    outcome = run_resource(validate, res, config)
    assert outcome.violations == []
    assert outcome.not_applicable is not None and "check() reports that" in outcome.not_applicable


def test_phone_policy_ignores_emails() -> None:
    assert run_resource(validate_phone_e164, email("e", "not a phone")).violations == []


# -- ilert-phone-allowed-regions -------------------------------------------------------------


def test_region_outside_allowed_regions_is_reported() -> None:
    outcome = run_resource(validate_phone_allowed_regions, phone("us-mobile", "+12025550123", "US"), REGIONS)
    assert len(outcome.violations) == 1
    message = outcome.messages[0]
    assert 'ContactPhoneNumber "us-mobile"' in message and "region_code 'US'" in message
    assert "DE, AT" in message


def test_region_in_allowed_regions_passes_whatever_the_case() -> None:
    outcome = run_resource(validate_phone_allowed_regions, phone("p", "+43664123456", "at"), REGIONS)
    assert outcome.violations == [] and outcome.not_applicable is None


def test_allowed_regions_without_config_do_not_apply() -> None:
    outcome = run_resource(validate_phone_allowed_regions, phone("p", "+12025550123", "US"))
    assert outcome.violations == [] and outcome.not_applicable == "no allowedRegions configured"


def test_unknown_region_is_not_judged() -> None:
    outcome = run_resource(validate_phone_allowed_regions, phone("p", region_code=UNKNOWN), REGIONS)
    assert outcome.violations == [] and outcome.not_applicable is not None


# -- ilert-single-primary-phone --------------------------------------------------------------


def test_two_primary_numbers_of_one_user_are_both_reported() -> None:
    resources = [
        phone("mobile", "+4915123456789", primary=True),
        phone("desk", "+493012345678", primary=True, user_id=float(USER)),  # numbers arrive as doubles
        phone("spare", "+4917612345678", primary=False),
    ]
    outcome = run_stack(validate_single_primary_phone, resources)
    assert outcome.urns == [resources[1].urn, resources[0].urn]  # stack reports come in URN order
    assert 'ContactPhoneNumber "desk"' in outcome.messages[0] and '"mobile"' in outcome.messages[0]
    assert f"user {USER} has 2 primary phone numbers" in outcome.messages[0]
    assert 'ContactPhoneNumber "mobile"' in outcome.messages[1] and '"desk"' in outcome.messages[1]


def test_one_primary_per_user_passes() -> None:
    resources = [
        phone("jane", "+4915123456789", primary=True, user_id="1"),
        phone("john", "+4917612345678", primary=True, user_id="2"),
        phone("john-desk", "+493012345678", primary=False, user_id="2"),
    ]
    assert run_stack(validate_single_primary_phone, resources).violations == []


def test_unknown_primary_flag_is_not_counted() -> None:
    resources = [phone("a", primary=True), phone("b", "+493012345678", primary=UNKNOWN)]
    assert run_stack(validate_single_primary_phone, resources).violations == []


# -- ilert-no-duplicate-contacts -------------------------------------------------------------


def test_same_email_in_another_case_is_a_duplicate_reported_on_each() -> None:
    work, again = email("jane-work", "jane@example.com"), email("jane-again", "Jane@Example.COM")
    outcome = run_stack(validate_no_duplicate_contacts, [work, again])
    assert outcome.urns == [again.urn, work.urn]
    first, second = outcome.messages
    assert 'ContactEmail "jane-again"' in first and f'"jane-work" ({work.urn})' in first
    assert 'ContactEmail "jane-work"' in second and f'"jane-again" ({again.urn})' in second
    assert f"user {USER}" in first and "Keep one of them" in first


def test_same_number_in_national_and_international_form_is_a_duplicate() -> None:
    resources = [phone("mobile", "+4915123456789"), phone("mobile-2", "0151 23456789", "de")]
    outcome = run_stack(validate_no_duplicate_contacts, resources)
    assert outcome.urns == [resources[0].urn, resources[1].urn]
    assert outcome.messages[0].startswith(
        f'ContactPhoneNumber "mobile": target is also declared for user {USER} by '
        f'"mobile-2" ({resources[1].urn}); '
    )
    assert not any("23456789" in message for message in outcome.messages)


def test_every_resource_sharing_a_target_is_reported_once_naming_the_others() -> None:
    resources = [email("c", "x@example.com"), email("a", "X@example.com"), email("b", "x@EXAMPLE.com")]
    outcome = run_stack(validate_no_duplicate_contacts, resources)
    assert outcome.urns == [resources[1].urn, resources[2].urn, resources[0].urn]
    assert '"b"' in outcome.messages[0] and '"c"' in outcome.messages[0]


def test_stack_reports_do_not_depend_on_the_order_the_engine_sends_resources() -> None:
    resources = [
        email("jane-work", "jane@example.com"),
        email("jane-again", "JANE@example.com"),
        phone("desk", "+493012345678", primary=True),
        phone("mobile", "+4915123456789", primary=True),
        email("john", "john@example.com", user_id="2"),
    ]
    for validate in (validate_no_duplicate_contacts, validate_single_primary_phone, validate_user_has_phone):
        forward = run_stack(validate, resources)
        assert forward.violations, validate.__name__
        assert run_stack(validate, resources[::-1]).violations == forward.violations


def test_same_target_for_different_users_or_kinds_is_no_duplicate() -> None:
    resources = [
        email("jane", "team@example.com", user_id="1"),
        email("john", "team@example.com", user_id="2"),
        phone("jane-phone", "+4915123456789", user_id="1"),
        phone("john-phone", "+4915123456789", user_id="2"),
    ]
    assert run_stack(validate_no_duplicate_contacts, resources).violations == []


def test_unknown_targets_and_other_resource_types_are_left_out() -> None:
    resources = [
        email("a", UNKNOWN),
        email("b", UNKNOWN),
        email("c", "jane@example.com", __provider="pickled-provider"),
        other("lookalike", user_id=USER, target="jane@example.com"),
    ]
    assert run_stack(validate_no_duplicate_contacts, resources).violations == []


# -- ilert-user-has-phone --------------------------------------------------------------------


def test_user_without_a_phone_number_is_reported_once() -> None:
    resources = [
        email("jane-work", "jane@example.com", user_id="1"),
        email("jane-home", "jane@example.org", user_id="1"),
        email("john", "john@example.com", user_id="2"),
        phone("john-mobile", user_id="2"),
    ]
    outcome = run_stack(validate_user_has_phone, resources)
    assert outcome.urns == [resources[1].urn]  # the user's first contact by URN
    message = outcome.messages[0]
    assert "user 1 has contacts in this stack" in message
    assert '"jane-work"' in message and '"jane-home"' in message and "exemptUsers" in message


def test_exempt_users_need_no_phone_number() -> None:
    resources = [email("bot", "bot@example.com", user_id="4711"), email("ci", "ci@example.com", user_id="42")]
    # Config numbers arrive as doubles over gRPC; strings are accepted too.
    config = {"requirePhone": True, "exemptUsers": [4711.0, "42"]}
    outcome = run_stack(validate_user_has_phone, resources, config)
    assert outcome.violations == []


def test_require_phone_false_turns_the_check_off() -> None:
    outcome = run_stack(validate_user_has_phone, [email("e")], {"requirePhone": False})
    assert outcome.violations == [] and outcome.not_applicable == "requirePhone is false"


def test_phone_of_an_unknown_user_suppresses_the_check() -> None:
    resources = [email("e", user_id="1"), phone("p", user_id=UNKNOWN)]
    assert run_stack(validate_user_has_phone, resources).violations == []


# -- ilert-contact-status --------------------------------------------------------------------


@pytest.mark.parametrize("status", ["LOCKED", "BLACKLISTED", "locked"])
def test_undeliverable_contact_is_reported(status: str) -> None:
    resources = [email("jane-email", status=status, contact_id=17), phone("jane-mobile", status="OK")]
    outcome = run_stack(validate_contact_status, resources)
    assert outcome.urns == [resources[0].urn]
    message = outcome.messages[0]
    assert 'ContactEmail "jane-email"' in message and f"status is {status.upper()}" in message
    assert f"email contact of user {USER}" in message and "jane@example.com" not in message


@pytest.mark.parametrize("status", ["OK", None, UNKNOWN])
def test_ok_or_unknown_status_passes(status: str | None) -> None:
    assert run_stack(validate_contact_status, [phone("p", status=status)]).violations == []


# -- no message repeats an address or number ------------------------------------------------

# Values a program may give as secrets: the pack is handed them plain, so no message may repeat them
# (nor an address's domain, nor a number's digits in another spelling).
SECRET_PARTS = ("jane.secret", "gmail", "2025550123", "23456789", "locked.secret", "example.org")


def test_no_policy_message_repeats_an_address_or_number_in_either_face() -> None:
    resources = [
        email("jane-email", "jane.secret@gmail.com"),  # outside the allowed domains
        native_email("jane-email-2", "JANE.SECRET@gmail.com"),  # ... and a duplicate of it
        phone("jane-mobile", "+12025550123", "DE"),  # of another region than its region_code
        native_phone("jane-us", "+12025550123", "US", primary=True),  # outside the allowed regions
        phone("jane-desk", "0151 23456789", "DE", primary=True),  # national form; a second primary
        native_phone("jane-desk-2", "+4915123456789", "DE"),  # the same number as jane-desk
        email("kim-email", "locked.secret@example.org", user_id="2", status="LOCKED"),  # no phone
        user_contacts("lee", user_id="3", emails=["set.secret@gmail.com"]),
        native_email("lee-email", "lee.secret@example.com", user_id="3"),  # beside lee's set
    ]
    config = {"allowedDomains": ["example.com"], "allowedRegions": ["DE"]}
    reported: dict[str, list[str]] = {}
    for spec in policies.POLICIES:
        if spec.scope == "resource":
            outcomes = [run_resource(spec.validate, res, config) for res in resources]
        else:
            outcomes = [run_stack(spec.validate, resources, config)]
        reported[spec.name] = [message for outcome in outcomes for message in outcome.messages]

    assert all(reported.values()), {name: found for name, found in reported.items() if not found}
    for message in (m for found in reported.values() for m in found):
        assert not any(part in message.casefold() for part in SECRET_PARTS), message
        assert "set.secret" not in message and "lee.secret" not in message, message


# -- the set of policies ---------------------------------------------------------------------


def test_all_policies_have_names_descriptions_and_default_levels() -> None:
    found = {p.name: p for p in all_policies()}
    assert set(found) == set(policies.DEFAULT_ENFORCEMENT)
    for name, policy in found.items():
        assert policy.description
        assert policy.enforcement_level == policies.DEFAULT_ENFORCEMENT[name]
    resource_policies = {n for n, p in found.items() if isinstance(p, ResourceValidationPolicy)}
    stack_policies = {n for n, p in found.items() if isinstance(p, StackValidationPolicy)}
    assert resource_policies == {
        policies.EMAIL_ALLOWED_DOMAINS,
        policies.PHONE_E164,
        policies.PHONE_ALLOWED_REGIONS,
    }
    assert len(stack_policies) == 5
    assert found[policies.ONE_OWNER_PER_USER].enforcement_level == EnforcementLevel.MANDATORY
    assert found[policies.USER_HAS_PHONE].enforcement_level == EnforcementLevel.ADVISORY
    assert found[policies.CONTACT_STATUS].enforcement_level == EnforcementLevel.ADVISORY


def test_enforcement_levels_can_be_overridden_for_all_or_one() -> None:
    levels = {
        p.name: p.enforcement_level
        for p in all_policies(EnforcementLevel.ADVISORY, {policies.PHONE_E164: EnforcementLevel.MANDATORY})
    }
    assert levels.pop(policies.PHONE_E164) == EnforcementLevel.MANDATORY
    assert set(levels.values()) == {EnforcementLevel.ADVISORY}
    with pytest.raises(ValueError, match="no such ilert policy: ilert-typo"):
        all_policies(overrides={"ilert-typo": EnforcementLevel.DISABLED})


def test_importing_the_package_does_not_need_pulumi_policy() -> None:
    code = (
        "import sys, pulumi_ilert_contacts; "
        "assert 'pulumi_policy' not in sys.modules, sorted(m for m in sys.modules if 'policy' in m)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
