"""The plugin's look-up functions as typed Python calls, shaped like a generated Pulumi SDK:
``get_contact_email`` (plain values, awaited at once) and ``get_contact_email_output`` (inputs may
be outputs of other resources; the result is an ``Output``), and the same for phone numbers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi.runtime

from .._version import __version__
from ..core.kinds import EMAIL, PHONE, ContactKind, function_token, python_name


@dataclass(frozen=True)
class GetContactEmailResult:
    """A user's email contact: ``contact_id``, ``status`` and the normalised ``target``."""

    user_id: str
    target: str
    contact_id: int
    status: str


@dataclass(frozen=True)
class GetContactPhoneNumberResult:
    """A user's phone number contact, with its ``region_code`` and ``primary`` flag."""

    user_id: str
    region_code: str
    target: str
    primary: bool
    contact_id: int
    status: str


def _args(kind: ContactKind, **values: Any) -> dict[str, Any]:
    return {prop.camel: values[prop.name] for prop in kind.properties if values.get(prop.name) is not None}


def _result(kind: ContactKind, result_type: type[Any], raw: dict[str, Any]) -> Any:
    values = {python_name(kind, key): value for key, value in raw.items()}
    values["contact_id"] = int(values["contact_id"])
    return result_type(**{name: values.get(name) for name in result_type.__dataclass_fields__})


def _options(opts: pulumi.InvokeOptions | None) -> pulumi.InvokeOptions:
    return pulumi.InvokeOptions.merge(pulumi.InvokeOptions(version=__version__), opts)


def get_contact_email(
    user_id: str | int, target: str, opts: pulumi.InvokeOptions | None = None
) -> GetContactEmailResult:
    """A user's email contact by address (compared case-insensitively), e.g. the login email ilert
    creates for every user. Fails when the user has none with that address."""
    raw = pulumi.runtime.invoke(
        function_token(EMAIL), _args(EMAIL, user_id=user_id, target=target), _options(opts)
    ).value
    return _result(EMAIL, GetContactEmailResult, raw)  # type: ignore[no-any-return]


def get_contact_email_output(
    user_id: pulumi.Input[str | int], target: pulumi.Input[str], opts: pulumi.InvokeOptions | None = None
) -> pulumi.Output[GetContactEmailResult]:
    """``get_contact_email`` for inputs that may be outputs of other resources."""
    raw = pulumi.runtime.invoke_output(
        function_token(EMAIL), _args(EMAIL, user_id=user_id, target=target), _options(opts)
    )
    return raw.apply(lambda value: _result(EMAIL, GetContactEmailResult, value))


def get_contact_phone_number(
    user_id: str | int,
    target: str,
    region_code: str | None = None,
    opts: pulumi.InvokeOptions | None = None,
) -> GetContactPhoneNumberResult:
    """A user's phone number contact by number (international, or national with ``region_code``),
    compared in E.164. Fails when the user has none with that number."""
    raw = pulumi.runtime.invoke(
        function_token(PHONE),
        _args(PHONE, user_id=user_id, target=target, region_code=region_code),
        _options(opts),
    ).value
    return _result(PHONE, GetContactPhoneNumberResult, raw)  # type: ignore[no-any-return]


def get_contact_phone_number_output(
    user_id: pulumi.Input[str | int],
    target: pulumi.Input[str],
    region_code: pulumi.Input[str] | None = None,
    opts: pulumi.InvokeOptions | None = None,
) -> pulumi.Output[GetContactPhoneNumberResult]:
    """``get_contact_phone_number`` for inputs that may be outputs of other resources."""
    raw = pulumi.runtime.invoke_output(
        function_token(PHONE),
        _args(PHONE, user_id=user_id, target=target, region_code=region_code),
        _options(opts),
    )
    return raw.apply(lambda value: _result(PHONE, GetContactPhoneNumberResult, value))
