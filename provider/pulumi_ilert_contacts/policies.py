"""Policy validators for ilert contacts: what ``check()`` alone cannot see.

``check()`` judges one resource's inputs, and only the values known when it runs. These policies
add the organisation's rules (allowed email domains and phone regions), judge values that were
still unknown at check time, and look across the whole stack (two primary numbers for one user,
the same target declared twice, a user nobody can call, a contact ilert will not notify).

The validators are plain functions taking pulumi-policy's argument objects, so they can be called
from tests and reused in other packs; :func:`all_policies` wraps them as policies, and the pack in
``policy/__main__.py`` only assembles those. This module needs the optional ``[policy]`` extra
(``pulumi-policy``); nothing else in the package imports it.

Every policy looks only at ``ContactEmail`` and ``ContactPhoneNumber`` resources, by type token,
of both faces of the package: the dynamic resources (``pulumi-python:dynamic/ilert:ContactEmail``,
Python property names) and the native provider's (``ilert-contacts:index:ContactEmail``, schema
names such as ``regionCode``). Each is read, and named in messages, in its own face's spelling;
the stack policies count both faces together (a dynamic and a native primary number of one user
are two primaries). A value the engine does not know yet (preview, an output of another resource)
is never guessed: a resource policy reports itself not applicable, a stack policy leaves that
contact out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from .core.kinds import EMAIL, PHONE, ContactKind, camel_name, resource_token, same_target
from .core.validation import UNKNOWN, check_contact, is_unknown, python_naming

PACK_NAME = "ilert-contacts"
"""The name the pack reports to the engine (and the key of its config file's policies)."""

EMAIL_ALLOWED_DOMAINS = "ilert-email-allowed-domains"
PHONE_E164 = "ilert-phone-e164"
PHONE_ALLOWED_REGIONS = "ilert-phone-allowed-regions"
SINGLE_PRIMARY_PHONE = "ilert-single-primary-phone"
NO_DUPLICATE_CONTACTS = "ilert-no-duplicate-contacts"
USER_HAS_PHONE = "ilert-user-has-phone"
CONTACT_STATUS = "ilert-contact-status"

UNDELIVERABLE_STATUSES = ("LOCKED", "BLACKLISTED")
"""Statuses of a contact that ilert sends no notification to."""


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
    for kind in (EMAIL, PHONE)
    for face in (Face(kind, kind.type_token, False), Face(kind, resource_token(kind), True))
}
"""The resources the policies look at, by Pulumi type token: each kind's dynamic and native face."""

KINDS: dict[str, ContactKind] = {token: face.kind for token, face in FACES.items()}
"""The contact kind of each type token the policies look at."""

_NOT_KNOWN = object()
"""What :func:`_read` returns for a value the engine does not know yet."""


# -- reading resources -----------------------------------------------------------------------


def _read(props: Mapping[str, Any], key: str) -> Any:
    """``props[key]`` (None when absent), or ``_NOT_KNOWN`` for an unknown value.

    The pack hands validators proxies that raise ``UnknownValueError`` on an unknown value; a
    plain dict (a test, another pack) carries the SDK's sentinel string instead. Both mean the
    same here.
    """
    try:
        value = props.get(key)
    except UnknownValueError:
        return _NOT_KNOWN
    return _NOT_KNOWN if is_unknown(value) else value


