"""The account behind the Terraform fixtures (tests/generate/tfstate/), seeded in an emulator.

The fixtures are written by hand from ilert's Terraform provider schema (iLert/terraform-provider-ilert
v2.x: ``ilert_user_email_contact``, ``ilert_user_phone_number_contact``, their data sources). ilert
assigns contact ids, so the fixtures hold placeholders (``"@jane-email"``) that ``state_text``
replaces with the ids the emulator gave the seeded contacts.

What the fixtures hold, and what ilert holds now:

- ``ilert_user_email_contact.oncall["jane"]`` (for_each, target marked sensitive) and
  ``ilert_user_phone_number_contact.oncall["jane"]`` (the primary number ilert holds; the state
  has no ``primary``), ``ilert_user_phone_number_contact.backup[0]`` (count, timeouts set): user
  1001; ``ilert_user_email_contact.oncall["ops"]``: user 1002;
- ``module.team["sre"].ilert_user_email_contact.pager``: ilert's target was changed since
  (``pager@example.org``; the state says ``old-pager@example.org``);
- ``module.team["sre"].ilert_user_email_contact.legacy``: deleted in ilert since;
- ``module.team["sre"].module.escalation.ilert_user_phone_number_contact.night[0]``: user 1002;
- ``data.ilert_user_email_contact.login``: a look-up of user 1001's login email;
- ``ilert_user.jane`` and ``ilert_escalation_policy.default``: not contacts.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from emulator_support import api_call, api_post
from pulumi_ilert_contacts.emulator import EmulatorServer

FIXTURES = Path(__file__).parent / "tfstate"
STATE = FIXTURES / "contacts.tfstate"
SHOW = FIXTURES / "contacts.show.json"

CONTACT_ADDRESSES = (
    'ilert_user_email_contact.oncall["jane"]',
    'ilert_user_email_contact.oncall["ops"]',
    'ilert_user_phone_number_contact.oncall["jane"]',
    "ilert_user_phone_number_contact.backup[0]",
    'module.team["sre"].ilert_user_email_contact.legacy',
    'module.team["sre"].ilert_user_email_contact.pager',
    'module.team["sre"].module.escalation.ilert_user_phone_number_contact.night[0]',
)
GONE = 'module.team["sre"].ilert_user_email_contact.legacy'
NAMES = {
    'ilert_user_email_contact.oncall["jane"]': "email-oncall-jane",
    'ilert_user_email_contact.oncall["ops"]': "email-oncall-ops",
    'ilert_user_phone_number_contact.oncall["jane"]': "phone-oncall-jane",
    "ilert_user_phone_number_contact.backup[0]": "phone-backup-0",
    'module.team["sre"].ilert_user_email_contact.pager': "team-sre-email-pager",
    'module.team["sre"].module.escalation.ilert_user_phone_number_contact.night[0]': (
        "team-sre-escalation-phone-night-0"
    ),
}
"""The resource name of every contact the program declares (the gone one is left out)."""
FOREIGN = ("ilert_user.jane", "ilert_escalation_policy.default")


def _post(emulator: EmulatorServer, token: str, user: int, kind: str, body: dict[str, Any]) -> int:
    contact_id: int = api_post(emulator, token, user, kind, body)["id"]
    return contact_id


def seed_terraform_account(emulator: EmulatorServer, token: str) -> dict[str, int]:
    """Create what Terraform once created (and change it since); the placeholder ids."""
    ids = {
        "jane-email": _post(emulator, token, 1001, "emails", {"target": "jane@example.com"}),
        "jane-phone": _post(
            emulator,
            token,
            1001,
            "phone-numbers",
            {"target": "+4915123456789", "regionCode": "DE", "primary": True},
        ),
        "jane-backup": _post(
            emulator,
            token,
            1001,
            "phone-numbers",
            {"target": "+4930123456", "regionCode": "DE", "primary": False},
        ),
        "ops-email": _post(emulator, token, 1002, "emails", {"target": "ops@example.org"}),
        "pager": _post(emulator, token, 1002, "emails", {"target": "pager@example.org"}),
        "deleted": _post(emulator, token, 1002, "emails", {"target": "gone@example.org"}),
        "night": _post(
            emulator,
            token,
            1002,
            "phone-numbers",
            {"target": "+12025550123", "regionCode": "US", "primary": True},
        ),
    }
    api_call(emulator, token, "DELETE", f"/users/1002/contacts/emails/{ids['deleted']}")
    logins = api_call(emulator, token, "GET", "/users/1001/contacts/emails")
    ids["login-1001"] = next(c["id"] for c in logins if c["target"] == "user1001@example.com")
    emulator.admin.reset_requests()
    return ids


def state_text(path: Path, ids: dict[str, int]) -> str:
    """The fixture at ``path`` with its placeholder ids replaced by ``ids``."""
    return re.sub(r'"@([a-z0-9-]+)"', lambda m: json.dumps(str(ids[m.group(1)])), path.read_text())


def state_document(path: Path, ids: dict[str, int]) -> dict[str, Any]:
    """The fixture as a dict, to derive broken or aliased variants from."""
    document: dict[str, Any] = json.loads(state_text(path, ids))
    return document


FAKE_IDS = {
    key: 100 + n
    for n, key in enumerate(
        ("jane-email", "jane-phone", "jane-backup", "ops-email", "pager", "deleted", "night", "login-1001")
    )
}
"""Ids for the tests that never reach ilert (parsing, naming, input errors)."""
