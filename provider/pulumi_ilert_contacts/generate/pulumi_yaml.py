"""Render a generation as a Pulumi YAML program (a whole ``Pulumi.yaml``) on the native provider.

Each contact becomes one ``ilert-contacts:index:ContactEmail`` / ``ContactPhoneNumber`` resource
with the values ilert holds and ``options: import: "<userId>:<contactId>"``. Where the Python output
relies on ``adopt`` (dynamic resources cannot be imported, pulumi/pulumi#16175), this one uses
Pulumi's own import: the first ``pulumi up`` reads each contact by its id and records it in the
stack, and writes nothing to ilert as long as the values are what ilert holds (as the provider's
``check()`` normalises them), which they are when freshly generated; a value edited before that
``up`` is applied right after the import, as an update the preview shows. Once a resource is in the
stack its ``import`` option is ignored, so the file can stay as it is.

With ``--sets`` each user becomes one ``ilert-contacts:index:UserContacts`` listing every contact
ilert holds for the user, imported by the user id (``options: import: "<userId>"``).

The file is a complete project (``name``, ``runtime: yaml``, ``resources``), ready for
``pulumi stack init`` and ``pulumi up``; its ``resources`` entries can also be pasted into an
existing YAML program. It exports nothing, for the same reason as the Python output.
"""

from __future__ import annotations

import re

from ..core.config import TOKEN_NAME as TOKEN_CONFIG
from ..core.contact_set import MEMBERS, Member
from ..core.kinds import PACKAGE, TARGET, USER_CONTACTS, camel_name, function_token, resource_token
from .document import Generation, contact_comments, header_lines, set_fields, user_summary, yaml_scalar
from .from_terraform import (
    yaml_config_lines,
    yaml_lookup_lines,
    yaml_provider_lines,
    yaml_provider_option,
    yaml_set_provider_option,
)
from .inventory import LiveContact, UserContacts
from .naming import contact_key

DEFAULT_PROJECT = "ilert-contacts"
"""The project ``name`` unless ``--project`` gives another."""

NOTES = (
    "Every resource carries options.import with its ilert id (<userId>:<contactId>): on the first "
    "`pulumi up` Pulumi reads each contact from ilert and adds it to the stack, writing nothing to "
    "ilert: the values are what ilert holds. A value edited before that `up` is applied right "
    "after the import (the preview shows an update). Afterwards the import options are ignored.",
    f"Needs the native provider's plugin, pulumi-resource-ilert-contacts (pip install "
    f"pulumi-ilert-contacts), and `pulumi config set --secret {PACKAGE}:{TOKEN_CONFIG} <key>`. "
    "Found on PATH it works, with a warning per resource; a plugins: entry naming its folder "
    "(below) avoids that.",
)
SETS_NOTE = (
    "Every user is one UserContacts set listing every contact ilert holds for the user, the login "
    "email included, with options.import set to the user id: on the first `pulumi up` Pulumi reads "
    "each user's contacts from ilert and adds the set to the stack, writing nothing to ilert. From "
    "then on the set owns the user's contacts: a contact taken out of a list is deleted from ilert, "
    "one added in ilert by hand shows in `pulumi refresh` and is deleted by `pulumi up --refresh`. "
    "Destroying a set, or removing it from the program, leaves its contacts in ilert (unless "
    "deleteOnDestroy: true)."
)
RETAIN_NOTE = (
    "retainOnDelete: true: removing a resource from the program, or `pulumi destroy`, leaves the "
    "contact in ilert."
)
PLUGIN_HINT = (
    "# plugins:",
    "#   providers:",
    f"#     - name: {PACKAGE}",
    "#       path: ./venv/bin   # the folder that holds pulumi-resource-ilert-contacts",
)

_PLAIN_KEY = re.compile(r"[a-z][a-z0-9-]*")
"""Resource names the naming module makes: safe as plain YAML keys and in ``${name.prop}``."""


