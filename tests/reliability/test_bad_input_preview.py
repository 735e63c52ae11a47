"""Bad input through the real engine: `pulumi preview` refuses it, naming the resource, the
property and the reason, before any API call and without touching the state.

tests/unit/test_bad_input.py pins the same rules on ``check()`` alone; here every case goes
through the engine, so what is pinned is what a user sees. The engine stops at the first invalid
resource and does not report the others, but it does print every failing property of that one
resource. So cases on different properties of the same kind share a resource (and a preview),
and no resource has two bad values for one property: see ``pack``. One stack serves the table,
its program rewritten between previews.

The contact set (``UserContacts``) has a table of its own (``SET_CASES``): one set holding every
bad element at once (the engine prints each failure of its lists), declared from Pulumi YAML, from
Python through the dynamic face and from Python through ``pulumi_ilert_contacts.native``.

Inputs still unknown at preview time (outputs of other resources) are covered in
tests/e2e/test_lifecycle.py: they pass the preview and are checked during `up`, before any call.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fault_harness import NAMESPACE, PLUGIN_DIR
from pulumi_fixtures import TOKEN, USERS
from pulumi_harness import Stack, base_env
from pulumi_ilert_contacts.emulator import EmulatorServer

EMAIL = "ContactEmail"
PHONE = "ContactPhoneNumber"
GOOD: dict[str, dict[str, Any]] = {
    EMAIL: {"user_id": "1001", "target": "jane@example.com"},
    PHONE: {"user_id": "1001", "region_code": "DE", "target": "+4915123456789"},
}
LEAVE_OUT = object()
"""Marks a property to leave out of a case's otherwise good inputs."""


@dataclass(frozen=True)
class BadInput:
    """One bad input: what it changes in good inputs, and the property and reason the engine
    must print for it.

    ``raw`` declares the resource through ``pulumi.dynamic.Resource`` with the public provider
    and a bare property bag, as a program that bypasses the typed constructor would (the only
    way to hand the provider a property name it does not know).
    """

    id: str
    resource: str
    change: dict[str, Any]
    prop: str
    reason: str
    raw: bool = False

    @property
    def slots(self) -> set[str]:
        """The properties the case spoils. A phone number is judged against its region, so the
        two are one slot: a bad region would leave the number unjudged."""
        return {"number" if self.resource == PHONE and p in ("target", "region_code") else p
                for p in self.change}


def email(id_: str, prop: str, reason: str, raw: bool = False, **change: Any) -> BadInput:
    return BadInput(id_, EMAIL, change, prop, reason, raw)


def phone(id_: str, prop: str, reason: str, raw: bool = False, **change: Any) -> BadInput:
    return BadInput(id_, PHONE, change, prop, reason, raw)


NOT_EMAIL = "is not a valid email address"
NOT_PHONE = "is not a phone number"
INVALID_PHONE = "is not a valid phone number"
UNKNOWN_REGION = "is not a known ISO 3166-1 alpha-2 region code"
DIGITS_ONLY = "must contain digits only"
NOT_A_BOOL = "must be true or false"
NOT_A_PROPERTY = "is not a property of"

