"""What the output formats share: the inputs of one generation and the comments describing it.

The header says where the contacts came from (the endpoint, never the token, and no user:password
part of the URL either) and when; per-contact comments give the ilert contact id and flag
contacts ilert does not notify (LOCKED, BLACKLISTED) and live values that fail validation.
"""

from __future__ import annotations

import shlex
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import yaml

from ..core.contact_set import Member
from ..core.kinds import KINDS
from .inventory import LiveContact, UserContacts
from .naming import ContactKey, assign_names, set_name

if TYPE_CHECKING:
    from .from_terraform import Migration

COMMENT_WIDTH = 79
"""Comments are wrapped to this width (including the ``# ``), well within ruff's line length."""

PROGRAM = "pulumi-ilert-contacts"
STDIN = "standard input"


class SecretText(str):
    """A value Terraform marks sensitive: the renderers declare it as a secret."""

    __slots__ = ()


@dataclass(frozen=True)
class Generation:
    """Everything one run renders: the contacts read and the options that shape the output."""

    endpoint: str
    users: tuple[UserContacts, ...]
    timestamp: str | None
    retain_on_delete: bool = False
    format_name: str = "python"
    project: str | None = None
    """The project name of a whole-project output (``--project``); None for the format's default."""
    migration: Migration | None = None
    """With ``--from-terraform``: the state the contacts come from, their names and addresses."""
    sets: bool = False
    """``--sets``: one ``UserContacts`` per user, listing every contact of the user."""

    @property
    def contacts(self) -> list[LiveContact]:
        """Every contact, user by user in command-line order."""
        return [contact for user in self.users for contact in user.contacts]

    def names(self) -> dict[ContactKey, str]:
        """The resource name of every contact."""
        if self.migration is not None:
            return {key: declared.name for key, declared in self.migration.declared.items()}
        return assign_names(self.contacts)

    @staticmethod
    def set_name(user: UserContacts) -> str:
        """The resource name of ``user``'s set (``--sets``)."""
        return set_name(user.user_id, user.account)

    @property
    def has_secrets(self) -> bool:
        """Whether any value is declared as a secret."""
        return any(isinstance(v, SecretText) for c in self.contacts for v in c.values.values())

    def command(self) -> list[str]:
        """The command line that regenerates this output (without ``--out``), as units that
        belong together (``--user 1001``)."""
        if self.migration is not None:
            source = "-" if self.migration.source == STDIN else self.migration.source
            units = [PROGRAM, "generate", f"--from-terraform {shlex.quote(source)}"]
            units.extend(f"--alias {shlex.quote(alias)}" for alias in self.migration.aliases)
        else:
            units = [PROGRAM, "generate", *(f"--user {user.user_id}" for user in self.users)]
        if self.format_name != "python":
            units.append(f"--format {self.format_name}")
        if self.sets:
            units.append("--sets")
        if self.project is not None:
            units.append(f"--project {self.project}")
        if self.retain_on_delete:
            units.append("--retain-on-delete")
        return units


def public_endpoint(endpoint: str) -> str:
    """The endpoint as it may be printed: any credentials in the URL removed."""
    parts = urlsplit(endpoint)
    if parts.username is None and parts.password is None:
        return endpoint
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{parts.port}" if parts.port is not None else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def header_lines(generation: Generation, notes: Sequence[str]) -> list[str]:
    """The header comment (without comment markers), ending with ``notes`` paragraphs."""
    users = ", ".join(dict.fromkeys(user.user_id for user in generation.users)) or "none"
    width = COMMENT_WIDTH - 2
    lines = [f"ilert contacts for Pulumi to adopt, written by {PROGRAM}.", ""]
    source = f"{public_endpoint(generation.endpoint)} (users {users})"
    if generation.migration is not None:
        what = "JSON of `terraform show`" if generation.migration.form == "show" else "state"
        source = f"Terraform {what} {generation.migration.source}, values from {source}"
    lines.extend(
        textwrap.wrap(
            f"Source:    {source}",
            width,
            subsequent_indent=" " * 11,
            break_long_words=False,
            break_on_hyphens=False,
        )
    )
    lines.append(f"Generated: {generation.timestamp or 'no timestamp (--timestamp none)'}")
    lines.extend(_shell_lines("Command:   ", generation.command(), width))
    for note in notes:
        lines.append("")
        lines.extend(textwrap.wrap(note, COMMENT_WIDTH - 2, break_on_hyphens=False))
    return lines


