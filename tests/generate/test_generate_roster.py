"""The yaml-roster output: a roster file in examples/team-roster's schema, holding the live contacts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pulumi_harness import REPO

from .conftest import Account
from .support import EPOCH, generate

EXAMPLE_ROSTER = REPO / "examples" / "team-roster" / "roster.yaml"


def roster(account: Account, tmp_path: Path, *extra: str) -> tuple[str, dict[str, Any]]:
    out = tmp_path / "roster.yaml"
    run = generate(
        {**account.env, "SOURCE_DATE_EPOCH": EPOCH},
        "--user", "1001", "--user", "1002", "--user", "1003",
        "--format", "yaml-roster", "--out", str(out), *extra,
    )  # fmt: skip
    assert run.code == 0, run.stderr
    text = out.read_text()
    data: dict[str, Any] = yaml.safe_load(text)
    return text, data


def test_roster_parses_and_holds_every_live_contact(account: Account, tmp_path: Path) -> None:
    _, data = roster(account, tmp_path)
    users = {user["user_id"]: user for user in data["users"]}
    assert list(users) == [1001, 1002, 1003]
    assert users[1001]["name"] == "u1001"
    assert users[1001]["emails"] == ["user1001@example.com", "jane.doe@example.com", "jane-doe@example.com"]
    assert users[1001]["phones"] == [
        {"number": "+4915123456789", "region": "DE", "primary": True},
        {"number": "+12025550123", "region": "US"},
    ]
    assert users[1002]["emails"] == ["user1002@example.com", "Oncall@example.com"]
    assert users[1002]["phones"] == [{"number": "+33612345678", "region": "FR"}]
    assert users[1003] == {
        "user_id": 1003, "name": "u1003", "emails": ["user1003@example.com", "pager@localhost"], "phones": [],
    }  # fmt: skip
    assert data["adopt"] is True
    assert "retain_on_delete" not in data


def test_roster_uses_only_keys_of_the_team_roster_example(account: Account, tmp_path: Path) -> None:
    example = yaml.safe_load(EXAMPLE_ROSTER.read_text())
    user_keys = {key for user in example["users"] for key in user}
    phone_keys = {key for user in example["users"] for phone in user["phones"] for key in phone}

    _, data = roster(account, tmp_path)
    assert set(data) - {"users"} == {"adopt"}  # the one addition, flagged in the header
    assert {key for user in data["users"] for key in user} <= user_keys
    assert {key for user in data["users"] for phone in user["phones"] for key in phone} <= phone_keys


def test_roster_flags_status_invalid_values_and_shared_names(account: Account, tmp_path: Path) -> None:
    text, _ = roster(account, tmp_path)
    assert f"# ilert email contact {account.locked_email}, status LOCKED" in text
    assert f"# ilert phone number contact {account.blacklisted_phone}, status BLACKLISTED" in text
    assert text.count("# WARNING: team-roster would name this contact") == 2
    assert "# WARNING: the value in ilert fails validation" in text


def test_roster_retain_on_delete_flag(account: Account, tmp_path: Path) -> None:
    _, data = roster(account, tmp_path, "--retain-on-delete")
    assert data["retain_on_delete"] is True
