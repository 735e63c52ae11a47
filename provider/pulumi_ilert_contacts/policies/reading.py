"""Reading a contact resource or a contact set as the engine hands it to a policy, in either face's
spelling.

The dynamic resources (``pulumi-python:dynamic/ilert:...``) carry Python property names
(``region_code``); the native provider's (``ilert-contacts:index:...``) schema names
(``regionCode``). A :class:`Face` reads and names properties the way its resource spells them. A
value the engine does not know yet is :data:`NOT_KNOWN`, never guessed.

A set (``UserContacts``) holds contacts of both kinds in its lists (``core.contact_set.MEMBERS``);
each element is read by the table's description of the list's items (``core.kinds.USER_CONTACTS``),
so a resource rule judges it as it judges a contact resource (:func:`judged`). The pack cannot tell
a secret value from a plain one (pulumi-policy hands validators plain values), so no message repeats
an address or number: it names the property (``target``) or the element by its index (``emails[1]``),
and says the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs
from pulumi_policy.proxy import UnknownValueError

from ..core.contact_set import MEMBERS, Member
from ..core.kinds import (
    KINDS,
    PHONE,
    SETS,
    TARGET,
    USER_ID,
    ContactKind,
    Property,
    camel_name,
    resource_token,
)
from ..core.validation import UNKNOWN, Naming, check_contact, is_unknown, python_naming, redact


@dataclass(frozen=True)
class Face:
    """One way a contact kind is declared: its type token and how it spells its properties."""

    kind: ContactKind
    type_token: str
    native: bool
    """The native provider's resource (schema names: ``regionCode``), else the dynamic one."""

    def prop(self, name: str) -> str:
        """The property ``name`` (a Python name of ``core.kinds``) as this face spells it."""
        return camel_name(self.kind, name) if self.native else name

    def field(self, prop: Property) -> str:
        """A field of a list's element (a property of the table's ``items``) as this face spells it."""
        return prop.camel if self.native else prop.name

    @property
    def naming(self) -> Naming:
        """How ``check_contact`` spells properties in this face's messages."""
        return camel_name if self.native else python_naming

    def ref(self, resource_name: str) -> str:
        """``"jane-email"``, with `` (native)`` for the native provider's resource: a dynamic and
        a native contact may share a name in one stack."""
        return f'"{resource_name}"' + (" (native)" if self.native else "")

    def label(self, resource_name: str) -> str:
        """``ContactEmail "jane-email"`` (or ``ContactEmail "jane-email" (native)``)."""
        return f"{self.kind.resource} {self.ref(resource_name)}"


def _faces(kinds: Iterable[ContactKind]) -> dict[str, Face]:
    return {
        face.type_token: face
        for kind in kinds
        for face in (Face(kind, kind.type_token, False), Face(kind, resource_token(kind), True))
    }


FACES: dict[str, Face] = _faces(KINDS)
"""The resources the policies look at, by Pulumi type token: each kind's dynamic and native face
(the type tokens of the core's table, ``core.kinds.KIND_BY_TYPE``)."""

SET_FACES: dict[str, Face] = _faces(SETS)
"""The contact sets, by Pulumi type token (both faces, ``core.kinds.SET_BY_TYPE``)."""

NOT_KNOWN = object()
"""What :func:`read` returns for a value the engine does not know yet."""


def read(props: Mapping[str, Any], key: str) -> Any:
    """``props[key]`` (None when absent), or :data:`NOT_KNOWN` for an unknown value.

    The pack hands validators proxies that raise ``UnknownValueError`` on an unknown value; a
    plain dict (a test, another pack) carries the SDK's sentinel string instead. Both mean the
    same here.
    """
    try:
        value = props.get(key)
    except UnknownValueError:
        return NOT_KNOWN
    return NOT_KNOWN if is_unknown(value) else value


