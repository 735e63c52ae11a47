"""Bad input: a clear message on stderr, a non-zero exit, and never a half-written file."""

from __future__ import annotations

from pathlib import Path

from .conftest import Account
from .support import TOKEN, generate

PREVIOUS = "# the file as it was before\n"


def existing_out(tmp_path: Path) -> Path:
    out = tmp_path / "contacts.py"
    out.write_text(PREVIOUS)
    return out


def assert_untouched(out: Path) -> None:
    assert out.read_text() == PREVIOUS
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # no temporary file left


def test_unknown_user_fails_and_leaves_the_existing_file_alone(account: Account, tmp_path: Path) -> None:
    out = existing_out(tmp_path)
    run = generate(account.env, "--user", "1001", "--user", "9999", "--out", str(out))

    assert run.code == 1
    assert "user 9999" in run.stderr
    assert "404" in run.stderr and "not found" in run.stderr
    assert "nothing was written" in run.stderr
    assert run.stdout == ""
    assert_untouched(out)


def test_unknown_user_without_out_prints_no_partial_program(account: Account) -> None:
    run = generate(account.env, "--user", "1001", "--user", "9999")
    assert run.code == 1
    assert run.stdout == ""


def test_bad_token_fails_without_showing_any_token(account: Account, tmp_path: Path) -> None:
    wrong = "wrong-token-0d9e8f7a6b5c"
    out = tmp_path / "contacts.py"
    run = generate({**account.env, "ILERT_API_TOKEN": wrong}, "--user", "1001", "--out", str(out))

    assert run.code == 1
    assert "403" in run.stderr
    assert "ILERT_API_TOKEN" in run.stderr  # says what to fix
    assert wrong not in run.stderr + run.stdout
    assert TOKEN not in run.stderr + run.stdout
    assert not out.exists()


def test_missing_token_is_reported(account: Account, tmp_path: Path) -> None:
    env = {k: v for k, v in account.env.items() if k != "ILERT_API_TOKEN"}
    run = generate(env, "--user", "1001")
    assert run.code == 1
    assert "no ilert API token" in run.stderr
    assert account.emulator.admin.requests()["total"] == 0


def test_network_failure_fails_and_leaves_the_existing_file_alone(account: Account, tmp_path: Path) -> None:
    # Every answer for user 1002 is lost: the reads are retried, then the run gives up.
    account.emulator.admin.add_fault("GET", "drop_before", path="/users/1002/", seconds=120)
    out = existing_out(tmp_path)
    run = generate(account.env, "--user", "1001", "--user", "1002", "--out", str(out))

    assert run.code == 1
    assert "user 1002" in run.stderr
    assert "nothing was written" in run.stderr
    assert_untouched(out)


def test_non_numeric_user_is_a_usage_error_before_any_request(account: Account, tmp_path: Path) -> None:
    out = tmp_path / "contacts.py"
    for bad in ("jane", "-5", "0", "12a"):
        run = generate(account.env, f"--user={bad}", "--out", str(out))
        assert run.code == 2, bad
        assert "--user: expected a positive numeric ilert user id" in run.stderr
    assert account.emulator.admin.requests()["total"] == 0
    assert not out.exists()


def test_unwritable_out_is_reported(account: Account, tmp_path: Path) -> None:
    out = tmp_path / "missing-dir" / "contacts.py"
    run = generate(account.env, "--user", "1001", "--out", str(out))
    assert run.code == 1
    assert "cannot write" in run.stderr
    assert not out.parent.exists()


def test_regenerating_replaces_the_file_and_keeps_its_mode(account: Account, tmp_path: Path) -> None:
    out = existing_out(tmp_path)
    out.chmod(0o640)
    run = generate(account.env, "--user", "1001", "--out", str(out))
    assert run.code == 0, run.stderr
    assert out.read_text().startswith("# ilert contacts for Pulumi to adopt")
    assert out.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]