CASES = [
    # malformed and oversized email addresses
    email("email-no-at", "target", NOT_EMAIL + ": An email address must have an @-sign",
          target="jane.example.com"),
    email("email-nothing-after-at", "target", NOT_EMAIL, target="jane@"),
    email("email-two-ats", "target", NOT_EMAIL, target="jane@@example.com"),
    email("email-space", "target", NOT_EMAIL, target="jane doe@example.com"),
    email("email-empty", "target", NOT_EMAIL, target=""),
    email("email-over-255", "target", "is 262 characters long; ilert accepts at most 255",
          target="a" * 250 + "@example.com"),
    email("email-domain-label-over-63", "target", NOT_EMAIL, target="jane@" + "a" * 64 + ".com"),
    # invalid and impossible phone numbers; national numbers without a region
    phone("phone-words", "target", NOT_PHONE, target="call me maybe"),
    phone("phone-too-short", "target", INVALID_PHONE + " for region DE", target="12345"),
    phone("phone-impossible-de", "target", INVALID_PHONE + " for region DE", target="+49 12"),
    phone("phone-too-long", "target", INVALID_PHONE + " for region US", region_code="US",
          target="+1 202 555 0123 4567"),
    phone("phone-no-such-country-code", "target", NOT_PHONE, target="+999 1234567"),
    phone("phone-national-without-region", "target", "give the number in international form",
          region_code=LEAVE_OUT, target="0151 23456789"),
    # unknown and mismatched region codes
    phone("region-unknown", "region_code", UNKNOWN_REGION, region_code="XX"),
    phone("region-three-letters", "region_code", UNKNOWN_REGION, region_code="DEU"),
    phone("region-mismatch", "target", "is a number of region GB, but region_code is FR",
          region_code="FR", target="+447400123456"),
    # non-numeric, negative, zero and empty user ids
    email("user-letters", "user_id", DIGITS_ONLY, user_id="abc"),
    email("user-negative-string", "user_id", DIGITS_ONLY, user_id="-5"),
    phone("user-negative-number", "user_id", DIGITS_ONLY, user_id=-5),
    email("user-empty", "user_id", DIGITS_ONLY, user_id=""),
    email("user-decimal", "user_id", DIGITS_ONLY, user_id="12.5"),
    email("user-zero", "user_id", "must be a positive ilert user id", user_id=0),
    email("user-missing", "user_id", "is required", user_id=LEAVE_OUT),
    email("user-beyond-64-bit", "user_id", "is too large for an ilert user id",
          user_id="9223372036854775808"),
    # wrong types
    email("user-list", "user_id", "must be a numeric ilert user id", user_id=[1]),
    phone("user-bool", "user_id", "must be a numeric ilert user id", user_id=True),
    email("target-number", "target", "must be a string", target=42),
    phone("target-list", "target", "must be a string", target=["+4915123456789"]),
    phone("primary-string", "primary", NOT_A_BOOL, primary="yes"),
    email("adopt-string", "adopt", NOT_A_BOOL, adopt="true"),
    phone("region-number", "region_code", "must be a two-letter region code", region_code=49),
    # unknown property names
    email("prop-unknown", "colour", NOT_A_PROPERTY + " ContactEmail", raw=True, colour="red"),
    email("prop-of-the-other-kind", "primary", NOT_A_PROPERTY + " ContactEmail", raw=True, primary=True),
    phone("prop-api-spelling", "regionCode", NOT_A_PROPERTY + " ContactPhoneNumber", raw=True,
          regionCode="DE"),
]

PROGRAM_HEAD = """\
import pulumi.dynamic
from pulumi_ilert_contacts import (
    ContactEmail, ContactEmailProvider, ContactPhoneNumber, ContactPhoneNumberProvider,
)


class RawContactEmail(pulumi.dynamic.Resource, module="ilert", name="ContactEmail"):
    pass


class RawContactPhoneNumber(pulumi.dynamic.Resource, module="ilert", name="ContactPhoneNumber"):
    pass


"""


@dataclass(frozen=True)
class Pack:
    """Cases that spoil different properties of one resource, declared in one program."""

    cases: tuple[BadInput, ...]

    @property
    def name(self) -> str:
        return f"bad-{self.cases[0].id}"

    @property
    def resource(self) -> str:
        return self.cases[0].resource

    def inputs(self) -> dict[str, Any]:
        merged = dict(GOOD[self.resource])
        for case in self.cases:
            merged.update(case.change)
        return {key: value for key, value in merged.items() if value is not LEAVE_OUT}

    def program(self) -> str:
        """A program declaring the one bad resource, through the typed class or a raw bag."""
        if self.cases[0].raw:
            bad = f"Raw{self.resource}({self.resource}Provider(), {self.name!r}, {self.inputs()!r})\n"
        else:
            args = ", ".join(f"{key}={value!r}" for key, value in self.inputs().items())
            bad = f"{self.resource}({self.name!r}, {args})\n"
        return PROGRAM_HEAD + bad


