"""The stack rules: validators that look across every contact of a stack, both faces together.

Each takes pulumi-policy's ``StackValidationArgs`` and sees the contacts through
:func:`.reading.stack_contacts` and the contact sets through :func:`.reading.stack_sets`, where a
value not known yet is None and leaves that contact (or set) out.

As the resource rules' messages, these name resources, users and properties, never an address or
number: the pack cannot tell which were given as secrets.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, StackValidationArgs

from ..core.kinds import PHONE, USER_CONTACTS, ContactKind, same_target
from .reading import StackContact, StackResource, StackSet, stack_contacts, stack_sets, string_list

__all__ = [
    "UNDELIVERABLE_STATUSES",
    "validate_contact_status",
    "validate_no_duplicate_contacts",
    "validate_one_owner_per_user",
    "validate_single_primary_phone",
    "validate_user_has_phone",
]

UNDELIVERABLE_STATUSES = ("LOCKED", "BLACKLISTED")
"""Statuses of a contact that ilert sends no notification to."""


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
                    f"{contact.label}: target is also declared for user {user_id} by {others}; "
                    f"ilert holds one {contact.kind.label} per target, so one of the creates "
                    "fails (or, with adopt=true, several resources manage one contact and deleting one "
                    "deletes it for all). Keep one of them",
                    contact.urn,
                )


def validate_user_has_phone(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """``ilert-user-has-phone``: every user with contacts in the stack has a phone number (a
    single ``ContactPhoneNumber`` or one in a set's ``phone_numbers``).

    Config: ``requirePhone`` (default true; false turns the check off) and ``exemptUsers`` (user
    ids that need no phone, e.g. service accounts). A user is judged only when every phone's
    user is known, so an unknown ``user_id`` in preview never causes a false report.
    """
    config = args.get_config()
    if config.get("requirePhone", True) is False:
        args.not_applicable("requirePhone is false")
        return
    exempt = {text.lstrip("0") or "0" for text in string_list(config, "exemptUsers") or []}
    contacts = stack_contacts(args.resources)
    # A set's numbers count: a list given and not empty (or not known yet, so maybe not empty).
    set_phones = [s for s in stack_sets(args.resources) if s.managed.get(PHONE, 0) != 0]
    if any(c.kind is PHONE and c.user_id is None for c in contacts) or any(
        s.user_id is None for s in set_phones
    ):
        return  # a phone whose owner is not known yet might belong to anyone
    with_phone = {c.user_id for c in contacts if c.kind is PHONE} | {s.user_id for s in set_phones}
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
    """``ilert-contact-status``: no contact whose ``status`` is LOCKED or BLACKLISTED, a set's
    managed contacts included (each from the set's contacts output).

    ``status`` is computed by ilert; in ``pulumi up`` the stack policy sees it after the update,
    in preview it is the one from the state (or unknown, and then skipped).
    """
    for contact in stack_contacts(args.resources):
        if contact.status in UNDELIVERABLE_STATUSES:
            _undeliverable(report_violation, contact, "status", contact.status, contact.kind)
    for contact_set in stack_sets(args.resources):
        for found in contact_set.statuses:
            if found.status in UNDELIVERABLE_STATUSES:
                _undeliverable(report_violation, contact_set, found.path, found.status, found.kind)


def _undeliverable(
    report_violation: ReportViolation,
    owner: StackResource,
    where: str,
    status: str,
    kind: ContactKind,
) -> None:
    who = f"user {owner.user_id}" if owner.user_id else "its user"
    report_violation(
        f"{owner.label}: {where} is {status}: ilert delivers no notification to the {kind.label} "
        f"of {who}. Check the contact in ilert and unlock it, or replace the target",
        owner.urn,
    )


def validate_one_owner_per_user(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """``ilert-one-owner-per-user-contacts``: a user's contacts of one kind are managed by a set
    alone: not also by single contact resources of that kind, nor by a second set managing it.

    A set owns every contact of each kind it lists (it deletes the ones it does not list), so
    another resource managing that user's contacts of that kind is undone on every update, and
    undoes the set in turn. A set's omitted list leaves that kind to others: no conflict. A user id
    not known yet (preview) is left out.
    """
    owners: dict[tuple[str, ContactKind], list[StackResource]] = {}
    for contact_set in stack_sets(args.resources):
        if contact_set.user_id is not None:
            for kind in contact_set.managed:
                owners.setdefault((contact_set.user_id, kind), []).append(contact_set)
    for contact in stack_contacts(args.resources):
        if contact.user_id is not None:
            owners.setdefault((contact.user_id, contact.kind), []).append(contact)
    for (user_id, kind), group in sorted(owners.items(), key=lambda item: (item[0][0], item[0][1].resource)):
        for owner in sorted(group, key=lambda o: o.urn):
            # Single contacts beside each other are no conflict; a set beside anything is.
            is_set = isinstance(owner, StackSet)
            others = [o for o in group if o is not owner and (is_set or isinstance(o, StackSet))]
            if not others:
                continue
            names = ", ".join(f"{other.label} ({other.urn})" for other in sorted(others, key=lambda o: o.urn))
            report_violation(
                f"{owner.label}: the {kind.label}s of user {user_id} are also managed by {names}; a "
                f"{USER_CONTACTS.resource} set owns every {kind.label} of its user (it deletes those it "
                f"does not list), so these resources undo each other on every update. Manage user "
                f"{user_id}'s {kind.label}s in one place",
                owner.urn,
            )
