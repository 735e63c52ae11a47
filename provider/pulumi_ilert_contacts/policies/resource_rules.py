"""The resource rules: validators that judge one resource at a time.

Each takes pulumi-policy's ``ResourceValidationArgs`` and judges the contacts of its kind the
resource holds (:func:`.reading.judged`): a contact resource of that kind, in either face, or every
element of a contact set's list of that kind. A contact resource's value not known yet makes the rule
not applicable; a set's element not known yet is judged when the update runs.

Every message has one shape, for a contact resource and a set's element alike: the resource, the
property (``target``, ``emails[1]``, ``phoneNumbers[0].regionCode``) and the reason. None repeats an
address or number (nor an address's domain): the pack is handed plain values and cannot tell which
were given as secrets. A region code is shown.
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs

from ..core.kinds import EMAIL, PHONE, SET_BY_TYPE, ContactKind
from .reading import FACES, judged, known, string_list

__all__ = ["validate_email_allowed_domains", "validate_phone_allowed_regions", "validate_phone_e164"]


def _domain_key(domain: str) -> str:
    domain = domain.strip().lstrip("@").rstrip(".").casefold()
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def _judges(args: ResourceValidationArgs, kind: ContactKind) -> bool:
    """Whether the resource can hold contacts of ``kind``: a contact of that kind, or a set."""
    face = FACES.get(args.resource_type)
    return face.kind is kind if face is not None else args.resource_type in SET_BY_TYPE


def validate_email_allowed_domains(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """``ilert-email-allowed-domains``: an email target's domain is in ``allowedDomains``.

    Without ``allowedDomains`` configured the policy is not applicable. Domains match exactly
    (case-insensitively); a subdomain needs its own entry. A set's every email is judged.
    """
    if not _judges(args, EMAIL):
        return
    allowed = string_list(args.get_config(), "allowedDomains")
    if not allowed:
        args.not_applicable("no allowedDomains configured")
        return
    keys = {_domain_key(entry) for entry in allowed}
    for contact in judged(args, EMAIL, "target"):
        target = contact.values["target"]
        where = f"{contact.label}: {contact.prop('target')}"
        if not isinstance(target, str) or "@" not in target:
            report_violation(f"{where} has no domain, so it cannot be in allowedDomains", None)
            continue
        domain = target.rpartition("@")[2]
        if _domain_key(domain) not in keys:
            report_violation(
                f"{where} is at a domain that is not in allowedDomains ({', '.join(allowed)}); "
                "ilert would notify a mailbox outside the organisation",
                None,
            )


def validate_phone_e164(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """``ilert-phone-e164``: a phone target is a valid E.164 number of its ``region_code``.

    The same rules as ``check()`` (it reuses them), applied again to the values the engine
    settles on, including those that were still unknown when ``check()`` ran. A set's every
    number is judged.
    """
    for contact in judged(args, PHONE, "target", "region_code"):
        inputs, reasons = contact.check()
        for prop in ("region_code", "target"):
            if prop in reasons:
                report_violation(f"{contact.label}: {reasons[prop]}", None)
        normalised = known(inputs, "target")
        if reasons.keys() & {"target", "region_code"} or normalised is None:
            continue
        if contact.values["target"] != normalised:
            report_violation(f"{contact.label}: {contact.qualified('target')} is not in E.164 form", None)


def validate_phone_allowed_regions(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """``ilert-phone-allowed-regions``: a phone's ``region_code`` is in ``allowedRegions``.

    Without ``allowedRegions`` configured the policy is not applicable. A set's every number is judged.
    """
    if not _judges(args, PHONE):
        return
    allowed = [region.upper() for region in string_list(args.get_config(), "allowedRegions") or []]
    if not allowed:
        args.not_applicable("no allowedRegions configured")
        return
    for contact in judged(args, PHONE, "region_code"):
        region = contact.values["region_code"]
        if not isinstance(region, str) or region.strip().upper() not in allowed:
            report_violation(
                f"{contact.label}: {contact.prop('region_code')} {region!r} is not in allowedRegions "
                f"({', '.join(allowed)}); ilert would call or text a number outside the allowed regions",
                None,
            )
