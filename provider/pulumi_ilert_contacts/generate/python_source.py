"""Render a generation as a Pulumi Python program.

Each contact becomes one ``ContactEmail`` / ``ContactPhoneNumber`` with ``adopt=True`` and the
values ilert holds; with ``--sets`` each user becomes one ``UserContacts`` listing every contact
ilert holds for the user (a new set adopts the listed contacts that exist, so it needs no flag).
The program exports nothing: it is meant to be merged into (or imported by) an existing program,
where exports of its own would clash; the contact ids are in the comments and in the state.
Only what is used is imported, so the file passes ``ruff check`` as it stands.
"""

from __future__ import annotations

from typing import Any

from ..core.contact_set import MEMBERS, Member
from ..core.kinds import ADOPT, TARGET, USER_CONTACTS, function_name
from .document import Generation, SecretText, contact_comments, header_lines, set_fields, user_summary
from .from_terraform import python_lookup_lines
from .inventory import LiveContact, UserContacts
from .naming import contact_key, variable_name

NOTES = (
    "Every resource has adopt=True: on the first `pulumi up` it takes over the contact that "
    "already exists in ilert (updating it only where this file differs) instead of creating "
    "one. Review the values before running it; regenerating and diffing this file shows what "
    "changed in ilert since.",
)
SETS_NOTES = (
    "Every user is one UserContacts set listing every contact ilert holds for the user, the login "
    "email included: on the first `pulumi up` each set adopts the listed contacts and writes "
    "nothing to ilert, as the lists are what ilert holds. From then on the set owns the user's "
    "contacts: a contact taken out of a list is deleted from ilert, one added in ilert by hand shows "
    "in `pulumi refresh` and is deleted by `pulumi up --refresh`. Destroying a set, or removing it "
    "from the program, leaves its contacts in ilert (unless delete_on_destroy=True). Review the "
    "lists before running it.",
)
RETAIN_NOTE = (
    "retain_on_delete=True: removing a resource from the program, or `pulumi destroy`, leaves "
    "the contact in ilert."
)


def py_str(value: str) -> str:
    """A Python string literal for ``value``, double-quoted where that needs no escaping."""
    literal = repr(value)
    if literal.startswith("'") and '"' not in value and "'" not in value:
        literal = f'"{literal[1:-1]}"'
    return literal


def py_value(value: Any) -> str:
    """A Python literal for a value ilert holds (a string, a bool, a number or None); a value
    Terraform marks sensitive as a secret."""
    if isinstance(value, SecretText):
        return f"pulumi.Output.secret({py_str(str(value))})"
    if isinstance(value, str):
        return py_str(value)
    return repr(value)


def _arguments(contact: LiveContact) -> list[tuple[str, Any]]:
    return [*contact.declared(), (ADOPT, True)]


def render_python(generation: Generation) -> str:
    """The program's source text."""
    if generation.sets:
        return _render_sets(generation)
    names = generation.names()
    notes = (*NOTES, RETAIN_NOTE) if generation.retain_on_delete else NOTES
    lines = [f"# {line}".rstrip() for line in header_lines(generation, notes)]
    lines.append("")

    classes = sorted({contact.kind.resource for contact in generation.contacts})
    if (generation.retain_on_delete or generation.has_secrets) and classes:
        lines.append("import pulumi")
    if classes:
        lines.append(f"from pulumi_ilert_contacts import {', '.join(classes)}")
        lines.append("")  # isort wants exactly one blank line after the imports

    for index, user in enumerate(generation.users):
        if index:
            lines.extend(["", ""])
        lines.append(f"# --- {user_summary(user)} ---")
        for contact in user.contacts:
            name = names[contact_key(contact)]
            lines.append("")
            lines.extend(contact_comments(contact, generation))
            lines.append(f"{variable_name(name)} = {contact.kind.resource}(")
            lines.append(f"    {py_str(name)},")
            lines.extend(f"    {arg}={py_value(value)}," for arg, value in _arguments(contact))
            if generation.retain_on_delete:
                lines.append("    opts=pulumi.ResourceOptions(retain_on_delete=True),")
            lines.append(")")
    if generation.migration is not None:
        lines.extend(python_lookup_lines(generation.migration, function_name))
    return "\n".join(lines) + "\n"


def _render_sets(generation: Generation) -> str:
    """The program with one ``UserContacts`` per user (``--sets``)."""
    lines = [f"# {line}".rstrip() for line in header_lines(generation, SETS_NOTES)]
    lines.append("")
    if generation.users:
        if generation.has_secrets:
            lines.append("import pulumi")
        lines.append(f"from pulumi_ilert_contacts import {USER_CONTACTS.resource}")
        lines.append("")
    for index, user in enumerate(generation.users):
        if index:
            lines.extend(["", ""])
        lines.append(f"# --- {user_summary(user)} ---")
        lines.extend(_set_lines(generation, user))
    if generation.migration is not None:
        lines.extend(python_lookup_lines(generation.migration, function_name))
    return "\n".join(lines) + "\n"


def _set_lines(generation: Generation, user: UserContacts) -> list[str]:
    """``u1001_contacts = UserContacts(...)``: every contact of ``user``, a comment above each."""
    name = generation.set_name(user)
    lines = ["", f"{variable_name(name)} = {USER_CONTACTS.resource}(", f"    {py_str(name)},"]
    lines.append(f"    user_id={py_str(user.user_id)},")
    for member in MEMBERS:
        contacts = user.of_kind(member.kind)
        if not contacts:
            lines.append(f"    {member.name}=[],")
            continue
        lines.append(f"    {member.name}=[")
        for contact in contacts:
            lines.extend(f"        {line}" for line in contact_comments(contact, generation))
            lines.append(f"        {_element(contact, member)},")
        lines.append("    ],")
    lines.append(")")
    return lines


def _element(contact: LiveContact, member: Member) -> str:
    """One list element: an address, or a number's fields as a dict with Python names."""
    if not member.item_fields:
        return py_value(contact.values.get(TARGET))
    fields = set_fields(contact, member)
    return "{" + ", ".join(f"{py_str(name)}: {py_value(value)}" for name, value in fields) + "}"
