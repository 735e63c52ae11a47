"""One rate budget per API key, shared by the provider processes of a machine.

Several stacks deploying at once with one key each run their own provider process. Each budgeting
the key as if it were alone gets requests refused with 429 (which spend the budget that other
tools on the key share). Here plain Python processes stand in for those provider processes: each
makes client calls against one emulator that enforces the rate per key, and the emulator counts
what it refused. The figures are request counts; the time ratio is the benchmark's
(``benchmarks/run.py --only many-stacks``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pulumi_ilert_contacts.core import client
from pulumi_ilert_contacts.core.config import Settings
from pulumi_ilert_contacts.core.kinds import EMAIL
from pulumi_ilert_contacts.core.ratelimit import SharedRateLimiter, budget_name
from pulumi_ilert_contacts.emulator import EmulatorServer
from pulumi_ilert_contacts.emulator.admin_client import EmulatorAdmin

from .support import TOKEN, USER

LIMIT = 20
WINDOW = 2.0

WORKER = """
import sys
from pulumi_ilert_contacts.core.client import shared_client
from pulumi_ilert_contacts.core.kinds import EMAIL

ilert = shared_client()
for _ in range(int(sys.argv[1])):
    ilert.list_contacts(EMAIL, sys.argv[2])
"""


def run_processes(
    emulator: EmulatorServer, budget_dirs: list[Path], calls: int
) -> list[subprocess.CompletedProcess[str]]:
    """One process per budget directory, all at once, each making ``calls`` list calls."""
    procs = []
    for budget_dir in budget_dirs:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ILERT_")}
        env.update(
            ILERT_API_TOKEN=TOKEN,
            ILERT_ENDPOINT=emulator.url,
            ILERT_RATE_LIMIT=str(LIMIT),
            ILERT_RATE_WINDOW=str(WINDOW),
            ILERT_RATE_DIR=str(budget_dir),
        )
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", WORKER, str(calls), USER],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    finished = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        finished.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return finished


def statuses(admin: EmulatorAdmin) -> dict[int | None, int]:
    counted: dict[int | None, int] = {}
    for entry in admin.requests()["log"]:
        counted[entry["status"]] = counted.get(entry["status"], 0) + 1
    return counted


@pytest.mark.parametrize("processes", [2, 4])
def test_concurrent_processes_on_one_key_share_its_budget_and_get_no_429(
    emulator: EmulatorServer, tmp_path: Path, processes: int
) -> None:
    admin = emulator.admin
    admin.set_rate_limit(LIMIT, window=WINDOW)
    calls = 60 // processes  # 60 requests: three windows' worth, whatever the split

    finished = run_processes(emulator, [tmp_path] * processes, calls)

    assert [p.returncode for p in finished] == [0] * processes, [p.stderr[-2000:] for p in finished]
    assert statuses(admin) == {200: 60}
    [budget] = list(tmp_path.iterdir())
    assert TOKEN not in budget.name and TOKEN not in budget.read_text()


def test_processes_that_budget_alone_are_refused_with_429(emulator: EmulatorServer, tmp_path: Path) -> None:
    # The control: the same load, each process with a budget of its own (as before sharing),
    # overspends the key; the retry layer still gets every call through.
    admin = emulator.admin
    admin.set_rate_limit(LIMIT, window=WINDOW)

    finished = run_processes(emulator, [tmp_path / "a", tmp_path / "b"], 30)

    assert [p.returncode for p in finished] == [0, 0]
    counted = statuses(admin)
    assert counted[200] == 60
    assert counted.get(429, 0) > 0


def test_two_accounts_in_one_process_have_separate_budgets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ILERT_RATE_DIR", str(tmp_path))
    monkeypatch.setenv("ILERT_RATE_LIMIT", str(LIMIT))
    client.reset_session()
    with (
        EmulatorServer(token="account-a-token", users=[int(USER)]) as first,
        EmulatorServer(token="account-b-token", users=[int(USER)]) as second,
    ):
        accounts = [
            client.IlertClient(Settings(first.url, "account-a-token")),
            client.IlertClient(Settings(first.url, "account-b-token")),  # another key, same endpoint
            client.IlertClient(Settings(second.url, "account-b-token")),
        ]
        limiters = [client._shared(account.settings)[1] for account in accounts]
        first_name = budget_name(first.url, "account-a-token")
        for account in (accounts[0], accounts[2]):
            for _ in range(3):
                account.list_contacts(EMAIL, USER)

    assert len({id(limiter) for limiter in limiters}) == 3
    assert all(isinstance(limiter, SharedRateLimiter) for limiter in limiters)
    paths = [limiter.path for limiter in limiters if isinstance(limiter, SharedRateLimiter)]
    assert len(set(paths)) == 3
    starts = {path.name: len(json.loads(path.read_text())["starts"]) for path in paths if path.exists()}
    assert sorted(starts.values()) == [3, 3]
    assert paths[0].name.startswith(first_name)


def test_a_budget_directory_that_cannot_be_made_falls_back_to_the_process_alone(
    ilert_env: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("ILERT_RATE_DIR", str(blocker / "budgets"))
    client.reset_session()

    contacts = client.shared_client().list_contacts(EMAIL, USER)

    assert [c["target"] for c in contacts] == [f"user{USER}@example.com"]
    _, limiter = client._shared()
    assert not isinstance(limiter, SharedRateLimiter)
    assert limiter.limit == 120
