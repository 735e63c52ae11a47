"""The resource rules: validators that judge one contact resource at a time.

Each takes pulumi-policy's ``ResourceValidationArgs`` and looks only at contacts of its kind, in
either face; a value not known yet makes it not applicable (:func:`.reading.settled`).
"""

from __future__ import annotations

from pulumi_policy import ReportViolation, ResourceValidationArgs

from ..core.kinds import EMAIL, PHONE
from .reading import checked, face_of, known, settled, string_list

__all__ = ["validate_email_allowed_domains", "validate_phone_allowed_regions", "validate_phone_e164"]


def _domain_key(domain: str) -> str:
    domain = domain.strip().lstrip("@").rstrip(".").casefold()
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return domain


def validate_email_allowed_domains(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """``ilert-email-allowed-domains``: an email target's domain is in ``allowedDomains``.

    Without ``allowedDomains`` configured the policy is not applicable. Domains match exactly
    (case-insensitively); a subdomain needs its own entry.
    """
    face = face_of(args, EMAIL)
    if face is None:
        return
    allowed = string_list(args.get_config(), "allowedDomains")
    if not allowed:
        args.not_applicable("no allowedDomains configured")
        return
    target = settled(args, face, "target")["target"]
    label = face.label(args.name)
    if not isinstance(target, str) or "@" not in target:
        report_violation(f"{label}: target {target!r} has no domain, so it cannot be in allowedDomains", None)
        return
    domain = target.rpartition("@")[2]
    if _domain_key(domain) not in {_domain_key(entry) for entry in allowed}:
        report_violation(
            f"{label}: target {target!r} is at domain {domain!r}, which is not in allowedDomains "
            f"({', '.join(allowed)}); ilert would notify a mailbox outside the organisation",
            None,
        )


def validate_phone_e164(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """``ilert-phone-e164``: a phone target is a valid E.164 number of its ``region_code``.

    The same rules as ``check()`` (it reuses them), applied again to the values the engine
    settles on, including those that were still unknown when ``check()`` ran.
    """
    face = face_of(args, PHONE)
    if face is None:
        return
    target = settled(args, face, "target", "region_code")["target"]
    label = face.label(args.name)
    inputs, reasons = checked(face, args.props)
    for prop in ("region_code", "target"):
        if prop in reasons:
            report_violation(f"{label}: {reasons[prop]}", None)
    normalised = known(inputs, "target")
    if not reasons.keys() & {"target", "region_code"} and normalised is not None and target != normalised:
        report_violation(
            f"{label}: {PHONE.resource}.target {target!r} is not in E.164 form; write it as {normalised!r}",
            None,
        )


def validate_phone_allowed_regions(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
    """``ilert-phone-allowed-regions``: a phone's ``region_code`` is in ``allowedRegions``.

    Without ``allowedRegions`` configured the policy is not applicable.
    """
    face = face_of(args, PHONE)
    if face is None:
        return
    allowed = [region.upper() for region in string_list(args.get_config(), "allowedRegions") or []]
    if not allowed:
        args.not_applicable("no allowedRegions configured")
        return
    region = settled(args, face, "region_code")["region_code"]
    label = face.label(args.name)
    if not isinstance(region, str) or region.strip().upper() not in allowed:
        region_code = face.prop("region_code")
        report_violation(
            f"{label}: {region_code} {region!r} is not in allowedRegions ({', '.join(allowed)}); "
            "ilert would call or text a number outside the allowed regions",
            None,
        )
