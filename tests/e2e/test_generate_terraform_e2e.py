"""Moving from Terraform end to end: a Terraform state in, the generated program through the engine.

The states are the hand-written fixtures of tests/generate/tfstate/ (ilert's Terraform provider
schema), their contact ids those of contacts seeded in the emulator. Each generated program's first
`pulumi up` must write nothing to ilert, leave every contact in the stack under
`<userId>:<contactId>` and list each user's contacts at most once per kind; `pulumi preview
--expect-no-changes` must pass after it.
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

import requests
from generate.terraform_support import SHOW, STATE, seed_terraform_account, state_document, state_text
from native_support import PLUGIN_DIR, new_stack
from pulumi_fixtures import TOKEN
from pulumi_harness import Stack
from pulumi_ilert_contacts.emulator import EmulatorServer

STAGING_TOKEN = "staging-token-93be1d"
DECLARED = ("jane-email", "jane-phone", "jane-backup", "ops-email", "pager", "night")
"""The seeded contacts the state manages and ilert still has (``deleted`` is gone)."""
USER_OF = {"jane-email": 1001, "jane-phone": 1001, "jane-backup": 1001, "ops-email": 1002, "pager": 1002}
USER_OF["night"] = 1002
LIST = re.compile(r"^/api/users/(\d+)/contacts/(emails|phone-numbers)$")


def generate(state: Path, *args: str, env: dict[str, str]) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "pulumi_ilert_contacts", "generate", "--from-terraform", str(state), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def writes(emulator: EmulatorServer) -> tuple[int, int, int]:
    counts = emulator.admin.request_counts()
    return counts.get("POST", 0), counts.get("PUT", 0), counts.get("DELETE", 0)


def lists_per_user(emulator: EmulatorServer) -> Counter[str]:
    """GETs of a whole list, by user (any GET of one contact counts too, as a request)."""
    per_user: Counter[str] = Counter()
    for entry in emulator.admin.requests()["log"]:
        if entry["method"] == "GET":
            match = LIST.match(entry["path"].split("?")[0]) or re.match(r"^/api/users/(\d+)/", entry["path"])
            per_user[match.group(1) if match else entry["path"]] += 1
    return per_user


def test_python_program_from_terraform_show_json_adopts_every_contact_and_writes_nothing(
    tmp_path: Path, make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    ids = seed_terraform_account(emulator, TOKEN)
    state = tmp_path / "show.json"
    state.write_text(state_text(SHOW, ids))
    source = generate(state, env={"ILERT_API_TOKEN": TOKEN, "ILERT_ENDPOINT": emulator.url})
    assert 'target=pulumi.Output.secret("jane@example.com")' in source
    before = emulator.admin.contacts()
    stack = make_stack(source)
    emulator.admin.reset_requests()

    stack.up()

    assert writes(emulator) == (0, 0, 0), emulator.admin.request_counts()
    per_user = lists_per_user(emulator)
    assert set(per_user) == {"1001", "1002"} and max(per_user.values()) <= 2, per_user
    assert emulator.admin.contacts() == before
    managed = {r["id"] for r in stack.contact_resources()}
    assert managed == {f"{USER_OF[key]}:{ids[key]}" for key in DECLARED}
    exported = stack.export()
    assert "jane@example.com" not in exported, "a target Terraform marks sensitive is a secret in the state"

    stack.preview("--expect-no-changes")


def test_yaml_program_from_a_state_with_a_provider_alias_imports_both_accounts_and_writes_nothing(
    tmp_path: Path, pulumi_home: Path, emulator: EmulatorServer
) -> None:
    ids = seed_terraform_account(emulator, TOKEN)
    with EmulatorServer(token=STAGING_TOKEN, users=[2001]) as staging:
        staged = requests.post(
            f"{staging.api_url}/users/2001/contacts/emails",
            json={"target": "staging-oncall@example.net"},
            headers={"Authorization": f"Bearer {STAGING_TOKEN}"},
            timeout=10,
        ).json()
        document = state_document(STATE, ids)
        document["resources"].append(_staging_contact(staged["id"]))
        state = tmp_path / "terraform.tfstate"
        state.write_text(json.dumps(document))
        env = {"ILERT_API_TOKEN": TOKEN, "ILERT_ENDPOINT": emulator.url, "ILERT_STAGING_TOKEN": STAGING_TOKEN}
        text = generate(
            state, "--format", "pulumi-yaml", "--alias", f"staging={staging.url},ILERT_STAGING_TOKEN", env=env
        )
        hint = "# plugins:\n#   providers:\n#     - name: ilert-contacts\n#       path: ./venv/bin"
        entry = "\n".join(line[2:] for line in hint.splitlines()).replace("./venv/bin", str(PLUGIN_DIR))
        stack = new_stack(tmp_path, pulumi_home)
        stack.workdir.mkdir()
        (stack.workdir / "Pulumi.yaml").write_text(text.replace(hint, entry))
        stack.run("stack", "init", stack.name, "--non-interactive")
        stack.run("config", "set", "ilert-contacts:endpoint", emulator.url)
        stack.run("config", "set", "--secret", "ilert-contacts:apiToken", TOKEN)
        stack.run("config", "set", "--secret", "stagingApiToken", STAGING_TOKEN)
        before = (emulator.admin.contacts(), staging.admin.contacts())
        emulator.admin.reset_requests()
        staging.admin.reset_requests()

        up = stack.up()

        assert writes(emulator) == (0, 0, 0), emulator.admin.request_counts()
        assert writes(staging) == (0, 0, 0), staging.admin.request_counts()
        assert (emulator.admin.contacts(), staging.admin.contacts()) == before
        for server, users in ((emulator, {"1001", "1002"}), (staging, {"2001"})):
            per_user = lists_per_user(server)
            assert set(per_user) == users and max(per_user.values()) <= 2, per_user
        expected = {f"{USER_OF[key]}:{ids[key]}" for key in DECLARED} | {f"2001:{staged['id']}"}
        contacts = [r for r in stack.resources() if r["type"].startswith("ilert-contacts:index:Contact")]
        assert {r["id"] for r in contacts} == expected
        assert f"= {len(expected)} imported" in up.output
        staged_resource = next(r for r in contacts if r["id"].startswith("2001:"))
        assert "providers:ilert-contacts::provider-staging::" in staged_resource["provider"]

        stack.preview("--expect-no-changes")


def _staging_contact(contact_id: int) -> dict[str, Any]:
    """``ilert_user_email_contact.staging`` on the provider alias ``staging``: another account."""
    return {
        "mode": "managed",
        "type": "ilert_user_email_contact",
        "name": "staging",
        "provider": 'provider["registry.terraform.io/ilert/ilert"].staging',
        "instances": [
            {
                "schema_version": 0,
                "attributes": {
                    "id": str(contact_id),
                    "status": "OK",
                    "target": "staging-oncall@example.net",
                    "timeouts": None,
                    "user": [{"id": 2001}],
                },
                "sensitive_attributes": [],
            }
        ],
    }
