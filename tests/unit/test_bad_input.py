"""check(): bad inputs are refused with a reason that names the property, before any API call;
good inputs come back normalised. Through both faces (the ``face`` fixture): the plugin's reasons
name the property as its users write it (``regionCode``), the dynamic face's as its users do."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_ilert_contacts import ContactEmailProvider, ContactPhoneNumberProvider, IlertError
from pulumi_ilert_contacts.core.kinds import EMAIL, PHONE, USER_CONTACTS, ContactKind, declared_props
from pulumi_ilert_contacts.emulator import EmulatorServer
from pulumi_ilert_contacts.emulator.admin_client import EmulatorAdmin

from .faces import Face
from .support import USER, total_requests

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
EMAIL_OK: dict[str, Any] = {"user_id": USER, "target": "jane@example.com"}
PHONE_OK: dict[str, Any] = {"user_id": USER, "region_code": "DE", "target": "+4915123456789"}
MISSING = object()
"""Marks a property to leave out of a bad input."""


def _email(**changes: Any) -> dict[str, Any]:
    return _with(EMAIL_OK, changes)


def _phone(**changes: Any) -> dict[str, Any]:
    return _with(PHONE_OK, changes)


def _with(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    props = {**base, **changes}
    return {k: v for k, v in props.items() if v is not MISSING}


# (id, kind, inputs, the property that must fail (Python name, or the key as given), a phrase the
# reason must contain)
BAD_INPUTS: list[tuple[str, ContactKind, dict[str, Any], str, str]] = [
    # email targets
    (
        "email-no-at",
        EMAIL,
        _email(target="not-an-email"),
        "target",
        "not a valid email address",
    ),
    ("email-no-domain", EMAIL, _email(target="jane@"), "target", "not a valid email address"),
    ("email-no-local", EMAIL, _email(target="@example.com"), "target", "not a valid email"),
    (
        "email-two-ats",
        EMAIL,
        _email(target="jane@@example.com"),
        "target",
        "not a valid email",
    ),
    (
        "email-space",
        EMAIL,
        _email(target="jane doe@example.com"),
        "target",
        "not a valid email",
    ),
    (
        "email-no-tld-dot",
        EMAIL,
        _email(target="jane@localhost"),
        "target",
        "not a valid email",
    ),
    ("email-empty", EMAIL, _email(target=""), "target", "not a valid email"),
    (
        "email-too-long",
        EMAIL,
        _email(target="a" * 250 + "@example.com"),
        "target",
        "ilert accepts at most 255",
    ),
    ("email-int-target", EMAIL, _email(target=42), "target", "must be a string"),
    (
        "email-list-target",
        EMAIL,
        _email(target=["j@example.com"]),
        "target",
        "must be a string",
    ),
    ("email-missing-target", EMAIL, _email(target=MISSING), "target", "is required"),
    ("email-missing-user", EMAIL, _email(user_id=MISSING), "user_id", "is required"),
    # user ids
    ("user-letters", EMAIL, _email(user_id="abc"), "user_id", "digits only"),
    ("user-negative-str", EMAIL, _email(user_id="-5"), "user_id", "digits only"),
    ("user-negative-int", EMAIL, _email(user_id=-5), "user_id", "digits only"),
    ("user-empty", EMAIL, _email(user_id=""), "user_id", "digits only"),
    ("user-zero", EMAIL, _email(user_id=0), "user_id", "must be a positive"),
    ("user-zeros-str", EMAIL, _email(user_id="000"), "user_id", "must be a positive"),
    ("user-bool", EMAIL, _email(user_id=True), "user_id", "must be a numeric ilert user id"),
    ("user-fraction", EMAIL, _email(user_id=12.5), "user_id", "an int or a digit string"),
    ("user-dict", PHONE, _phone(user_id={"id": 1}), "user_id", "an int or a digit"),
    ("user-unicode-digits", EMAIL, _email(user_id="١٢٣"), "user_id", "digits only"),
    # flags
    ("adopt-string", EMAIL, _email(adopt="yes"), "adopt", "must be true or false"),
    ("adopt-int", EMAIL, _email(adopt=1), "adopt", "must be true or false"),
    (
        "primary-string",
        PHONE,
        _phone(primary="true"),
        "primary",
        "must be true or false",
    ),
    ("primary-int", PHONE, _phone(primary=0), "primary", "must be true or false"),
    # unknown properties
    ("email-unknown-prop", EMAIL, _email(email="j@example.com"), "email", "expected one of"),
    ("email-typo-prop", EMAIL, _email(targets="j@example.com"), "targets", "not a property"),
    ("email-primary-prop", EMAIL, _email(primary=True), "primary", "not a property"),
    ("phone-camel-prop", PHONE, _phone(regionCode="DE"), "regionCode", "not a property"),
    ("output-set-by-user", EMAIL, _email(contact_id=5), "contact_id", "not a property"),
    # phone numbers
    (
        "phone-letters",
        PHONE,
        _phone(target="call me"),
        "target",
        "is not a phone number",
    ),
    (
        "phone-too-short",
        PHONE,
        _phone(target="12345"),
        "target",
        "not a valid phone number",
    ),
    ("phone-impossible", PHONE, _phone(target="+4912"), "target", "not a valid phone"),
    ("phone-zeros", PHONE, _phone(target="+49 000"), "target", "not a valid phone"),
    (
        "phone-national-without-region",
        PHONE,
        _phone(target="0151 23456789", region_code=MISSING),
        "target",
        "international form",
    ),
    (
        "phone-region-mismatch",
        PHONE,
        _phone(target="+16502530000", region_code="DE"),
        "target",
        "make them match",
    ),
    (
        "phone-int-target",
        PHONE,
        _phone(target=4915123456789),
        "target",
        "must be a string",
    ),
    (
        "phone-too-long",
        PHONE,
        _phone(target="+49" + "1" * 300),
        "target",
        "at most 255",
    ),
    ("phone-missing-target", PHONE, _phone(target=MISSING), "target", "a phone number"),
    # region codes
    ("region-unknown", PHONE, _phone(region_code="XX"), "region_code", "not a known"),
    ("region-name", PHONE, _phone(region_code="Germany"), "region_code", "not a known"),
    ("region-int", PHONE, _phone(region_code=49), "region_code", "two-letter region"),
    ("region-missing", PHONE, _phone(region_code=MISSING), "region_code", "is required"),
    ("phone-missing-user", PHONE, _phone(user_id=MISSING), "user_id", "is required"),
]


@pytest.fixture
def admin_env(ilert_env: EmulatorServer, admin: EmulatorAdmin) -> EmulatorAdmin:
    """The emulator the provider is configured for, with its request counter at zero."""
    admin.reset_requests()
    return admin


@pytest.mark.parametrize(
    ("kind", "news", "prop", "phrase"),
    [row[1:] for row in BAD_INPUTS],
    ids=[row[0] for row in BAD_INPUTS],
)
def test_bad_input_is_refused_with_an_actionable_reason_and_no_api_call(
    kind: ContactKind,
    news: dict[str, Any],
    prop: str,
    phrase: str,
    face: Face,
    admin_env: EmulatorAdmin,
) -> None:
    spelled = face.spell(kind, prop)
    result = face.check(kind, news)

    assert result.failures, f"{news!r} passed check"
    assert spelled in result.failures, f"no failure for {spelled}: {result.failures}"
    reason = result.failures[spelled]
    assert reason.startswith(f"{kind.resource}.{spelled} "), reason
    assert phrase in reason, reason
    assert total_requests(admin_env) == 0


def test_the_table_covers_both_kinds_and_enough_cases() -> None:
    kinds = {row[1] for row in BAD_INPUTS}
    assert kinds == {EMAIL, PHONE}
    assert len(BAD_INPUTS) >= 25


def test_every_problem_is_reported_at_once(face: Face, admin_env: EmulatorAdmin) -> None:
    result = face.check(
        PHONE, {"user_id": "x", "region_code": "XX", "target": "nope", "primary": "yes", "colour": "red"}
    )

    expected = ["colour", "primary", "region_code", "user_id"]
    assert sorted(result.failures) == sorted(face.spell(PHONE, prop) for prop in expected)
    assert total_requests(admin_env) == 0


@pytest.mark.parametrize(
    ("kind", "news"),
    [
        (EMAIL, {"user_id": USER, "target": "not-an-email"}),
        (PHONE, {"user_id": USER, "region_code": "XX", "target": "+4915123456789"}),
    ],
)
def test_create_with_unchecked_bad_input_fails_before_any_request(
    kind: ContactKind, news: dict[str, Any], face: Face, admin_env: EmulatorAdmin
) -> None:
    with pytest.raises(IlertError) as caught:
        face.create(kind, news)

    assert kind.resource in str(caught.value)
    assert total_requests(admin_env) == 0


# -- good inputs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("news", "expected"),
    [
        (
            {"user_id": USER, "region_code": "DE", "target": "0151 23456789"},
            {
                "user_id": USER,
                "region_code": "DE",
                "target": "+4915123456789",
                "primary": False,
                "adopt": False,
            },
        ),
        (
            {"user_id": 1234, "region_code": " de ", "target": "+49 (151) 234-567-89", "primary": True},
            {
                "user_id": USER,
                "region_code": "DE",
                "target": "+4915123456789",
                "primary": True,
                "adopt": False,
            },
        ),
        (
            {"user_id": 1234.0, "region_code": "US", "target": "(650) 253-0000", "adopt": True},
            {"user_id": USER, "region_code": "US", "target": "+16502530000", "primary": False, "adopt": True},
        ),
    ],
)
def test_good_phone_input_is_normalised(
    news: dict[str, Any], expected: dict[str, Any], face: Face, admin_env: EmulatorAdmin
) -> None:
    result = face.check(PHONE, news)

    assert result.failures == {}
    assert result.inputs == expected
    assert total_requests(admin_env) == 0


@pytest.mark.parametrize(
    ("news", "expected"),
    [
        ({"user_id": 1234, "target": "jane@example.com"}, {"user_id": USER, "target": "jane@example.com"}),
        (
            {"user_id": " 01234 ", "target": "Jane@EXAMPLE.com"},
            {"user_id": USER, "target": "Jane@example.com"},
        ),
        (
            {"user_id": "1234", "target": "a@b.example", "adopt": True},
            {"user_id": USER, "target": "a@b.example"},
        ),
    ],
)
def test_good_email_input_is_normalised(news: dict[str, Any], expected: dict[str, Any], face: Face) -> None:
    result = face.check(EMAIL, news)

    assert result.failures == {}
    assert result.inputs == {"adopt": bool(news.get("adopt", False)), **expected}


@pytest.mark.parametrize(
    ("kind", "news"),
    [
        (EMAIL, {"user_id": 1234, "target": "Jane@EXAMPLE.com", "adopt": True}),
        (PHONE, {"user_id": "1234", "region_code": "de", "target": "0151 23456789"}),
        (PHONE, {"user_id": 1234.0, "region_code": "US", "target": "650-253-0000"}),
    ],
)
def test_checking_checked_input_changes_nothing(kind: ContactKind, news: dict[str, Any], face: Face) -> None:
    once = face.check(kind, news)

    twice = face.check(kind, once.inputs, once.inputs)

    assert twice.failures == {}
    assert twice.inputs == once.inputs


@pytest.mark.parametrize(
    ("kind", "news"),
    [
        (EMAIL, {"user_id": UNKNOWN, "target": UNKNOWN, "adopt": UNKNOWN}),
        (EMAIL, {"user_id": USER, "target": UNKNOWN}),
        (PHONE, {"user_id": UNKNOWN, "region_code": UNKNOWN, "target": UNKNOWN, "primary": UNKNOWN}),
        (PHONE, {"user_id": USER, "region_code": UNKNOWN, "target": "0151 23456789"}),
        (PHONE, {"user_id": USER, "region_code": "DE", "target": UNKNOWN}),
    ],
)
def test_values_unknown_at_preview_pass_check_unchanged(
    kind: ContactKind, news: dict[str, Any], face: Face, admin_env: EmulatorAdmin
) -> None:
    result = face.check(kind, news)

    assert result.failures == {}
    for name, value in news.items():
        if value == UNKNOWN:
            assert result.inputs[name] == UNKNOWN
    assert total_requests(admin_env) == 0


def test_property_bag_of_a_new_resource_passes_check() -> None:
    # The resource classes seed contact_id/status as None so the outputs resolve; check accepts it.
    props = declared_props(EMAIL, None, {"user_id": 1234, "target": "jane@example.com"})

    result = ContactEmailProvider().check({}, props)

    assert result.failures == []
    assert result.inputs == {"user_id": USER, "target": "jane@example.com", "adopt": False}


def test_phone_property_bag_with_unknown_outputs_passes_check() -> None:
    props = declared_props(PHONE, None, {"user_id": USER, "region_code": "DE", "target": "+4915123456789"})
    props.update(contact_id=UNKNOWN, status=UNKNOWN)

    assert ContactPhoneNumberProvider().check({}, props).failures == []


# -- the contact set --------------------------------------------------------------------------

SET_OK: dict[str, Any] = {
    "user_id": USER,
    "emails": ["jane@example.com"],
    "phone_numbers": [{"target": "+4915123456789", "region_code": "DE", "primary": True}],
}
NUMBER = {"target": "0151 23456789", "region_code": "DE"}

# (id, what replaces the good set's properties, the property that must fail (Python name), a
# phrase one of its reasons must contain)
SET_BAD_INPUTS: list[tuple[str, dict[str, Any], str, str]] = [
    ("set-bad-email", {"emails": ["jane@example.com", "not-an-email"]}, "emails",
     "emails[1] 'not-an-email' is not a valid email address"),
    ("set-email-twice-in-other-case", {"emails": ["Jane@example.com", "jane@EXAMPLE.com"]}, "emails",
     "lists 'jane@example.com' twice (items 0 and 1, compared case-insensitively)"),
    ("set-email-not-a-string", {"emails": [42]}, "emails", "emails[0] must be a string"),
    ("set-bad-number", {"phone_numbers": [{"target": "call me", "region_code": "DE"}]}, "phone_numbers",
     "[0].target 'call me' is not a phone number"),
    ("set-number-twice-in-e164", {"phone_numbers": [NUMBER, {**NUMBER, "target": "+49 151 23456789"}]},
     "phone_numbers", "lists '+4915123456789' twice (items 0 and 1, compared in E.164)"),
    ("set-two-primaries",
     {"phone_numbers": [{**NUMBER, "primary": True}, {**NUMBER, "target": "030 123456", "primary": True}]},
     "phone_numbers", "marks 2 numbers primary (items 0, 1); ilert allows one primary number per user"),
    ("set-bad-region", {"phone_numbers": [{**NUMBER, "region_code": "XX"}]}, "phone_numbers",
     "is not a known ISO 3166-1 alpha-2 region code"),
    ("set-number-not-an-object", {"phone_numbers": ["+4915123456789"]}, "phone_numbers",
     "[0] must be an object with target"),
    ("set-number-unknown-field", {"phone_numbers": [{**NUMBER, "colour": "red"}]}, "phone_numbers",
     "[0].colour is not a field of a number"),
    ("set-bad-user", {"user_id": "abc"}, "user_id", "digits only"),
    ("set-flag-string", {"delete_on_destroy": "yes"}, "delete_on_destroy", "must be true or false"),
]


@pytest.mark.parametrize(
    ("changes", "prop", "phrase"), [row[1:] for row in SET_BAD_INPUTS], ids=[row[0] for row in SET_BAD_INPUTS]
)
def test_a_bad_set_is_refused_naming_the_property_and_the_reason_with_no_api_call(
    changes: dict[str, Any], prop: str, phrase: str, face: Face, admin_env: EmulatorAdmin
) -> None:
    spelled = face.spell(USER_CONTACTS, prop)

    result = face.check(USER_CONTACTS, {**SET_OK, **changes})

    reasons = [reason for failed, reason in result.every if failed == spelled]
    assert reasons, f"no failure for {spelled}: {result.every}"
    assert all(reason.startswith(f"UserContacts.{spelled}") for reason in reasons), reasons
    assert any(phrase in reason for reason in reasons), reasons
    assert total_requests(admin_env) == 0


def test_a_set_with_every_problem_reports_each_at_once(face: Face, admin_env: EmulatorAdmin) -> None:
    bad = {
        "user_id": USER,
        "emails": ["not-an-email", "Jane@example.com", "jane@EXAMPLE.com"],
        "phone_numbers": [
            {**NUMBER, "primary": True},
            {**NUMBER, "primary": True},
            {**NUMBER, "target": "x"},
        ],
    }

    result = face.check(USER_CONTACTS, bad)

    props = [failed for failed, _ in result.every]
    spelled = face.spell(USER_CONTACTS, "phone_numbers")
    assert props == ["emails", "emails", spelled, spelled, spelled], result.every
    assert total_requests(admin_env) == 0
