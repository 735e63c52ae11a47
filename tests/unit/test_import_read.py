"""The read behind ``pulumi import`` (and ``get()``) gives the contact as a program declares it.

ilert may hold a spelling that ``check()`` normalises (an upper-case email domain). The imported
state must hold the normalised one, or the program written for the contact (by ``generate`` or by
``pulumi import``'s code generation) would plan an update, and the first ``up`` would PUT.
"""

from __future__ import annotations

from typing import Any

import requests
from pulumi_ilert_contacts.core import config, lifecycle
from pulumi_ilert_contacts.core.client import IlertClient
from pulumi_ilert_contacts.core.kinds import EMAIL
from pulumi_ilert_contacts.core.validation import check_contact
from pulumi_ilert_contacts.emulator import EmulatorServer
from pulumi_ilert_contacts.emulator.admin_client import EmulatorAdmin

from .support import TOKEN, USER


def entered_in_ilert(emulator: EmulatorServer, target: str) -> dict[str, Any]:
    response = requests.post(
        f"{emulator.api_url}/users/{USER}/contacts/emails",
        json={"target": target},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=10,
    )
    response.raise_for_status()
    contact: dict[str, Any] = response.json()
    return contact


def test_an_imported_email_is_read_as_check_normalises_it_and_plans_no_change(
    ilert_env: EmulatorServer, admin: EmulatorAdmin
) -> None:
    contact = entered_in_ilert(ilert_env, "Oncall@Example.COM")

    observed = lifecycle.read_existing(IlertClient(config.current()), EMAIL, f"{USER}:{contact['id']}")

    assert observed.inputs == {"user_id": USER, "target": "Oncall@example.com", "adopt": False}
    assert observed.outputs["target"] == "Oncall@example.com"
    assert observed.outputs["contact_id"] == contact["id"]
    declared = check_contact(EMAIL, {"user_id": USER, "target": "Oncall@example.com"}).inputs
    assert lifecycle.diff(EMAIL, observed.outputs, declared).changed == []
    assert admin.request_counts().get("PUT", 0) == 0


def test_an_imported_value_that_fails_validation_is_kept_as_ilert_holds_it(ilert_env: EmulatorServer) -> None:
    contact = entered_in_ilert(ilert_env, "pager@localhost")

    observed = lifecycle.read_existing(IlertClient(config.current()), EMAIL, f"{USER}:{contact['id']}")

    assert observed.inputs["target"] == observed.outputs["target"] == "pager@localhost"
