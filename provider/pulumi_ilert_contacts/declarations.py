"""What the Python classes of both faces declare alike: the ``…Args`` classes, the typed output
attributes, and the options of a ``get()``.

``pulumi_ilert_contacts.ContactEmail`` (dynamic) and ``pulumi_ilert_contacts.native.ContactEmail``
(the plugin) take the same arguments and expose the same attributes; only the way they reach
ilert differs. The names come from ``core.kinds``; here they are spelled out once for type checkers
and readers.
"""

from __future__ import annotations

from dataclasses import dataclass

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
