"""The policy pack through the real CLI: `pulumi preview --policy-pack policy` against the emulator."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from native_support import NO_WRITES, python_stack, writes
from pulumi_harness import REPO, Result, Stack
from pulumi_ilert_contacts.emulator import EmulatorServer

PACK = str(REPO / "policy")

VIOLATIONS = """
from pulumi_ilert_contacts import ContactEmail, ContactPhoneNumber

ContactPhoneNumber("jane-mobile", user_id="1001", region_code="DE", target="+4915123456789", primary=True)
ContactPhoneNumber("jane-desk", user_id="1001", region_code="DE", target="+4930123456", primary=True)
ContactEmail("john-work", user_id="1002", target="john@example.com")
ContactEmail("john-again", user_id="1002", target="John@Example.com")
ContactPhoneNumber("john-mobile", user_id="1002", region_code="US", target="+12025550123")
"""

MIXED = """
from pulumi_ilert_contacts import ContactEmail, ContactPhoneNumber, native

ContactPhoneNumber("jane-mobile", user_id="1001", region_code="DE", target="+4915123456789", primary=True)
native.ContactPhoneNumber("jane-desk", user_id="1001", region_code="DE", target="+4930123456", primary=True)
ContactEmail("john-work", user_id="1002", target="john@example.com")
native.ContactEmail("john-again", user_id="1002", target="John@Example.com")
native.ContactPhoneNumber("john-mobile", user_id="1002", region_code="US", target="+12025550123")
"""

SETS = """
import pulumi
from pulumi_ilert_contacts import ContactEmail, UserContacts, native

# 1001: a set with an address outside the allowed domains.
native.UserContacts("jane", user_id="1001", emails=["jane@example.com", "jane@gmail.com"])
# 1002: a set and a single resource both manage the user's emails.
UserContacts("john", user_id="1002", emails=["john@example.com"])
native.ContactEmail("john-work", user_id="1002", target="john.work@example.com")
# 1003: the set manages numbers only; the emails are the single resource's.
native.UserContacts(
    "kim", user_id="1003", phone_numbers=[{"target": "+4915123456789", "region_code": "DE", "primary": True}]
)
ContactEmail("kim-work", user_id="1003", target="kim@example.com")
# 1004: single addresses given as secrets, outside the allowed domains, one address declared twice.
ContactEmail("lee-work", user_id="1004", target=pulumi.Output.secret("lee.hidden@gmail.com"))
native.ContactEmail("lee-again", user_id="1004", target=pulumi.Output.secret("Lee.Hidden@gmail.com"))
"""

SECRET_ADDRESS = "lee.hidden"

CLEAN = """
from pulumi_ilert_contacts import ContactEmail, ContactPhoneNumber

