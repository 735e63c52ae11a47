"""Input validation and normalisation, run by ``check()`` before any API call.

Each problem becomes one ``(property, reason)`` pair; the reason says what is wrong and what to do,
naming the resource type so it reads well wherever it is printed. Values still unknown at preview
time (outputs of other resources) are passed through: the engine checks again once they are known.

phonenumbers and email-validator are imported on first use: checks run in the provider process, and
a Pulumi program that only declares resources (and imports this module through them) never needs them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from .kinds import PHONE, TARGET, USER_ID, ContactKind, Property

Naming = Callable[[ContactKind, str], str]
"""How a face spells a property in messages: Python names for the dynamic resources (the
default), schema names (``regionCode``) for the plugin."""


def python_naming(_kind: ContactKind, name: str) -> str:
    """Messages in Python names (``ContactPhoneNumber.region_code``)."""
    return name

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The Pulumi SDK's marker for a value not known until the update runs (``pulumi.runtime.rpc``)."""
PROVIDER_KEY = "__provider"
MAX_TARGET_LENGTH = 255
MAX_ID = 2**63 - 1
"""ilert ids are 64-bit signed integers: a larger user id names no user."""


@dataclass
class CheckOutcome:
    """Normalised inputs and the problems found (empty when the inputs are good)."""

    inputs: dict[str, Any] = field(default_factory=dict)
    failures: list[tuple[str, str]] = field(default_factory=list)


def is_unknown(value: Any) -> bool:
    """True for a value the engine will only know during the update.

    The dynamic provider server hands ``check()`` a ``pulumi.output.Unknown`` object; other
    callers (the policy SDK, raw property bags) use the sentinel string.
    """
    if isinstance(value, str):
        return value == UNKNOWN
    output = sys.modules.get("pulumi.output")  # loaded whenever Unknown objects can exist
    return output is not None and isinstance(value, output.Unknown)


def check_contact(
    kind: ContactKind,
    news: dict[str, Any],
    *,
    naming: Naming = python_naming,
    subject: str | None = None,
    lookup: bool = False,
) -> CheckOutcome:
    """Validate and normalise the inputs (Python names) of one contact resource of ``kind``.

    Failures are ``(Python name, reason)``; the reason spells properties as ``naming`` does and
    starts with ``subject`` (default: the resource type). ``lookup`` checks the arguments of a
    look-up instead (user id and target; a phone's region is optional, a hint for national numbers).
    """
    out = CheckOutcome()
    subject = subject or kind.resource

    def n(prop: str) -> str:
        return naming(kind, prop)

    def fail(prop: str, reason: str) -> None:
        out.failures.append((prop, f"{subject}.{n(prop)} {reason}"))

    props = kind.lookup_inputs if lookup else kind.inputs
    allowed = {prop.name for prop in props}
    for name in sorted(news):
        if name == PROVIDER_KEY or name in allowed:
            continue
        if name in kind.output_names and (news[name] is None or is_unknown(news[name])):
            continue  # outputs seeded by the resource class so they resolve
        expected = ", ".join(n(name) for name in kind.input_names if name in allowed)
        fail(name, f"is not a property of {subject}; expected one of {expected}")

    user_id = _check_user_id(news.get("user_id"), fail)
    if user_id is not None:
        out.inputs["user_id"] = user_id

    for prop in props:
        if prop.name not in _OWN_CHECKS:
            _check_by_type(prop, news.get(prop.name), out, fail)

    region = None
    if kind is PHONE and not (lookup and news.get("region_code") is None):
        region = _check_region(news.get("region_code"), fail)
        if region is not None:
            out.inputs["region_code"] = region

    if TARGET in allowed:
        _check_target(kind, news, region, out, fail, n("region_code"))
    return out


_OWN_CHECKS = (USER_ID, TARGET, "region_code")
"""The properties with checks of their own (below); every other one is checked by its type."""

_PYTHON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
    "array": (list, tuple),
    "object": (dict,),
}
_WHAT = {
    "string": "a string",
    "boolean": "true or false",
    "integer": "a whole number",
    "number": "a number",
    "array": "a list",
    "object": "an object",
}


def _check_by_type(prop: Property, value: Any, out: CheckOutcome, fail: Any) -> None:
    """A property without checks of its own: its declared type, and its default when not set (a
    flag is ``false`` unless it says otherwise)."""
    if value is None:
        if prop.required:
            fail(prop.name, "is required")
        elif prop.default is not None:
            out.inputs[prop.name] = prop.default
        return
    if is_unknown(value):
        out.inputs[prop.name] = value
        return
    if prop.type == "integer" and isinstance(value, float) and value.is_integer():
        value = int(value)  # numbers cross the Pulumi wire as floats
    types = _PYTHON_TYPES[prop.type]
    if (isinstance(value, bool) and prop.type != "boolean") or not isinstance(value, types):
        fail(prop.name, f"must be {_WHAT[prop.type]}, got {_show(value)}")
        return
    out.inputs[prop.name] = list(cast("list[Any]", value)) if prop.type == "array" else value


