"""Property tests of ``check_contact``: whatever comes in, it answers (and each failure names its
property); checking a checked input changes nothing; and it never accepts what ilert would refuse.

"What ilert would refuse" is checked two ways: against the API's documented rules, written out
here, and by sending every accepted email and phone number to the emulator, whose validation
follows the live API's. Examples are bounded and derandomized so the suite is the same on every
run; tests/unit/test_bad_input.py pins the hand-picked cases.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import phonenumbers
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi_fixtures import TOKEN
from pulumi_ilert_contacts.core.kinds import EMAIL, PHONE, ContactKind
from pulumi_ilert_contacts.core.validation import MAX_TARGET_LENGTH, check_contact
from pulumi_ilert_contacts.emulator import EmulatorServer

USER = "1001"
MAX_ID = 2**63 - 1
"""ilert ids are 64-bit signed integers."""
E164 = re.compile(r"\+[1-9][0-9]{6,14}")
REGION = re.compile(r"[A-Z]{2}")
POSITIVE_ID = re.compile(r"[1-9][0-9]*")

PROPERTIES = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# -- strategies -------------------------------------------------------------------------------

REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
)
_FORMATS = (
    phonenumbers.PhoneNumberFormat.E164,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.NATIONAL,
    phonenumbers.PhoneNumberFormat.RFC3966,
)
EXAMPLE_NUMBERS = [
    (region, number)
    for region in REGIONS
    for kind in _TYPES
    if (number := phonenumbers.example_number_for_type(region, kind)) is not None
]

junk_text = st.text(max_size=40)
wrong_types = st.one_of(
    st.integers(), st.floats(allow_nan=False), st.booleans(), st.lists(st.integers(), max_size=2)
)

user_ids = st.one_of(
    st.integers(min_value=-5, max_value=10**22),
    st.from_regex(r"\s?[0-9]{1,22}\s?", fullmatch=True),
    st.floats(min_value=-1e3, max_value=1e21),
    st.sampled_from(["", "abc", "-1", "1e3", "0x10", "١٢٣", "12.0", "+7"]),
    junk_text,
    st.booleans(),
)

emails = st.one_of(
    st.emails(),
    st.from_regex(r"[a-zA-Z0-9._%+-]{1,70}@[a-zA-Z0-9-]{1,20}(\.[a-zA-Z]{2,8}){1,3}", fullmatch=True),
    st.builds(lambda local, domain: f"{local}@{domain}", junk_text, junk_text),
    st.builds(lambda n: "x" * n + "@example.com", st.integers(min_value=230, max_value=260)),
    junk_text,
)


@st.composite
def example_numbers(draw: st.DrawFn) -> tuple[Any, str]:
    """(region_code, target): a real example number of a region in some format, with its own
    region, another region, a lower-case region or none."""
    region, number = draw(st.sampled_from(EXAMPLE_NUMBERS))
    target = phonenumbers.format_number(number, draw(st.sampled_from(_FORMATS)))
    other = draw(st.sampled_from(REGIONS))
    return draw(st.sampled_from([region, region.lower(), f" {region} ", None, other])), target


junk_numbers = st.tuples(
    st.one_of(st.sampled_from(REGIONS), st.text(max_size=4), st.none(), st.integers()),
    st.one_of(st.from_regex(r"\+?[0-9 ()./-]{0,22}", fullmatch=True), junk_text, wrong_types),
)
numbers = st.one_of(example_numbers(), junk_numbers)
good_flags = st.one_of(st.none(), st.booleans())
flags = st.one_of(good_flags, good_flags, st.sampled_from(["true", "yes", 1, 0]))
unknown_names = st.dictionaries(
    st.sampled_from(["colour", "email", "regionCode", "targets"]), junk_text, max_size=1
)


def bag(draws: dict[str, Any]) -> dict[str, Any]:
    """A property bag without the properties drawn as ``None`` (as the resource classes send it)."""
    return {key: value for key, value in draws.items() if value is not None}


@st.composite
def inputs(
    draw: st.DrawFn, users: st.SearchStrategy[Any] = user_ids, junk: bool = True
) -> tuple[ContactKind, dict[str, Any]]:
    """A contact kind and a property bag for it. Without ``junk``: flags are booleans, numbers
    are real ones and no unknown property comes along, so most bags are good."""
    kind = draw(st.sampled_from([EMAIL, PHONE]))
    news = {
        "user_id": draw(users),
        "adopt": draw(flags if junk else good_flags),
        **(draw(unknown_names) if junk else {}),
    }
    if kind is EMAIL:
        news["target"] = draw(emails)
    else:
        news["region_code"], news["target"] = draw(numbers if junk else example_numbers())
        news["primary"] = draw(flags if junk else good_flags)
    return kind, bag(news)


plausible_user_ids = st.one_of(
    st.integers(min_value=1, max_value=2**64),
    st.from_regex(r"\s?[0-9]{1,20}\s?", fullmatch=True),
    st.integers(min_value=1, max_value=2**40).map(float),
)
mostly_good_inputs = inputs(plausible_user_ids, junk=False)

# -- properties -------------------------------------------------------------------------------


@PROPERTIES
@given(inputs())
def test_check_answers_any_input_and_each_failure_names_its_property(
    case: tuple[ContactKind, dict[str, Any]],
) -> None:
    kind, news = case
    outcome = check_contact(kind, news)
    for prop, reason in outcome.failures:
        assert reason.startswith(f"{kind.resource}.{prop} "), reason
    if outcome.failures:
        return
    assert set(outcome.inputs) == set(kind.input_names)


def meets_api_rules(kind: ContactKind, inputs: dict[str, Any]) -> list[str]:
    """What in ``inputs`` breaks a rule the ilert API enforces (empty when nothing does)."""
    broken = []
    user_id, target = inputs["user_id"], inputs["target"]
    if not (isinstance(user_id, str) and POSITIVE_ID.fullmatch(user_id) and int(user_id) <= MAX_ID):
        broken.append(f"user_id {user_id!r} is not a positive 64-bit id")
    if not isinstance(target, str) or len(target) > MAX_TARGET_LENGTH:
        broken.append(f"target {target!r} is not a string of at most {MAX_TARGET_LENGTH} characters")
    elif kind is PHONE and not E164.fullmatch(target):
        broken.append(f"target {target!r} is not E.164")
    elif kind is EMAIL:
        local, at, domain = target.partition("@")
        if not (at and local and domain and "@" not in domain):
            broken.append(f"target {target!r} has not exactly one @ with text on both sides")
    region = inputs.get("region_code")
    if kind is PHONE and not (isinstance(region, str) and REGION.fullmatch(region)):
        broken.append(f"region_code {region!r} is not two upper-case letters")
    flags = ("primary", "adopt") if kind is PHONE else ("adopt",)
    broken += [f"{flag} is not a bool" for flag in flags if not isinstance(inputs[flag], bool)]
    return broken


def test_accepted_inputs_meet_the_api_rules_and_checking_them_again_changes_nothing() -> None:
    accepted = 0

    @PROPERTIES
    @given(st.one_of(inputs(), mostly_good_inputs))
    def run(case: tuple[ContactKind, dict[str, Any]]) -> None:
        nonlocal accepted
        kind, news = case
        outcome = check_contact(kind, news)
        if outcome.failures:
            return
        accepted += 1
        assert meets_api_rules(kind, outcome.inputs) == []
        again = check_contact(kind, outcome.inputs)
        assert again.failures == []
        assert again.inputs == outcome.inputs

    run()
    assert accepted >= 20, "the strategies must produce enough good inputs to make the property bite"


@pytest.fixture(scope="module")
def ilert() -> Iterator[tuple[EmulatorServer, requests.Session]]:
    with EmulatorServer(token=TOKEN, users=[int(USER)]) as server, requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {TOKEN}"
        yield server, session


def test_what_check_accepts_the_api_accepts(ilert: tuple[EmulatorServer, requests.Session]) -> None:
    server, session = ilert
    accepted = 0

    @PROPERTIES
    @given(inputs(st.just(USER), junk=False))
    def run(case: tuple[ContactKind, dict[str, Any]]) -> None:
        nonlocal accepted
        kind, news = case
        outcome = check_contact(kind, news)
        if outcome.failures:
            return
        accepted += 1
        collection = f"{server.api_url}/users/{USER}/contacts/{kind.path}"
        answer = session.post(collection, json=kind.to_api(outcome.inputs), timeout=10)
        if answer.status_code == 201:
            session.delete(f"{collection}/{answer.json()['id']}", timeout=10).raise_for_status()
        else:
            # The same contact twice is refused as a duplicate, not as invalid: the value passed.
            assert (answer.status_code, answer.json()["code"]) == (400, "DUPLICATE_CONTACT"), answer.text

    run()
    assert accepted >= 50, "the strategies must produce enough good inputs to make the property bite"