def import_id(contact: LiveContact) -> str:
    """The resource id Pulumi imports ``contact`` by: ``<userId>:<contactId>``."""
    return f"{contact.user_id}:{contact.contact_id}"


def _properties(contact: LiveContact) -> list[tuple[str, object]]:
    return [(camel_name(contact.kind, name), value) for name, value in contact.declared()]


def render_pulumi_yaml(generation: Generation) -> str:
    """The ``Pulumi.yaml`` text."""
    names = {} if generation.sets else generation.names()
    notes = (*NOTES, RETAIN_NOTE) if generation.retain_on_delete else NOTES
    if generation.sets:
        notes = (SETS_NOTE, *NOTES[1:])
    project = generation.project or DEFAULT_PROJECT
    users = ", ".join(user.user_id for user in generation.users)
    whose = f"user{'' if len(generation.users) == 1 else 's'} {users}"
    lines = [f"# {line}".rstrip() for line in header_lines(generation, notes)]
    migration = generation.migration
    providers = yaml_provider_lines(migration, PACKAGE) if migration else []
    lines.extend(
        [
            "",
            f"name: {yaml_scalar(project)}",
            f"description: {yaml_scalar(f'ilert contacts of {whose}, imported from ilert')}",
            "runtime: yaml",
            "",
            *PLUGIN_HINT,
            "",
            *(yaml_config_lines(migration) if migration else []),
            "resources:"
            if generation.contacts or providers or (generation.sets and generation.users)
            else "resources: {}",
            *providers,
        ]
    )
    for index, user in enumerate(generation.users):
        if index:
            lines.append("")
        lines.append(f"  # --- {user_summary(user)} ---")
        if generation.sets:
            lines.extend(_set_lines(generation, user))
            continue
        for contact in user.contacts:
            name = names[contact_key(contact)]
            lines.append("")
            lines.extend(f"  {line}" for line in contact_comments(contact, generation))
            lines.append(f"  {name if _PLAIN_KEY.fullmatch(name) else yaml_scalar(name)}:")
            lines.append(f"    type: {resource_token(contact.kind)}")
            lines.append("    properties:")
            lines.extend(f"      {prop}: {yaml_scalar(value)}" for prop, value in _properties(contact))
            lines.append("    options:")
            lines.append(f"      import: {yaml_scalar(import_id(contact))}")
            if generation.retain_on_delete:
                lines.append("      retainOnDelete: true")
            if migration:
                lines.extend(yaml_provider_option(migration, contact))
    if migration:
        lines.extend(yaml_lookup_lines(migration, function_token))
    return "\n".join(lines) + "\n"


def _set_lines(generation: Generation, user: UserContacts) -> list[str]:
    """The ``UserContacts`` of ``user``: every contact listed, a comment above each."""
    name = generation.set_name(user)
    lines = [
        "",
        f"  {name if _PLAIN_KEY.fullmatch(name) else yaml_scalar(name)}:",
        f"    type: {resource_token(USER_CONTACTS)}",
        "    properties:",
        f"      {camel_name(USER_CONTACTS, 'user_id')}: {yaml_scalar(user.user_id)}",
    ]
    for member in MEMBERS:
        contacts = user.of_kind(member.kind)
        key = camel_name(USER_CONTACTS, member.name)
        lines.append(f"      {key}:" if contacts else f"      {key}: []")
        for contact in contacts:
            lines.extend(f"        {line}" for line in contact_comments(contact, generation))
            lines.append(f"        - {_element(contact, member)}")
    lines.append("    options:")
    lines.append(f"      import: {yaml_scalar(user.user_id)}")
    if generation.migration:
        lines.extend(yaml_set_provider_option(generation.migration, user))
    return lines


def _element(contact: LiveContact, member: Member) -> str:
    """One list element: an address, or a number's fields as a flow mapping."""
    if not member.item_fields:
        return yaml_scalar(contact.values.get(TARGET))
    fields = set_fields(contact, member)
    return "{ " + ", ".join(f"{camel_name(member.kind, k)}: {yaml_scalar(v)}" for k, v in fields) + " }"
