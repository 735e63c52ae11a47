"""Render a generation as a roster file for ``examples/team-roster``.

The schema is that example's ``roster.yaml``: ``users`` with ``user_id``, ``name``, ``emails`` (a
list of addresses) and ``phones`` (``number``, ``region``, ``primary``). ``name`` is ``u<user>``, so
the example names resources as the Python output does (``u1001-email-...``), except that it
neither shortens long targets nor tells apart targets that slugify alike (those are flagged).

Two top-level keys go beyond the example's schema: ``adopt: true`` and, with
``--retain-on-delete``, ``retain_on_delete: true``. The example passes both to its single
resources; its set variant (``contactSets``) needs neither: a new set adopts what it lists, and the
roster lists every contact of each user, so its first ``up`` writes nothing either.
"""

from __future__ import annotations

import re
from collections import Counter

from ..core.kinds import EMAIL, PHONE
from .document import Generation, contact_comments, header_lines, user_summary, wrap_comment, yaml_scalar
from .inventory import LiveContact

NOTES = (
    "A roster for examples/team-roster. adopt: true asks the program to take over the contacts "
    "that already exist in ilert instead of creating them. With `pulumi config set contactSets "
    "true` the program declares one UserContacts per person instead, which owns the person's "
    "contacts: it lists every contact below (the login email included), so nothing is deleted, "
    "and a contact taken out of the roster is deleted from ilert.",
)


def team_roster_name(contact: LiveContact) -> str:
    """The resource name examples/team-roster gives ``contact`` (its ``slug``, untruncated)."""

    def example_slug(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")

    word = "email" if contact.kind is EMAIL else "phone"
    return f"u{contact.user_id}-{word}-{example_slug(str(contact.values.get('target')))}"


def render_roster(generation: Generation) -> str:
    """The roster file's text."""
    shared = Counter(team_roster_name(contact) for contact in generation.contacts)
    lines = [f"# {line}".rstrip() for line in header_lines(generation, NOTES)]
    lines.extend(["", "adopt: true"])
    if generation.retain_on_delete:
        lines.append("retain_on_delete: true")
    lines.append("users:" if generation.users else "users: []")
    for user in generation.users:
        lines.append(f"  # {user_summary(user)}")
        lines.append(f"  - user_id: {int(user.user_id)}")
        lines.append(f"    name: {yaml_scalar('u' + user.user_id)}")
        emails = user.of_kind(EMAIL)
        phones = user.of_kind(PHONE)
        lines.append("    emails:" if emails else "    emails: []")
        for contact in emails:
            lines.extend(_comments(contact, shared, "      "))
            lines.append(f"      - {yaml_scalar(contact.values.get('target'))}")
        lines.append("    phones:" if phones else "    phones: []")
        for contact in phones:
            lines.extend(_comments(contact, shared, "      "))
            fields = [
                f"number: {yaml_scalar(contact.values.get('target'))}",
                f"region: {yaml_scalar(contact.values.get('region_code'))}",
            ]
            if contact.values.get("primary") is not False:
                fields.append(f"primary: {yaml_scalar(contact.values.get('primary'))}")
            lines.append(f"      - {{{', '.join(fields)}}}")
    return "\n".join(lines) + "\n"


def _comments(contact: LiveContact, shared: Counter[str], indent: str) -> list[str]:
    comments = contact_comments(contact)
    name = team_roster_name(contact)
    if shared[name] > 1:
        comments.extend(
            wrap_comment(
                f"WARNING: team-roster would name this contact {name}, like another one; "
                "it rejects duplicate names, so rename one of them there.",
                continuation="#   ",
            )
        )
    return [indent + line for line in comments]