def pack(cases: list[BadInput]) -> list[Pack]:
    """Put each case, in table order, into the first pack of its kind whose slots it leaves free."""
    packs: list[list[BadInput]] = []
    for case in cases:
        for group in packs:
            same_kind = (group[0].resource, group[0].raw) == (case.resource, case.raw)
            if same_kind and not any(case.slots & other.slots for other in group):
                group.append(case)
                break
        else:
            packs.append([case])
    return [Pack(tuple(group)) for group in packs]


PACKS = pack(CASES)


def failure_line(case: BadInput, name: str) -> re.Pattern[str]:
    """The engine's line for a failed check: resource name, property, then the provider's reason.

    The engine prints ``property <p> value {<v>}`` only when the property was given, so a
    missing one is matched by the reason alone, which always starts with ``<Type>.<property>``.
    """
    given = rf"(: property {re.escape(case.prop)} value .*)? has a problem: "
    return re.compile(
        rf"{re.escape(case.resource)} resource '{re.escape(name)}'{given}"
        rf"{re.escape(case.resource)}\.{re.escape(case.prop)} .*{re.escape(case.reason)}"
    )


def stored_state(backend: Path) -> dict[str, str]:
    """Every file of the stack's backend, by path, with a digest of its content."""
    return {
        str(path.relative_to(backend)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(backend.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def bad_input_stack(
    tmp_path_factory: pytest.TempPathFactory, pulumi_home: Path
) -> Iterator[tuple[Stack, EmulatorServer, Path]]:
    """One stack and emulator for the whole table: each preview only rewrites the program."""
    root = tmp_path_factory.mktemp("bad-input")
    backend = root / "backend"
    backend.mkdir()
    with EmulatorServer(token=TOKEN, users=USERS) as emulator:
        stack = Stack(root / "project", base_env(backend, pulumi_home))
        stack.write_program(PACKS[0].program())
        stack.init(emulator.url, TOKEN)
        yield stack, emulator, backend


def test_the_table_has_at_least_thirty_distinct_bad_inputs() -> None:
    assert len(CASES) >= 30
    assert len({case.id for case in CASES}) == len(CASES)
    assert sorted(case.id for p in PACKS for case in p.cases) == sorted(case.id for case in CASES)


@pytest.mark.parametrize("bad", PACKS, ids=["+".join(c.id for c in p.cases) for p in PACKS])
def test_preview_refuses_bad_input_naming_resource_property_and_reason(
    bad: Pack, bad_input_stack: tuple[Stack, EmulatorServer, Path]
) -> None:
    stack, emulator, backend = bad_input_stack
    stack.write_program(bad.program())
    emulator.admin.reset_requests()
    state_before = stored_state(backend)

    result = stack.preview(check=False)

    assert result.code != 0, result
    unreported = [case.id for case in bad.cases if not failure_line(case, bad.name).search(result.output)]
    assert unreported == [], result
    assert emulator.admin.requests()["total"] == 0
    assert stored_state(backend) == state_before


def test_up_refuses_bad_input_before_any_api_call_and_stores_no_contact(
    bad_input_stack: tuple[Stack, EmulatorServer, Path],
) -> None:
    stack, emulator, _ = bad_input_stack
    bad = Pack(tuple(c for c in CASES if c.id in ("phone-national-without-region", "user-bool")))
    stack.write_program(bad.program())
    emulator.admin.reset_requests()

    result = stack.up(check=False)

    assert result.code != 0, result
    assert all(failure_line(case, bad.name).search(result.output) for case in bad.cases), result
    assert emulator.admin.requests()["total"] == 0
    assert stack.contact_resources() == []
    assert emulator.admin.contacts()["phone_numbers"] == []


# -- the contact set -----------------------------------------------------------------------------

SET_CASES = [
    # (Python name of the set's property, what the reason says after ``UserContacts.<property>``)
    ("emails", "[0] 'not-an-email' is not a valid email address"),
    ("emails", " lists 'jane@example.com' twice (items 1 and 2, compared case-insensitively); "
               "list each contact once"),
    ("phone_numbers", "[2].target 'call me' is not a phone number"),
    ("phone_numbers", " lists '+4915123456789' twice (items 0 and 1, compared in E.164); "
                      "list each contact once"),
    ("phone_numbers", " marks 2 numbers primary (items 0, 1); ilert allows one primary number per user"),
]
"""Every bad element of ``BAD_SET``: a bad target, the same target twice (an address in another
case, a number in national and international form) and two primary numbers."""

SECRET = "secret-not-an-email"
SECRET_CASE = ("emails", "[3] [secret] is not a valid email address")
"""An address given as a secret (``pulumi.Output.secret``, ``fn::secret``): named, never shown."""

BAD_SET_PYTHON = """\
import pulumi
from pulumi_ilert_contacts import {module}

{module}.UserContacts(
    "bad-set",
    user_id="1001",
    emails=["not-an-email", "Jane@example.com", "jane@EXAMPLE.com"{secret}],
    phone_numbers=[
        {module}.UserContactsPhoneNumberArgs(target="0151 23456789", region_code="DE", primary=True),
        {{"target": "+4915123456789", "region_code": "DE", "primary": True}},
        {{"target": "call me", "region_code": "DE"}},
    ],
)
"""

BAD_SET_YAML = """\
resources:
  bad-set:
    type: ilert-contacts:index:UserContacts
    properties:
      userId: "1001"
      emails: [not-an-email, Jane@example.com, jane@EXAMPLE.com, {fn::secret: secret-not-an-email}]
      phoneNumbers:
        - { target: "0151 23456789", regionCode: DE, primary: true }
        - { target: "+4915123456789", regionCode: DE, primary: true }
        - { target: "call me", regionCode: DE }
"""


def write_bad_set(stack: Stack, program: str) -> None:
    if program == "yaml-native":
        stack.write_yaml_program(BAD_SET_YAML, plugin_dir=PLUGIN_DIR)
    elif program == "python-native":
        source = BAD_SET_PYTHON.format(module="native", secret=f", pulumi.Output.secret({SECRET!r})")
        stack.write_program(source, plugin_dir=PLUGIN_DIR)
    else:
        source = BAD_SET_PYTHON.format(
            module="pulumi_ilert_contacts", secret=f", pulumi.Output.secret({SECRET!r})"
        )
        stack.write_program(source.replace(
            "from pulumi_ilert_contacts import pulumi_ilert_contacts", "import pulumi_ilert_contacts"))


def set_failure_line(program: str, prop: str, reason: str) -> re.Pattern[str]:
    """The engine's line for one failure of the set: its type, its name, then the reason naming the
    property as the program spells it (the property beside the resource unless it holds a secret)."""
    spelled = prop if program == "python-dynamic" else {"phone_numbers": "phoneNumbers"}.get(prop, prop)
    kind = "pulumi-python:dynamic/ilert:UserContacts" if program == "python-dynamic" else (
        "ilert-contacts:index:UserContacts")
    return re.compile(
        rf"{re.escape(kind)} resource 'bad-set'(: property {spelled} value .*)? has a problem: "
        rf"UserContacts\.{re.escape(spelled + reason)}"
    )


@pytest.mark.parametrize("program", ["yaml-native", "python-dynamic", "python-native"])
def test_preview_refuses_a_bad_set_naming_each_bad_element_and_never_showing_a_secret(
    program: str, bad_input_stack: tuple[Stack, EmulatorServer, Path]
) -> None:
    stack, emulator, backend = bad_input_stack
    if program.endswith("native") and "ilert-contacts:endpoint" not in stack.run("config").stdout:
        stack.run("config", "set", f"{NAMESPACE['plugin']}:endpoint", emulator.url)
        stack.run("config", "set", "--secret", f"{NAMESPACE['plugin']}:apiToken", TOKEN)
    write_bad_set(stack, program)
    emulator.admin.reset_requests()
    state_before = stored_state(backend)

    result = stack.preview(check=False)

    assert result.code != 0, result
    cases = [*SET_CASES, SECRET_CASE]
    unreported = [case for case in cases if not set_failure_line(program, *case).search(result.output)]
    assert unreported == [], result
    assert SECRET not in result.output, result
    assert emulator.admin.requests()["total"] == 0
    assert stored_state(backend) == state_before
