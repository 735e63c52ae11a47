"""``generate --sets``: one ``UserContacts`` per user listing every contact ilert holds for the user.

The generator runs as a user runs it, against a real emulator over HTTP. The engine runs the
generated programs in ``tests/e2e/test_generate_sets_e2e.py``. The golden files in ``golden/`` are
the whole outputs for the ``account`` fixture (``UPDATE_GOLDEN=1`` rewrites them after a deliberate
change; review the diff).
"""

from __future__ import annotations

import ast
import os
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi_ilert_contacts.core.kinds import EMAIL
from pulumi_ilert_contacts.core.validation import check_contact
from pulumi_ilert_contacts.emulator import EmulatorServer

from .conftest import Account
from .support import EPOCH, TOKEN, api_post, generate, generator_env, ruff_check
from .terraform_support import SHOW, STATE, seed_terraform_account, state_text
from .test_from_terraform import _aliased, from_terraform, write_state

USERS = ("--user", "1002", "--user", "1001", "--user", "1003")
GOLDEN = Path(__file__).parent / "golden"
SET_TYPE = "ilert-contacts:index:UserContacts"


def generated(account: Account, tmp_path: Path, fmt: str) -> str:
    out = tmp_path / ("Pulumi.yaml" if fmt == "pulumi-yaml" else "contacts.py")
    env = {**account.env, "SOURCE_DATE_EPOCH": EPOCH}
    run = generate(env, *USERS, "--sets", "--format", fmt, "--out", str(out))
    assert run.code == 0, run.stderr
    assert "wrote 3 sets (10 contacts) to" in run.stderr
    return out.read_text()


def live_lists(emulator: EmulatorServer, user: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(emails, numbers) ilert holds for ``user``, in ilert's order (by contact id)."""
    contacts = emulator.admin.contacts()
    emails = sorted((c for c in contacts["emails"] if c["user_id"] == user), key=lambda c: c["id"])
    phones = sorted((c for c in contacts["phone_numbers"] if c["user_id"] == user), key=lambda c: c["id"])
    return emails, phones


def python_sets(source: str) -> dict[str, dict[str, Any]]:
    """Every ``x = UserContacts("name", ...)`` of a program: its keyword arguments by resource name."""
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            call = node.value
            assert isinstance(call.func, ast.Name) and call.func.id == "UserContacts"
            assert isinstance(node.targets[0], ast.Name)
            name = ast.literal_eval(call.args[0])
            assert node.targets[0].id == name.replace("-", "_")
            found[name] = {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords if kw.arg}
    return found


@pytest.mark.parametrize(("fmt", "golden"), [("python", "sets.py"), ("pulumi-yaml", "sets.Pulumi.yaml")])
def test_the_output_is_the_golden_file_and_two_runs_write_it_alike(
    account: Account, tmp_path: Path, fmt: str, golden: str
) -> None:
    first = generated(account, tmp_path, fmt).replace(account.emulator.url, "http://127.0.0.1:PORT")
    second = generated(account, tmp_path, fmt).replace(account.emulator.url, "http://127.0.0.1:PORT")
    assert first == second
    if os.environ.get("UPDATE_GOLDEN"):
        (GOLDEN / golden).write_text(first)
    assert first == (GOLDEN / golden).read_text()


def test_python_declares_one_set_per_user_listing_what_ilert_holds(account: Account, tmp_path: Path) -> None:
    source = generated(account, tmp_path, "python")
    sets = python_sets(source)

    assert list(sets) == ["u1002-contacts", "u1001-contacts", "u1003-contacts"]  # command-line order
    for name, kwargs in sets.items():
        user = name[1:5]
        emails, phones = live_lists(account.emulator, user)
        assert kwargs["user_id"] == user
        # The login email included, ilert's order; the spelling check() normalises (Oncall@example.com).
        expected = [check_contact(EMAIL, {"user_id": user, "target": e["target"]}).inputs for e in emails]
        assert kwargs["emails"] == [
            i.get("target", e["target"]) for i, e in zip(expected, emails, strict=True)
        ]
        assert kwargs["phone_numbers"] == [
            {"target": p["target"], "region_code": p["regionCode"], "primary": p["primary"]} for p in phones
        ]
    assert sets["u1003-contacts"]["phone_numbers"] == []  # "none": the set manages the kind
    import_lines = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert import_lines == ["from pulumi_ilert_contacts import UserContacts"]
    assert "adopt" not in source.split("# ---", 1)[1]  # a new set adopts without a flag
    strict = ruff_check(tmp_path / "contacts.py", "--select", "E,F,W,I,B,UP,SIM,RUF", "--line-length", "88")
    assert strict.returncode == 0, strict.stdout + strict.stderr


def test_python_flags_contacts_ilert_does_not_notify_and_values_that_fail_validation(
    account: Account, tmp_path: Path
) -> None:
    source = generated(account, tmp_path, "python")
    assert f"# ilert email contact {account.locked_email}, status LOCKED:" in source
    assert f"# ilert phone number contact {account.blacklisted_phone}, status BLACKLISTED:" in source
    assert f"# ilert email contact {account.invalid_email}\n        # WARNING: the value in ilert" in source


def test_yaml_imports_one_set_per_user_by_its_id(account: Account, tmp_path: Path) -> None:
    project = yaml.safe_load(generated(account, tmp_path, "pulumi-yaml"))

    assert set(project) == {"name", "description", "runtime", "resources"}
    resources = project["resources"]
    assert list(resources) == ["u1002-contacts", "u1001-contacts", "u1003-contacts"]
    for name, resource in resources.items():
        user = name[1:5]
        emails, phones = live_lists(account.emulator, user)
        assert resource["type"] == SET_TYPE
        assert resource["options"] == {"import": user}
        properties = resource["properties"]
        assert properties["userId"] == user
        assert [e.lower() for e in properties["emails"]] == [e["target"].lower() for e in emails]
        assert properties["phoneNumbers"] == [
            {"target": p["target"], "regionCode": p["regionCode"], "primary": p["primary"]} for p in phones
        ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "yaml-roster"], "--sets applies to --format python and pulumi-yaml"),
        (["--retain-on-delete"], "destroying a set, or removing it from the program, already leaves"),
    ],
)
def test_options_that_do_not_apply_to_sets_are_usage_errors(
    account: Account, tmp_path: Path, args: list[str], message: str
) -> None:
    out = tmp_path / "out"
    run = generate(account.env, "--user", "1001", "--sets", *args, "--out", str(out))
    assert run.code == 2 and message in run.stderr, run.stderr
    assert not out.exists()
    assert account.emulator.admin.requests()["total"] == 0


