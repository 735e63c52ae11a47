"""``UserContacts``: a user's contacts of each managed kind, exactly, as one dynamic resource."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi.dynamic
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ReadResult, UpdateResult

from ..core import contact_set
from ..core.client import shared_client
from ..core.kinds import USER_CONTACTS, declared_props
from ..core.validation import redact
from ..declarations import (
    PhoneNumberInput,
    UserContactsArgs,
    UserContactsOutputs,
    UserContactsPhoneNumberArgs,
    phone_number_dicts,
)
from . import engine_log
from .provider import ContactProvider

__all__ = ["UserContacts", "UserContactsArgs", "UserContactsPhoneNumberArgs", "UserContactsProvider"]


class UserContactsProvider(ContactProvider):
    """The dynamic provider behind ``UserContacts`` (``core.contact_set``)."""

    kind = USER_CONTACTS

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate and normalise the set; every problem names the property and the reason.

        The engine hands a dynamic provider plain values, so an element the program gave as an
        ``Output`` (``OUTPUT_ITEMS``, which the checked inputs drop) is taken for a secret: a
        failure never repeats it, and is reported on the resource, since the engine prints a
        failing property's value in the clear beside the reason."""
        given = {k: v for k, v in news.items() if k != OUTPUT_ITEMS}
        outcome = contact_set.check(given)
        marked = news.get(OUTPUT_ITEMS) or {}
        hidden = _marked_values(given, marked)
        return CheckResult(
            outcome.inputs,
            [
                CheckFailure("" if prop in marked else prop, redact(reason, hidden))
                for prop, reason in outcome.failures
            ],
        )

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """The plan, without calling ilert: lists compare as sets."""
        plan = contact_set.diff(olds, news)
        return DiffResult(
            changes=bool(plan.changed),
            replaces=plan.replaces,
            stables=plan.stables,
            delete_before_replace=False,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Make the user's contacts of each managed kind exactly the listed ones. A dynamic resource
        gets no call at preview for a create, so what the set deletes is said here, before it does:
        as a warning on the resource in ``pulumi up`` (the lists it reads are the create's own)."""
        client = shared_client()
        warning = contact_set.deletion_warning(client, contact_set.checked_inputs(props))
        if warning:
            engine_log.warn(warning)
        created = contact_set.create(client, props)
        return CreateResult(created.id, created.outputs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """What ilert holds (one list per managed kind); an empty id when the user is gone."""
        observed = contact_set.observe(shared_client(), id_, props)
        if observed is None:
            return ReadResult("", {})
        return ReadResult(observed.id, observed.outputs, observed.inputs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Write only the difference."""
        return UpdateResult(contact_set.update(shared_client(), olds, news))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        """Forget the set; with ``delete_on_destroy``, delete the contacts it lists."""
        contact_set.delete(shared_client(), id_, props)


class UserContacts(UserContactsOutputs, pulumi.dynamic.Resource, module="ilert", name="UserContacts"):
    """A user's contacts of each managed kind, exactly: after ``pulumi up`` the user has the listed
    ones and no others (the login email ilert makes included: a set that does not list it deletes it).

    Example::

        from pulumi_ilert_contacts import UserContacts

        jane = UserContacts(
            "jane",
            user_id="1001",
            emails=["jane@example.com", "user1001@example.com"],
            phone_numbers=[{"target": "0151 23456789", "region_code": "DE", "primary": True}],
        )

    The resource id is the user id. Destroying the set forgets the contacts unless
    ``delete_on_destroy=True``. Dynamic resources get no call at preview for a create: the contacts a
    new set deletes are named, as a warning on the resource, during ``pulumi up`` before it deletes
    them (the native ``UserContacts`` names them at preview).
    """

    def __init__(
        self,
        resource_name: str,
        args: UserContactsArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        user_id: pulumi.Input[str | int] | None = None,
        emails: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        phone_numbers: pulumi.Input[Sequence[PhoneNumberInput]] | None = None,
        delete_on_destroy: pulumi.Input[bool] | None = None,
    ) -> None:
        """
        :param resource_name: The Pulumi name of the resource.
        :param args: The arguments, as a ``UserContactsArgs`` (keyword arguments override them).
        :param opts: Resource options.
        """
        props = declared_props(
            USER_CONTACTS,
            args,
            {
                "user_id": user_id,
                "emails": emails,
                "phone_numbers": phone_numbers,
                "delete_on_destroy": delete_on_destroy,
            },
        )
        props["phone_numbers"] = phone_number_dicts(props["phone_numbers"])
        options = secret_contacts(props, opts)
        marked = output_items(props)
        if marked:
            props[OUTPUT_ITEMS] = marked
        super().__init__(UserContactsProvider(), resource_name, props, options)


def secret_contacts(
    props: dict[str, Any], opts: pulumi.ResourceOptions | None
) -> pulumi.ResourceOptions | None:
    """The options, with the contacts outputs secret where their list holds a value that may be a
    secret (an ``Output``): the engine keeps an output secret only under its input's own name."""
    secret = [member.contacts for member in contact_set.MEMBERS if _holds_output(props.get(member.name))]
    if not secret:
        return opts
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=secret))


OUTPUT_ITEMS = "__output_items"
"""The key under which a dynamic set tells its provider's check which elements of its lists the
program gave as an ``Output`` (a list's indices, or ``"*"`` for a list given whole as one): any of
them may be a secret. Only check sees it; the checked inputs, and so the state, do not hold it."""


def output_items(props: dict[str, Any]) -> dict[str, Any]:
    """Where the program gave an ``Output``, by list: ``"*"`` for a whole list, else the index of
    an element, or ``[index, field]`` for a field of a number."""
    marked: dict[str, Any] = {}
    for member in contact_set.MEMBERS:
        items = props.get(member.name)
        if isinstance(items, pulumi.Output):
            marked[member.name] = "*"
        elif isinstance(items, (list, tuple)):
            where: list[Any] = []
            for i, item in enumerate(items):
                if isinstance(item, dict):
                    where += [[i, field] for field, value in item.items() if _holds_output(value)]
                elif _holds_output(item):
                    where.append(i)
            if where:
                marked[member.name] = where
    return marked


def _marked_values(props: dict[str, Any], marked: dict[str, Any]) -> list[str]:
    """The strings the program gave as an ``Output``, as the provider received them."""
    found: list[Any] = []
    for name, where in marked.items():
        items = props.get(name)
        if not isinstance(items, list):
            continue
        if where == "*":
            found += [v for item in items for v in (item.values() if isinstance(item, dict) else [item])]
            continue
        for spot in where if isinstance(where, list) else []:
            index, field = (spot[0], spot[1]) if isinstance(spot, list) and len(spot) == 2 else (spot, None)
            if isinstance(index, float) and index.is_integer():
                index = int(index)  # numbers cross the wire as doubles
            if not isinstance(index, int) or not 0 <= index < len(items):
                continue
            item = items[index]
            if field is None:
                found += list(item.values()) if isinstance(item, dict) else [item]
            elif isinstance(item, dict):
                found.append(item.get(field))
    return [v for v in found if isinstance(v, str)]


def _holds_output(value: Any) -> bool:
    if isinstance(value, pulumi.Output):
        return True
    if isinstance(value, (list, tuple)):
        return any(_holds_output(v) for v in value)
    if isinstance(value, dict):
        return any(_holds_output(v) for v in value.values())
    return False
