"""The 400s: request bodies the live API rejects, each with a message naming the problem."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_ilert_contacts.emulator import EmulatorAdmin

from .helpers import Api, emails, phones

GOOD_PHONE = {"target": "+4915112345678", "regionCode": "DE", "primary": False}


def _rejected(response: Any, mentions: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "BAD_REQUEST"
    assert mentions.lower() in body["message"].lower(), body["message"]


@pytest.mark.parametrize(
    ("raw", "mentions"),
    [
        ("not json", "valid JSON"),
        ("", "valid JSON"),
        ("[]", "JSON object"),
        ('"a@b.c"', "JSON object"),
        ("null", "JSON object"),
        (b"\xff\xfe", "valid JSON"),
    ],
)
@pytest.mark.parametrize("kind", ["emails", "phones"])
def test_a_body_that_is_not_a_json_object_is_rejected(api: Api, raw: str, mentions: str, kind: str) -> None:
    path = emails() if kind == "emails" else phones()
    headers = {"Content-Type": "application/json"}
    _rejected(api.post(path, data=raw, headers=headers), mentions)
    existing = api.get(path).json()
    if existing:
        _rejected(api.put(f"{path}/{existing[0]['id']}", data=raw, headers=headers), mentions)


BAD_EMAIL_TARGETS = [
    ({}, "target is required"),
    ({"target": None}, "target is required"),
    ({"target": 5}, "must be a string"),
    ({"target": ["a@example.com"]}, "must be a string"),
    ({"target": ""}, "must not be empty"),
    ({"target": "   "}, "must not be empty"),
    ({"target": "a" * 244 + "@example.com"}, "at most 255"),
    ({"target": "no-at-sign.example.com"}, "not a valid email"),
    ({"target": "@example.com"}, "not a valid email"),
    ({"target": "user@"}, "not a valid email"),
    ({"target": "a@b@example.com"}, "not a valid email"),
]


@pytest.mark.parametrize(("body", "mentions"), BAD_EMAIL_TARGETS)
def test_a_bad_email_target_is_rejected_on_create_and_update(
    api: Api, admin: EmulatorAdmin, body: dict[str, Any], mentions: str
) -> None:
    before = admin.contacts()
    _rejected(api.post(emails(), json=body), mentions)
    login = api.get(emails()).json()[0]
    _rejected(api.put(emails(contact_id=login["id"]), json=body), mentions)
    assert admin.contacts() == before


def test_an_email_target_of_exactly_255_characters_is_accepted(api: Api) -> None:
    target = "a" * 243 + "@example.com"
    assert len(target) == 255
    assert api.post(emails(), json={"target": target}).status_code == 201


BAD_PHONES = [
    ({**GOOD_PHONE, "target": None}, "target is required"),
    ({"regionCode": "DE"}, "target is required"),
    ({**GOOD_PHONE, "target": 4915112345678}, "must be a string"),
    ({**GOOD_PHONE, "target": ""}, "must not be empty"),
    ({**GOOD_PHONE, "target": "4915112345678"}, "E.164"),
    ({**GOOD_PHONE, "target": "+04915112345678"}, "E.164"),
    ({**GOOD_PHONE, "target": "+49 151 12345678"}, "E.164"),
    ({**GOOD_PHONE, "target": "+49-151-12345678"}, "E.164"),
    ({**GOOD_PHONE, "target": "+123456"}, "E.164"),
    ({**GOOD_PHONE, "target": "+1234567890123456"}, "E.164"),
    ({**GOOD_PHONE, "target": "+4915112345678\n"}, "E.164"),
    ({**GOOD_PHONE, "target": "+49\u0661\u0665\u066112345678"}, "E.164"),
    ({**GOOD_PHONE, "target": "+" + "1" * 300}, "at most 255"),
    ({"target": "+4915112345678", "primary": False}, "regionCode is required"),
    ({**GOOD_PHONE, "regionCode": None}, "regionCode is required"),
    ({**GOOD_PHONE, "regionCode": "de"}, "regionCode must be"),
    ({**GOOD_PHONE, "regionCode": "DEU"}, "regionCode must be"),
    ({**GOOD_PHONE, "regionCode": "D"}, "regionCode must be"),
    ({**GOOD_PHONE, "regionCode": 49}, "regionCode must be"),
    ({**GOOD_PHONE, "primary": "true"}, "primary must be a boolean"),
    ({**GOOD_PHONE, "primary": 1}, "primary must be a boolean"),
]


@pytest.mark.parametrize(("body", "mentions"), BAD_PHONES)
def test_a_bad_phone_number_is_rejected_on_create_and_update(
    api: Api, admin: EmulatorAdmin, body: dict[str, Any], mentions: str
) -> None:
    existing = api.post(phones(), json=GOOD_PHONE).json()
    before = admin.contacts()
    _rejected(api.post(phones(), json=body), mentions)
    _rejected(api.put(phones(contact_id=existing["id"]), json=body), mentions)
    assert admin.contacts() == before


def test_a_phone_body_without_primary_is_accepted_on_create_and_update(api: Api) -> None:
    # ilert's own clients (ilert-go, the Terraform provider) never send primary.
    body = {"target": "+4915112345678", "regionCode": "DE"}
    created = api.post(phones(), json=body)
    assert created.status_code == 201, created.text
    updated = api.put(phones(contact_id=created.json()["id"]), json=body)
    assert updated.status_code == 200, updated.text


@pytest.mark.parametrize("operation", ["post", "put"])
def test_primary_null_counts_as_false(api: Api, operation: str) -> None:
    body = {**GOOD_PHONE, "primary": None}
    if operation == "post":
        answer = api.post(phones(), json=body)
    else:
        phone = api.post(phones(), json={**GOOD_PHONE, "primary": True}).json()
        answer = api.put(phones(contact_id=phone["id"]), json=body)
    assert answer.status_code in (200, 201), answer.text
    assert answer.json()["primary"] is False


def test_the_spec_does_not_require_primary_in_a_phone_body(spec: dict[str, Any]) -> None:
    body_schema = spec["components"]["schemas"]["ContactPhoneNumberPost"]
    assert "primary" in body_schema["properties"]
    assert "primary" not in body_schema.get("required", [])


@pytest.mark.parametrize("target", ["+1234567", "+123456789012345", "+4915112345678"])
def test_e164_numbers_of_7_to_15_digits_are_accepted(api: Api, target: str) -> None:
    assert api.post(phones(), json={**GOOD_PHONE, "target": target}).status_code == 201
