"""Resource names and Python variable names for generated contacts.

A name is ``u<user>-<email|phone>-<slug of the target>``: readable, and stable across runs
because it depends only on the contact's user, kind and target (renaming a Pulumi resource later
would replace it, so stability matters more than beauty). When two contacts of a user and kind
slugify alike (``jane.doe@`` and ``jane-doe@``), each of them gets its ilert contact id appended
(``-c17``), which is still independent of the order the API lists them in.

Variable names are the resource names with ``-`` turned into ``_``: slugs contain no ``_``, so
the mapping keeps names unique, and the leading ``u`` makes every one a valid identifier.

With ``--sets`` a user's contacts are one ``UserContacts``, named ``u<user>-contacts`` (with
``-<alias>`` for a user of another account of a Terraform state): one name per user, stable
whatever the user's contacts are.
"""

from __future__ import annotations

import keyword
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable

from ..core.kinds import ContactKind
from .inventory import LiveContact

SLUG_LIMIT = 40
"""Longest target slug kept, so generated lines stay within ruff's default line length."""

_KIND_WORDS = {"emails": "email", "phone-numbers": "phone"}

ContactKey = tuple[str, str, int]
"""(user id, kind path, contact id): identifies one contact across the generator."""


def contact_key(contact: LiveContact) -> ContactKey:
    """The key of ``contact`` in a name table."""
    return (contact.user_id, contact.kind.path, contact.contact_id)


def slug(text: str, limit: int = SLUG_LIMIT) -> str:
    """Lower-case ASCII letters and digits joined by ``-``; accents are dropped, not the letters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    result = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(result) > limit:
        result = result[:limit].rstrip("-")
    return result


def kind_word(kind: ContactKind) -> str:
    """``email`` or ``phone``: the kind's word in resource names."""
    return _KIND_WORDS.get(kind.path, slug(kind.path))


def base_name(contact: LiveContact) -> str:
    """The name ``contact`` gets unless another contact of its user and kind slugifies alike."""
    word = kind_word(contact.kind)
    return f"u{contact.user_id}-{word}-{slug(str(contact.values.get('target', ''))) or 'contact'}"


def assign_names(contacts: Iterable[LiveContact]) -> dict[ContactKey, str]:
    """A unique resource name for every contact."""
    ordered = sorted(contacts, key=contact_key)
    groups: dict[str, list[LiveContact]] = defaultdict(list)
    for contact in ordered:
        groups[base_name(contact)].append(contact)
    names: dict[ContactKey, str] = {}
    taken: set[str] = set()
    # Plain names first, so a disambiguated name can never take one that another contact owns.
    for base, members in groups.items():
        if len(members) == 1:
            names[contact_key(members[0])] = base
            taken.add(base)
    for base, members in groups.items():
        if len(members) == 1:
            continue
        for contact in members:
            name = f"{base}-c{contact.contact_id}"
            while name in taken:  # only a pathological target slug can get here
                name += "-x"
            names[contact_key(contact)] = name
            taken.add(name)
    return names


def set_name(user_id: str, account: str | None = None) -> str:
    """The resource name of user ``user_id``'s ``UserContacts`` set (``u1001-contacts``); a user of
    another account (a Terraform provider alias) gets the alias too, as the user ids of two accounts
    may be the same."""
    name = f"u{user_id}-contacts"
    return f"{name}-{slug(account, 1 << 20) or 'x'}" if account else name


def variable_name(resource_name: str) -> str:
    """The Python variable holding the resource called ``resource_name``."""
    name = resource_name.replace("-", "_")
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ValueError(f"{resource_name!r} does not make a Python identifier")
    return name
