"""Adopting an existing account end to end: generate a program from ilert, then `pulumi up` it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import requests
from pulumi_fixtures import TOKEN
from pulumi_harness import Stack
from pulumi_ilert_contacts.emulator import EmulatorServer


def seed(emulator: EmulatorServer) -> None:
    """Contacts people entered by hand: a primary phone, a LOCKED email, a second user."""

    def post(user: int, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        response = requests.post(
            f"{emulator.url}/api/users/{user}/contacts/{kind}",
            json=body,
            headers={"Authorization": f"Bearer {TOKEN}"},
            timeout=10,
        )
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    post(1001, "phone-numbers", {"target": "+4915123456789", "regionCode": "DE", "primary": True})
    post(1001, "phone-numbers", {"target": "+4930123456", "regionCode": "DE", "primary": False})
    locked = post(1001, "emails", {"target": "jane.doe@example.com"})
    emulator.admin.set_status(locked["id"], "LOCKED")
    post(1002, "emails", {"target": "oncall@example.org"})
    post(1002, "phone-numbers", {"target": "+12025550123", "regionCode": "US", "primary": True})


def generate(emulator: EmulatorServer, *extra: str) -> str:
    env = {**os.environ, "ILERT_API_TOKEN": TOKEN, "ILERT_ENDPOINT": emulator.url}
    users = ["--user", "1001", "--user", "1002"]
    proc = subprocess.run(
        [sys.executable, "-m", "pulumi_ilert_contacts", "generate", *users, *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return proc.stdout


def test_generated_program_adopts_every_contact_and_creates_none(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    seed(emulator)
    before = emulator.admin.contacts()
    source = generate(emulator, "--retain-on-delete")
    stack = make_stack(source)
    emulator.admin.reset_requests()

    stack.up()

    counts = emulator.admin.request_counts()
    assert not counts.get("POST"), f"nothing may be created: {counts}"
    assert not counts.get("DELETE")
    assert emulator.admin.contacts() == before
    managed = {r["outputs"]["contact_id"] for r in stack.contact_resources()}
    everything = {c["id"] for kind in before.values() for c in kind if c["user_id"] in ("1001", "1002")}
    assert managed == everything

    stack.preview("--expect-no-changes")

    emulator.admin.reset_requests()
    stack.destroy()
    assert emulator.admin.contacts() == before, "retain_on_delete leaves every contact in ilert"
    assert not emulator.admin.request_counts().get("DELETE")
    assert stack.contact_resources() == []
