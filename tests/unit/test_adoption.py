"""Adopting existing contacts at one list per (user, kind), with writes written through.

What a user sees: adopting N contacts of U users (``adopt=True`` or the recovery switch) costs one
GET per (user, kind) and no write where nothing differs; a write keeps the process's list right
instead of dropping it; and concurrent creates of one target never make two contacts.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import emulator_support
import pytest
from pulumi_ilert_contacts import ContactEmailProvider, ContactPhoneNumberProvider, IlertValidationError
from pulumi_ilert_contacts.core.directory import DIRECTORY
from pulumi_ilert_contacts.dynamic.provider import ContactProvider
from pulumi_ilert_contacts.emulator import EmulatorServer
from pulumi_ilert_contacts.emulator.admin_client import EmulatorAdmin

from .support import OTHER_USER, TOKEN, USER, emails_of, phones_of

USERS = (USER, OTHER_USER)
EMAILS_PER_USER = 4  # besides the login email every seeded user has
PHONES_PER_USER = 5


def api_post(emulator: EmulatorServer, user_id: str, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """Create a contact through the API, as someone in the ilert UI (another process) would."""
    return emulator_support.api_post(emulator, TOKEN, user_id, kind, body)


def phone_number(user_id: str, n: int) -> str:
    return f"+4915123{int(user_id):04d}{n:02d}"


def create_email(target: str, *, adopt: bool = True, user_id: str = USER) -> str:
    """Create (or adopt) an email contact through the provider; its resource id."""
    email = ContactEmailProvider()
    inputs = email.check({}, {"user_id": user_id, "target": target, "adopt": adopt}).inputs
    return str(email.create(inputs).id)


@pytest.fixture
def seeded(ilert_env: EmulatorServer) -> EmulatorServer:
    """Each user: the login email, four more, five numbers (the first one primary)."""
    for user in USERS:
        for n in range(EMAILS_PER_USER):
            api_post(ilert_env, user, "emails", {"target": f"oncall{n}.{user}@example.com"})
        for n in range(PHONES_PER_USER):
            api_post(
                ilert_env,
                user,
                "phone-numbers",
                {"target": phone_number(user, n), "regionCode": "DE", "primary": n == 0},
            )
    ilert_env.admin.reset_requests()
    return ilert_env


def declarations(admin: EmulatorAdmin, *, adopt: bool) -> list[tuple[ContactProvider, dict[str, Any]]]:
    """What a generated program declares for every contact the emulator holds, checked."""
    contacts = admin.contacts()
    declared: list[tuple[ContactProvider, dict[str, Any]]] = []
    email, phone = ContactEmailProvider(), ContactPhoneNumberProvider()
    for e in contacts["emails"]:
        declared.append((email, {"user_id": e["user_id"], "target": e["target"], "adopt": adopt}))
    for p in contacts["phone_numbers"]:
        news = {
            "user_id": p["user_id"],
            "region_code": p["regionCode"],
            "target": p["target"],
            "primary": p["primary"],
            "adopt": adopt,
        }
        declared.append((phone, news))
    checked = []
    for provider, news in declared:
        result = provider.check({}, news)
        assert result.failures == []
        checked.append((provider, result.inputs))
    return checked


def create_all(declared: list[tuple[ContactProvider, dict[str, Any]]], workers: int) -> list[str]:
    """Create every declaration as the engine does: ``workers`` provider calls at once."""

    def create(item: tuple[ContactProvider, dict[str, Any]]) -> str:
        provider, inputs = item
        return str(provider.create(inputs).id)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(create, declared))


def live_ids(admin: EmulatorAdmin) -> set[str]:
    contacts = admin.contacts()
    return {f"{c['user_id']}:{c['id']}" for kind in ("emails", "phone_numbers") for c in contacts[kind]}


def writes(admin: EmulatorAdmin) -> dict[str, int]:
    counts = admin.request_counts()
    return {method: counts[method] for method in ("POST", "PUT", "DELETE")}


# -- the request bound ---------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 4, 16])
def test_adopting_every_contact_lists_each_user_and_kind_once_and_writes_nothing(
    seeded: EmulatorServer, workers: int
) -> None:
    admin = seeded.admin
    before = admin.contacts()
    declared = declarations(admin, adopt=True)
    assert len(declared) == len(USERS) * (1 + EMAILS_PER_USER + PHONES_PER_USER)
    admin.reset_requests()

    ids = create_all(declared, workers)

    assert admin.request_counts()["GET"] == 2 * len(USERS)
    assert writes(admin) == {"POST": 0, "PUT": 0, "DELETE": 0}
    assert set(ids) == live_ids(admin)
    assert admin.contacts() == before


def test_recovery_switch_adopts_at_one_list_per_user_and_kind_and_puts_only_what_differs(
    seeded: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = seeded.admin
    monkeypatch.setenv("ILERT_ADOPT_EXISTING", "true")
    declared = declarations(admin, adopt=False)
    # The program moves OTHER_USER's primary flag from the first number to the second: those two
    # contacts differ, every other one is adopted as it is.
    moved = phone_number(OTHER_USER, 1)
    first = phone_number(OTHER_USER, 0)
    for _, inputs in declared:
        if inputs["user_id"] == OTHER_USER and inputs.get("target") in (moved, first):
            inputs["primary"] = inputs["target"] == moved
    # In this order (first number first) both PUT; the other order saves one (next test).
    admin.reset_requests()

    ids = create_all(declared, workers=1)

    assert admin.request_counts()["GET"] == 2 * len(USERS)
    assert writes(admin) == {"POST": 0, "PUT": 2, "DELETE": 0}
    assert set(ids) == live_ids(admin)
    primaries = sorted(p["target"] for p in phones_of(admin, OTHER_USER) if p["primary"])
    assert primaries == [moved]


def test_adopting_after_a_primary_moved_reads_the_flag_from_the_written_through_list(
    seeded: EmulatorServer,
) -> None:
    # The PUT that makes the second number primary clears the first in ilert; the cached list
    # must say so too, or adopting the first (declared not primary) would PUT it needlessly.
    admin = seeded.admin
    phone = ContactPhoneNumberProvider()

    def adopt(n: int, primary: bool) -> None:
        news = {"user_id": USER, "region_code": "DE", "target": phone_number(USER, n), "primary": primary}
        phone.create(phone.check({}, {**news, "adopt": True}).inputs)

    adopt(1, primary=True)
    adopt(0, primary=False)

    assert admin.request_counts()["GET"] == 1
    assert writes(admin) == {"POST": 0, "PUT": 1, "DELETE": 0}
    assert [p["target"] for p in phones_of(admin, USER) if p["primary"]] == [phone_number(USER, 1)]


# -- write-through -------------------------------------------------------------------------------


def test_creates_updates_and_deletes_keep_the_cached_list_right_without_refetching(
    seeded: EmulatorServer,
) -> None:
    admin = seeded.admin
    email = ContactEmailProvider()

    def inputs(target: str, adopt: bool = False) -> dict[str, Any]:
        return email.check({}, {"user_id": USER, "target": target, "adopt": adopt}).inputs

    adopted = email.create(inputs(f"oncall0.{USER}@example.com", adopt=True))  # lists once
    created = email.create(inputs("new@example.com"))
    updated = email.update(adopted.id, adopted.outs, inputs("renamed@example.com"))
    assert updated.outs is not None
    gone = email.create(inputs(f"oncall1.{USER}@example.com", adopt=True))
    email.delete(gone.id, gone.outs)
    # A second resource adopting the contact the first one created finds it in the list.
    again = email.create(inputs("new@example.com", adopt=True))
    reads = {target: email.read(c.id, c.outs) for target, c in (("new", created), ("renamed", adopted))}
    read_gone = email.read(gone.id, gone.outs)

    assert admin.request_counts()["GET"] == 1
    assert writes(admin) == {"POST": 1, "PUT": 1, "DELETE": 1}
    assert again.id == created.id
    assert reads["renamed"].outs["target"] == "renamed@example.com"
    assert reads["new"].id == created.id
    assert read_gone.id == ""


def test_a_list_older_than_the_ttl_is_fetched_again(
    seeded: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = seeded.admin
    email = ContactEmailProvider()
    monkeypatch.setattr(DIRECTORY, "ttl", 0.0)
    for n in range(2):
        target = f"oncall{n}.{USER}@example.com"
        email.create(email.check({}, {"user_id": USER, "target": target, "adopt": True}).inputs)

    assert admin.request_counts()["GET"] == 2


# -- where correctness needs a fresh list --------------------------------------------------------


def test_adopting_a_contact_made_elsewhere_since_the_list_takes_it_after_the_duplicate_refusal(
    seeded: EmulatorServer,
) -> None:
    admin = seeded.admin
    create_email(f"oncall0.{USER}@example.com")  # the list is cached now
    made_elsewhere = api_post(seeded, USER, "emails", {"target": "elsewhere@example.com"})
    admin.reset_requests()

    adopted = create_email("elsewhere@example.com")

    assert adopted == f"{USER}:{made_elsewhere['id']}"
    log = [(e["method"], e["status"]) for e in admin.requests()["log"]]
    assert log == [("POST", 400), ("GET", 200)]
    assert [c["target"] for c in emails_of(admin, USER)].count("elsewhere@example.com") == 1


def test_lost_create_answer_with_a_cached_list_looks_up_afresh_and_makes_no_duplicate(
    seeded: EmulatorServer,
) -> None:
    admin = seeded.admin
    create_email(f"oncall0.{USER}@example.com")  # the list is cached now
    admin.reset_requests()
    admin.add_fault("POST", "drop_after")

    created = create_email("lost@example.com")

    assert [(e["method"], e["status"]) for e in admin.requests()["log"]] == [("POST", None), ("GET", 200)]
    matching = [c for c in emails_of(admin, USER) if c["target"] == "lost@example.com"]
    assert [f"{USER}:{c['id']}" for c in matching] == [created]


def test_adopting_a_contact_deleted_elsewhere_since_the_list_creates_it_again(
    seeded: EmulatorServer,
) -> None:
    admin = seeded.admin
    phone = ContactPhoneNumberProvider()
    target = phone_number(USER, 3)

    def adopt(n: int, primary: bool) -> str:
        news = {"user_id": USER, "region_code": "DE", "target": phone_number(USER, n), "primary": primary}
        return str(phone.create(phone.check({}, {**news, "adopt": True}).inputs).id)

    adopt(0, primary=True)  # the list is cached now
    [doomed] = [p for p in phones_of(admin, USER) if p["target"] == target]
    emulator_support.api_call(seeded, TOKEN, "DELETE", f"/users/{USER}/contacts/phone-numbers/{doomed['id']}")
    admin.reset_requests()

    adopted = adopt(3, primary=True)  # differs: a PUT, which finds the contact gone

    assert [(e["method"], e["status"]) for e in admin.requests()["log"]] == [("PUT", 404), ("POST", 201)]
    [again] = [p for p in phones_of(admin, USER) if p["target"] == target]
    assert adopted == f"{USER}:{again['id']}" and again["primary"]


# -- concurrency ---------------------------------------------------------------------------------


def _race(create: Callable[[], str], times: int) -> list[str | Exception]:
    def attempt(_: int) -> str | Exception:
        try:
            return create()
        except IlertValidationError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=times) as pool:
        return list(pool.map(attempt, range(times)))


@pytest.mark.parametrize("listed_first", [False, True])
def test_concurrent_adopting_creates_of_one_target_make_one_contact(
    seeded: EmulatorServer, listed_first: bool
) -> None:
    admin = seeded.admin
    email = ContactEmailProvider()
    if listed_first:
        create_email(f"oncall0.{USER}@example.com")
    inputs = email.check({}, {"user_id": USER, "target": "race@example.com", "adopt": True}).inputs
    admin.reset_requests()

    results = _race(lambda: str(email.create(dict(inputs)).id), times=8)

    matching = [c for c in emails_of(admin, USER) if c["target"] == "race@example.com"]
    assert len(matching) == 1
    assert results == [f"{USER}:{matching[0]['id']}"] * 8
    assert admin.request_counts()["POST"] == 1
    assert admin.request_counts()["GET"] == (0 if listed_first else 1)


def test_concurrent_plain_creates_of_one_target_make_one_contact_and_refuse_the_rest(
    seeded: EmulatorServer,
) -> None:
    admin = seeded.admin
    email = ContactEmailProvider()
    inputs = email.check({}, {"user_id": USER, "target": "race@example.com"}).inputs

    results = _race(lambda: str(email.create(dict(inputs)).id), times=6)

    matching = [c for c in emails_of(admin, USER) if c["target"] == "race@example.com"]
    assert len(matching) == 1
    assert results.count(f"{USER}:{matching[0]['id']}") == 1
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 5
    assert all("set adopt to true" in str(r) for r in refused)


def test_concurrent_creates_of_many_targets_of_one_user_with_adopt_list_once(
    seeded: EmulatorServer,
) -> None:
    # Half the targets exist, half are new: one list, one POST per new target, no PUT.
    admin = seeded.admin
    email = ContactEmailProvider()
    targets = [f"oncall{n}.{USER}@example.com" for n in range(EMAILS_PER_USER)]
    targets += [f"fresh{n}@example.com" for n in range(EMAILS_PER_USER)]
    declared: list[tuple[ContactProvider, dict[str, Any]]] = [
        (email, email.check({}, {"user_id": USER, "target": t, "adopt": True}).inputs) for t in targets
    ]

    ids = create_all(declared, workers=8)

    assert len(set(ids)) == len(targets)
    assert admin.request_counts()["GET"] == 1
    assert writes(admin) == {"POST": EMAILS_PER_USER, "PUT": 0, "DELETE": 0}
    assert len(emails_of(admin, USER)) == 1 + 2 * EMAILS_PER_USER
