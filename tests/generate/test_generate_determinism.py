"""Running the generator twice gives the same file, so regenerating and diffing shows real changes."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import pytest
from pulumi_ilert_contacts.generate.stamp import parse_timestamp, resolve_timestamp

from .conftest import Account
from .support import EPOCH, generate

USERS = ("--user", "1002", "--user", "1001", "--user", "1003")


def test_two_runs_with_source_date_epoch_write_identical_files(account: Account, tmp_path: Path) -> None:
    env = {**account.env, "SOURCE_DATE_EPOCH": EPOCH}
    for fmt, *extra in (
        ("python",),
        ("pulumi-yaml",),
        ("yaml-roster",),
        ("python", "--sets"),
        ("pulumi-yaml", "--sets"),
    ):
        first, second = tmp_path / f"first-{fmt}{len(extra)}", tmp_path / f"second-{fmt}{len(extra)}"
        assert generate(env, *USERS, "--format", fmt, *extra, "--out", str(first)).code == 0
        assert generate(env, *USERS, "--format", fmt, *extra, "--out", str(second)).code == 0
        assert first.read_bytes() == second.read_bytes()
        assert "# Generated: 2023-11-14T22:13:20Z\n" in first.read_text()


def test_without_a_pinned_time_the_header_carries_only_the_day(account: Account, tmp_path: Path) -> None:
    first, second = tmp_path / "first.py", tmp_path / "second.py"
    assert generate(account.env, *USERS, "--out", str(first)).code == 0
    assert generate(account.env, *USERS, "--out", str(second)).code == 0

    stamp = re.search(r"^# Generated: (.*)$", first.read_text(), re.MULTILINE)
    assert stamp is not None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", stamp.group(1))
    one, two = first.read_text().splitlines(), second.read_text().splitlines()
    differing = [a for a, b in zip(one, two, strict=True) if a != b]
    # Identical, unless the two runs straddled midnight UTC.
    assert differing in ([], [stamp.group(0)])


def test_timestamp_option_overrides_source_date_epoch(account: Account) -> None:
    env = {**account.env, "SOURCE_DATE_EPOCH": EPOCH}
    pinned = generate(env, "--user", "1001", "--timestamp", "2024-02-29")
    assert "# Generated: 2024-02-29\n" in pinned.stdout
    none = generate(env, "--user", "1001", "--timestamp", "none")
    assert "# Generated: no timestamp" in none.stdout


def test_malformed_source_date_epoch_is_refused(account: Account, tmp_path: Path) -> None:
    out = tmp_path / "contacts.py"
    run = generate({**account.env, "SOURCE_DATE_EPOCH": "yesterday"}, "--user", "1001", "--out", str(out))
    assert run.code == 2
    assert "SOURCE_DATE_EPOCH must be a number of seconds" in run.stderr
    assert not out.exists()


def test_output_order_follows_the_command_line_not_the_api(account: Account) -> None:
    run = generate({**account.env, "SOURCE_DATE_EPOCH": EPOCH}, *USERS)
    sections = re.findall(r"^# --- user (\d+):", run.stdout, re.MULTILINE)
    assert sections == ["1002", "1001", "1003"]


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("2024-02-29", "2024-02-29"),
        ("2024-02-29T10:00:00+02:00", "2024-02-29T08:00:00Z"),
        ("2024-02-29T08:00:00Z", "2024-02-29T08:00:00Z"),
        ("2024-02-29T08:00:00", "2024-02-29T08:00:00Z"),
        ("1700000000", "2023-11-14T22:13:20Z"),
        ("none", None),
    ],
)
def test_timestamp_forms(given: str, shown: str | None) -> None:
    assert parse_timestamp(given) == shown


def test_default_timestamp_is_the_utc_day() -> None:
    late = datetime(2024, 3, 1, 23, 30, tzinfo=timezone.utc)
    assert resolve_timestamp(None, {}, now=lambda: late) == "2024-03-01"
    assert resolve_timestamp(None, {"SOURCE_DATE_EPOCH": "0"}, now=lambda: late) == "1970-01-01T00:00:00Z"
