"""``generate --sets`` end to end: one ``UserContacts`` per user, written from ilert, through the engine.

Each generated program's first ``pulumi up`` must write nothing to ilert (the Python sets adopt the
listed contacts, the YAML sets are imported by user id), list each user's contacts at most once per
kind (2 GET per user in the pass), and leave every contact of the users in a set of the stack;
``pulumi preview --expect-no-changes`` must then pass without a request. One engine run per program:
Python from ``--user``, Pulumi YAML from ``--user``, Python from a Terraform state.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emulator_support import api_post, login_email
from generate.terraform_support import SHOW, seed_terraform_account, state_text
from native_support import PLUGIN_DIR, new_stack
from pulumi_fixtures import TOKEN
from pulumi_harness import Stack
from pulumi_ilert_contacts.emulator import EmulatorServer
from test_generate_e2e import seed as seed_by_hand

USERS = ("1001", "1002", "1003")
HINT = "# plugins:\n#   providers:\n#     - name: ilert-contacts\n#       path: ./venv/bin"
USER_PATH = re.compile(r"^/api/users/(\d+)/")


def seed(emulator: EmulatorServer) -> None:
    """The contacts ``generate --user``'s own end-to-end test seeds (a primary and a second number,
    a LOCKED address, a second user's address and number), plus an address in a spelling ``check()``
    normalises; user 1003 keeps only its login email."""
    seed_by_hand(emulator)
    api_post(emulator, TOKEN, 1002, "emails", {"target": "Pager@Example.ORG"})


def generate(emulator: EmulatorServer, *args: str) -> tuple[str, str]:
    """(program, what the tool said) of ``generate ARGS --sets``."""
    env = {**os.environ, "ILERT_API_TOKEN": TOKEN, "ILERT_ENDPOINT": emulator.url}
    proc = subprocess.run(
        [sys.executable, "-m", "pulumi_ilert_contacts", "generate", *args, "--sets"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, proc.stderr


def writes(emulator: EmulatorServer) -> tuple[int, int, int]:
    counts = emulator.admin.request_counts()
    return counts.get("POST", 0), counts.get("PUT", 0), counts.get("DELETE", 0)


def gets_per_user(emulator: EmulatorServer) -> Counter[str]:
    per_user: Counter[str] = Counter()
    for entry in emulator.admin.requests()["log"]:
        if entry["method"] == "GET":
            match = USER_PATH.match(entry["path"])
            per_user[match.group(1) if match else entry["path"]] += 1
    return per_user


def held(emulator: EmulatorServer, users: tuple[str, ...]) -> dict[str, set[int]]:
    """The contact ids ilert holds for each of ``users``."""
    contacts = emulator.admin.contacts()
    return {
        user: {
            c["id"] for kind in ("emails", "phone_numbers") for c in contacts[kind] if c["user_id"] == user
        }
        for user in users
    }


def _plain(value: Any) -> Any:
    """A value of ``stack export --show-secrets``, a secret's plaintext decoded."""
    if isinstance(value, dict) and "plaintext" in value:
        return json.loads(value["plaintext"])
    return value


def in_sets(stack: Stack, prefix: str) -> dict[str, set[int]]:
    """The contact ids each set of the stack holds, by set id (the user id)."""
    resources = json.loads(stack.export(show_secrets=True))["deployment"]["resources"]
    sets = [r for r in resources if r["type"].startswith(prefix) and r["type"].endswith("UserContacts")]
    found: dict[str, set[int]] = {}
    for resource in sets:
        outputs = resource["outputs"]
        contacts = [
            *_plain(outputs.get("email_contacts") or outputs.get("emailContacts") or []),
            *_plain(outputs.get("phone_number_contacts") or outputs.get("phoneNumberContacts") or []),
        ]
        found[resource["id"]] = {c.get("contact_id", c.get("contactId")) for c in contacts}
    return found


