"""What the Python classes of both faces declare alike: the ``…Args`` classes, the typed output
attributes, and the options of a ``get()``.

``pulumi_ilert_contacts.ContactEmail`` (dynamic) and ``pulumi_ilert_contacts.native.ContactEmail``
(the plugin) take the same arguments and expose the same attributes; only the way they reach
ilert differs. The names come from ``core.kinds``; here they are spelled out once for type checkers
and readers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from .core import lifecycle
from .core.errors import IlertError
from .core.kinds import ContactKind


@dataclass
class ContactEmailArgs:
    """The arguments of a ``ContactEmail``.

    :param user_id: Numeric id of the ilert user (an int or a digit string). Changing it replaces
        the contact.
    :param target: The email address. Validated (syntax only, no DNS) and normalised.
    :param adopt: Take over an existing email contact of the user with the same address
        (updating it to match) instead of creating one. Default ``False``.
    """

    user_id: pulumi.Input[str | int]
    target: pulumi.Input[str]
    adopt: pulumi.Input[bool] | None = None


@dataclass
class ContactPhoneNumberArgs:
    """The arguments of a ``ContactPhoneNumber``.

    :param user_id: Numeric id of the ilert user (an int or a digit string). Changing it replaces
        the contact.
    :param region_code: ISO 3166-1 alpha-2 region of the number, e.g. ``"DE"``.
    :param target: The number, international (``+4915123456789``) or national for ``region_code``
        (``0151 23456789``); stored in E.164.
    :param primary: Make this the user's primary number (ilert allows one). Default ``False``.
    :param adopt: Take over an existing phone contact of the user with the same number (updating
        it to match) instead of creating one. Default ``False``.
    """

    user_id: pulumi.Input[str | int]
    region_code: pulumi.Input[str]
    target: pulumi.Input[str]
    primary: pulumi.Input[bool] | None = None
    adopt: pulumi.Input[bool] | None = None


class ContactOutputs:
    """The attributes every contact resource has (set by the engine from the outputs)."""

    user_id: pulumi.Output[str]
    """The ilert user's numeric id, as a string."""
    target: pulumi.Output[str]
    """The target, normalised (an email address; a phone number in E.164)."""
    adopt: pulumi.Output[bool]
    """Whether an existing contact with this target was taken over at create."""
    contact_id: pulumi.Output[int]
    """ilert's id of the contact."""
    status: pulumi.Output[str]
    """``OK``, ``LOCKED`` or ``BLACKLISTED``: ilert does not notify LOCKED or BLACKLISTED contacts."""


class ContactPhoneNumberOutputs(ContactOutputs):
    """The attributes of a phone number contact, beyond those of every contact."""

    region_code: pulumi.Output[str]
    """The number's ISO 3166-1 alpha-2 region."""
    primary: pulumi.Output[bool]
    """Whether this is the user's primary number."""


def get_options(
    kind: ContactKind,
    resource_name: str,
    id_: pulumi.Input[str],
    opts: pulumi.ResourceOptions | None,
) -> pulumi.ResourceOptions:
    """The options that make a resource a read of the existing contact ``id_`` (a ``get()``).

    A malformed id known now fails here, in the program, before the engine or ilert is asked; one
    that is still an ``Output`` is checked by the read.
    """
    if isinstance(id_, str):
        try:
            lifecycle.parse_id(id_)
        except IlertError as exc:
            raise IlertError(str(exc), context=f"Unable to get {kind.resource} {resource_name!r}") from None
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(id=id_))


@dataclass
class UserContactsPhoneNumberArgs:
    """One phone number of a ``UserContacts`` set.

    :param target: The number, international (``+4915123456789``) or national for ``region_code``;
        stored in E.164.
    :param region_code: ISO 3166-1 alpha-2 region of the number, e.g. ``"DE"``.
    :param primary: The user's primary number (at most one in a set). Default ``False``.
    """

    target: pulumi.Input[str]
    region_code: pulumi.Input[str]
    primary: pulumi.Input[bool] | None = None


PhoneNumberInput = UserContactsPhoneNumberArgs | Mapping[str, Any]
"""A number of a set: a ``UserContactsPhoneNumberArgs``, or a dict with Python names
(``{"target": "+4915…", "region_code": "DE", "primary": True}``)."""


@dataclass
class UserContactsArgs:
    """The arguments of a ``UserContacts`` set: the user's contacts of each managed kind, exactly.

    :param user_id: Numeric id of the ilert user. Changing it replaces the set.
    :param emails: The user's email addresses (compared case-insensitively). ``None``: emails are not
        managed; ``[]``: the user has none (the login email ilert makes included).
    :param phone_numbers: The user's phone numbers. ``None``: numbers are not managed; ``[]``: none.
    :param delete_on_destroy: Delete the listed contacts when the set is destroyed (else destroy
        only forgets them). Default ``False``.
    """

    user_id: pulumi.Input[str | int]
    emails: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None
    phone_numbers: pulumi.Input[Sequence[PhoneNumberInput]] | None = None
    delete_on_destroy: pulumi.Input[bool] | None = None


class UserContactsOutputs:
    """The attributes of a ``UserContacts`` set (set by the engine from the outputs)."""

    user_id: pulumi.Output[str]
    """The ilert user's numeric id, as a string."""
    emails: pulumi.Output[list[str] | None]
    """The email addresses, normalised, in the declared order (``None``: not managed)."""
    phone_numbers: pulumi.Output[list[dict[str, Any]] | None]
    """The numbers (``target`` in E.164, ``region_code``, ``primary``), in the declared order."""
    delete_on_destroy: pulumi.Output[bool]
    """Whether destroying the set deletes its contacts."""
    email_contacts: pulumi.Output[list[dict[str, Any]] | None]
    """Each managed email contact: ``target``, ``contact_id``, ``status``."""
    phone_number_contacts: pulumi.Output[list[dict[str, Any]] | None]
    """Each managed number: ``target``, ``region_code``, ``primary``, ``contact_id``, ``status``."""


def phone_number_dicts(numbers: Any) -> Any:
    """``phone_numbers`` as plain dicts with Python names: typed Args objects become dicts; a value
    that is not a list (an ``Output``, ``None``) is passed on as it is."""
    if not isinstance(numbers, (list, tuple)):
        return numbers
    return [
        {f.name: getattr(n, f.name) for f in dataclasses.fields(n) if getattr(n, f.name) is not None}
        if isinstance(n, UserContactsPhoneNumberArgs)
        else n
        for n in numbers
    ]