def _check_target(
    kind: ContactKind, news: dict[str, Any], region: Any, out: CheckOutcome, fail: Any, region_name: str
) -> None:
    """The target: an email address, or a phone number of the region (normalised to E.164)."""
    target = news.get("target")
    if target is None:
        fail("target", "is required" + (": an email address" if kind is not PHONE else ": a phone number"))
    elif is_unknown(target):
        out.inputs["target"] = target
    elif not isinstance(target, str):
        fail("target", f"must be a string, got {_show(target)}")
    elif len(target) > MAX_TARGET_LENGTH:
        fail("target", f"is {len(target)} characters long; ilert accepts at most {MAX_TARGET_LENGTH}")
    elif kind is PHONE:
        phone = _check_phone(target, region, news.get("region_code"), fail, region_name)
        if phone is not None:
            out.inputs["target"] = phone
    else:
        email = _check_email(target, fail)
        if email is not None:
            out.inputs["target"] = email


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def redact(reason: str, hidden: Iterable[str], mark: str = "[secret]") -> str:
    """A check failure without the values it would repeat (longest first; as quoted, shortened as
    quoted, or bare), each replaced by ``mark``."""
    for value in sorted(hidden, key=len, reverse=True):
        if value:
            reason = reason.replace(_show(value), mark).replace(repr(value), mark).replace(value, mark)
    return reason


def _check_user_id(value: Any, fail: Any) -> Any:
    """The normalised id, an unknown value passed through as is, or None when it is bad."""
    if value is None:
        fail("user_id", "is required: the numeric id of the ilert user who owns the contact")
        return None
    if is_unknown(value):
        return value
    if isinstance(value, bool):
        fail("user_id", f"must be a numeric ilert user id, got {_show(value)}")
        return None
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))  # numbers cross the Pulumi wire as floats
    elif isinstance(value, str):
        text = value.strip()
    else:
        fail("user_id", f"must be a numeric ilert user id (an int or a digit string), got {_show(value)}")
        return None
    if not text.isascii() or not text.isdigit():
        fail("user_id", f"must contain digits only (a numeric ilert user id), got {_show(value)}")
        return None
    if int(text) == 0:
        fail("user_id", "must be a positive ilert user id, got 0")
        return None
    if int(text) > MAX_ID:
        fail("user_id", f"is too large for an ilert user id (at most {MAX_ID}), got {_show(value)}")
        return None
    return str(int(text))


def _check_region(value: Any, fail: Any) -> Any:
    """The normalised region, an unknown value passed through as is, or None when it is bad."""
    if value is None:
        fail("region_code", 'is required: the ISO 3166-1 alpha-2 region of the number, e.g. "DE"')
        return None
    if is_unknown(value):
        return value
    if not isinstance(value, str):
        fail("region_code", f'must be a two-letter region code such as "DE", got {_show(value)}')
        return None
    import phonenumbers

    region = value.strip().upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        fail("region_code", f'{_show(value)} is not a known ISO 3166-1 alpha-2 region code (e.g. "DE", "US")')
        return None
    return region


def _check_phone(target: str, region: Any, raw_region: Any, fail: Any, region_name: str) -> str | None:
    import phonenumbers

    if raw_region is not None and (region is None or is_unknown(region)):
        # The region is bad (already reported) or not known yet: the number cannot be judged.
        return target if region is not None else None
    try:
        number = phonenumbers.parse(target, region)
    except phonenumbers.NumberParseException as exc:
        hint = (
            " (give the number in international form, e.g. +4915123456789, or set "
            f"{region_name})"
            if region is None
            else ""
        )
        fail("target", f"{_show(target)} is not a phone number: {exc._msg}{hint}")
        return None
    if not phonenumbers.is_valid_number(number):
        where = f" for region {region}" if region else ""
        fail("target", f"{_show(target)} is not a valid phone number{where}")
        return None
    actual = phonenumbers.region_code_for_number(number)
    if region is not None and actual != region:
        fail(
            "target",
            f"{_show(target)} is a number of region {actual}, but {region_name} is {region}; "
            "make them match",
        )
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _check_email(target: str, fail: Any) -> str | None:
    from email_validator import EmailNotValidError, validate_email

    try:
        result = validate_email(target, check_deliverability=False)
    except EmailNotValidError as exc:
        fail("target", f"{_show(target)} is not a valid email address: {exc}")
        return None
    return str(result.normalized)
