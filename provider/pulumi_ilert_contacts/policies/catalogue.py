"""The one list of the pack's policies, and the pack built from it.

Each row of :data:`POLICIES` says everything the engine is told about a policy: its name,
description, default enforcement level, severity, config schema and validator (a resource rule
or a stack rule). :func:`all_policies` and :data:`DEFAULT_ENFORCEMENT` are derived from the list,
so a new policy is its row here and its validator in :mod:`.resource_rules` or :mod:`.stack_rules`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyConfigSchema,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
)

from .resource_rules import (
    validate_email_allowed_domains,
    validate_phone_allowed_regions,
    validate_phone_e164,
)
from .stack_rules import (
    validate_contact_status,
    validate_no_duplicate_contacts,
    validate_one_owner_per_user,
    validate_single_primary_phone,
    validate_user_has_phone,
)

PACK_NAME = "ilert-contacts"
"""The name the pack reports to the engine (and the key of its config file's policies)."""

EMAIL_ALLOWED_DOMAINS = "ilert-email-allowed-domains"
PHONE_E164 = "ilert-phone-e164"
PHONE_ALLOWED_REGIONS = "ilert-phone-allowed-regions"
SINGLE_PRIMARY_PHONE = "ilert-single-primary-phone"
NO_DUPLICATE_CONTACTS = "ilert-no-duplicate-contacts"
USER_HAS_PHONE = "ilert-user-has-phone"
CONTACT_STATUS = "ilert-contact-status"
ONE_OWNER_PER_USER = "ilert-one-owner-per-user-contacts"


@dataclass(frozen=True)
class PolicySpec:
    """One policy of the pack, declared.

    :param scope: ``"resource"`` (the validator judges one resource) or ``"stack"`` (all of them).
    :param validate: the rule: a function of (validation args, ``report_violation``).
    :param enforcement: the level unless the pack's config or :func:`all_policies` says otherwise.
    :param config: the JSON schema of each config property the policy reads, by property name.
    """

    name: str
    description: str
    scope: Literal["resource", "stack"]
    validate: Callable[..., None]
    enforcement: EnforcementLevel
    severity: Severity
    config: Mapping[str, dict[str, Any]] | None = None

    def build(self, level: EnforcementLevel) -> Policy:
        """The pulumi-policy policy of this row, enforced at ``level``."""
        policy_class = ResourceValidationPolicy if self.scope == "resource" else StackValidationPolicy
        schema = PolicyConfigSchema(properties=dict(self.config)) if self.config is not None else None
        return policy_class(
            name=self.name,
            description=self.description,
            validate=self.validate,
            enforcement_level=level,
            severity=self.severity,
            config_schema=schema,
        )


POLICIES: tuple[PolicySpec, ...] = (
    PolicySpec(
        name=EMAIL_ALLOWED_DOMAINS,
        description="ilert email contacts must use one of the organisation's email domains.",
        scope="resource",
        validate=validate_email_allowed_domains,
        enforcement=EnforcementLevel.MANDATORY,
        severity=Severity.MEDIUM,
        config={
            "allowedDomains": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "description": "Domains email targets may use (exact match, case-insensitive). "
                "Unset: the policy does not apply.",
            }
        },
    ),
    PolicySpec(
        name=PHONE_E164,
        description="ilert phone contacts must be valid E.164 numbers of their region code.",
        scope="resource",
        validate=validate_phone_e164,
        enforcement=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
    ),
    PolicySpec(
        name=PHONE_ALLOWED_REGIONS,
        description="ilert phone contacts must be in one of the allowed regions.",
        scope="resource",
        validate=validate_phone_allowed_regions,
        enforcement=EnforcementLevel.MANDATORY,
        severity=Severity.MEDIUM,
        config={
            "allowedRegions": {
                "type": "array",
                "items": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
                "description": "ISO 3166-1 alpha-2 region codes phone numbers may have, "
                '["DE", "AT"] for instance. Unset: the policy does not apply.',
            }
        },
    ),
    PolicySpec(
        name=SINGLE_PRIMARY_PHONE,
        description="Each ilert user has at most one primary phone number in the stack.",
        scope="stack",
        validate=validate_single_primary_phone,
        enforcement=EnforcementLevel.MANDATORY,
        severity=Severity.MEDIUM,
    ),
    PolicySpec(
        name=NO_DUPLICATE_CONTACTS,
        description="No ilert contact target is declared twice for the same user.",
        scope="stack",
        validate=validate_no_duplicate_contacts,
        enforcement=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
    ),
    PolicySpec(
        name=ONE_OWNER_PER_USER,
        description=(
            "A user's contacts of one kind are managed by one UserContacts set alone: not also by "
            "ContactEmail/ContactPhoneNumber resources of that kind or by a second set."
        ),
        scope="stack",
        validate=validate_one_owner_per_user,
        enforcement=EnforcementLevel.MANDATORY,
        severity=Severity.HIGH,
    ),
    PolicySpec(
        name=USER_HAS_PHONE,
        description=(
            "Every ilert user with contacts in the stack has a phone number, to be reachable on call."
        ),
        scope="stack",
        validate=validate_user_has_phone,
        enforcement=EnforcementLevel.ADVISORY,
        severity=Severity.MEDIUM,
        config={
            "requirePhone": {
                "type": "boolean",
                "default": True,
                "description": "Require a phone number for every user (false turns the check off).",
            },
            "exemptUsers": {
                "type": "array",
                "items": {"type": ["string", "integer"]},
                "default": [],
                "description": "ilert user ids that need no phone number (e.g. service accounts).",
            },
        },
    ),
    PolicySpec(
        name=CONTACT_STATUS,
        description="ilert contacts must not be LOCKED or BLACKLISTED: ilert does not notify them.",
        scope="stack",
        validate=validate_contact_status,
        enforcement=EnforcementLevel.ADVISORY,
        severity=Severity.HIGH,
    ),
)
"""Every policy of the pack, in the order the pack lists them."""

DEFAULT_ENFORCEMENT: dict[str, EnforcementLevel] = {spec.name: spec.enforcement for spec in POLICIES}
"""Each policy's enforcement level unless the pack's config or :func:`all_policies` says otherwise."""


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
    unknown = set(overrides or {}) - set(DEFAULT_ENFORCEMENT)
    if unknown:
        raise ValueError(f"no such ilert policy: {', '.join(sorted(unknown))}")
    return [
        spec.build((overrides or {}).get(spec.name) or enforcement_level or spec.enforcement)
        for spec in POLICIES
    ]