def checked(face: Face, props: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The inputs of a contact run through ``check_contact``: (normalised inputs, reason by property).

    Only the properties a user sets are passed (outputs such as ``status`` and the internal
    ``__provider`` are left out), read in the face's spelling; the result is keyed by Python
    names, the reasons spell properties as the face does. An unknown value comes back as ``UNKNOWN``.
    """
    kind = face.kind
    news: dict[str, Any] = {}
    for name in kind.input_names:
        value = read(props, face.prop(name))
        if value is NOT_KNOWN:
            news[name] = UNKNOWN
        elif value is not None:
            news[name] = value
    outcome = check_contact(kind, news, naming=face.naming)
    reasons: dict[str, str] = {}
    for prop, reason in outcome.failures:
        reasons.setdefault(prop, reason)
    return outcome.inputs, reasons


def known(inputs: Mapping[str, Any], name: str) -> Any:
    """A normalised input, or None when it is missing, invalid or unknown."""
    value = inputs.get(name)
    return None if value is None or is_unknown(value) else value


def settled(args: ResourceValidationArgs, face: Face, *names: str) -> dict[str, Any]:
    """The values of ``names`` (Python names; read in the face's spelling), or not applicable
    (raises) while one of them cannot be judged.

    Unknown (preview, an output of another resource): the engine analyzes the resource again
    with the real value during the update. Absent: ``check()`` failed on it (it drops a bad
    value from the inputs it returns) and the engine already reports that error.
    """
    values = {name: read(args.props, face.prop(name)) for name in names}
    unknown = [face.prop(name) for name, value in values.items() if value is NOT_KNOWN]
    if unknown:
        args.not_applicable(f"{' and '.join(unknown)} not known yet; judged when the update runs")
    missing = [face.prop(name) for name, value in values.items() if value is None]
    if missing:
        args.not_applicable(f"{' and '.join(missing)} not set; check() reports that")
    return values


def items(value: Any) -> list[Any]:
    """The elements of a known list (a plain list, or the pack's proxy of one), each element
    :data:`NOT_KNOWN` while the engine does not know it."""
    if not isinstance(value, Sequence) or isinstance(value, str):
        return []
    found = []
    for index in range(len(value)):
        try:
            element = value[index]
        except UnknownValueError:
            element = NOT_KNOWN
        found.append(NOT_KNOWN if element is NOT_KNOWN or is_unknown(element) else element)
    return found


def element_values(face: Face, prop: Property, element: Any) -> dict[str, Any]:
    """One element of a set's list (``prop``: its property in the table) by the Python names of the
    contact it stands for: an element of scalar ``items`` is the target itself, an object's fields
    are read as the face spells them (a value not known yet is :data:`NOT_KNOWN`)."""
    shape = prop.items
    if shape is None or shape.type != "object":
        return {TARGET: element}
    if not isinstance(element, Mapping):
        return {field.name: NOT_KNOWN if element is NOT_KNOWN else None for field in shape.properties}
    return {field.name: read(element, face.field(field)) for field in shape.properties}


HIDDEN = "(not shown)"
"""What a reason from ``check_contact`` shows instead of the address or number it would repeat."""


@dataclass(frozen=True)
class Judged:
    """One contact a resource rule judges: a contact resource, or one element of a set's list.

    ``values`` holds the contact's properties by Python name (``target``, ``region_code``), known
    and set. A message names the contact by its property (``target``) or, for an element, by its
    index (``emails[1]``): its address or number is never repeated, whichever resource holds it.
    """

    kind: ContactKind
    """The contact kind (``EMAIL``, ``PHONE``), whichever resource holds the contact."""
    face: Face
    """The face of the resource under judgement (a contact's, or a set's)."""
    label: str
    """How messages name the resource: ``ContactEmail "jane-email"``, ``UserContacts "jane" (native)``."""
    values: dict[str, Any]
    props: Mapping[str, Any] | None = None
    """A contact resource's properties (to check it whole); None for an element."""
    path: str = ""
    """The element's place in its set (``phoneNumbers[0]``), empty for a contact resource."""
    scalar: bool = False
    """The element is the target itself (an email address), not an object of fields."""

    def prop(self, name: str) -> str:
        """How a message names property ``name``: ``target``, ``regionCode``, ``emails[1]``,
        ``phoneNumbers[0].regionCode``."""
        spelled = self.face.naming(self.kind, name)
        if not self.path:
            return spelled
        return self.path if self.scalar else f"{self.path}.{spelled}"

    def qualified(self, name: str) -> str:
        """``ContactPhoneNumber.target``, ``UserContacts.phoneNumbers[0].target``: as ``check()``
        names it."""
        return f"{self.face.kind.resource}.{self.prop(name)}"

    def check(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The contact run through ``check_contact``: (normalised values, reason by Python name),
        the reasons without the target (:data:`HIDDEN` in its place)."""
        if self.props is not None:
            inputs, found = checked(self.face, self.props)
        else:
            news = {k: UNKNOWN if v is NOT_KNOWN else v for k, v in self.values.items() if v is not None}
            outcome = check_contact(
                self.kind,
                {USER_ID: "1", **news},
                naming=self.face.naming,
                subject=f"{self.face.kind.resource}.{self.path}",
            )
            inputs, found = outcome.inputs, {}
            for prop, reason in outcome.failures:
                found.setdefault(prop, reason)
        target = self.values.get(TARGET)
        hidden = [] if target is None or target is NOT_KNOWN else [str(target)]
        return inputs, {prop: redact(reason, hidden, HIDDEN) for prop, reason in found.items()}


def judged(args: ResourceValidationArgs, kind: ContactKind, *names: str) -> list[Judged]:
    """The contacts of ``kind`` in the resource under judgement, with ``names`` settled.

    A contact resource of ``kind``: itself, or not applicable (raises) while one of ``names``
    cannot be judged (:func:`settled`). A set: each element of its list of ``kind`` whose ``names``
    are known (an element not known yet is judged when the update runs); not applicable while the
    whole list is unknown; nothing when the set leaves ``kind`` unmanaged. Any other resource: nothing.
    """
    face = FACES.get(args.resource_type)
    if face is not None:
        if face.kind is not kind:
            return []
        values = settled(args, face, *names)
        return [Judged(kind, face, face.label(args.name), values, args.props)]
    face = SET_FACES.get(args.resource_type)
    member = next((m for m in MEMBERS if m.kind is kind), None)
    if face is None or member is None:
        return []
    prop = face.kind.prop(member.name)
    listed = read(args.props, face.prop(member.name))
    if listed is NOT_KNOWN:
        args.not_applicable(f"{face.prop(member.name)} not known yet; judged when the update runs")
    found = []
    for index, element in enumerate(items(listed)):
        values = element_values(face, prop, element)
        if any(values.get(name) is NOT_KNOWN or values.get(name) is None for name in names):
            continue
        path = f"{face.prop(member.name)}[{index}]"
        scalar = prop.items is None or prop.items.type != "object"
        found.append(Judged(kind, face, face.label(args.name), values, None, path, scalar))
    return found


@dataclass(frozen=True)
class StackResource:
    """A resource of a stack the stack policies look at: its face, URN, name and user (None when
    the user id is unknown, missing or invalid)."""

    face: Face
    urn: str
    name: str
    user_id: str | None

    @property
    def label(self) -> str:
        """``ContactEmail "jane-email"``: how messages name the resource."""
        return self.face.label(self.name)

    @property
    def ref(self) -> str:
        """``"jane-email"``: how messages name it beside the resource they are attached to."""
        return self.face.ref(self.name)


@dataclass(frozen=True)
class StackContact(StackResource):
    """One contact resource of a stack, as the stack policies see it.

    ``target`` (normalised: E.164, or the checked email address), ``primary`` and ``status`` are
    None when the value is unknown, missing or invalid.
    """

    target: str | None
    primary: bool | None
    status: str | None

    @property
    def kind(self) -> ContactKind:
        """The contact kind, whichever face declared it."""
        return self.face.kind


def stack_contacts(resources: Iterable[PolicyResource]) -> list[StackContact]:
    """The ilert contacts among ``resources`` (both faces), sorted by URN; other types are skipped.

    The engine sends a stack's resources in no fixed order; sorting makes every report (which
    resource it is attached to, the order of the names in it) the same from run to run.
    """
    contacts = []
    for resource in sorted(resources, key=lambda r: r.urn):
        face = FACES.get(resource.resource_type)
        if face is None:
            continue
        kind = face.kind
        inputs, _ = checked(face, resource.props)
        target = known(inputs, "target")
        if kind is PHONE and known(inputs, "region_code") is None:
            target = None  # without its region a national number cannot be normalised
        primary = read(resource.props, face.prop("primary")) if kind is PHONE else False
        status = read(resource.props, face.prop("status"))
        contacts.append(
            StackContact(
                face=face,
                urn=resource.urn,
                name=resource.name,
                user_id=known(inputs, "user_id"),
                target=target,
                primary=primary if isinstance(primary, bool) else None,
                status=status.upper() if isinstance(status, str) else None,
            )
        )
    return contacts


@dataclass(frozen=True)
class SetStatus:
    """The ``status`` of one contact a set manages, from the set's contacts output."""

    kind: ContactKind
    path: str
    """Where it is: ``emailContacts[1].status``."""
    status: str


@dataclass(frozen=True)
class StackSet(StackResource):
    """One contact set of a stack, as the stack policies see it.

    ``managed`` holds the kinds whose list is given, with the number of elements (None while the
    list is unknown); an omitted list leaves its kind out.
    """

    managed: dict[ContactKind, int | None]
    statuses: tuple[SetStatus, ...]


def stack_sets(resources: Iterable[PolicyResource]) -> list[StackSet]:
    """The contact sets among ``resources`` (both faces), sorted by URN."""
    sets = []
    for resource in sorted(resources, key=lambda r: r.urn):
        face = SET_FACES.get(resource.resource_type)
        if face is None:
            continue
        user_id = read(resource.props, face.prop(USER_ID))
        checked_id = check_contact(face.kind, {USER_ID: UNKNOWN if user_id is NOT_KNOWN else user_id})
        managed: dict[ContactKind, int | None] = {}
        statuses: list[SetStatus] = []
        for member in MEMBERS:
            listed = read(resource.props, face.prop(member.name))
            if listed is None:
                continue
            managed[member.kind] = None if listed is NOT_KNOWN else len(items(listed))
            statuses += _statuses(face, member, read(resource.props, face.prop(member.contacts)))
        sets.append(
            StackSet(
                face=face,
                urn=resource.urn,
                name=resource.name,
                user_id=known(checked_id.inputs, USER_ID),
                managed=managed,
                statuses=tuple(statuses),
            )
        )
    return sets


def _statuses(face: Face, member: Member, contacts: Any) -> list[SetStatus]:
    """The known statuses in a set's contacts output of ``member`` (the table's ``status`` field)."""
    shape = face.kind.prop(member.contacts).items
    field = next(p for p in shape.properties if p.name == "status") if shape is not None else None
    if field is None:
        return []
    found = []
    for index, element in enumerate(items(contacts)):
        status = read(element, face.field(field)) if isinstance(element, Mapping) else None
        if isinstance(status, str):
            path = f"{face.prop(member.contacts)}[{index}].{face.field(field)}"
            found.append(SetStatus(member.kind, path, status.upper()))
    return found


def string_list(config: Mapping[str, Any], key: str) -> list[str] | None:
    """A list-of-strings config value (numbers become digit strings), or None when not set."""
    value = config.get(key)
    if value is None:
        return None
    items = value if isinstance(value, list | tuple) else [value]
    result = []
    for item in items:
        if isinstance(item, float) and item.is_integer():
            item = int(item)  # numbers cross the wire as doubles
        result.append(str(item).strip())
    return [item for item in result if item]
