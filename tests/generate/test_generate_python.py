"""The Python output: a program that declares every live contact for adoption, and passes ruff."""

from __future__ import annotations

from pathlib import Path

import pulumi_ilert_contacts
from pulumi_ilert_contacts.core.kinds import EMAIL
from pulumi_ilert_contacts.core.validation import check_contact

from .conftest import Account
from .support import EPOCH, TOKEN, declared_resources, generate, ruff_check

USERS = ("--user", "1001", "--user", "1002", "--user", "1003")


def generated(account: Account, tmp_path: Path, *extra: str) -> str:
    out = tmp_path / "contacts.py"
    run = generate({**account.env, "SOURCE_DATE_EPOCH": EPOCH}, *USERS, "--out", str(out), *extra)
    assert run.code == 0, run.stderr
    return out.read_text()


def test_generated_program_passes_ruff_default_rules_and_compiles(account: Account, tmp_path: Path) -> None:
    source = generated(account, tmp_path)
    path = tmp_path / "contacts.py"

    default = ruff_check(path)
    assert default.returncode == 0, default.stdout + default.stderr
    compile(source, str(path), "exec")


def test_generated_program_passes_the_projects_stricter_rule_set(account: Account, tmp_path: Path) -> None:
    generated(account, tmp_path, "--retain-on-delete")
    strict = ruff_check(tmp_path / "contacts.py", "--select", "E,F,W,I,B,UP,SIM,RUF", "--line-length", "88")
    assert strict.returncode == 0, strict.stdout + strict.stderr


def test_generated_program_imports_only_public_names_it_uses(account: Account, tmp_path: Path) -> None:
    source = generated(account, tmp_path)
    import_lines = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert import_lines == ["from pulumi_ilert_contacts import ContactEmail, ContactPhoneNumber"]
    assert {"ContactEmail", "ContactPhoneNumber"} <= set(pulumi_ilert_contacts.__all__)


def test_every_live_contact_is_declared_once_with_adopt_and_the_live_values(
    account: Account, tmp_path: Path
) -> None:
    declared = declared_resources(generated(account, tmp_path))
    live = account.emulator.admin.contacts()

    emails = {(d.kwargs["user_id"], d.kwargs["target"]) for d in declared if d.cls == "ContactEmail"}
    expected_emails = set()
    for contact in live["emails"]:
        outcome = check_contact(EMAIL, {"user_id": contact["user_id"], "target": contact["target"]})
        expected_emails.add((contact["user_id"], outcome.inputs.get("target", contact["target"])))
    assert emails == expected_emails
    assert ("1002", "Oncall@example.com") in emails  # normalised as check() would

    phones = {
        (d.kwargs["user_id"], d.kwargs["region_code"], d.kwargs["target"], d.kwargs.get("primary", False))
        for d in declared
        if d.cls == "ContactPhoneNumber"
    }
    assert phones == {
        (p["user_id"], p["regionCode"], p["target"], p["primary"]) for p in live["phone_numbers"]
    }
    assert len(declared) == len(live["emails"]) + len(live["phone_numbers"])
    assert all(d.kwargs["adopt"] is True for d in declared)
    assert all(d.opts is None for d in declared)


def test_primary_phone_is_declared_primary(account: Account, tmp_path: Path) -> None:
    declared = declared_resources(generated(account, tmp_path))
    primary = [d for d in declared if d.kwargs.get("primary") is True]
    assert [(d.kwargs["user_id"], d.kwargs["target"]) for d in primary] == [("1001", "+4915123456789")]


def test_locked_and_blacklisted_contacts_are_included_with_a_status_comment(
    account: Account, tmp_path: Path
) -> None:
    source = generated(account, tmp_path)
    locked = source.split(f"ilert email contact {account.locked_email}, status LOCKED", 1)[1]
    assert 'target="jane-doe@example.com"' in locked.split("\n)", 1)[0]
    marker = f"ilert phone number contact {account.blacklisted_phone}, status BLACKLISTED"
    blacklisted = source.split(marker)[1]
    assert 'target="+12025550123"' in blacklisted.split("\n)", 1)[0]


def test_live_value_failing_validation_is_kept_with_a_warning(account: Account, tmp_path: Path) -> None:
    source = generated(account, tmp_path)
    _, after = source.split(f"# ilert email contact {account.invalid_email}\n", 1)
    comment, declaration = after.split("u1003_email", 1)
    assert comment.startswith("# WARNING:")
    assert "pager@localhost" in comment
    assert 'target="pager@localhost"' in declaration.split("\n)", 1)[0]


def test_names_are_unique_and_readable_when_targets_slugify_alike(account: Account, tmp_path: Path) -> None:
    declared = declared_resources(generated(account, tmp_path))
    names = [d.name for d in declared]
    variables = [d.variable for d in declared]
    assert len(set(names)) == len(names)
    assert len(set(variables)) == len(variables)
    assert all(v.isidentifier() for v in variables)
    by_target = {(d.kwargs["user_id"], d.kwargs["target"]): d.name for d in declared}
    shared = "u1001-email-jane-doe-example-com"
    assert by_target[("1001", "jane.doe@example.com")] == f"{shared}-c{account.dotted_email}"
    assert by_target[("1001", "jane-doe@example.com")] == f"{shared}-c{account.locked_email}"
    assert by_target[("1001", "user1001@example.com")] == "u1001-email-user1001-example-com"
    assert by_target[("1001", "+4915123456789")] == "u1001-phone-4915123456789"


def test_retain_on_delete_marks_every_resource(account: Account, tmp_path: Path) -> None:
    source = generated(account, tmp_path, "--retain-on-delete")
    declared = declared_resources(source)
    assert declared
    assert all(d.opts == "pulumi.ResourceOptions(retain_on_delete=True)" for d in declared)
    assert "import pulumi\n" in source


def test_header_names_the_endpoint_and_date_but_never_the_token(account: Account, tmp_path: Path) -> None:
    source = generated(account, tmp_path)
    header = source.split("\nfrom ", 1)[0]
    assert f"# Source:    {account.emulator.url} (users 1001, 1002, 1003)" in header
    assert "# Generated: 2023-11-14T22:13:20Z" in header
    # The command is wrapped into lines that can be pasted into a shell (after the "# ").
    command = (
        "# Command:   pulumi-ilert-contacts generate --user 1001 --user 1002 \\\n#              --user 1003\n"
    )
    assert command in header
    assert all(len(line) <= 79 for line in header.splitlines())
    assert TOKEN not in source


def test_one_progress_line_per_user_on_stderr_and_the_program_on_stdout(account: Account) -> None:
    run = generate(account.env, "--user", "1001", "--user", "1002")
    assert run.code == 0, run.stderr
    assert "pulumi-ilert-contacts: user 1001: 3 email contacts, 2 phone number contacts" in run.stderr
    assert "pulumi-ilert-contacts: user 1002: 2 email contacts, 1 phone number contact" in run.stderr
    assert run.stdout.startswith("# ilert contacts for Pulumi to adopt")
    assert len(declared_resources(run.stdout)) == 8


def test_generator_only_reads(account: Account, tmp_path: Path) -> None:
    generated(account, tmp_path)
    counts = account.emulator.admin.request_counts()
    assert {method for method, count in counts.items() if count} == {"GET"}
    assert counts["GET"] == 6  # one list per user and kind
