"""The life of a contact, written once for both faces: check, diff, create (with lost-response
recovery and adoption), read, update, delete and look-up.

Everything here works on plain dicts keyed by Python property names (``kinds.py``) and takes the
``IlertClient`` to use as an argument; it knows nothing of Pulumi's wire types. The dynamic
providers (``dynamic/``) and the native plugin (``plugin/``) only translate names and result types
around these functions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from .client import IlertClient
from .directory import DIRECTORY
from .errors import (
    IlertApiError,
    IlertConnectionError,
    IlertError,
    IlertNotFoundError,
    IlertServerError,
    IlertValidationError,
)
from .kinds import OUTPUT_NAMES, ContactKind, same_target
from .validation import PROVIDER_KEY, UNKNOWN, check_contact

CREATE_ATTEMPTS = 3
"""POSTs tried at most for one create; each after a lost answer is preceded by a look-up."""

ID_FORM = "'<user_id>:<contact_id>', e.g. '1001:17'"


def make_id(user_id: str, contact_id: int) -> str:
    """The Pulumi resource id: ``"<user_id>:<contact_id>"``."""
    return f"{user_id}:{contact_id}"


def parse_id(id_: str) -> tuple[str, int]:
    """Split a resource id into user id and contact id."""
    user_id, sep, contact_id = str(id_).partition(":")
    if not sep or not user_id.isdigit() or not contact_id.isdigit():
        raise IlertError(f"malformed ilert contact id {id_!r}: expected {ID_FORM}")
    return str(int(user_id)), int(contact_id)


# -- planning: never calls the API -------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What a change of inputs means: the properties that differ, and those that force a new contact."""

    changed: list[str] = field(default_factory=list)
    replaces: list[str] = field(default_factory=list)
    kept: tuple[str, ...] = ()
    """What an in-place update of the kind never changes (``ContactKind.stables``)."""

    @property
    def stables(self) -> list[str]:
        """Properties that keep their value through this change (none when it replaces)."""
        return [] if self.replaces else list(self.kept)


def diff(kind: ContactKind, olds: dict[str, Any], news: dict[str, Any]) -> Plan:
    """Compare the user's properties only; a new ``user_id`` means a new contact."""
    defaults = kind.defaults
    changed = [
        prop.name
        for prop in kind.inputs
        if olds.get(prop.name, defaults.get(prop.name)) != news.get(prop.name, defaults.get(prop.name))
    ]
    by_name = {prop.name: prop for prop in kind.inputs}
    return Plan(changed, [name for name in changed if by_name[name].replaces], kind.stables)


def fields_differ(kind: ContactKind, olds: dict[str, Any], news: dict[str, Any]) -> bool:
    """The update comparison: whether any field ilert holds differs (else an update, such as a
    change of ``adopt`` alone, calls nothing and ilert's values stay as they are)."""
    return any(olds.get(prop) != news.get(prop) for prop, _ in kind.fields)


def preview_create(props: dict[str, Any]) -> dict[str, Any]:
    """What a create reports before it runs: the inputs, with what ilert computes unknown."""
    return {**props, **dict.fromkeys(OUTPUT_NAMES, UNKNOWN)}