# -- --from-terraform --sets ---------------------------------------------------------------------


def test_from_terraform_sets_are_built_from_ilerts_full_lists_and_name_what_terraform_did_not_manage(
    tmp_path: Path, emulator: EmulatorServer
) -> None:
    ids = seed_terraform_account(emulator, TOKEN)
    private = api_contact(emulator, 1001, "jane.private@example.org")
    state = write_state(tmp_path, state_text(STATE, ids))

    run = from_terraform(generator_env(emulator), str(state), "--sets", "--format", "pulumi-yaml")

    assert run.code == 0, run.stderr
    resources = yaml.safe_load(run.stdout)["resources"]
    assert list(resources) == ["u1001-contacts", "u1002-contacts"]
    for name, resource in resources.items():
        user = name[1:5]
        emails, phones = live_lists(emulator, user)
        assert resource["options"] == {"import": user}
        listed = [e["fn::secret"] if isinstance(e, dict) else e for e in resource["properties"]["emails"]]
        assert listed == [e["target"] for e in emails]
        assert [p["target"] for p in resource["properties"]["phoneNumbers"]] == [p["target"] for p in phones]
    # The secret Terraform marks sensitive stays one inside the list.
    assert {"fn::secret": "jane@example.com"} in resources["u1001-contacts"]["properties"]["emails"]
    # Each contact Terraform did not manage: a comment above it, a line of the report.
    unmanaged = [
        ("1001", ids["login-1001"], "user1001@example.com"),
        ("1001", private, "jane.private@example.org"),
    ]
    for user, contact_id, target in unmanaged:
        line = f"  email contact {target} ({contact_id} of user {user}): listed in the set u{user}-contacts"
        assert line in run.stderr
    assert "not managed by Terraform, now owned by a set (3; kept, as the set lists them;" in run.stderr
    assert run.stdout.count("# Not managed by Terraform: listed, so the set keeps it") == 3
    assert 'Terraform: ilert_user_email_contact.oncall["jane"]' in run.stdout
    assert "gone from ilert: " in run.stderr  # the report of issue 17 is unchanged
    assert "terraform state rm" in run.stderr
    assert "--sets" in run.stdout.split("resources:")[0]  # the regenerating command
    # At most one list per user and kind, nothing written.
    assert emulator.admin.request_counts() == {"GET": 4, "POST": 0, "PUT": 0, "DELETE": 0}


def test_from_terraform_sets_of_an_alias_get_its_provider_and_their_own_name(
    tmp_path: Path, emulator: EmulatorServer
) -> None:
    ids = seed_terraform_account(emulator, TOKEN)
    document = _aliased(ids)
    pager = next(r for r in document["resources"] if r["name"] == "pager")
    pager["provider"] = 'provider["registry.terraform.io/ilert/ilert"]'
    state = write_state(tmp_path, document)
    alias = f"staging={emulator.url},ILERT_STAGING_TOKEN"

    run = from_terraform(
        generator_env(emulator, ILERT_STAGING_TOKEN=TOKEN),
        str(state),
        "--sets",
        "--format",
        "pulumi-yaml",
        "--alias",
        alias,
    )

    assert run.code == 0, run.stderr
    resources = yaml.safe_load(run.stdout)["resources"]
    staged = resources["u1001-contacts-staging"]
    assert staged["options"] == {"import": "1001", "provider": "${provider-staging}"}
    assert resources["u1001-contacts"]["options"] == {"import": "1001"}


def test_from_terraform_sets_in_python_keep_secrets_and_pass_ruff(
    tmp_path: Path, emulator: EmulatorServer
) -> None:
    ids = seed_terraform_account(emulator, TOKEN)
    state = write_state(tmp_path, state_text(SHOW, ids), "show.json")
    out = tmp_path / "contacts.py"

    run = from_terraform(generator_env(emulator), str(state), "--sets", "--out", str(out))

    assert run.code == 0, run.stderr
    source = out.read_text()
    jane = '        # Terraform: ilert_user_email_contact.oncall["jane"]\n        # ilert email contact {}\n'
    assert jane.format(ids["jane-email"]) + '        pulumi.Output.secret("jane@example.com"),\n' in source
    assert source.count("UserContacts(") == 2
    assert "wrote 2 sets (" in run.stderr
    lint = ruff_check(out)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def api_contact(emulator: EmulatorServer, user: int, target: str) -> int:
    contact_id: int = api_post(emulator, user, "emails", {"target": target})["id"]
    emulator.admin.reset_requests()
    return contact_id
