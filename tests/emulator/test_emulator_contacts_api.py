"""The emulated contacts API: CRUD, status codes, authentication, 404s and the rules the
live API enforces (unique targets, one primary phone, status not client-settable)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pulumi_ilert_contacts.emulator import EmulatorAdmin

from .helpers import OTHER_USER, USER, Api, SpecValidator, emails, phones

PHONE = {"target": "+4915112345678", "regionCode": "DE", "primary": False}


def _phone(target: str, primary: bool = False, region: str = "DE") -> dict[str, object]:
    return {"target": target, "regionCode": region, "primary": primary}


# -- emails -------------------------------------------------------------------------------


def test_a_seeded_user_already_has_its_login_email(api: Api) -> None:
    response = api.get(emails())
    assert response.status_code == 200
    assert [(e["target"], e["status"]) for e in response.json()] == [("user1001@example.com", "OK")]


def test_email_create_read_update_delete(api: Api) -> None:
    created = api.post(emails(), json={"target": "oncall@example.com"})
    assert created.status_code == 201
    email = created.json()
    assert email["target"] == "oncall@example.com"
    assert email["status"] == "OK"

    fetched = api.get(emails(contact_id=email["id"]))
    assert fetched.status_code == 200
    assert fetched.json() == email
    assert email in api.get(emails()).json()

    updated = api.put(emails(contact_id=email["id"]), json={"target": "pager@example.com"})
    assert updated.status_code == 200
    assert updated.json() == {"id": email["id"], "target": "pager@example.com", "status": "OK"}
    assert api.get(emails(contact_id=email["id"])).json()["target"] == "pager@example.com"

    deleted = api.delete(emails(contact_id=email["id"]))
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert api.get(emails(contact_id=email["id"])).status_code == 404
    assert email["id"] not in [e["id"] for e in api.get(emails()).json()]


def test_list_is_a_plain_array_of_every_contact_oldest_first(api: Api) -> None:
    for n in range(30):
        assert api.post(emails(), json={"target": f"person{n}@example.com"}).status_code == 201
    listed = api.get(emails()).json()
    assert isinstance(listed, list)
    assert len(listed) == 31
    assert [e["id"] for e in listed] == sorted(e["id"] for e in listed)


def test_the_client_cannot_set_status_or_id(api: Api) -> None:
    email = api.post(emails(), json={"target": "a@example.com", "status": "LOCKED", "id": 1}).json()
    assert email["status"] == "OK"
    assert email["id"] != 1
    updated = api.put(
        emails(contact_id=email["id"]), json={"target": "a@example.com", "status": "BLACKLISTED"}
    )
    assert updated.json()["status"] == "OK"


# -- phone numbers ------------------------------------------------------------------------


def test_phone_create_read_update_delete(api: Api) -> None:
    created = api.post(phones(), json=PHONE)
    assert created.status_code == 201
    phone = created.json()
    assert phone == {**PHONE, "id": phone["id"], "status": "OK"}

    assert api.get(phones(contact_id=phone["id"])).json() == phone
    assert api.get(phones()).json() == [phone]

    replacement = _phone("+14155550123", primary=True, region="US")
    updated = api.put(phones(contact_id=phone["id"]), json=replacement)
    assert updated.status_code == 200
    assert updated.json() == {**replacement, "id": phone["id"], "status": "OK"}

    deleted = api.delete(phones(contact_id=phone["id"]))
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert api.get(phones()).json() == []


def test_phone_post_without_primary_creates_a_non_primary_number(api: Api) -> None:
    primary = api.post(phones(), json=_phone("+4915111111111", primary=True)).json()
    created = api.post(phones(), json={"target": "+4915112345678", "regionCode": "DE"})
    assert created.status_code == 201
    assert created.json()["primary"] is False
    stored = {p["id"]: p["primary"] for p in api.get(phones()).json()}
    assert stored == {primary["id"]: True, created.json()["id"]: False}


def test_phone_put_without_primary_clears_the_primary_flag(api: Api) -> None:
    # PUT replaces every field: a field left out takes its default, as for a new number.
    phone = api.post(phones(), json=_phone("+4915111111111", primary=True)).json()
    updated = api.put(
        phones(contact_id=phone["id"]), json={"target": "+4915111111111", "regionCode": "DE"}
    )
    assert updated.status_code == 200
    assert updated.json() == {**_phone("+4915111111111"), "id": phone["id"], "status": "OK"}
    assert api.get(phones(contact_id=phone["id"])).json()["primary"] is False


def test_a_new_primary_phone_takes_primary_from_the_old_one(api: Api) -> None:
    first = api.post(phones(), json=_phone("+4915111111111", primary=True)).json()
    second = api.post(phones(), json=_phone("+4915122222222", primary=True)).json()
    assert second["primary"] is True
    assert api.get(phones(contact_id=first["id"])).json()["primary"] is False


def test_updating_a_phone_to_primary_clears_the_others_of_that_user_only(api: Api) -> None:
    first = api.post(phones(), json=_phone("+4915111111111", primary=True)).json()
    second = api.post(phones(), json=_phone("+4915122222222")).json()
    elsewhere = api.post(phones(OTHER_USER), json=_phone("+4915133333333", primary=True)).json()

    api.put(phones(contact_id=second["id"]), json=_phone("+4915122222222", primary=True))

    primaries = {p["id"]: p["primary"] for p in api.get(phones()).json()}
    assert primaries == {first["id"]: False, second["id"]: True}
    assert api.get(phones(OTHER_USER, elsewhere["id"])).json()["primary"] is True


def test_unsetting_primary_leaves_no_primary_phone(api: Api) -> None:
    phone = api.post(phones(), json=_phone("+4915111111111", primary=True)).json()
    api.put(phones(contact_id=phone["id"]), json=_phone("+4915111111111", primary=False))
    assert [p["primary"] for p in api.get(phones()).json()] == [False]


def test_email_and_phone_ids_come_from_one_sequence_and_are_never_reused(api: Api) -> None:
    email = api.post(emails(), json={"target": "a@example.com"}).json()
    phone = api.post(phones(), json=PHONE).json()
    assert phone["id"] > email["id"]
    api.delete(phones(contact_id=phone["id"]))
    again = api.post(phones(), json=PHONE).json()
    assert again["id"] > phone["id"]


# -- duplicates ---------------------------------------------------------------------------


def test_a_second_email_with_the_same_target_is_rejected(api: Api) -> None:
    api.post(emails(), json={"target": "a@example.com"})
    duplicate = api.post(emails(), json={"target": "a@example.com"})
    assert duplicate.status_code == 400
    assert duplicate.json()["code"] == "DUPLICATE_CONTACT"
    assert "a@example.com" in duplicate.json()["message"]
    assert [e["target"] for e in api.get(emails()).json()].count("a@example.com") == 1


def test_email_duplicates_are_found_regardless_of_case(api: Api) -> None:
    api.post(emails(), json={"target": "a@example.com"})
    assert api.post(emails(), json={"target": "A@Example.COM"}).json()["code"] == "DUPLICATE_CONTACT"


def test_the_login_email_counts_as_an_existing_target(api: Api) -> None:
    response = api.post(emails(), json={"target": "user1001@example.com"})
    assert response.status_code == 400
    assert response.json()["code"] == "DUPLICATE_CONTACT"


def test_a_second_phone_with_the_same_target_is_rejected(api: Api) -> None:
    api.post(phones(), json=PHONE)
    duplicate = api.post(phones(), json={**PHONE, "primary": True})
    assert duplicate.status_code == 400
    assert duplicate.json()["code"] == "DUPLICATE_CONTACT"
    assert duplicate.json()["message"] == "The user already has a phone number +4915112345678"


def test_the_duplicate_email_message_reads_an_email(api: Api) -> None:
    duplicate = api.post(emails(), json={"target": "user1001@example.com"})
    assert duplicate.json()["message"] == "The user already has an email user1001@example.com"


def test_another_user_may_have_the_same_target(api: Api) -> None:
    api.post(emails(), json={"target": "shared@example.com"})
    assert api.post(emails(OTHER_USER), json={"target": "shared@example.com"}).status_code == 201
    api.post(phones(), json=PHONE)
    assert api.post(phones(OTHER_USER), json=PHONE).status_code == 201


def test_updating_to_a_target_another_contact_has_is_rejected(api: Api) -> None:
    api.post(emails(), json={"target": "a@example.com"})
    b = api.post(emails(), json={"target": "b@example.com"}).json()
    response = api.put(emails(contact_id=b["id"]), json={"target": "a@example.com"})
    assert response.status_code == 400
    assert response.json()["code"] == "DUPLICATE_CONTACT"
    assert api.get(emails(contact_id=b["id"])).json()["target"] == "b@example.com"


def test_updating_a_contact_to_its_own_target_is_fine(api: Api) -> None:
    phone = api.post(phones(), json=PHONE).json()
    response = api.put(phones(contact_id=phone["id"]), json={**PHONE, "primary": True})
    assert response.status_code == 200
    assert response.json()["primary"] is True


# -- status -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["LOCKED", "BLACKLISTED"])
def test_an_update_keeps_a_status_set_by_ilert(api: Api, admin: EmulatorAdmin, status: str) -> None:
    email = api.post(emails(), json={"target": "a@example.com"}).json()
    phone = api.post(phones(), json=PHONE).json()
    admin.set_status(email["id"], status)
    admin.set_status(phone["id"], status)

    assert api.get(emails(contact_id=email["id"])).json()["status"] == status
    updated_email = api.put(emails(contact_id=email["id"]), json={"target": "b@example.com"}).json()
    updated_phone = api.put(phones(contact_id=phone["id"]), json=_phone("+4915199999999")).json()
    assert (updated_email["status"], updated_phone["status"]) == (status, status)
    assert updated_email["target"] == "b@example.com"


# -- not found ----------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["9999", "abc", "1001x", "-1001"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_unknown_or_non_numeric_user_is_not_found(api: Api, user: str, method: str) -> None:
    for path in (emails(user), phones(user)):
        body = PHONE if "phone" in path else {"target": "a@example.com"}
        response = api.request(method, path, json=body if method == "POST" else None)
        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_an_unknown_contact_id_is_not_found(api: Api, method: str) -> None:
    for contact_id in ("999999", "abc"):
        response = api.request(method, emails(contact_id=contact_id), json={"target": "a@example.com"})
        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_another_users_contact_is_not_found(api: Api, method: str) -> None:
    theirs = api.post(phones(OTHER_USER), json=PHONE).json()
    response = api.request(method, phones(USER, theirs["id"]), json=PHONE)
    assert response.status_code == 404
    assert api.get(phones(OTHER_USER, theirs["id"])).json() == theirs


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
def test_a_contact_of_the_other_kind_is_not_found(api: Api, method: str) -> None:
    email = api.post(emails(), json={"target": "a@example.com"}).json()
    response = api.request(method, phones(contact_id=email["id"]), json=PHONE)
    assert response.status_code == 404
    assert api.get(emails(contact_id=email["id"])).json() == email


def test_a_missing_contact_is_not_found_even_with_an_invalid_body(api: Api) -> None:
    assert api.put(emails(contact_id=999999), data="not json").status_code == 404


def test_unknown_api_paths_and_methods_answer_in_the_error_format(api: Api) -> None:
    assert api.get("/users/1001/contacts/faxes").status_code == 404
    assert api.get("/nothing-here").status_code == 404
    not_allowed = api.request("PATCH", emails(contact_id=1), json={})
    assert not_allowed.status_code == 405
    assert set(not_allowed.headers["Allow"].split(", ")) >= {"GET", "PUT", "DELETE"}


# -- authentication -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization", [None, "", "test-token", "Token test-token", "Bearer", "Bearer   ", "Basic dGVzdA=="]
)
def test_a_missing_or_malformed_authorization_header_is_401(api: Api, authorization: str | None) -> None:
    client = api.with_token(None)
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = client.get(emails(), headers=headers)
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED"


def test_a_wrong_api_key_is_403_key_error(api: Api) -> None:
    for method, path in (("GET", emails()), ("POST", phones()), ("DELETE", emails(contact_id=1))):
        response = api.with_token("wrong-token").request(method, path, json=PHONE)
        assert response.status_code == 403
        assert response.json()["code"] == "KEY_ERROR"
    assert api.get(emails(contact_id=1)).status_code == 200, "nothing was deleted"


def test_authentication_comes_before_looking_up_the_user(api: Api) -> None:
    assert api.with_token(None).get(emails(9999)).status_code == 401
    assert api.with_token("wrong").get(emails(9999)).status_code == 403


def test_the_bearer_scheme_is_case_insensitive(api: Api) -> None:
    response = api.with_token(None).get(emails(), headers={"Authorization": "bearer test-token"})
    assert response.status_code == 200


def test_every_documented_operation_answers_as_the_spec_says(api: Api, validator: SpecValidator) -> None:
    """A tour through all ten operations; the Api client validates each answer."""
    tour: list[tuple[Callable[..., str], dict[str, object]]] = [
        (emails, {"target": "tour@example.com"}),
        (phones, PHONE),
    ]
    for path, body in tour:
        assert api.get(path()).status_code == 200
        created = api.post(path(), json=body).json()
        assert api.get(path(contact_id=created["id"])).status_code == 200
        assert api.put(path(contact_id=created["id"]), json=body).status_code == 200
        assert api.delete(path(contact_id=created["id"])).status_code == 204
    assert validator.covered == validator.documented()
