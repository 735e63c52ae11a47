"""The pulumi-yaml output: a whole Pulumi YAML project on the native provider, every live contact a
resource with the values ilert holds and ``options: import: <userId>:<contactId>``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pulumi_ilert_contacts.core.kinds import EMAIL
from pulumi_ilert_contacts.core.validation import check_contact
from pulumi_ilert_contacts.generate.document import Generation
from pulumi_ilert_contacts.generate.inventory import UserContacts
from pulumi_ilert_contacts.generate.pulumi_yaml import render_pulumi_yaml

from .conftest import Account
from .support import EPOCH, TOKEN, declared_resources, generate

USERS = ("--user", "1001", "--user", "1002", "--user", "1003")
EMAIL_TYPE = "ilert-contacts:index:ContactEmail"
PHONE_TYPE = "ilert-contacts:index:ContactPhoneNumber"


def generated(account: Account, tmp_path: Path, *extra: str) -> tuple[str, dict[str, Any]]:
    out = tmp_path / "Pulumi.yaml"
    env = {**account.env, "SOURCE_DATE_EPOCH": EPOCH}
    run = generate(env, *USERS, "--format", "pulumi-yaml", "--out", str(out), *extra)
    assert run.code == 0, run.stderr
    text = out.read_text()
    project: dict[str, Any] = yaml.safe_load(text)
    return text, project


def test_every_live_contact_is_a_native_resource_imported_by_its_id(account: Account, tmp_path: Path) -> None:
    _, project = generated(account, tmp_path)
    live = account.emulator.admin.contacts()

    assert (project["name"], project["runtime"]) == ("ilert-contacts", "yaml")
    assert set(project) == {"name", "description", "runtime", "resources"}
    resources = project["resources"]
    assert len(resources) == len(live["emails"]) + len(live["phone_numbers"])

    by_id = {r["options"]["import"]: r for r in resources.values()}
    for contact in live["emails"]:
        declared = by_id[f"{contact['user_id']}:{contact['id']}"]
        outcome = check_contact(EMAIL, {"user_id": contact["user_id"], "target": contact["target"]})
        target = outcome.inputs.get("target", contact["target"])
        assert declared == {
            "type": EMAIL_TYPE,
            "properties": {"userId": contact["user_id"], "target": target},
            "options": {"import": f"{contact['user_id']}:{contact['id']}"},
        }
    for contact in live["phone_numbers"]:
        declared = by_id[f"{contact['user_id']}:{contact['id']}"]
        assert declared["type"] == PHONE_TYPE
        assert declared["properties"] == {
            "userId": contact["user_id"],
            "regionCode": contact["regionCode"],
            "target": contact["target"],
            **({"primary": True} if contact["primary"] else {}),
        }
    emails = {(r["properties"]["userId"], r["properties"]["target"]) for r in resources.values()}
    assert ("1002", "Oncall@example.com") in emails  # normalised as check() would


def test_resource_names_and_comments_are_those_of_the_python_output(account: Account, tmp_path: Path) -> None:
    text, project = generated(account, tmp_path)
    python = generate({**account.env, "SOURCE_DATE_EPOCH": EPOCH}, *USERS)
    assert python.code == 0, python.stderr

    assert list(project["resources"]) == [d.name for d in declared_resources(python.stdout)]
    assert f"  # ilert email contact {account.locked_email}, status LOCKED" in text
    assert f"  # ilert phone number contact {account.blacklisted_phone}, status BLACKLISTED" in text
    _, after = text.split(f"  # ilert email contact {account.invalid_email}\n", 1)
    assert after.startswith("  # WARNING: the value in ilert fails validation")
    assert "# --- user 1002: 2 email contacts, 1 phone number contact ---" in text
    assert "# Command:   pulumi-ilert-contacts generate --user 1001 --user 1002 \\\n" in text
    assert "#              --user 1003 --format pulumi-yaml\n" in text
    assert TOKEN not in text


def test_retain_on_delete_and_project_name(account: Account, tmp_path: Path) -> None:
    text, project = generated(account, tmp_path, "--retain-on-delete", "--project", "team.contacts")

    assert project["name"] == "team.contacts"
    assert project["resources"]
    assert all(r["options"]["retainOnDelete"] is True for r in project["resources"].values())
    command = " ".join(text.split("# Command:", 1)[1].split("\n#\n", 1)[0].replace("\\\n#", "").split())
    assert command.endswith("--user 1003 --format pulumi-yaml --project team.contacts --retain-on-delete")


def test_project_option_belongs_to_the_pulumi_yaml_format(account: Account, tmp_path: Path) -> None:
    out = tmp_path / "contacts.py"
    run = generate(account.env, "--user", "1001", "--project", "contacts", "--out", str(out))

    assert run.code == 2
    assert "--project applies to --format pulumi-yaml only" in run.stderr
    assert not out.exists()
    assert account.emulator.admin.request_counts().get("GET", 0) == 0


def test_users_without_contacts_make_a_valid_empty_project() -> None:
    generation = Generation(
        endpoint="https://api.ilert.com",
        users=(UserContacts("1001"),),
        timestamp=None,
        format_name="pulumi-yaml",
    )

    project = yaml.safe_load(render_pulumi_yaml(generation))

    assert project["resources"] == {}
    assert project["runtime"] == "yaml"
