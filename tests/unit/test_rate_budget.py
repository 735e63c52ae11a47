"""One rate budget per API key, shared by the provider processes of a machine.

Several stacks deploying at once with one key each run their own provider process. Each budgeting
the key as if it were alone gets requests refused with 429 (which spend the budget that other
tools on the key share). Here plain Python processes stand in for those provider processes: each
makes client calls against one emulator that enforces the rate per key, and the emulator counts
what it refused. The figures are request counts; the time ratio is the benchmark's
(``benchmarks/run.py --only many-stacks``).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import filelock
import pytest
from pulumi_ilert_contacts.core import client
from pulumi_ilert_contacts.core.config import Settings
from pulumi_ilert_contacts.core.errors import IlertConfigError
from pulumi_ilert_contacts.core.kinds import EMAIL
from pulumi_ilert_contacts.core.ratelimit import budget_name
from pulumi_ilert_contacts.emulator import EmulatorServer
from pulumi_ilert_contacts.emulator.admin_client import EmulatorAdmin
from redis_server import RedisServer

from .support import TOKEN, USER, emails_of

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


# A provider process of one machine of a fleet: creates ``calls`` email contacts of its own.
CREATE_WORKER = """
import sys
from pulumi_ilert_contacts.core.client import shared_client
from pulumi_ilert_contacts.core.kinds import EMAIL

ilert = shared_client()
for i in range(int(sys.argv[1])):
    ilert.create_contact(EMAIL, sys.argv[2], {"target": f"{sys.argv[3]}-{i}@example.com"})
"""


def run_processes(
    emulator: EmulatorServer,
    budget_dirs: list[Path],
    calls: int,
    *,
    worker: str = WORKER,
    env_extra: dict[str, str] | None = None,
    while_running: Callable[[], None] | None = None,
) -> list[subprocess.CompletedProcess[str]]:
    """One process per budget directory, all at once, each making ``calls`` calls of ``worker``
    (list calls by default); ``while_running`` is called once they are all started."""
    procs = []
    for k, budget_dir in enumerate(budget_dirs):
        env = {k: v for k, v in os.environ.items() if not k.startswith("ILERT_")}
        env.update(
            ILERT_API_TOKEN=TOKEN,
            ILERT_ENDPOINT=emulator.url,
            ILERT_RATE_LIMIT=str(LIMIT),
            ILERT_RATE_WINDOW=str(WINDOW),
            ILERT_RATE_DIR=str(budget_dir),
            **(env_extra or {}),
        )
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", worker, str(calls), USER, f"machine{k}"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    if while_running is not None:
        while_running()
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
    for stored in tmp_path.iterdir():  # the budget's database and its lock (and SQLite's journal)
        assert TOKEN not in stored.name and TOKEN.encode() not in stored.read_bytes()


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
    assert all(limiter.where == f"rate budget directory {tmp_path}" for limiter in limiters)
    starts = {path.name: requests_in(path) for path in tmp_path.glob("*.sqlite")}
    assert sorted(starts.values()) == [3, 3]  # the second account's budget on the first endpoint: unused
    assert any(name.startswith(first_name) for name in starts)


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
    assert limiter.where == "this process's budget"
    assert limiter.limit == 120


def requests_in(budget: Path) -> int:
    """The request start times a machine's budget holds."""
    with closing(sqlite3.connect(budget)) as db:
        return int(db.execute("SELECT COUNT(*) FROM budget").fetchone()[0])


# -- a fleet: machines with directories of their own, one Redis ------------------------------------

MACHINES = 3
CREATES = 25  # per machine: 75 requests, almost four windows' worth; none finishes in one window
STORE_PASSWORD = "redis-pw-7f3e91c0a4"


@pytest.fixture
def redis_store() -> Iterator[RedisServer]:
    """A redis-server of the test's own, with a password, on a free port of 127.0.0.1."""
    with RedisServer(password=STORE_PASSWORD) as server:
        yield server


def machines(tmp_path: Path) -> list[Path]:
    return [tmp_path / f"machine{k}" for k in range(MACHINES)]


def assert_created_once_each(admin: EmulatorAdmin, finished: list[subprocess.CompletedProcess[str]]) -> None:
    """Every process finished, every create reached ilert once, nothing twice."""
    assert [p.returncode for p in finished] == [0] * MACHINES, [p.stderr[-2000:] for p in finished]
    targets = Counter(c["target"] for c in emails_of(admin, USER) if c["target"].startswith("machine"))
    assert len(targets) == MACHINES * CREATES and set(targets.values()) == {1}
    created = [e for e in admin.requests()["log"] if e["method"] == "POST" and e["status"] == 201]
    assert len(created) == MACHINES * CREATES