def _checked(face: Face, props: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The inputs of a contact run through ``check_contact``: (normalised inputs, reason by property).

    Only the properties a user sets are passed (outputs such as ``status`` and the internal
    ``__provider`` are left out), read in the face's spelling; the result is keyed by Python
    names, the reasons spell properties as the face does. An unknown value comes back as ``UNKNOWN``.
    """
    kind = face.kind
    news: dict[str, Any] = {}
    for name in kind.input_names:
        value = _read(props, face.prop(name))
        if value is _NOT_KNOWN:
            news[name] = UNKNOWN
        elif value is not None:
            news[name] = value
    outcome = check_contact(kind, news, naming=camel_name if face.native else python_naming)
    reasons: dict[str, str] = {}
    for prop, reason in outcome.failures:
        reasons.setdefault(prop, reason)
    return outcome.inputs, reasons


def _known(inputs: Mapping[str, Any], name: str) -> Any:
    """A normalised input, or None when it is missing, invalid or unknown."""
    value = inputs.get(name)
    return None if value is None or is_unknown(value) else value


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
        inputs, _ = _checked(face, resource.props)
        target = _known(inputs, "target")
        if kind is PHONE and _known(inputs, "region_code") is None:
            target = None  # without its region a national number cannot be normalised
        primary = _read(resource.props, face.prop("primary")) if kind is PHONE else False
        status = _read(resource.props, face.prop("status"))
        contacts.append(
            StackContact(
                face=face,
                urn=resource.urn,
                name=resource.name,
                user_id=_known(inputs, "user_id"),
                target=target,
                primary=primary if isinstance(primary, bool) else None,
                status=status.upper() if isinstance(status, str) else None,
            )
        )
    return contacts


def _string_list(config: Mapping[str, Any], key: str) -> list[str] | None:
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


# -- resource policies -----------------------------------------------------------------------


def _face(args: ResourceValidationArgs, kind: ContactKind) -> Face | None:
    """The face of the resource under judgement when it is a contact of ``kind``, else None."""
    face = FACES.get(args.resource_type)
    return face if face is not None and face.kind is kind else None


def _settled(args: ResourceValidationArgs, face: Face, *names: str) -> dict[str, Any]:
    """The values of ``names`` (Python names; read in the face's spelling), or not applicable
    (raises) while one of them cannot be judged.

    Unknown (preview, an output of another resource): the engine analyzes the resource again
    with the real value during the update. Absent: ``check()`` failed on it (it drops a bad
    value from the inputs it returns) and the engine already reports that error.
    """
    values = {name: _read(args.props, face.prop(name)) for name in names}
    unknown = [face.prop(name) for name, value in values.items() if value is _NOT_KNOWN]
    if unknown:
        args.not_applicable(f"{' and '.join(unknown)} not known yet; judged when the update runs")
    missing = [face.prop(name) for name, value in values.items() if value is None]
    if missing:
        args.not_applicable(f"{' and '.join(missing)} not set; check() reports that")
    return values


def _domain_key(domain: str) -> str:
    domain = domain.strip().lstrip("@").rstrip(".").casefold()
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def validate_email_allowed_domains(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """``ilert-email-allowed-domains``: an email target's domain is in ``allowedDomains``.

    Without ``allowedDomains`` configured the policy is not applicable. Domains match exactly
    (case-insensitively); a subdomain needs its own entry.
    """
    face = _face(args, EMAIL)
    if face is None:
        return
    allowed = _string_list(args.get_config(), "allowedDomains")
    if not allowed:
        args.not_applicable("no allowedDomains configured")
        return
    target = _settled(args, face, "target")["target"]
    label = face.label(args.name)
    if not isinstance(target, str) or "@" not in target:
        report_violation(f"{label}: target {target!r} has no domain, so it cannot be in allowedDomains", None)
        return
    domain = target.rpartition("@")[2]
    if _domain_key(domain) not in {_domain_key(entry) for entry in allowed}:
        report_violation(
            f"{label}: target {target!r} is at domain {domain!r}, which is not in allowedDomains "
            f"({', '.join(allowed)}); ilert would notify a mailbox outside the organisation",
            None,
        )


def validate_phone_e164(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """``ilert-phone-e164``: a phone target is a valid E.164 number of its ``region_code``.

    The same rules as ``check()`` (it reuses them), applied again to the values the engine
    settles on, including those that were still unknown when ``check()`` ran.
    """
    face = _face(args, PHONE)
    if face is None:
        return
    target = _settled(args, face, "target", "region_code")["target"]
    label = face.label(args.name)
    inputs, reasons = _checked(face, args.props)
    for prop in ("region_code", "target"):
        if prop in reasons:
            report_violation(f"{label}: {reasons[prop]}", None)
    normalised = _known(inputs, "target")
    if not reasons.keys() & {"target", "region_code"} and normalised is not None and target != normalised:
        report_violation(
            f"{label}: {PHONE.resource}.target {target!r} is not in E.164 form; write it as {normalised!r}",
            None,
        )


def validate_phone_allowed_regions(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """``ilert-phone-allowed-regions``: a phone's ``region_code`` is in ``allowedRegions``.

    Without ``allowedRegions`` configured the policy is not applicable.
    """
    face = _face(args, PHONE)
    if face is None:
        return
    allowed = [region.upper() for region in _string_list(args.get_config(), "allowedRegions") or []]
    if not allowed:
        args.not_applicable("no allowedRegions configured")
        return
    region = _settled(args, face, "region_code")["region_code"]
    label = face.label(args.name)
    if not isinstance(region, str) or region.strip().upper() not in allowed:
        region_code = face.prop("region_code")
        report_violation(
            f"{label}: {region_code} {region!r} is not in allowedRegions ({', '.join(allowed)}); "
            "ilert would call or text a number outside the allowed regions",
            None,
        )


# -- stack policies --------------------------------------------------------------------------


def validate_single_primary_phone(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """``ilert-single-primary-phone``: at most one ``primary=True`` phone number per user.

    ilert keeps one primary number per user: making one primary clears the flag on the other,
    so with two the stack never settles and every deploy flips the flag again.
    """
    primaries: dict[str, list[StackContact]] = {}
    for contact in stack_contacts(args.resources):
        if contact.kind is PHONE and contact.primary is True and contact.user_id is not None:
            primaries.setdefault(contact.user_id, []).append(contact)
    for user_id, phones in primaries.items():
        if len(phones) < 2:
            continue
        for phone in phones:
            others = ", ".join(other.ref for other in phones if other is not phone)
            report_violation(
                f"{phone.label}: primary is true, but user {user_id} has {len(phones)} primary phone "
                f"numbers in this stack (also {others}); ilert keeps one primary per user, so every "
                "deploy would flip the flag back and forth. Set primary to true on one of them only",
                phone.urn,
            )


def validate_no_duplicate_contacts(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """``ilert-no-duplicate-contacts``: no target declared twice for one user (per contact kind).

    Emails are compared case-insensitively, phone numbers in E.164. ilert rejects a second
    contact with the same target, and with ``adopt=True`` both resources would manage one
    contact (deleting either deletes it for both).
    """
    # (kind, user) -> groups of contacts sharing a target; targets are compared by the one rule
    # the providers use (``same_target``), so "the same contact" means the same thing everywhere.
    groups: dict[tuple[str, str], list[list[StackContact]]] = {}
    for contact in stack_contacts(args.resources):
        if contact.user_id is None or contact.target is None:
            continue
        buckets = groups.setdefault((contact.kind.resource, contact.user_id), [])
        for bucket in buckets:
            if same_target(contact.kind, bucket[0].target or "", contact.target):
                bucket.append(contact)
                break
        else:
            buckets.append([contact])
    for (_, user_id), buckets in groups.items():
        for bucket in buckets:
            if len(bucket) < 2:
                continue
            for contact in bucket:
                others = ", ".join(f"{other.ref} ({other.urn})" for other in bucket if other is not contact)
                report_violation(
                    f"{contact.label}: target {contact.target!r} of user {user_id} is also declared by "
                    f"{others}; ilert holds one {contact.kind.label} per target, so one of the creates "
                    "fails (or, with adopt=true, several resources manage one contact and deleting one "
                    "deletes it for all). Keep one of them",
                    contact.urn,
                )


def validate_user_has_phone(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """``ilert-user-has-phone``: every user with contacts in the stack has a phone number.

    Config: ``requirePhone`` (default true; false turns the check off) and ``exemptUsers`` (user
    ids that need no phone, e.g. service accounts). A user is judged only when every phone's
    user is known, so an unknown ``user_id`` in preview never causes a false report.
    """
    config = args.get_config()
    if config.get("requirePhone", True) is False:
        args.not_applicable("requirePhone is false")
        return
    exempt = {text.lstrip("0") or "0" for text in _string_list(config, "exemptUsers") or []}
    contacts = stack_contacts(args.resources)
    if any(c.kind is PHONE and c.user_id is None for c in contacts):
        return  # a phone whose owner is not known yet might belong to anyone
    with_phone = {c.user_id for c in contacts if c.kind is PHONE}
    by_user: dict[str, list[StackContact]] = {}
    for contact in contacts:
        user_id = contact.user_id
        if user_id is not None and user_id not in with_phone and user_id not in exempt:
            by_user.setdefault(user_id, []).append(contact)
    for user_id, owned in by_user.items():
        names = ", ".join(c.ref for c in owned)
        report_violation(
            f"{owned[0].label}: user {user_id} has contacts in this stack ({names}) but no "
            f"{PHONE.resource}; ilert cannot call or text them when they are on call. Add a phone "
            "number for the user, or list the user id in exemptUsers",
            owned[0].urn,
        )


def validate_contact_status(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """``ilert-contact-status``: no contact whose ``status`` is LOCKED or BLACKLISTED.

    ``status`` is computed by ilert; in ``pulumi up`` the stack policy sees it after the update,
    in preview it is the one from the state (or unknown, and then skipped).
    """
    for contact in stack_contacts(args.resources):
        if contact.status in UNDELIVERABLE_STATUSES:
            who = f"user {contact.user_id}" if contact.user_id else "its user"
            target = f" {contact.target!r}" if contact.target else ""
            report_violation(
                f"{contact.label}: status is {contact.status}: ilert delivers no notification to "
                f"the {contact.kind.label}{target} of {who}. Check the contact in ilert and unlock "
                "it, or replace the target",
                contact.urn,
            )


# -- the policies ----------------------------------------------------------------------------

_REGION_ITEM = {"type": "string", "pattern": "^[A-Za-z]{2}$"}
_USER_ITEM = {"type": ["string", "integer"]}


def _email_allowed_domains(level: EnforcementLevel) -> Policy:
    return ResourceValidationPolicy(
        name=EMAIL_ALLOWED_DOMAINS,
        description="ilert email contacts must use one of the organisation's email domains.",
        validate=validate_email_allowed_domains,
        enforcement_level=level,
        severity=Severity.MEDIUM,
        config_schema=PolicyConfigSchema(
            properties={
                "allowedDomains": {
                    "type": "array",
                    "items": {"type": "string", "minLength": 1},
                    "description": "Domains email targets may use (exact match, case-insensitive). "
                    "Unset: the policy does not apply.",
                }
            }
        ),
    )


def _phone_e164(level: EnforcementLevel) -> Policy:
    return ResourceValidationPolicy(
        name=PHONE_E164,
        description="ilert phone contacts must be valid E.164 numbers of their region code.",
        validate=validate_phone_e164,
        enforcement_level=level,
        severity=Severity.HIGH,
    )


def _phone_allowed_regions(level: EnforcementLevel) -> Policy:
    return ResourceValidationPolicy(
        name=PHONE_ALLOWED_REGIONS,
        description="ilert phone contacts must be in one of the allowed regions.",
        validate=validate_phone_allowed_regions,
        enforcement_level=level,
        severity=Severity.MEDIUM,
        config_schema=PolicyConfigSchema(
            properties={
                "allowedRegions": {
                    "type": "array",
                    "items": _REGION_ITEM,
                    "description": "ISO 3166-1 alpha-2 region codes phone numbers may have, "
                    '["DE", "AT"] for instance. Unset: the policy does not apply.',
                }
            }
        ),
    )


def _single_primary_phone(level: EnforcementLevel) -> Policy:
    return StackValidationPolicy(
        name=SINGLE_PRIMARY_PHONE,
        description="Each ilert user has at most one primary phone number in the stack.",
        validate=validate_single_primary_phone,
        enforcement_level=level,
        severity=Severity.MEDIUM,
    )


def _no_duplicate_contacts(level: EnforcementLevel) -> Policy:
    return StackValidationPolicy(
        name=NO_DUPLICATE_CONTACTS,
        description="No ilert contact target is declared twice for the same user.",
        validate=validate_no_duplicate_contacts,
        enforcement_level=level,
        severity=Severity.HIGH,
    )


def _user_has_phone(level: EnforcementLevel) -> Policy:
    return StackValidationPolicy(
        name=USER_HAS_PHONE,
        description=(
            "Every ilert user with contacts in the stack has a phone number, to be reachable on call."
        ),
        validate=validate_user_has_phone,
        enforcement_level=level,
        severity=Severity.MEDIUM,
        config_schema=PolicyConfigSchema(
            properties={
                "requirePhone": {
                    "type": "boolean",
                    "default": True,
                    "description": "Require a phone number for every user (false turns the check off).",
                },
                "exemptUsers": {
                    "type": "array",
                    "items": _USER_ITEM,
                    "default": [],
                    "description": "ilert user ids that need no phone number (e.g. service accounts).",
                },
            }
        ),
    )


def _contact_status(level: EnforcementLevel) -> Policy:
    return StackValidationPolicy(
        name=CONTACT_STATUS,
        description="ilert contacts must not be LOCKED or BLACKLISTED: ilert does not notify them.",
        validate=validate_contact_status,
        enforcement_level=level,
        severity=Severity.HIGH,
    )


DEFAULT_ENFORCEMENT: dict[str, EnforcementLevel] = {
    EMAIL_ALLOWED_DOMAINS: EnforcementLevel.MANDATORY,
    PHONE_E164: EnforcementLevel.MANDATORY,
    PHONE_ALLOWED_REGIONS: EnforcementLevel.MANDATORY,
    SINGLE_PRIMARY_PHONE: EnforcementLevel.MANDATORY,
    NO_DUPLICATE_CONTACTS: EnforcementLevel.MANDATORY,
    USER_HAS_PHONE: EnforcementLevel.ADVISORY,
    CONTACT_STATUS: EnforcementLevel.ADVISORY,
}
"""Each policy's enforcement level unless the pack's config or :func:`all_policies` says otherwise."""

_FACTORIES: dict[str, Callable[[EnforcementLevel], Policy]] = {
    EMAIL_ALLOWED_DOMAINS: _email_allowed_domains,
    PHONE_E164: _phone_e164,
    PHONE_ALLOWED_REGIONS: _phone_allowed_regions,
    SINGLE_PRIMARY_PHONE: _single_primary_phone,
    NO_DUPLICATE_CONTACTS: _no_duplicate_contacts,
    USER_HAS_PHONE: _user_has_phone,
    CONTACT_STATUS: _contact_status,
}


def all_policies(
    enforcement_level: EnforcementLevel | None = None,
    overrides: Mapping[str, EnforcementLevel] | None = None,
) -> list[Policy]:
    """New instances of every policy, for ``PolicyPack(policies=...)``.

    :param enforcement_level: One level for all of them (e.g. ``ADVISORY`` to roll the pack out
        without blocking deploys) instead of :data:`DEFAULT_ENFORCEMENT`.
    :param overrides: Levels for single policies, by name; these win over ``enforcement_level``.

    Example (a pack of your own)::

        from pulumi_policy import EnforcementLevel, PolicyPack
        from pulumi_ilert_contacts.policies import all_policies

        PolicyPack("my-ilert-rules", all_policies(EnforcementLevel.ADVISORY))
    """
    unknown = set(overrides or {}) - set(_FACTORIES)
    if unknown:
        raise ValueError(f"no such ilert policy: {', '.join(sorted(unknown))}")
    policies = []
    for name, factory in _FACTORIES.items():
        level = (overrides or {}).get(name) or enforcement_level or DEFAULT_ENFORCEMENT[name]
        policies.append(factory(level))
    return policies
