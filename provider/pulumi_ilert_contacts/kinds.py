"""The two kinds of contact and the one table of their property names.

A kind knows its API path, how its Pulumi properties map to ilert's JSON fields and back, and
the words used for it in messages. Everything that differs between emails and phone numbers is
here; everything else is shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ContactKind:
    """One contact kind of the ilert API (``/users/{id}/contacts/<path>``)."""

    resource: str
    """The Pulumi type name (``ContactEmail``), used in messages and type tokens."""
    path: str
    """The API collection (``emails`` or ``phone-numbers``)."""
    label: str
    """What a person calls one (``email contact``)."""
    fields: tuple[tuple[str, str], ...]
    """(Pulumi property, ilert JSON field) for every field the API takes in a POST/PUT body."""

    @property
    def input_names(self) -> tuple[str, ...]:
        """Every property a user may set: the API fields plus ``user_id`` and ``adopt``."""
        return ("user_id", *(prop for prop, _ in self.fields), "adopt")

    @property
    def type_token(self) -> str:
        """The Pulumi type token of the resource."""
        return f"pulumi-python:dynamic/ilert:{self.resource}"

    def to_api(self, props: dict[str, Any]) -> dict[str, Any]:
        """The full POST/PUT body for ``props`` (PUT is a full replace: every field is sent)."""
        return {api: props[prop] for prop, api in self.fields}

    def from_api(self, contact: dict[str, Any]) -> dict[str, Any]:
        """Pulumi properties (without ``user_id``/``adopt``) for a contact object from ilert."""
        props = {prop: contact.get(api) for prop, api in self.fields}
        props["contact_id"] = int(contact["id"])
        props["status"] = contact.get("status")
        return props


EMAIL = ContactKind(
    resource="ContactEmail",
    path="emails",
    label="email contact",
    fields=(("target", "target"),),
)

PHONE = ContactKind(
    resource="ContactPhoneNumber",
    path="phone-numbers",
    label="phone number contact",
    fields=(("target", "target"), ("region_code", "regionCode"), ("primary", "primary")),
)

OUTPUT_NAMES = ("contact_id", "status")
"""Properties ilert computes; seeded as ``None`` on the resource so they resolve as outputs."""
