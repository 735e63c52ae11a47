"""Build pulumi-policy's own argument objects the way its analyzer server does, and run validators.

Properties go through ``unknown_checking_proxy`` exactly as in ``_PolicyAnalyzerServicer``, so an
unknown value raises ``UnknownValueError`` on access, as it would under the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pulumi_ilert_contacts.core.kinds import EMAIL, PHONE, USER_CONTACTS, camel_name
from pulumi_policy import (
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    StackValidationArgs,
)
from pulumi_policy.policy import _NotApplicableError
from pulumi_policy.proxy import unknown_checking_proxy

STACK_URN_PREFIX = "urn:pulumi:test::contacts::"
USER = "1234"


def urn(type_token: str, name: str) -> str:
    return f"{STACK_URN_PREFIX}{type_token}::{name}"


def _options() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


@dataclass
class Outcome:
    """What one validator run reported: violations as (message, urn), or why it did not apply."""

    violations: list[tuple[str, str | None]] = field(default_factory=list)
    not_applicable: str | None = None

    def report(self, message: str, urn: str | None = None) -> None:
        """The ``report_violation`` callback handed to the validator."""
        self.violations.append((message, urn))

    @property
    def messages(self) -> list[str]:
        return [message for message, _ in self.violations]

    @property
    def urns(self) -> list[str | None]:
        return [u for _, u in self.violations]


@dataclass
class Res:
    """A resource as a test declares it."""

    type_token: str
    name: str
    props: dict[str, Any]

    @property
    def urn(self) -> str:
        return urn(self.type_token, self.name)


def email(name: str, target: Any = "jane@example.com", user_id: Any = USER, **extra: Any) -> Res:
    """A ContactEmail as the engine sends it (checked inputs, or outputs with ``status``)."""
    return Res(EMAIL.type_token, name, {"user_id": user_id, "target": target, "adopt": False, **extra})


def phone(
    name: str,
    target: Any = "+4915123456789",
    region_code: Any = "DE",
    user_id: Any = USER,
    primary: Any = False,
    **extra: Any,
) -> Res:
    """A ContactPhoneNumber as the engine sends it."""
    props = {"user_id": user_id, "target": target, "region_code": region_code, "primary": primary}
    return Res(PHONE.type_token, name, {**props, "adopt": False, **extra})


NATIVE_EMAIL = "ilert-contacts:index:ContactEmail"
NATIVE_PHONE = "ilert-contacts:index:ContactPhoneNumber"


def native_email(name: str, target: Any = "jane@example.com", user_id: Any = USER, **extra: Any) -> Res:
    """A ContactEmail of the native provider as the engine sends it (schema names)."""
    return Res(NATIVE_EMAIL, name, {"userId": user_id, "target": target, "adopt": False, **extra})


def native_phone(
    name: str,
    target: Any = "+4915123456789",
    region_code: Any = "DE",
    user_id: Any = USER,
    primary: Any = False,
    **extra: Any,
) -> Res:
    """A ContactPhoneNumber of the native provider as the engine sends it (``regionCode``)."""
    props = {"userId": user_id, "target": target, "regionCode": region_code, "primary": primary}
    return Res(NATIVE_PHONE, name, {**props, "adopt": False, **extra})


_FIELDS = {
    field.name: field.camel
    for prop in USER_CONTACTS.properties
    if prop.items is not None
    for field in prop.items.properties
}
"""A set element's fields, Python name to schema name (from the table)."""


def user_contacts(
    name: str,
    user_id: Any = USER,
    *,
    native: bool = False,
    emails: Any = None,
    phone_numbers: Any = None,
    **extra: Any,
) -> Res:
    """A UserContacts as the engine sends it: Python names (dynamic) or schema names (``native``) at
    every depth, a list left out when None; ``extra`` are more properties (outputs such as
    ``email_contacts``), given with Python names."""

    def spell(value: Any) -> Any:
        if isinstance(value, list):
            return [spell(v) for v in value]
        if isinstance(value, dict):
            return {(_FIELDS[k] if native else k): spell(v) for k, v in value.items()}
        return value

    props = {"user_id": user_id, "emails": emails, "phone_numbers": phone_numbers, **extra}
    spelled = {
        (camel_name(USER_CONTACTS, k) if native else k): spell(v) for k, v in props.items() if v is not None
    }
    return Res(USER_CONTACTS.resource_token if native else USER_CONTACTS.type_token, name, spelled)


def other(name: str, type_token: str = "random:index/randomString:RandomString", **props: Any) -> Res:
    return Res(type_token, name, dict(props))


Validator = Callable[[Any, Callable[[str, str | None], None]], None]


def run_resource(validate: Validator, res: Res, config: Mapping[str, Any] | None = None) -> Outcome:
    """Call a resource validator with a real ``ResourceValidationArgs``."""
    outcome = Outcome()
    args = ResourceValidationArgs(
        res.type_token,
        unknown_checking_proxy(dict(res.props)),
        res.urn,
        res.name,
        _options(),
        None,
        dict(config) if config is not None else None,
    )
    try:
        validate(args, outcome.report)
    except _NotApplicableError as exc:
        outcome.not_applicable = exc.reason or ""
    return outcome


def run_stack(validate: Validator, resources: list[Res], config: Mapping[str, Any] | None = None) -> Outcome:
    """Call a stack validator with a real ``StackValidationArgs`` of ``PolicyResource``s."""
    outcome = Outcome()
    policy_resources = [
        PolicyResource(
            r.type_token, unknown_checking_proxy(dict(r.props)), r.urn, r.name, _options(), None, None, [], {}
        )
        for r in resources
    ]
    args = StackValidationArgs(policy_resources, dict(config) if config is not None else None)
    try:
        validate(args, outcome.report)
    except _NotApplicableError as exc:
        outcome.not_applicable = exc.reason or ""
    return outcome
