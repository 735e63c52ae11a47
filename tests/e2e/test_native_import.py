"""``pulumi import`` of existing ilert contacts through the plugin: in a Pulumi YAML project with
code generation (the CLI writes the YAML declaration), with the ``import`` resource option, and in
a Python project without code generation. Each takes the contacts over with no write to ilert, and
the program declaring them afterwards has nothing to change."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from emulator_support import api_request
from native_support import (
    EMAIL,
    NO_WRITES,
    PHONE,
    python_stack,
    write_python,
    write_yaml,
    writes,
    yaml_stack,
)
from pulumi_fixtures import TOKEN, USERS
from pulumi_harness import Stack
from pulumi_ilert_contacts.emulator import EmulatorServer


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(token=TOKEN, users=USERS) as server:
        yield server


def entered_in_ilert(emulator: EmulatorServer, user: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """An email and a primary phone number a person added to ``user`` in the ilert UI."""
    email = api_request(
        emulator, "POST", f"/users/{user}/contacts/emails", json={"target": f"oncall.{user}@example.com"}
    )
    phone = api_request(
        emulator, "POST", f"/users/{user}/contacts/phone-numbers",
        json={"target": "+4915123456789", "regionCode": "DE", "primary": True},
    )
    assert email.ok and phone.ok
    return email.json(), phone.json()


# -- Pulumi YAML -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def yaml_project(
    tmp_path_factory: pytest.TempPathFactory, pulumi_home: Path, emulator: EmulatorServer
) -> Stack:
    """A YAML project with no resources yet."""
    return yaml_stack(tmp_path_factory.mktemp("import-yaml"), pulumi_home, emulator, "resources: {}\n")


def test_import_in_a_yaml_project_writes_the_yaml_declaration_and_nothing_to_ilert(
    yaml_project: Stack, emulator: EmulatorServer
) -> None:
    email, phone = entered_in_ilert(emulator, 1001)
    spec = yaml_project.workdir / "import.json"
    spec.write_text(json.dumps({"resources": [
        {"type": EMAIL, "name": "oncall-email", "id": f"1001:{email['id']}"},
        {"type": PHONE, "name": "oncall-mobile", "id": f"1001:{phone['id']}"},
    ]}))
    generated = yaml_project.workdir / "imported.yaml"
    emulator.admin.reset_requests()

    yaml_project.run("import", "--file", str(spec), "--out", str(generated), "--yes", "--non-interactive")

    assert writes(emulator) == NO_WRITES
    declared = yaml.safe_load(generated.read_text())["resources"]
    assert declared == {
        "oncall-email": {
            "type": "ilert-contacts:ContactEmail",
            "properties": {"userId": "1001", "target": "oncall.1001@example.com", "adopt": False},
            "options": {"protect": True},
        },
        "oncall-mobile": {
            "type": "ilert-contacts:ContactPhoneNumber",
            "properties": {
                "userId": "1001",
                "regionCode": "DE",
                "target": "+4915123456789",
                "primary": True,
                "adopt": False,
            },
            "options": {"protect": True},
        },
    }
    state = {r["urn"].rsplit("::", 1)[-1]: r for r in yaml_project.native_resources()}
    assert (state["oncall-email"]["id"], state["oncall-mobile"]["id"]) == (
        f"1001:{email['id']}", f"1001:{phone['id']}"
    )
    assert state["oncall-mobile"]["outputs"]["contactId"] == phone["id"]

    # The generated declaration, pasted into the program as the CLI asks: nothing left to do.
    write_yaml(yaml_project, generated.read_text())
    emulator.admin.reset_requests()
    yaml_project.preview("--expect-no-changes")
    assert emulator.admin.requests()["total"] == 0


def test_import_resource_option_in_yaml_takes_over_with_no_write(
    yaml_project: Stack, emulator: EmulatorServer
) -> None:
    email, _ = entered_in_ilert(emulator, 1002)
    program = yaml.safe_load(_body(yaml_project))
    adopted = {
        "type": EMAIL,
        "properties": {"userId": "1002", "target": "oncall.1002@example.com"},
        "options": {"import": f"1002:{email['id']}"},
    }
    program["resources"]["team-email"] = adopted
    write_yaml(yaml_project, yaml.safe_dump(program))
    emulator.admin.reset_requests()

    up = yaml_project.up()

    assert "= 1 imported" in up.output, up
    assert writes(emulator) == NO_WRITES
    # Once imported, the option may go: the program then simply manages the contact.
    del adopted["options"]
    write_yaml(yaml_project, yaml.safe_dump(program))
    yaml_project.preview("--expect-no-changes")


def test_import_of_a_malformed_id_names_the_expected_form(
    yaml_project: Stack, emulator: EmulatorServer
) -> None:
    emulator.admin.reset_requests()

    result = yaml_project.run(
        "import", EMAIL, "stray", "1001-17", "--yes", "--generate-code=false", "--non-interactive",
        check=False,
    )

    assert result.code != 0
    assert "malformed ilert contact id '1001-17': expected '<user_id>:<contact_id>'" in result.output, result
    assert emulator.admin.requests()["total"] == 0


def _body(stack: Stack) -> str:
    """The stack's Pulumi.yaml without its header (name, runtime, plugins)."""
    project = yaml.safe_load((stack.workdir / "Pulumi.yaml").read_text())
    return yaml.safe_dump({k: v for k, v in project.items() if k not in ("name", "runtime", "plugins")})


# -- Python ------------------------------------------------------------------------------------

DECLARED_AFTER_IMPORT = """
import pulumi
from pulumi_ilert_contacts import native

native.ContactEmail("oncall-email", user_id="1003", target="oncall.1003@example.com",
                    opts=pulumi.ResourceOptions(protect=True))
native.ContactPhoneNumber("oncall-mobile", user_id="1003", region_code="DE", target="+4915123456789",
                          primary=True, opts=pulumi.ResourceOptions(protect=True))
"""


def test_import_in_a_python_project_then_the_same_declaration_has_no_changes(
    tmp_path_factory: pytest.TempPathFactory, pulumi_home: Path, emulator: EmulatorServer
) -> None:
    stack = python_stack(tmp_path_factory.mktemp("import-python"), pulumi_home, emulator, "import pulumi\n")
    email, phone = entered_in_ilert(emulator, 1003)
    emulator.admin.reset_requests()

    for kind, name, contact in ((EMAIL, "oncall-email", email), (PHONE, "oncall-mobile", phone)):
        stack.run("import", kind, name, f"1003:{contact['id']}", "--yes", "--generate-code=false",
                  "--non-interactive")

    assert writes(emulator) == NO_WRITES
    outputs = {r["urn"].rsplit("::", 1)[-1]: r["outputs"] for r in stack.native_resources()}
    assert outputs["oncall-email"]["contactId"] == email["id"]
    assert (outputs["oncall-mobile"]["contactId"], outputs["oncall-mobile"]["primary"]) == (phone["id"], True)

    write_python(stack, DECLARED_AFTER_IMPORT)
    emulator.admin.reset_requests()
    stack.preview("--expect-no-changes")
    assert emulator.admin.requests()["total"] == 0
