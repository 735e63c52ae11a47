"""Render a generation as a Pulumi Python program.

Each contact becomes one ``ContactEmail`` / ``ContactPhoneNumber`` with ``adopt=True`` and the
values ilert holds. The program exports nothing: it is meant to be merged into (or imported by) an
existing program, where exports of its own would clash; the contact ids are in the comments and in
the state. Only what is used is imported, so the file passes ``ruff check`` as it stands.
"""

from __future__ import annotations

from typing import Any

from ..core.kinds import ADOPT, function_name
from .document import Generation, SecretText, contact_comments, header_lines, user_summary
from .from_terraform import python_lookup_lines
from .inventory import LiveContact
from .naming import contact_key, variable_name

NOTES = (
    "Every resource has adopt=True: on the first `pulumi up` it takes over the contact that "
    "already exists in ilert (updating it only where this file differs) instead of creating "
    "one. Review the values before running it; regenerating and diffing this file shows what "
    "changed in ilert since.",
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