def assert_no_change_preview_calls_nothing(stack: Stack, emulator: EmulatorServer) -> None:
    emulator.admin.reset_requests()
    stack.preview("--expect-no-changes")
    assert emulator.admin.requests()["total"] == 0, emulator.admin.request_counts()


def test_python_sets_adopt_every_contact_of_each_user_and_write_nothing(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    seed(emulator)
    before = emulator.admin.contacts()
    source, said = generate(emulator, *(arg for user in USERS for arg in ("--user", user)))
    assert source.count("UserContacts(") == 3
    assert "wrote 3 sets (9 contacts)" in said
    stack = make_stack(source)
    emulator.admin.reset_requests()

    stack.up()

    assert writes(emulator) == (0, 0, 0), emulator.admin.request_counts()
    per_user = gets_per_user(emulator)
    assert set(per_user) == set(USERS) and max(per_user.values()) <= 2, per_user
    assert emulator.admin.contacts() == before
    assert in_sets(stack, "pulumi-python:dynamic") == held(emulator, USERS)

    assert_no_change_preview_calls_nothing(stack, emulator)


def test_yaml_sets_import_every_contact_of_each_user_and_write_nothing(
    tmp_path: Path, pulumi_home: Path, emulator: EmulatorServer
) -> None:
    seed(emulator)
    before = emulator.admin.contacts()
    text, _ = generate(
        emulator, *(arg for user in USERS for arg in ("--user", user)), "--format", "pulumi-yaml"
    )
    assert text.count('    options:\n      import: "100') == 3
    entry = "\n".join(line[2:] for line in HINT.splitlines()).replace("./venv/bin", str(PLUGIN_DIR))
    stack = new_stack(tmp_path, pulumi_home)
    stack.workdir.mkdir()
    (stack.workdir / "Pulumi.yaml").write_text(text.replace(HINT, entry))
    stack.init(emulator.url, TOKEN, namespace="ilert-contacts")
    emulator.admin.reset_requests()

    up = stack.up()

    assert writes(emulator) == (0, 0, 0), emulator.admin.request_counts()
    per_user = gets_per_user(emulator)
    assert set(per_user) == set(USERS) and max(per_user.values()) <= 2, per_user
    assert emulator.admin.contacts() == before
    assert "= 3 imported" in up.output
    assert in_sets(stack, "ilert-contacts:index:") == held(emulator, USERS)

    assert_no_change_preview_calls_nothing(stack, emulator)


def test_python_sets_from_terraform_keep_the_contacts_terraform_did_not_manage(
    tmp_path: Path, make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    ids = seed_terraform_account(emulator, TOKEN)
    private = api_post(emulator, TOKEN, 1001, "emails", {"target": "jane.private@example.org"})
    state = tmp_path / "show.json"
    state.write_text(state_text(SHOW, ids))
    source, said = generate(emulator, "--from-terraform", str(state))
    # Terraform did not manage the login emails nor Jane's private address: listed, and said so.
    for user, contact_id, target in (
        ("1001", private["id"], "jane.private@example.org"),
        ("1001", ids["login-1001"], login_email(1001)),
    ):
        assert (
            f"email contact {target} ({contact_id} of user {user}): listed in the set u{user}-contacts"
            in said
        )
    assert said.count("listed in the set") == 3  # and user 1002's login email
    assert source.count("# Not managed by Terraform") == 3
    assert 'pulumi.Output.secret("jane@example.com")' in source
    before = emulator.admin.contacts()
    stack = make_stack(source)
    emulator.admin.reset_requests()

    stack.up()

    assert writes(emulator) == (0, 0, 0), emulator.admin.request_counts()
    per_user = gets_per_user(emulator)
    assert set(per_user) == {"1001", "1002"} and max(per_user.values()) <= 2, per_user
    assert emulator.admin.contacts() == before
    assert in_sets(stack, "pulumi-python:dynamic") == held(emulator, ("1001", "1002"))
    assert "jane@example.com" not in stack.export(), "a target Terraform marks sensitive stays secret"

    assert_no_change_preview_calls_nothing(stack, emulator)
