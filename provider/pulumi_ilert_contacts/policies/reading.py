"""Reading a contact resource as the engine hands it to a policy, in either face's spelling.

The dynamic resources (``pulumi-python:dynamic/ilert:...``) carry Python property names
(``region_code``); the native provider's (``ilert-contacts:index:...``) schema names
(``regionCode``). A :class:`Face` reads and names properties the way its resource spells them. A
value the engine does not know yet is :data:`NOT_KNOWN`, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs
from pulumi_policy.proxy import UnknownValueError

from ..core.kinds import KINDS, PHONE, ContactKind, camel_name, resource_token
from ..core.validation import UNKNOWN, check_contact, is_unknown, python_naming


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

    def ref(self, resource_name: str) -> str:
        """``"jane-email"``, with `` (native)`` for the native provider's resource: a dynamic and
        a native contact may share a name in one stack."""
        return f'"{resource_name}"' + (" (native)" if self.native else "")

    def label(self, resource_name: str) -> str:
        """``ContactEmail "jane-email"`` (or ``ContactEmail "jane-email" (native)``)."""
        return f"{self.kind.resource} {self.ref(resource_name)}"


FACES: dict[str, Face] = {
    face.type_token: face
    for kind in KINDS
    for face in (Face(kind, kind.type_token, False), Face(kind, resource_token(kind), True))
}
"""The resources the policies look at, by Pulumi type token: each kind's dynamic and native face
(the type tokens of the core's table, ``core.kinds.KIND_BY_TYPE``)."""

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
    outcome = check_contact(kind, news, naming=camel_name if face.native else python_naming)
    reasons: dict[str, str] = {}
    for prop, reason in outcome.failures:
        reasons.setdefault(prop, reason)
    return outcome.inputs, reasons


def known(inputs: Mapping[str, Any], name: str) -> Any:
    """A normalised input, or None when it is missing, invalid or unknown."""
    value = inputs.get(name)
    return None if value is None or is_unknown(value) else value


def face_of(args: ResourceValidationArgs, kind: ContactKind) -> Face | None:
    """The face of the resource under judgement when it is a contact of ``kind``, else None."""
    face = FACES.get(args.resource_type)
    return face if face is not None and face.kind is kind else None


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


@dataclass(frozen=True)
class StackContact:
    """One contact resource of a stack, as the stack policies see it.

    ``user_id``, ``target`` (normalised: E.164, or the checked email address), ``primary`` and
    ``status`` are None when the value is unknown, missing or invalid.
    """

    face: Face
    urn: str
    name: str
    user_id: str | None
    target: str | None
    primary: bool | None
    status: str | None

    @property
    def kind(self) -> ContactKind:
        """The contact kind, whichever face declared it."""
        return self.face.kind

    @property
    def label(self) -> str:
        """``ContactEmail "jane-email"``: how messages name the resource."""
        return self.face.label(self.name)

    @property
    def ref(self) -> str:
        """``"jane-email"``: how messages name it beside the resource they are attached to."""
        return self.face.ref(self.name)


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
