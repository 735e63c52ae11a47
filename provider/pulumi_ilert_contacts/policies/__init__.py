"""Policy validators for ilert contacts: what ``check()`` alone cannot see.

``check()`` judges one resource's inputs, and only the values known when it runs. These policies
add the organisation's rules (allowed email domains and phone regions), judge values that were
still unknown at check time, and look across the whole stack (two primary numbers for one user,
the same target declared twice, a user nobody can call, a contact ilert will not notify).

The validators are plain functions taking pulumi-policy's argument objects, so they can be called
from tests and reused in other packs; :func:`all_policies` wraps them as policies, and the pack in
``policy/__main__.py`` only assembles those. This package needs the optional ``[policy]`` extra
(``pulumi-policy``); nothing else in the package imports it.

Every policy looks only at ``ContactEmail``, ``ContactPhoneNumber`` and ``UserContacts`` resources,
by type token, of both faces of the package: the dynamic resources
(``pulumi-python:dynamic/ilert:ContactEmail``, Python property names) and the native provider's
(``ilert-contacts:index:ContactEmail``, schema names such as ``regionCode``). Each is read, and named
in messages, in its own face's spelling; the stack policies count both faces together (a dynamic and
a native primary number of one user are two primaries). The resource policies judge every element
of a set's lists, named by its index (``emails[1]``), and ``ilert-one-owner-per-user-contacts``
reports a user's contacts of one kind managed by a set and by another resource. No message repeats an
address or number (the pack is handed plain values and cannot tell a secret one): it names the
property (``target``) or the element's index, for a single resource and a set alike. A value the engine
does not know yet (preview, an output of another resource) is never guessed: a resource policy
reports itself not applicable, a stack policy leaves that contact out.

The package, by concern:

- :mod:`.reading`: a contact resource's properties in either face's spelling, unknowns included;
- :mod:`.resource_rules`: the validators of one resource;
- :mod:`.stack_rules`: the validators of a whole stack;
- :mod:`.catalogue`: the one list of policies (name, description, enforcement, config schema,
  validator) that :func:`all_policies` builds the pack from.

A new policy is a validator in one of the rule modules and a row in :data:`catalogue.POLICIES`.
"""

from ..core.kinds import KIND_BY_TYPE
from .catalogue import (
    CONTACT_STATUS,
    DEFAULT_ENFORCEMENT,
    EMAIL_ALLOWED_DOMAINS,
    NO_DUPLICATE_CONTACTS,
    ONE_OWNER_PER_USER,
    PACK_NAME,
    PHONE_ALLOWED_REGIONS,
    PHONE_E164,
    POLICIES,
    SINGLE_PRIMARY_PHONE,
    USER_HAS_PHONE,
    PolicySpec,
    all_policies,
)
from .reading import FACES, SET_FACES, Face, StackContact, StackSet, stack_contacts, stack_sets
from .resource_rules import (
    validate_email_allowed_domains,
    validate_phone_allowed_regions,
    validate_phone_e164,
)
from .stack_rules import (
    UNDELIVERABLE_STATUSES,
    validate_contact_status,
    validate_no_duplicate_contacts,
    validate_one_owner_per_user,
    validate_single_primary_phone,
    validate_user_has_phone,
)

__all__ = [
    "CONTACT_STATUS",
    "DEFAULT_ENFORCEMENT",
    "EMAIL_ALLOWED_DOMAINS",
    "FACES",
    "KIND_BY_TYPE",
    "NO_DUPLICATE_CONTACTS",
    "ONE_OWNER_PER_USER",
    "PACK_NAME",
    "PHONE_ALLOWED_REGIONS",
    "PHONE_E164",
    "POLICIES",
    "SET_FACES",
    "SINGLE_PRIMARY_PHONE",
    "UNDELIVERABLE_STATUSES",
    "USER_HAS_PHONE",
    "Face",
    "PolicySpec",
    "StackContact",
    "StackSet",
    "all_policies",
    "stack_contacts",
    "stack_sets",
    "validate_contact_status",
    "validate_email_allowed_domains",
    "validate_no_duplicate_contacts",
    "validate_one_owner_per_user",
    "validate_phone_allowed_regions",
    "validate_phone_e164",
    "validate_single_primary_phone",
    "validate_user_has_phone",
]