def _shell_lines(label: str, units: list[str], width: int) -> list[str]:
    """A command line in ``\\``-continued lines no wider than ``width``, units never split."""
    lines: list[str] = []
    current = label + units[0]
    for unit in units[1:]:
        if len(current) + 1 + len(unit) + len(" \\") > width:
            lines.append(current + " \\")
            current = " " * (len(label) + 2) + unit
        else:
            current += " " + unit
    lines.append(current)
    return lines


def status_note(contact: LiveContact) -> str | None:
    """Why ilert does not notify ``contact``, or ``None`` if it does."""
    if contact.notified:
        return None
    if contact.status == "LOCKED":
        why = "ilert does not notify it until it is unlocked in ilert"
    elif contact.status == "BLACKLISTED":
        why = "ilert does not notify it (blocked by the carrier or after bounces)"
    else:
        why = "an unexpected status; check it in ilert"
    return f"status {contact.status}: {why}."


def contact_comments(contact: LiveContact, generation: Generation | None = None) -> list[str]:
    """Comment lines (with ``# ``) to put above a contact."""
    lines: list[str] = []
    if generation is not None and generation.migration is not None:
        from .from_terraform import address_comment

        for line in address_comment(generation.migration, contact):
            lines.extend(wrap_comment(line, continuation="#   "))
    first = f"ilert {contact.kind.label} {contact.contact_id}"
    note = status_note(contact)
    lines.extend(wrap_comment(f"{first}, {note}" if note else first))
    for problem in contact.problems:
        lines.extend(
            wrap_comment(
                f"WARNING: the value in ilert fails validation, so `pulumi preview` will reject "
                f"it until it is fixed: {problem}",
                continuation="#   ",
            )
        )
    return lines


def set_fields(contact: LiveContact, member: Member) -> list[tuple[str, Any]]:
    """(Python name, value) of an element's fields as a set lists it (the table's items of the
    member's list): all of them, always."""
    values = contact.values
    return [
        (p.name, bool(values.get(p.name)) if p.type == "boolean" else values.get(p.name))
        for p in member.item_fields
    ]


def user_summary(user: UserContacts) -> str:
    """``user 1001: 2 email contacts, 1 phone number contact`` (also the progress line)."""
    counts = []
    for kind in KINDS:
        count = len(user.of_kind(kind))
        counts.append(f"{count} {kind.label}{'' if count == 1 else 's'}")
    return f"user {user.user_id}: {', '.join(counts)}"


def wrap_comment(text: str, continuation: str = "# ") -> list[str]:
    """``text`` as ``# `` comment lines no wider than ``COMMENT_WIDTH``.

    Long unbreakable words (an address, a URL) stay whole rather than being split.
    """
    return textwrap.wrap(
        text,
        COMMENT_WIDTH,
        initial_indent="# ",
        subsequent_indent=continuation,
        break_long_words=False,
        break_on_hyphens=False,
    ) or ["#"]


def yaml_scalar(value: Any) -> str:
    """A YAML literal for ``value``: strings double-quoted, so no value is read as another type;
    a value Terraform marks sensitive as ``{ "fn::secret": … }``."""
    if isinstance(value, SecretText):
        return '{ "fn::secret": ' + yaml_scalar(str(value)) + " }"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if value is None:
        return "null"
    text: str = yaml.safe_dump(str(value), default_style='"', allow_unicode=True, width=1 << 30)
    return text.rstrip("\n")