def preview_update(kind: ContactKind, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
    """What an update reports before it runs: the new inputs, ilert's id as it was, and the
    status unknown when a field changes (ilert may judge the new target differently)."""
    return {
        **news,
        "contact_id": olds.get("contact_id", UNKNOWN),
        "status": UNKNOWN if fields_differ(kind, olds, news) else olds.get("status"),
    }


def has_state(kind: ContactKind, props: dict[str, Any]) -> bool:
    """Read or import: whether a read was given the properties of a state (a refresh), rather
    than only an id (``pulumi import``, or a ``get()``, whose resource class seeds ``None``s)."""
    return any(props.get(prop.name) is not None for prop in kind.properties)


# -- lifecycle ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Created:
    """A contact that exists in ilert now: its resource id and every property (Python names)."""

    id: str
    outputs: dict[str, Any]


@dataclass(frozen=True)
class Observed:
    """A contact as read from ilert: its id, its outputs and the inputs that would declare it."""

    id: str
    outputs: dict[str, Any]
    inputs: dict[str, Any]


def checked_inputs(kind: ContactKind, props: dict[str, Any]) -> dict[str, Any]:
    """The checked user properties from a property bag (re-checked: create and update may be
    called without a preceding check, e.g. by tests or an old state)."""
    outcome = check_contact(kind, {k: v for k, v in props.items() if k != PROVIDER_KEY})
    if outcome.failures:
        raise IlertError("; ".join(reason for _, reason in outcome.failures))
    return outcome.inputs


def create(
    client: IlertClient, kind: ContactKind, props: dict[str, Any], *, adopt_existing: bool = False
) -> Created:
    """Create the contact, or take over an existing one with ``adopt`` (or the recovery switch).

    Adopting looks the target up in the process's list of the user's contacts (one GET per
    (user, kind) for the whole command, kept right by writing every answer through), and writes
    only if the contact differs from the inputs. The look-up and the POST of one target are held
    together (``DIRECTORY.claim``), so two creates of one target in this process never both POST.
    """
    inputs = checked_inputs(kind, props)
    user_id = inputs["user_id"]
    adopting = bool(inputs["adopt"] or adopt_existing)
    with DIRECTORY.claim(client, kind, user_id, inputs["target"]):
        contact: dict[str, Any] | None = None
        if adopting:
            existing = DIRECTORY.find_by_target(client, kind, user_id, inputs["target"], fresh=False)
            if existing is not None:
                contact = _reconcile(client, kind, user_id, existing, inputs)
        if contact is None:
            contact = _post(client, kind, user_id, inputs, adopting=adopting)
    return Created(make_id(user_id, int(contact["id"])), _outputs(inputs, contact))


def read(client: IlertClient, kind: ContactKind, id_: str, props: dict[str, Any]) -> Observed | None:
    """The live contact, or ``None`` when it (or its user) is gone.

    ``props`` are the properties in the state, empty for an import: the user's spelling of the
    target is kept when it names the same contact, so a refresh finds no drift in it.
    """
    user_id, contact_id = parse_id(id_)
    contact = DIRECTORY.find(client, kind, user_id, contact_id)
    if contact is None:
        return None
    live = kind.from_api(contact)
    if props.get("target") is not None and same_target(kind, str(live["target"]), str(props["target"])):
        live["target"] = props["target"]
    inputs = {
        "user_id": user_id,
        **{prop: live[prop] for prop, _ in kind.fields},
        "adopt": bool(props.get("adopt", False)),
    }
    return Observed(
        make_id(user_id, contact_id),
        {**inputs, "contact_id": live["contact_id"], "status": live["status"]},
        inputs,
    )


def observe(client: IlertClient, kind: ContactKind, id_: str, props: dict[str, Any]) -> Observed | None:
    """The read of both faces: a refresh (``props`` from the state) gets ``None`` when the
    contact is gone; an import or a ``get()`` (only the id) fails instead (``read_existing``)."""
    if not has_state(kind, props):
        return read_existing(client, kind, id_)
    return read(client, kind, id_, props)


def read_existing(client: IlertClient, kind: ContactKind, id_: str) -> Observed:
    """The read behind ``pulumi import`` and ``get()``: only the id is given, so a malformed id or
    a contact ilert does not have is an error, not an empty answer (which the engine would record
    as a resource with every output null)."""
    context = f"Unable to read {kind.resource} {id_!r}"
    try:
        user_id, contact_id = parse_id(id_)
    except IlertError as exc:
        raise IlertError(exc.detail, context=context) from None
    observed = read(client, kind, id_, {})
    if observed is None:
        raise IlertNotFoundError(
            f"ilert has no {kind.label} {contact_id} for user {user_id} (the user or the contact does "
            f"not exist, or the API key may not see it); give the id of an existing contact, {ID_FORM}",
            context=context,
            status=404,
        )
    declared = as_declared(kind, observed.inputs)
    return Observed(observed.id, {**observed.outputs, **declared}, declared)


def as_declared(kind: ContactKind, inputs: dict[str, Any]) -> dict[str, Any]:
    """Inputs read from ilert as a program declares them: each field normalised as ``check``
    normalises it (one that fails validation is kept as ilert holds it).

    An imported contact's state then matches the program written for it (by ``generate`` or by
    ``pulumi import``'s code generation) even where ilert keeps a spelling that ``check``
    normalises, such as an upper-case email domain: the plan shows no change and nothing is written.
    """
    outcome = check_contact(kind, inputs)
    return {**inputs, **{prop: outcome.inputs[prop] for prop, _ in kind.fields if prop in outcome.inputs}}


def update(
    client: IlertClient, kind: ContactKind, id_: str, olds: dict[str, Any], news: dict[str, Any]
) -> dict[str, Any]:
    """Full-replace PUT of the contact; a change of ``adopt`` alone calls nothing."""
    inputs = checked_inputs(kind, news)
    user_id, contact_id = parse_id(id_)
    if not fields_differ(kind, olds, inputs):
        return {**inputs, "contact_id": olds.get("contact_id", contact_id), "status": olds.get("status")}
    try:
        contact = _put(client, kind, user_id, contact_id, kind.to_api(inputs))
    except IlertNotFoundError as exc:
        raise exc.with_hint(
            "it was deleted outside Pulumi: run `pulumi refresh` and `pulumi up` to create it again"
        ) from None
    return _outputs(inputs, contact)


def delete(client: IlertClient, kind: ContactKind, id_: str) -> str | None:
    """DELETE the contact of a single resource; one that is already gone counts as deleted.

    A contact that a contact set of this run has made or adopted is kept, and why is returned for
    the face to warn with: moving a user's contacts from single resources to a ``UserContacts`` set
    creates the set first and deletes the single resources last, and the set lists the contact.
    """
    user_id, contact_id = parse_id(id_)
    if DIRECTORY.owned_by_set(client, kind, user_id, contact_id):
        return (
            f"kept {kind.label} {contact_id} of user {user_id} in ilert: the user's UserContacts set "
            "lists it now, so this resource is only removed from the stack"
        )
    remove(client, kind, user_id, contact_id)
    return None


def remove(client: IlertClient, kind: ContactKind, user_id: str, contact_id: int) -> None:
    """DELETE the contact; one that is already gone counts as deleted."""
    try:
        client.delete_contact(kind, user_id, contact_id)
    except IlertError as exc:
        _after_failed_write(client, kind, user_id, exc)
        raise
    DIRECTORY.forget(client, kind, user_id, contact_id)


def lookup(client: IlertClient, kind: ContactKind, user_id: str, target: str) -> Observed:
    """The user's contact with this (checked) target, for the data-source functions; its fields
    as ilert holds them (a look-up reports ilert's spelling, not the caller's).

    Raises ``IlertNotFoundError`` when ilert does not know the user or the user has no such contact.
    """
    listed = DIRECTORY.contacts(client, kind, user_id)
    context = f"Unable to find {kind.label} {target!r} of user {user_id}"
    if listed is None:
        raise IlertNotFoundError("ilert has no user with this id", context=context, status=404)
    for contact in listed.values():
        if same_target(kind, str(contact.get("target", "")), target):
            found = read(client, kind, make_id(user_id, int(contact["id"])), {})
            if found is not None:
                return found
    raise IlertNotFoundError(
        f"the user has {len(listed)} {kind.label}(s), none with this target", context=context, status=404
    )


# -- helpers -----------------------------------------------------------------------------------


def _outputs(inputs: dict[str, Any], contact: dict[str, Any]) -> dict[str, Any]:
    # The user's spelling of the fields is kept (it is what diff compares against); ilert supplies
    # what only it knows.
    return {**inputs, "contact_id": int(contact["id"]), "status": contact.get("status")}


def _post(
    client: IlertClient, kind: ContactKind, user_id: str, inputs: dict[str, Any], *, adopting: bool = False
) -> dict[str, Any]:
    """POST the contact without ever creating it twice.

    A POST whose answer is lost (connection dropped, timeout, 5xx from a proxy) may still have
    created the contact; resending it blindly would make a duplicate. So each such failure is
    followed by a fresh look-up by target: if the contact is there it is taken, else the POST is
    tried again. A duplicate refusal is checked against a fresh list too: it is our own earlier
    POST, or (``adopting``) a contact made since the look-up, which is then adopted.
    """
    body = kind.to_api(inputs)
    failure: IlertError | None = None
    for attempt in range(CREATE_ATTEMPTS):
        if attempt:
            assert failure is not None
            try:
                existing = DIRECTORY.find_by_target(client, kind, user_id, inputs["target"], fresh=True)
            except IlertError as lookup_failure:
                # Report the create that failed, not the look-up that could not tell whether it
                # landed, and say how to recover if it did.
                raise failure.with_hint(
                    f"looking it up afterwards failed too ({lookup_failure.detail}), so it may exist in "
                    "ilert: if the next `pulumi up` says so, run it with ILERT_ADOPT_EXISTING=true"
                ) from None
            if existing is not None:
                taken = _reconcile(client, kind, user_id, existing, inputs)
                if taken is not None:
                    return taken
            time.sleep(0.5 * attempt)
        try:
            contact = client.create_contact(kind, user_id, body)
        except (IlertConnectionError, IlertServerError) as exc:
            _after_failed_write(client, kind, user_id, exc)
            failure = exc
            continue
        except IlertValidationError as exc:
            existing = DIRECTORY.find_by_target(client, kind, user_id, inputs["target"], fresh=True)
            if existing is None:
                raise
            if failure is not None or adopting:
                # Our own earlier POST landed after all (its answer was lost), or, adopting, the
                # contact appeared since the look-up (another process made it): take it.
                taken = _reconcile(client, kind, user_id, existing, inputs)
                if taken is not None:
                    return taken
                raise
            raise exc.with_hint(
                f"ilert already has this {kind.label} (id {existing['id']}): set adopt to true to "
                "manage the existing contact, or remove it in ilert (after an interrupted "
                "`pulumi up` that created it, run `pulumi up` again with ILERT_ADOPT_EXISTING=true)"
            ) from None
        DIRECTORY.record(client, kind, user_id, contact)
        return contact
    assert failure is not None
    raise failure


def _reconcile(
    client: IlertClient, kind: ContactKind, user_id: str, contact: dict[str, Any], inputs: dict[str, Any]
) -> dict[str, Any] | None:
    """Make an existing contact match the inputs (one PUT, only if something differs).

    ``None`` when the PUT finds the contact gone (deleted since it was listed): create it instead.
    """
    wanted = kind.to_api(inputs)
    differs = any(
        not same_target(kind, str(contact.get(api)), str(value))
        if api == "target"
        else contact.get(api) != value
        for api, value in wanted.items()
    )
    if not differs:
        return contact
    try:
        return _put(client, kind, user_id, int(contact["id"]), wanted)
    except IlertNotFoundError:
        return None


def _put(
    client: IlertClient, kind: ContactKind, user_id: str, contact_id: int, body: dict[str, Any]
) -> dict[str, Any]:
    """One full-replace PUT, written through to the process's list of the user's contacts."""
    try:
        contact = client.update_contact(kind, user_id, contact_id, body)
    except IlertNotFoundError:
        DIRECTORY.forget(client, kind, user_id, contact_id)
        raise
    except IlertError as exc:
        _after_failed_write(client, kind, user_id, exc)
        raise
    DIRECTORY.record(client, kind, user_id, contact)
    return contact


def _after_failed_write(client: IlertClient, kind: ContactKind, user_id: str, exc: IlertError) -> None:
    """A write that failed may still have landed, unless ilert refused it (4xx): then the
    process's list of the user's contacts can no longer be trusted."""
    refused = isinstance(exc, IlertApiError) and exc.status is not None and 400 <= exc.status < 500
    if not refused:
        DIRECTORY.invalidate(client, kind, user_id)
