"""Adopting an existing account end to end: generate a program from ilert, then `pulumi up` it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from emulator_support import api_post
from pulumi_fixtures import TOKEN
from pulumi_harness import Stack, base_env
from pulumi_ilert_contacts.emulator import EmulatorServer


def seed(emulator: EmulatorServer) -> None:
    """Contacts people entered by hand: a primary phone, a LOCKED email, a second user."""

    def post(user: int, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        return api_post(emulator, TOKEN, user, kind, body)

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


# -- the Pulumi YAML output: native resources imported by id -------------------------------------

PLUGIN_DIR = Path(sys.executable).parent  # where pip put pulumi-resource-ilert-contacts
NATIVE = "ilert-contacts:index:"


def test_generated_yaml_program_imports_every_contact_and_writes_nothing(
    tmp_path: Path, pulumi_home: Path, emulator: EmulatorServer
) -> None:
    seed(emulator)
    # A spelling check() normalises: the import must not "fix" it with a PUT.
    api_post(emulator, TOKEN, 1002, "emails", {"target": "Pager@Example.ORG"})
    before = emulator.admin.contacts()
    text = generate(emulator, "--format", "pulumi-yaml", "--retain-on-delete", "--project", "adopted")
    # The plugins: entry the file suggests in a comment, pointed at this virtualenv.
    hint = "# plugins:\n#   providers:\n#     - name: ilert-contacts\n#       path: ./venv/bin"
    assert hint in text
    entry = "\n".join(line[2:] for line in hint.splitlines()).replace("./venv/bin", str(PLUGIN_DIR))
    text = text.replace(hint, entry)
    plugins = yaml.safe_load(text)["plugins"]
    assert plugins == {"providers": [{"name": "ilert-contacts", "path": str(PLUGIN_DIR)}]}
    (tmp_path / "backend").mkdir()
    stack = Stack(tmp_path / "project", base_env(tmp_path / "backend", pulumi_home))
    stack.workdir.mkdir()
    (stack.workdir / "Pulumi.yaml").write_text(text)
    stack.run("stack", "init", stack.name, "--non-interactive")
    stack.run("config", "set", "ilert-contacts:endpoint", emulator.url)
    stack.run("config", "set", "--secret", "ilert-contacts:apiToken", TOKEN)
    emulator.admin.reset_requests()

    up = stack.up()

    counts = emulator.admin.request_counts()
    assert (counts.get("POST", 0), counts.get("PUT", 0), counts.get("DELETE", 0)) == (0, 0, 0), counts
    assert emulator.admin.contacts() == before
    live = [c for kind in before.values() for c in kind if c["user_id"] in ("1001", "1002")]
    everything = {f"{c['user_id']}:{c['id']}" for c in live}
    assert {r["id"] for r in stack.resources() if r["type"].startswith(NATIVE)} == everything
    assert f"= {len(everything)} imported" in up.output

    preview = stack.preview("--expect-no-changes")
    assert "from $PATH" not in preview.output


# -- the request bound of adoption: one list per (user, kind) ------------------------------------

BULK_USERS = (1001, 1002, 1003, 1004)
PRIMARY_LATER = 1004  # ilert holds no primary number for this user; the recovery program sets one


def seed_bulk(emulator: EmulatorServer) -> None:
    """Ten contacts for each of four users: the login email, four more emails, five numbers."""
    admin = emulator.admin
    admin.seed_user(BULK_USERS[-1])

    def post(user: int, kind: str, body: dict[str, Any]) -> None:
        api_post(emulator, TOKEN, user, kind, body)

    for user in BULK_USERS:
        for n in range(4):
            post(user, "emails", {"target": f"oncall{n}.{user}@example.com"})
        for n in range(5):
            primary = n == 0 and user != PRIMARY_LATER
            post(
                user,
                "phone-numbers",
                {"target": f"+4915123{user:04d}{n:02d}", "regionCode": "DE", "primary": primary},
            )


def generate_bulk(emulator: EmulatorServer) -> str:
    env = {**os.environ, "ILERT_API_TOKEN": TOKEN, "ILERT_ENDPOINT": emulator.url}
    users = [arg for user in BULK_USERS for arg in ("--user", str(user))]
    proc = subprocess.run(
        [sys.executable, "-m", "pulumi_ilert_contacts", "generate", *users, "--retain-on-delete"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return proc.stdout


def test_adopting_40_contacts_of_4_users_costs_one_list_per_user_and_kind(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    seed_bulk(emulator)
    before = emulator.admin.contacts()
    source = generate_bulk(emulator)
    assert source.count("    adopt=True,\n") == 40
    stack = make_stack(source)
    emulator.admin.reset_requests()

    stack.up()

    counts = emulator.admin.request_counts()
    assert counts["GET"] <= 2 * len(BULK_USERS), counts
    assert (counts["POST"], counts["PUT"], counts["DELETE"]) == (0, 0, 0), counts
    assert emulator.admin.contacts() == before
    assert len(stack.contact_resources()) == 40


def test_recovery_switch_adopts_40_contacts_with_one_list_per_user_and_kind(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    # The contacts exist, the state lost them (an interrupted `up`): the program declares them
    # without adopt=True, and ILERT_ADOPT_EXISTING takes each over. One number differs (primary).
    seed_bulk(emulator)
    source = generate_bulk(emulator).replace("    adopt=True,\n", "")
    wanted = f'target="+4915123{PRIMARY_LATER:04d}00",\n'
    assert source.count(wanted) == 1
    source = source.replace(wanted, wanted + "    primary=True,\n")
    stack = make_stack(source)
    emulator.admin.reset_requests()

    stack.up(env={"ILERT_ADOPT_EXISTING": "true"})

    counts = emulator.admin.request_counts()
    assert counts["GET"] <= 2 * len(BULK_USERS), counts
    assert (counts["POST"], counts["PUT"], counts["DELETE"]) == (0, 1, 0), counts
    phones = emulator.admin.contacts()["phone_numbers"]
    primaries = {p["user_id"]: p["target"] for p in phones if p["primary"]}
    assert primaries[str(PRIMARY_LATER)] == f"+4915123{PRIMARY_LATER:04d}00"
    assert len(stack.contact_resources()) == 40
    stack.preview("--expect-no-changes")
