"""The contact set's core (``core.contact_set``) against the emulator, requests counted there.

What a user sees: a set makes the user's contacts of each managed kind exactly the listed ones
(adopting what exists, one list per kind), an update writes one request per difference, a refresh
shows hand-made changes, destroy forgets unless asked, import reads by user id, bad input fails
naming the property before any call, and a lost POST answer never duplicates.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import emulator_support
import pytest
from pulumi_ilert_contacts.core import contact_set, lifecycle
from pulumi_ilert_contacts.core.client import shared_client
from pulumi_ilert_contacts.core.directory import DIRECTORY
from pulumi_ilert_contacts.core.errors import IlertError, IlertNotFoundError
from pulumi_ilert_contacts.core.kinds import EMAIL
from pulumi_ilert_contacts.core.validation import UNKNOWN
from pulumi_ilert_contacts.emulator import EmulatorServer
from pulumi_ilert_contacts.emulator.admin_client import EmulatorAdmin

from .support import OTHER_USER, TOKEN, USER, emails_of, phones_of

LOGIN = emulator_support.login_email(USER)
MOBILE = {"target": "+4915123456789", "region_code": "DE", "primary": True}
DESK = {"target": "+4930123456", "region_code": "DE", "primary": False}


def writes(admin: EmulatorAdmin) -> dict[str, int]:
    counts = admin.request_counts()
    return {
        method: counts.get(method, 0) for method in ("GET", "POST", "PUT", "DELETE") if counts.get(method)
    }


def checked(props: dict[str, Any]) -> dict[str, Any]:
    outcome = contact_set.check(props)
    assert outcome.failures == []
    return outcome.inputs


def post(emulator: EmulatorServer, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    return emulator_support.api_post(emulator, TOKEN, USER, kind, body)


def new_process() -> None:
    """The next engine command: a new provider process, with no list remembered."""
    DIRECTORY.clear()


@pytest.fixture
def ilert(ilert_env: EmulatorServer) -> EmulatorServer:
    ilert_env.admin.reset_requests()
    return ilert_env


# -- check -------------------------------------------------------------------------------------


def test_check_normalises_each_target_as_the_single_resources_do() -> None:
    inputs = checked(
        {
            "user_id": 1234,
            "emails": ["Jane@EXAMPLE.com"],
            "phone_numbers": [{"target": "0151 23456789", "region_code": "de", "primary": True}],
        }
    )

    assert inputs == {
        "user_id": "1234",
        "emails": ["Jane@example.com"],
        "phone_numbers": [MOBILE],
        "delete_on_destroy": False,
    }


def test_check_names_the_property_of_each_bad_target_duplicate_and_extra_primary() -> None:
    outcome = contact_set.check(
        {
            "user_id": USER,
            "emails": ["a@example.com", "not-an-address", "A@Example.com"],
            "phone_numbers": [
                MOBILE,
                {"target": "+49 151 23456789", "region_code": "DE", "primary": True},
                {"target": "12", "region_code": "DE"},
                {"target": "+4930123456", "region_code": "DE", "colour": "red"},
            ],
        }
    )
    reasons = [(prop, reason) for prop, reason in outcome.failures]

    assert [prop for prop, _ in reasons] == ["emails"] * 2 + ["phone_numbers"] * 4
    text = "\n".join(reason for _, reason in reasons)
    assert "UserContacts.emails[1] 'not-an-address' is not a valid email address" in text
    assert (
        "UserContacts.emails lists 'A@example.com' twice (items 0 and 2, compared case-insensitively)" in text
    )
    assert "UserContacts.phone_numbers[2].target '12' is not a valid phone number for region DE" in text
    assert "UserContacts.phone_numbers[3].colour is not a field of a number" in text
    assert (
        "UserContacts.phone_numbers lists '+4915123456789' twice (items 0 and 1, compared in E.164)" in text
    )
    assert "UserContacts.phone_numbers marks 2 numbers primary (items 0, 1)" in text


def test_check_passes_unknown_elements_through() -> None:
    inputs = checked({"user_id": USER, "emails": [UNKNOWN, "a@example.com"], "phone_numbers": UNKNOWN})

    assert inputs["emails"] == [UNKNOWN, "a@example.com"]
    assert inputs["phone_numbers"] == UNKNOWN


def test_bad_input_fails_create_before_any_request(ilert: EmulatorServer) -> None:
    with pytest.raises(IlertError, match=r"UserContacts.emails\[0\]"):
        contact_set.create(shared_client(), {"user_id": USER, "emails": ["nope"]})

    assert ilert.admin.requests()["total"] == 0


# -- diff --------------------------------------------------------------------------------------


def test_lists_compare_as_sets_and_an_omitted_list_differs_from_an_empty_one() -> None:
    olds = checked({"user_id": USER, "emails": ["a@example.com", "b@example.com"], "phone_numbers": [MOBILE]})
    reordered = checked(
        {"user_id": USER, "emails": ["B@example.com", "a@example.com"], "phone_numbers": [MOBILE]}
    )

    assert contact_set.diff(olds, reordered).changed == []
    assert contact_set.diff(olds, {**reordered, "phone_numbers": None}).changed == ["phone_numbers"]
    assert contact_set.diff({**olds, "phone_numbers": None}, {**olds, "phone_numbers": []}).changed == [
        "phone_numbers"
    ]
    assert contact_set.diff(olds, {**olds, "phone_numbers": [{**MOBILE, "primary": False}]}).changed == [
        "phone_numbers"
    ]
    assert contact_set.diff(olds, {**olds, "delete_on_destroy": True}).changed == ["delete_on_destroy"]
    moved = contact_set.diff(olds, {**olds, "user_id": "5678"})
    assert moved.replaces == ["user_id"]
    assert moved.stables == []
    assert contact_set.diff(olds, {**olds, "emails": [UNKNOWN]}).changed == ["emails"]


# -- create ------------------------------------------------------------------------------------


def test_create_adopts_listed_contacts_posts_the_missing_and_deletes_the_unlisted(
    ilert: EmulatorServer,
) -> None:
    stray = post(ilert, "emails", {"target": "gmail.person@example.org"})
    desk = post(ilert, "phone-numbers", {"target": DESK["target"], "regionCode": "DE", "primary": True})
    ilert.admin.reset_requests()

    created = contact_set.create(
        shared_client(),
        {
            "user_id": USER,
            "emails": ["new@example.com", LOGIN.upper()],
            "phone_numbers": [MOBILE, {**DESK, "primary": False}],
        },
    )

    # One list per kind; the login email adopted as is; the desk number loses its primary to the
    # new mobile (no PUT of its own); the stray address deleted.
    assert writes(ilert.admin) == {"GET": 2, "POST": 2, "DELETE": 1}
    assert sorted(c["target"] for c in emails_of(ilert.admin, USER)) == ["new@example.com", LOGIN]
    phones = {c["target"]: c["primary"] for c in phones_of(ilert.admin, USER)}
    assert phones == {MOBILE["target"]: True, DESK["target"]: False}
    assert created.id == USER
    out = created.outputs
    assert out["emails"] == ["new@example.com", LOGIN.upper().replace("EXAMPLE.COM", "example.com")]
    assert [c["target"] for c in out["email_contacts"]] == out["emails"]
    assert all(c["status"] == "OK" and isinstance(c["contact_id"], int) for c in out["email_contacts"])
    assert [c["target"] for c in out["phone_number_contacts"]] == [MOBILE["target"], DESK["target"]]
    assert out["phone_number_contacts"][1]["contact_id"] == desk["id"]
    assert stray["id"] not in [c["contact_id"] for c in out["email_contacts"]]


def test_create_puts_only_where_primary_differs(ilert: EmulatorServer) -> None:
    post(ilert, "phone-numbers", {"target": MOBILE["target"], "regionCode": "DE", "primary": False})
    post(ilert, "phone-numbers", {"target": DESK["target"], "regionCode": "DE", "primary": False})
    ilert.admin.reset_requests()

    contact_set.create(shared_client(), {"user_id": USER, "phone_numbers": [DESK, MOBILE]})

    assert writes(ilert.admin) == {"GET": 1, "PUT": 1}
    assert {c["target"]: c["primary"] for c in phones_of(ilert.admin, USER)}[MOBILE["target"]] is True


def test_a_single_resource_deleted_after_a_set_took_its_contact_over_keeps_the_contact(
    ilert: EmulatorServer,
) -> None:
    # Moving a user from single resources to a set: the engine creates the set (which adopts the
    # contact), then deletes the single resource the program no longer declares.
    single = lifecycle.create(shared_client(), EMAIL, {"user_id": USER, "target": "jane@example.com"})
    contact_set.create(shared_client(), {"user_id": USER, "emails": ["jane@example.com", LOGIN]})
    ilert.admin.reset_requests()

    kept = lifecycle.delete(shared_client(), EMAIL, single.id)

    assert ilert.admin.requests()["total"] == 0
    assert kept is not None and "UserContacts set lists it" in kept and "jane@example.com" not in kept
    assert [c["id"] for c in emails_of(ilert.admin, USER) if c["target"] == "jane@example.com"] == [
        single.outputs["contact_id"]
    ]
    # A later command (a new process) deletes as asked: only a set of the same run keeps it.
    new_process()
    assert lifecycle.delete(shared_client(), EMAIL, single.id) is None
    assert writes(ilert.admin) == {"DELETE": 1}


def test_an_omitted_list_leaves_that_kind_alone_and_an_empty_one_deletes_it(ilert: EmulatorServer) -> None:
    post(ilert, "phone-numbers", {"target": DESK["target"], "regionCode": "DE"})
    ilert.admin.reset_requests()

    contact_set.create(shared_client(), {"user_id": USER, "phone_numbers": []})

    assert writes(ilert.admin) == {"GET": 1, "DELETE": 1}
    assert [c["target"] for c in emails_of(ilert.admin, USER)] == [LOGIN]
    assert phones_of(ilert.admin, USER) == []


def test_create_for_a_user_ilert_does_not_have_fails_naming_it(ilert: EmulatorServer) -> None:
    with pytest.raises(IlertNotFoundError, match="ilert has no user 999"):
        contact_set.create(shared_client(), {"user_id": "999", "emails": []})


def test_a_lost_post_answer_never_duplicates(ilert: EmulatorServer) -> None:
    ilert.admin.add_fault("POST", "drop_after", path="/emails")

    created = contact_set.create(shared_client(), {"user_id": USER, "emails": [LOGIN, "new@example.com"]})

    assert sorted(c["target"] for c in emails_of(ilert.admin, USER)) == ["new@example.com", LOGIN]
    assert writes(ilert.admin)["POST"] == 1
    assert len(created.outputs["email_contacts"]) == 2


# -- update ------------------------------------------------------------------------------------


def _made(ilert: EmulatorServer, props: dict[str, Any]) -> dict[str, Any]:
    outputs = contact_set.create(shared_client(), checked(props)).outputs
    new_process()
    ilert.admin.reset_requests()
    return outputs


def test_update_writes_one_request_per_difference(ilert: EmulatorServer) -> None:
    olds = _made(ilert, {"user_id": USER, "emails": [LOGIN, "a@example.com"], "phone_numbers": [MOBILE]})
    news = checked(
        {"user_id": USER, "emails": ["b@example.com", LOGIN], "phone_numbers": [{**MOBILE, "primary": False}]}
    )

    outputs = contact_set.update(shared_client(), olds, news)

    # A list per changed kind (the state may be stale), one POST, one DELETE, one PUT.
    assert writes(ilert.admin) == {"GET": 2, "POST": 1, "DELETE": 1, "PUT": 1}
    assert outputs["emails"] == ["b@example.com", LOGIN]
    assert sorted(c["target"] for c in emails_of(ilert.admin, USER)) == ["b@example.com", LOGIN]


def test_an_update_of_delete_on_destroy_or_an_unmanaged_list_calls_nothing(ilert: EmulatorServer) -> None:
    olds = _made(ilert, {"user_id": USER, "emails": [LOGIN], "phone_numbers": [MOBILE]})

    outputs = contact_set.update(
        shared_client(),
        olds,
        checked({"user_id": USER, "emails": [LOGIN], "phone_numbers": None, "delete_on_destroy": True}),
    )

    assert ilert.admin.requests()["total"] == 0
    assert outputs["email_contacts"] == olds["email_contacts"]
    assert len(phones_of(ilert.admin, USER)) == 1


def test_an_update_after_an_interrupted_one_converges_on_what_ilert_holds(ilert: EmulatorServer) -> None:
    olds = _made(ilert, {"user_id": USER, "emails": [LOGIN]})
    post(ilert, "emails", {"target": "half-way@example.com"})  # the interrupted update's POST landed
    ilert.admin.reset_requests()

    contact_set.update(
        shared_client(), olds, checked({"user_id": USER, "emails": [LOGIN, "half-way@example.com"]})
    )

    assert writes(ilert.admin) == {"GET": 1}
    assert len(emails_of(ilert.admin, USER)) == 2


# -- read, import, delete ----------------------------------------------------------------------


def test_refresh_lists_once_per_managed_kind_and_shows_hand_made_changes(ilert: EmulatorServer) -> None:
    olds = _made(ilert, {"user_id": USER, "emails": ["b@example.com", LOGIN]})
    login_id = olds["email_contacts"][1]["contact_id"]
    emulator_support.api_call(ilert, TOKEN, "DELETE", f"/users/{USER}/contacts/emails/{login_id}")
    post(ilert, "emails", {"target": "by-hand@example.org"})
    ilert.admin.reset_requests()

    observed = contact_set.observe(shared_client(), USER, olds)

    assert writes(ilert.admin) == {"GET": 1}
    assert observed is not None
    assert observed.outputs["emails"] == ["b@example.com", "by-hand@example.org"]
    assert "phone_numbers" not in observed.outputs
    assert contact_set.diff(
        observed.outputs, checked({"user_id": USER, "emails": [LOGIN, "b@example.com"]})
    ).changed == ["emails"]


def test_import_by_user_id_reads_both_kinds_with_no_write(ilert: EmulatorServer) -> None:
    post(ilert, "phone-numbers", {"target": MOBILE["target"], "regionCode": "DE", "primary": True})
    ilert.admin.reset_requests()

    observed = contact_set.observe(shared_client(), USER, {})

    assert writes(ilert.admin) == {"GET": 2}
    assert observed is not None
    assert observed.id == USER
    assert observed.inputs == {
        "user_id": USER,
        "emails": [LOGIN],
        "phone_numbers": [MOBILE],
        "delete_on_destroy": False,
    }
    declared = checked({"user_id": USER, "emails": [LOGIN], "phone_numbers": [MOBILE]})
    assert contact_set.diff(observed.outputs, declared).changed == []


def test_import_of_a_user_ilert_does_not_have_fails_and_a_refresh_of_one_drops_it(
    ilert: EmulatorServer,
) -> None:
    with pytest.raises(IlertNotFoundError, match="ilert has no user 999"):
        contact_set.observe(shared_client(), "999", {})
    with pytest.raises(IlertError, match="malformed contact set id 'jane'"):
        contact_set.observe(shared_client(), "jane", {})
    assert contact_set.observe(shared_client(), "999", {"user_id": "999", "emails": []}) is None


def test_destroy_forgets_unless_delete_on_destroy(ilert: EmulatorServer) -> None:
    olds = _made(ilert, {"user_id": USER, "emails": [LOGIN, "a@example.com"], "phone_numbers": [MOBILE]})
    post(ilert, "emails", {"target": "by-hand@example.org"})
    ilert.admin.reset_requests()

    contact_set.delete(shared_client(), USER, olds)
    assert ilert.admin.requests()["total"] == 0

    # One listed contact already gone counts as deleted; the hand-made one is not the set's.
    login_id = olds["email_contacts"][0]["contact_id"]
    emulator_support.api_call(ilert, TOKEN, "DELETE", f"/users/{USER}/contacts/emails/{login_id}")
    ilert.admin.reset_requests()
    contact_set.delete(shared_client(), USER, {**olds, "delete_on_destroy": True})

    assert writes(ilert.admin) == {"GET": 2, "DELETE": 2}
    assert [c["target"] for c in emails_of(ilert.admin, USER)] == ["by-hand@example.org"]
    assert phones_of(ilert.admin, USER) == []


# -- the preview's warning ---------------------------------------------------------------------


def test_the_preview_of_a_new_set_names_what_it_deletes_at_one_list_per_managed_kind(
    ilert: EmulatorServer,
) -> None:
    stray = post(ilert, "emails", {"target": "stray@example.org"})
    ilert.admin.reset_requests()

    warning = contact_set.deletion_warning(shared_client(), checked({"user_id": USER, "emails": [LOGIN]}))
    unknown = contact_set.deletion_warning(shared_client(), {"user_id": USER, "emails": [UNKNOWN]})
    nothing = contact_set.deletion_warning(
        shared_client(), {"user_id": USER, "emails": [LOGIN, stray["target"]]}
    )

    assert warning == (
        f"this new UserContacts set of user {USER} deletes 1 existing contact(s) it does not list: "
        f"email contact stray@example.org (id {stray['id']})"
    )
    assert unknown is not None and "may delete (some targets are not known yet) 2 existing" in unknown
    assert nothing is None
    assert writes(ilert.admin) == {"GET": 1}


def test_a_set_stopped_half_way_converges_on_the_next_create_with_no_duplicate(ilert: EmulatorServer) -> None:
    for n in range(3):
        post(ilert, "emails", {"target": f"old{n}@example.org"})
    ilert.admin.add_fault("DELETE", "status", status=400, path="/emails")  # one delete refused: the run stops
    wanted = {"user_id": USER, "emails": [LOGIN, "a@example.com", "b@example.com"]}

    with pytest.raises(IlertError):
        contact_set.create(shared_client(), wanted)
    new_process()
    ilert.admin.clear_faults()
    ilert.admin.reset_requests()
    contact_set.create(shared_client(), wanted)

    assert sorted(c["target"] for c in emails_of(ilert.admin, USER)) == [
        "a@example.com",
        "b@example.com",
        LOGIN,
    ]
    assert writes(ilert.admin) == {"GET": 1, "DELETE": 1}


def test_429_and_5xx_inside_a_set_are_retried_by_the_one_retry_layer(ilert: EmulatorServer) -> None:
    ilert.admin.add_fault("POST", "status", status=429, path="/emails", retry_after=0)
    ilert.admin.add_fault("GET", "status", status=503, path="/phone-numbers")

    contact_set.create(
        shared_client(), {"user_id": USER, "emails": [LOGIN, "a@example.com"], "phone_numbers": []}
    )

    log = [(e["method"], e["path"].rsplit("/", 1)[-1], e["status"]) for e in ilert.admin.requests()["log"]]
    assert log.count(("POST", "emails", 429)) == 1 and log.count(("POST", "emails", 201)) == 1
    assert log.count(("GET", "phone-numbers", 503)) == 1 and log.count(("GET", "phone-numbers", 200)) == 1
    assert sorted(c["target"] for c in emails_of(ilert.admin, USER)) == ["a@example.com", LOGIN]


# -- concurrency -------------------------------------------------------------------------------


def numbers(first: int, count: int) -> list[dict[str, Any]]:
    return [
        {"target": f"+491510000{n:04d}", "region_code": "DE", "primary": n == first}
        for n in range(first, first + count)
    ]


def test_a_sets_requests_overlap_at_most_writers_at_once_the_primary_number_first(
    ilert: EmulatorServer,
) -> None:
    # Every request answered 0.1 s late, so that the requests a set has in flight overlap at the
    # emulator, which counts the most it served at once.
    ilert.admin.add_fault("*", "delay", path="/contacts/", seconds=0.1, count=100)
    emails = [LOGIN, *(f"team{n}@example.com" for n in range(8))]

    created = contact_set.create(
        shared_client(), {"user_id": USER, "emails": emails, "phone_numbers": numbers(0, 5)}
    )

    stats = ilert.admin.requests()
    assert writes(ilert.admin) == {"GET": 2, "POST": 13}
    assert stats["peak_writes_in_flight"] == contact_set.WRITERS
    assert stats["peak_in_flight"] == contact_set.WRITERS
    # Both kinds listed at once.
    gets = [e for e in stats["log"] if e["method"] == "GET"]
    assert max(g["started"] for g in gets) < min(g["ended"] or 0 for g in gets)
    # The primary number is written before the other numbers (they lose their primary to it),
    # while the emails go on beside it.
    posts = [e for e in stats["log"] if e["method"] == "POST" and e["path"].endswith("/phone-numbers")]
    first, *rest = sorted(posts, key=lambda e: e["started"])
    assert all(e["started"] >= (first["ended"] or 0) for e in rest)
    assert [c["primary"] for c in created.outputs["phone_number_contacts"]] == [True] + [False] * 4
    assert {c["target"]: c["primary"] for c in phones_of(ilert.admin, USER)} == {
        n["target"]: n["primary"] for n in numbers(0, 5)
    }


def test_sets_created_at_once_keep_the_shared_rate_budget(
    ilert: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two sets at once, each with four writes in flight, against a key allowed 8 requests a second:
    # the budget paces them all, so ilert refuses none (no 429) and every contact is made once.
    ilert.admin.set_rate_limit(8, window=1.0)
    monkeypatch.setenv("ILERT_RATE_LIMIT", "8")
    sets = [
        {"user_id": user, "emails": [emulator_support.login_email(int(user)), f"{user}a@example.com"],
         "phone_numbers": numbers(first, 5)}
        for user, first in ((USER, 0), (OTHER_USER, 10))
    ]  # fmt: skip

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda props: contact_set.create(shared_client(), props), sets))

    statuses = [e["status"] for e in ilert.admin.requests()["log"]]
    assert statuses.count(429) == 0
    assert writes(ilert.admin) == {"GET": 4, "POST": 12}
    for props in sets:
        assert sorted(c["target"] for c in phones_of(ilert.admin, props["user_id"])) == sorted(
            n["target"] for n in props["phone_numbers"]
        )