@pytest.mark.parametrize("shared", [True, False], ids=["one-store", "control-no-store"])
def test_machines_that_share_a_store_share_the_key_budget_and_get_no_429(
    emulator: EmulatorServer, redis_store: RedisServer, tmp_path: Path, shared: bool
) -> None:
    admin = emulator.admin
    admin.set_rate_limit(LIMIT, window=WINDOW)
    store = {"ILERT_RATE_STORE": redis_store.url, "ILERT_RATE_STORE_PASSWORD": STORE_PASSWORD}

    finished = run_processes(
        emulator, machines(tmp_path), CREATES, worker=CREATE_WORKER, env_extra=store if shared else {}
    )

    assert_created_once_each(admin, finished)
    refused = statuses(admin).get(429, 0)
    if shared:
        assert refused == 0
        # The budget was the store's alone: no machine kept one of its own.
        assert not any(list(machine.glob("*.sqlite")) for machine in machines(tmp_path))
        assert all(p.stderr == "" for p in finished)
    else:
        assert refused > 0  # the control: what the store prevents


def test_a_store_that_stops_mid_deploy_leaves_each_machine_on_a_reduced_budget_of_its_own(
    emulator: EmulatorServer, redis_store: RedisServer, tmp_path: Path
) -> None:
    admin = emulator.admin
    admin.set_rate_limit(LIMIT, window=WINDOW)
    url = f"redis://:{STORE_PASSWORD}@127.0.0.1:{redis_store.port}/0"  # the password in the URL

    def stop_the_store_after_a_window() -> None:  # when no machine can have finished
        deadline = time.monotonic() + 30
        while admin.requests()["total"] < LIMIT and time.monotonic() < deadline:
            time.sleep(0.05)
        redis_store.stop()

    finished = run_processes(
        emulator,
        machines(tmp_path),
        CREATES,
        worker=CREATE_WORKER,
        env_extra={"ILERT_RATE_STORE": url},
        while_running=stop_the_store_after_a_window,
    )

    assert_created_once_each(admin, finished)
    for machine, process in zip(machines(tmp_path), finished, strict=True):
        # Said once, without the password; then a quarter of the budget on the machine itself.
        assert STORE_PASSWORD not in process.stderr
        [said] = process.stderr.splitlines()
        assert said.startswith("rate store redis://:***@127.0.0.1:") and " is unusable (" in said, said
        reduced = f"limiting this machine's budget at {LIMIT // 4} of {LIMIT}, trying it again every 2 s"
        assert said.endswith(reduced), said
        [budget] = machine.glob("*.sqlite")
        assert 0 < requests_in(budget) <= CREATES  # all of them for a machine that started late


def test_a_store_url_that_cannot_be_used_fails_before_any_request_without_its_password(
    ilert_env: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ILERT_RATE_STORE", f"memcached://ci:{STORE_PASSWORD}@cache.example.com:11211")
    client.reset_session()

    with pytest.raises(IlertConfigError) as raised:
        client.shared_client().list_contacts(EMAIL, USER)

    message = str(raised.value)
    assert "invalid rate store 'memcached://ci:***@cache.example.com:11211' (ILERT_RATE_STORE)" in message
    assert STORE_PASSWORD not in message and STORE_PASSWORD not in repr(raised.value)
    assert ilert_env.admin.requests()["total"] == 0


def test_a_process_killed_while_holding_the_machine_budget_holds_nothing(
    ilert_env: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ILERT_RATE_DIR", str(tmp_path))
    lock = tmp_path / f"{budget_name(ilert_env.url, TOKEN)}-1s.sqlite.lock"
    hold = f"import filelock, time; held = filelock.FileLock({str(lock)!r}); held.acquire(); "
    holder = subprocess.Popen(
        [sys.executable, "-c", hold + "print('held', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    with pytest.raises(filelock.Timeout):  # it is held indeed
        filelock.FileLock(str(lock), timeout=0.1).acquire()
    holder.kill()
    holder.wait()
    client.reset_session()

    started = time.monotonic()
    client.shared_client().list_contacts(EMAIL, USER)

    assert time.monotonic() - started < 2  # not the lock's timeout
    assert client._shared()[1].where == f"rate budget directory {tmp_path}"
