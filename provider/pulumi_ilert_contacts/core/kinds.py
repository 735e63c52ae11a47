"""The two kinds of contact and the one table of their properties.

A kind knows its API path, its type tokens (both faces'), its properties and the words used for it
in messages. A property knows its Python name (``region_code``: the dynamic resources, the core's
dicts), its schema name (``regionCode``: the native plugin, YAML programs, every generated SDK), the
ilert JSON field it maps to, its type (a scalar, a list of ``items`` or an object of
``properties``), its documentation, whether it is an argument of the look-up function and whether
it keeps its value through an update. The plugin's schema, its name translation, validation of
flags and of plain properties, the plan's stable properties and both generators are derived from
this table. The typed Python classes (``declarations.py``, ``dynamic/``, ``native/``) spell the
names out for type checkers; ``tests/unit/test_table_agreement.py`` fails until they agree with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

PropertyType = Literal["string", "boolean", "integer", "number", "array", "object"]
"""A property's type: a scalar, ``array`` (of ``Property.items``) or ``object`` (of
``Property.properties``, a named type of the schema)."""

LookupRole = Literal["required", "optional"]

USER_ID = "user_id"
"""The Python names every contact kind has: its user, its target, the adopt flag."""
TARGET = "target"
ADOPT = "adopt"

STATUSES = ("OK", "LOCKED", "BLACKLISTED")
"""The values of ``status``: ilert notifies only contacts whose status is ``OK``."""


@dataclass(frozen=True)
class Property:
    """One property of a contact resource."""

    name: str
    """The Python name (``region_code``)."""
    camel: str
    """The schema name (``regionCode``): plugin inputs and outputs, YAML, generated SDKs."""
    type: PropertyType
    description: str
    api: str | None = None
    """The ilert JSON field, for the properties sent in a POST/PUT body."""
    input: bool = True
    """Set by the user (else computed by ilert: an output only)."""
    required: bool = False
    default: Any = None
    replaces: bool = False
    """A change means a new contact (ilert cannot move a contact to another user)."""
    stable: bool = False
    """An output an in-place update never changes (ilert's id of the contact)."""
    lookup: LookupRole | None = None
    """An argument of the kind's look-up function (``getContactEmail``), required or optional."""
    lookup_description: str | None = None
    """The argument's description in the look-up function, where it differs from ``description``."""
    items: Property | None = None
    """The element of an ``array`` property (its names are not used)."""
    properties: tuple[Property, ...] = ()
    """The fields of an ``object`` property (or of an array's object element)."""
    object_type: str | None = None
    """The schema type name of an ``object`` property (``UserContactsPhoneNumber``)."""


def element(
    type: PropertyType,
    *properties: Property,
    description: str = "",
    object_type: str | None = None,
) -> Property:
    """The element of an ``array`` property: a scalar type, or an object with ``properties``."""
    return Property("", "", type, description, properties=properties, object_type=object_type)


def _user_id(what: str) -> Property:
    return Property(
        "user_id",
        "userId",
        "string",
        f"The numeric id of the ilert user who owns the {what}, as a string of digits. "
        "Changing it replaces the contact.",
        required=True,
        replaces=True,
        lookup="required",
    )


def _adopt(what: str) -> Property:
    return Property(
        "adopt",
        "adopt",
        "boolean",
        f"Take over the user's existing {what} with the same target (updating it to match) instead "
        "of creating one. Default `false`.",
        default=False,
    )


_CONTACT_ID = Property(
    "contact_id", "contactId", "integer", "ilert's id of the contact.", input=False, stable=True
)
_STATUS = Property(
    "status",
    "status",
    "string",
    "`OK`, `LOCKED` or `BLACKLISTED`: ilert does not notify LOCKED or BLACKLISTED contacts.",
    input=False,
)


PACKAGE = "ilert-contacts"
"""The plugin's package name: its type tokens' first part and its stack config namespace."""
MODULE = "index"
"""The plugin's one module."""
DYNAMIC_PREFIX = "pulumi-python:dynamic/ilert:"
"""What the Python SDK puts before a dynamic resource's type name (``module="ilert"``)."""


@dataclass(frozen=True)
class ContactKind:
    """One contact kind of the ilert API (``/users/{id}/contacts/<path>``)."""

    resource: str
    """The resource's type name (``ContactEmail``), used in messages and type tokens."""
    path: str
    """The API collection (``emails`` or ``phone-numbers``)."""
    label: str
    """What a person calls one (``email contact``)."""
    description: str
    """What the resource is, for docstrings and the schema."""
    properties: tuple[Property, ...]
    target_case_insensitive: bool = False
    """Whether two targets that differ only in case name one contact (email addresses: ilert and
    mail servers treat ``Jane@Example.com`` and ``jane@example.com`` as one mailbox)."""

    @property
    def inputs(self) -> tuple[Property, ...]:
        """The properties a user sets, in declaration order."""
        return tuple(p for p in self.properties if p.input)

    @property
    def output_names(self) -> tuple[str, ...]:
        """The Python names of what ilert computes (``contact_id``, ``status``; a set's contacts)."""
        return tuple(p.name for p in self.properties if not p.input)

    @property
    def input_names(self) -> tuple[str, ...]:
        """The Python names of the inputs: the API fields plus ``user_id`` and ``adopt``."""
        return tuple(p.name for p in self.inputs)

    @property
    def lookup_inputs(self) -> tuple[Property, ...]:
        """The arguments of the look-up function: the required ones, then the optional ones (each in
        declaration order)."""
        return tuple(p for role in ("required", "optional") for p in self.properties if p.lookup == role)

    @property
    def stables(self) -> tuple[str, ...]:
        """What an in-place update never changes: the properties whose change replaces the
        contact, and the stable outputs."""
        return tuple(p.name for p in self.properties if p.replaces or p.stable)

    def prop(self, name: str) -> Property:
        """The property with Python name ``name``."""
        for prop in self.properties:
            if prop.name == name:
                return prop
        raise KeyError(f"{self.resource} has no property {name!r}")

    @property
    def fields(self) -> tuple[tuple[str, str], ...]:
        """(Python name, ilert JSON field) for every field the API takes in a POST/PUT body."""
        return tuple((p.name, p.api) for p in self.properties if p.api is not None)

    @property
    def defaults(self) -> dict[str, Any]:
        """The value of each optional input when it is not set."""
        return {p.name: p.default for p in self.inputs if p.default is not None}

    @property
    def type_token(self) -> str:
        """The type token of the dynamic resource (``pulumi-python:dynamic/ilert:ContactEmail``)."""
        return f"{DYNAMIC_PREFIX}{self.resource}"

    @property
    def resource_token(self) -> str:
        """The type token of the plugin's resource (``ilert-contacts:index:ContactEmail``)."""
        return f"{PACKAGE}:{MODULE}:{self.resource}"

    @property
    def function_name(self) -> str:
        """The name of the plugin's look-up function (``getContactEmail``)."""
        return f"get{self.resource}"

    @property
    def function_token(self) -> str:
        """The token of the plugin's look-up function (``ilert-contacts:index:getContactEmail``)."""
        return f"{PACKAGE}:{MODULE}:{self.function_name}"

    def comparable_target(self, target: str) -> str:
        """The target as compared when looking for "the same contact" (phone targets are E.164)."""
        return target.casefold() if self.target_case_insensitive else target

    def same_target(self, a: str, b: str) -> bool:
        """Whether two targets name the same contact of this kind."""
        return self.comparable_target(a) == self.comparable_target(b)

    def to_api(self, props: dict[str, Any]) -> dict[str, Any]:
        """The full POST/PUT body for ``props`` (PUT is a full replace: every field is sent)."""
        return {api: props.get(prop) for prop, api in self.fields}

    def from_api(self, contact: dict[str, Any]) -> dict[str, Any]:
        """Python-named properties (without ``user_id``/``adopt``) of a contact object from ilert."""
        props = {prop: contact.get(api) for prop, api in self.fields}
        props["contact_id"] = int(contact["id"])
        props["status"] = contact.get("status")
        return props


EMAIL = ContactKind(
    resource="ContactEmail",
    path="emails",
    label="email contact",
    description="An email address ilert notifies a user at.",
    properties=(
        _user_id("email contact"),
        Property(
            "target",
            "target",
            "string",
            "The email address: checked (syntax only, no DNS) and normalised, at most 255 characters.",
            api="target",
            required=True,
            lookup="required",
            lookup_description="The target to look for, compared as the resource normalises it "
            "(case-insensitively).",
        ),
        _adopt("email contact"),
        _CONTACT_ID,
        _STATUS,
    ),
    target_case_insensitive=True,
)

PHONE = ContactKind(
    resource="ContactPhoneNumber",
    path="phone-numbers",
    label="phone number contact",
    description="A phone number ilert calls or texts a user at.",
    properties=(
        _user_id("phone number contact"),
        Property(
            "region_code",
            "regionCode",
            "string",
            'The ISO 3166-1 alpha-2 region of the number, e.g. "DE" (any case; stored upper-case).',
            api="regionCode",
            required=True,
            lookup="optional",
            lookup_description="The region of a number given in national form; not needed for an "
            "international number.",
        ),
        Property(
            "target",
            "target",
            "string",
            "The number, international (+4915123456789) or national for the region (0151 23456789); "
            "it must be valid and belong to the region, and is stored in E.164.",
            api="target",
            required=True,
            lookup="required",
            lookup_description="The target to look for, compared as the resource normalises it (in E.164).",
        ),
        Property(
            "primary",
            "primary",
            "boolean",
            "The user's primary number. ilert allows one per user, so making one primary clears the "
            "others. Default `false`.",
            api="primary",
            default=False,
        ),
        _adopt("phone number contact"),
        _CONTACT_ID,
        _STATUS,
    ),
)

KINDS = (EMAIL, PHONE)
"""The contact kinds: one API collection and one single-contact resource each."""

_SET_PHONE_NUMBER = element(
    "object",
    Property(
        "target",
        "target",
        "string",
        "The number, international or national for the region; stored in E.164.",
        required=True,
    ),
    Property(
        "region_code",
        "regionCode",
        "string",
        'The ISO 3166-1 alpha-2 region of the number, e.g. "DE".',
        required=True,
    ),
    Property(
        "primary",
        "primary",
        "boolean",
        "The user's primary number (at most one in a set). Default `false`.",
        default=False,
    ),
    description="One phone number of a contact set.",
    object_type="UserContactsPhoneNumber",
)
_CONTACT_FIELDS = (
    Property("contact_id", "contactId", "integer", "ilert's id of the contact."),
    Property("status", "status", "string", "`OK`, `LOCKED` or `BLACKLISTED`."),
)

USER_CONTACTS = ContactKind(
    resource="UserContacts",
    path="",
    label="contact set",
    description="Every contact of one kind or both of an ilert user, as one authoritative resource: "
    "after `pulumi up` the user's contacts of each managed kind are exactly the listed ones (the "
    "login email ilert makes for every user included: a set that does not list it deletes it). "
    "Destroying the set forgets the contacts unless `deleteOnDestroy` is true.",
    properties=(
        Property(
            "user_id",
            "userId",
            "string",
            "The numeric id of the ilert user whose contacts the set holds, as a string of digits. "
            "Changing it replaces the set.",
            required=True,
            replaces=True,
        ),
        Property(
            "emails",
            "emails",
            "array",
            "The user's email addresses, compared case-insensitively. Omitted: the user's emails are "
            "not managed; empty: the user has none.",
            items=element("string"),
        ),
        Property(
            "phone_numbers",
            "phoneNumbers",
            "array",
            "The user's phone numbers, compared in E.164. Omitted: the user's numbers are not "
            "managed; empty: the user has none.",
            items=_SET_PHONE_NUMBER,
        ),
        Property(
            "delete_on_destroy",
            "deleteOnDestroy",
            "boolean",
            "Delete every listed contact when the set is destroyed (else destroy only forgets them). "
            "Default `false`.",
            default=False,
        ),
        Property(
            "email_contacts",
            "emailContacts",
            "array",
            "Each managed email contact, in the declared order: its target, contactId and status.",
            input=False,
            items=element(
                "object",
                Property("target", "target", "string", "The email address."),
                *_CONTACT_FIELDS,
                description="One email contact of a contact set.",
                object_type="UserContactsEmailContact",
            ),
        ),
        Property(
            "phone_number_contacts",
            "phoneNumberContacts",
            "array",
            "Each managed phone number contact, in the declared order: its fields, contactId and status.",
            input=False,
            items=element(
                "object",
                Property("target", "target", "string", "The number in E.164."),
                Property("region_code", "regionCode", "string", "The number's region."),
                Property("primary", "primary", "boolean", "Whether this is the user's primary number."),
                *_CONTACT_FIELDS,
                description="One phone number contact of a contact set.",
                object_type="UserContactsPhoneNumberContact",
            ),
        ),
    ),
)
"""The contact set: a third kind of resource (not an API collection: its ``path`` is empty), whose
list properties hold contacts of the two contact kinds (``core.contact_set``)."""

SETS = (USER_CONTACTS,)
"""The set kinds."""
RESOURCE_KINDS = (*KINDS, *SETS)
"""Every resource of the package: the contact kinds and the set."""

KIND_BY_RESOURCE = {kind.resource_token: kind for kind in KINDS}
"""The plugin's contact resource type tokens."""
SET_BY_TYPE = {
    **{kind.type_token: kind for kind in SETS},
    **{kind.resource_token: kind for kind in SETS},
}
"""The set's type tokens of both faces."""
KIND_BY_FUNCTION = {kind.function_token: kind for kind in KINDS}
"""The plugin's look-up function tokens."""
KIND_BY_TYPE = {**{kind.type_token: kind for kind in KINDS}, **KIND_BY_RESOURCE}
"""Every resource type token of both faces (dynamic and plugin)."""

OUTPUT_NAMES = tuple(p.name for p in EMAIL.properties if not p.input)
"""Properties ilert computes (``contact_id``, ``status``): the same for both kinds."""


def resource_token(kind: ContactKind) -> str:
    """``ilert-contacts:index:ContactEmail``: the plugin's resource type token."""
    return kind.resource_token


def function_name(kind: ContactKind) -> str:
    """``getContactEmail``: the plugin's look-up function."""
    return kind.function_name


def function_token(kind: ContactKind) -> str:
    """``ilert-contacts:index:getContactEmail``."""
    return kind.function_token


def same_target(kind: ContactKind, a: str, b: str) -> bool:
    """Whether two targets name the same contact of ``kind``."""
    return kind.same_target(a, b)


def camel_name(kind: ContactKind, name: str) -> str:
    """The schema name of a Python property name; a name the kind does not have is kept."""
    for prop in kind.properties:
        if prop.name == name:
            return prop.camel
    return name


def python_name(kind: ContactKind, camel: str) -> str:
    """The Python name of a schema property name; a name the kind does not have is kept."""
    for prop in kind.properties:
        if prop.camel == camel:
            return prop.name
    return camel


def declared_props(kind: ContactKind, args: Any, overrides: dict[str, Any]) -> dict[str, Any]:
    """The property bag a resource class declares: ``args`` fields, overridden by keyword
    arguments, plus the outputs seeded as ``None`` so that every ``pulumi.Output`` attribute
    resolves."""
    props: dict[str, Any] = {name: getattr(args, name, None) for name in kind.input_names}
    props.update({name: value for name, value in overrides.items() if value is not None})
    props.update({name: None for name in kind.output_names})
    return props