ContactEmail("jane-work", user_id="1001", target="jane@example.com")
ContactPhoneNumber("jane-mobile", user_id="1001", region_code="DE", target="+4915123456789", primary=True)
"""


def _preview_both_faces(
    root: Path, pulumi_home: Path, emulator: EmulatorServer, source: str, policy: dict[str, Any]
) -> Result:
    """``pulumi preview`` with the pack and ``policy`` as its config, of a Python program of both
    faces (both providers pointed at the emulator, its request count reset before)."""
    stack = python_stack(root, pulumi_home, emulator, source, config={"ilert:endpoint": emulator.url})
    config = root / "policy-config.json"
    config.write_text(json.dumps(policy))
    emulator.admin.reset_requests()
    return stack.preview("--policy-pack", PACK, "--policy-pack-config", str(config), check=False)


def test_preview_with_violations_fails_naming_policies_and_resources(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = make_stack(VIOLATIONS)
    emulator.admin.reset_requests()

    result = stack.preview("--policy-pack", PACK, check=False)

    assert result.code != 0
    out = result.output
    assert "[mandatory]" in out
    assert "ilert-single-primary-phone" in out
    assert "jane-mobile" in out and "jane-desk" in out
    assert "ilert-no-duplicate-contacts" in out
    assert "john-work" in out and "john-again" in out
    assert emulator.admin.requests()["total"] == 0


def test_preview_judges_native_resources_and_counts_both_faces_together(
    tmp_path: Path, pulumi_home: Path, emulator: EmulatorServer
) -> None:
    # Both providers point at the emulator, so any request the preview made would be counted.
    policy = {"ilert-phone-allowed-regions": {"allowedRegions": ["DE"]}}
    result = _preview_both_faces(tmp_path, pulumi_home, emulator, MIXED, policy)

    assert result.code != 0
    out = result.output
    # A dynamic and a native primary of user 1001; one address declared by both faces for 1002.
    assert "ilert-single-primary-phone" in out
    assert 'ContactPhoneNumber "jane-mobile": primary is true' in out
    assert 'ContactPhoneNumber "jane-desk" (native): primary is true' in out
    assert "ilert-no-duplicate-contacts" in out
    assert 'ContactEmail "john-work": target' in out and 'ContactEmail "john-again" (native): target' in out
    # A native resource is judged in its own spelling.
    assert "ilert-phone-allowed-regions" in out
    assert "ContactPhoneNumber \"john-mobile\" (native): regionCode 'US' is not in allowedRegions" in out
    assert emulator.admin.requests()["total"] == 0


def test_preview_judges_contact_sets_element_by_element_and_their_owners(
    tmp_path: Path, pulumi_home: Path, emulator: EmulatorServer
) -> None:
    policy = {"ilert-email-allowed-domains": {"allowedDomains": ["example.com"]}}
    result = _preview_both_faces(tmp_path, pulumi_home, emulator, SETS, policy)

    assert result.code != 0
    out = result.output
    # Every element is judged and named by its index, its address not repeated.
    assert "ilert-email-allowed-domains" in out
    outside = "is at a domain that is not in allowedDomains (example.com)"
    [domain] = [line for line in out.splitlines() if 'UserContacts "jane"' in line and outside in line]
    assert f'UserContacts "jane" (native): emails[1] {outside}' in domain
    assert "gmail" not in domain
    # A single resource's secret address is named by its property in the same form, and appears
    # nowhere in the output: not in the domain reports, not in the duplicate reports.
    assert f'ContactEmail "lee-work": target {outside}' in out
    assert f'ContactEmail "lee-again" (native): target {outside}' in out
    assert "ilert-no-duplicate-contacts" in out
    assert 'ContactEmail "lee-work": target is also declared for user 1004 by "lee-again" (native)' in out
    assert SECRET_ADDRESS not in out.casefold()
    # A set and a single email of one user (a dynamic set, a native single): both named, each way.
    assert "ilert-one-owner-per-user-contacts" in out
    managed = "the email contacts of user 1002 are also managed by"
    assert f'UserContacts "john": {managed} ContactEmail "john-work" (native)' in out
    assert f'ContactEmail "john-work" (native): {managed} UserContacts "john"' in out
    # A set of numbers beside a single email: no conflict, and the set gives the user a phone.
    assert "user 1003" not in out
    # The native sets' previews list what they would delete; nothing is written.
    assert writes(emulator) == NO_WRITES


def test_clean_program_passes_the_pack_and_deploys(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = make_stack(CLEAN)
    result = stack.preview("--policy-pack", PACK)  # raises unless it exits 0
    # A violation is printed as "ilert-contacts@v0.2.0 [mandatory] ... <policy> (<resource>)".
    assert "[mandatory]" not in result.output and "[advisory]" not in result.output
    stack.up("--policy-pack", PACK)
    assert len(emulator.admin.contacts()["phone_numbers"]) == 1


def test_pack_config_changes_the_outcome(
    make_stack: Callable[..., Stack], emulator: EmulatorServer, tmp_path: Path
) -> None:
    stack = make_stack(CLEAN)
    stack.preview("--policy-pack", PACK)  # no allowed-domains config: not applicable

    config = tmp_path / "policy-config.json"
    config.write_text(json.dumps({"ilert-email-allowed-domains": {"allowedDomains": ["example.org"]}}))
    result = stack.preview("--policy-pack", PACK, "--policy-pack-config", str(config), check=False)

    assert result.code != 0
    assert "ilert-email-allowed-domains" in result.output
    assert "jane-work" in result.output

    config.write_text(json.dumps({"ilert-email-allowed-domains": {"allowedDomains": ["example.com"]}}))
    stack.preview("--policy-pack", PACK, "--policy-pack-config", str(config))


def test_advisory_status_policy_reports_a_blacklisted_contact(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = make_stack(CLEAN)
    stack.up()
    [phone] = emulator.admin.contacts()["phone_numbers"]
    emulator.admin.set_status(phone["id"], "BLACKLISTED")
    stack.refresh()

    result = stack.preview("--policy-pack", PACK)  # advisory: reported, not failed

    assert "ilert-contact-status" in result.output
    assert "jane-mobile" in result.output
    assert "BLACKLISTED" in result.output
