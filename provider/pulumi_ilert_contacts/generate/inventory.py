"""Read users' contacts from ilert and normalise them the way ``check()`` will.

The generated program must plan to no change against what ilert holds, so every value is run
through ``validation.check_contact`` (the same normalisation the provider applies to a program's
inputs). A live value that fails validation is kept as ilert holds it, with its problems recorded
so the renderers can flag it: ``pulumi preview`` will refuse it until someone fixes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.client import IlertClient
from ..core.kinds import ADOPT, KINDS, USER_ID, ContactKind
from ..core.validation import check_contact


@dataclass(frozen=True)
class LiveContact:
    """One contact as ilert holds it, with its values normalised for a program.

    ``values`` maps each Pulumi property of the kind (``target``, ``region_code``, ``primary``)
    to the value to declare; ``problems`` holds the validation failures of the live values.
    """

    kind: ContactKind
    user_id: str
    contact_id: int
    values: dict[str, Any]
    status: str | None
    problems: tuple[str, ...] = ()

    def declared(self) -> list[tuple[str, Any]]:
        """(Python name, value) of each input a program declares for this contact, in the table's
        order: the user and the fields, an optional one only where it is not its default (only the
        primary number says ``primary``). ``adopt`` is the renderer's."""
        return [
            (prop.name, self.user_id if prop.name == USER_ID else self.values.get(prop.name))
            for prop in self.kind.inputs
            if prop.name != ADOPT and (prop.default is None or self.values.get(prop.name) != prop.default)
        ]

    @property
    def notified(self) -> bool:
        """Whether ilert notifies this contact (it does not for LOCKED or BLACKLISTED ones)."""
        return self.status in (None, "OK")


@dataclass(frozen=True)
class UserContacts:
    """Every contact of one user, emails first, each kind oldest first."""

    user_id: str
    contacts: tuple[LiveContact, ...] = field(default_factory=tuple)
    account: str | None = None
    """The Terraform provider alias whose account holds the user (``--from-terraform``); None for
    the default account."""

    def of_kind(self, kind: ContactKind) -> list[LiveContact]:
        """The user's contacts of ``kind``."""
        return [contact for contact in self.contacts if contact.kind is kind]


def normalise_contact(kind: ContactKind, user_id: str, contact: dict[str, Any]) -> LiveContact:
    """A contact object from the API as the values a program should declare for it."""
    raw = {prop: contact.get(api) for prop, api in kind.fields}
    outcome = check_contact(kind, {"user_id": user_id, **raw, "adopt": True})
    values = {prop: outcome.inputs.get(prop, raw[prop]) for prop, _ in kind.fields}
    status = contact.get("status")
    return LiveContact(
        kind=kind,
        user_id=user_id,
        contact_id=int(contact["id"]),
        values=values,
        status=str(status) if status is not None else None,
        problems=tuple(reason for _, reason in outcome.failures),
    )


def read_user(client: IlertClient, user_id: str) -> UserContacts:
    """All email and phone contacts of a user; raises ``IlertError`` (404 for an unknown user)."""
    contacts: list[LiveContact] = []
    for kind in KINDS:
        listed = client.list_contacts(kind, user_id)
        normalised = [normalise_contact(kind, user_id, contact) for contact in listed]
        contacts.extend(sorted(normalised, key=lambda c: c.contact_id))
    return UserContacts(user_id=user_id, contacts=tuple(contacts))
