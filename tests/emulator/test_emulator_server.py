"""The emulator as a server: lifecycle, persistence, concurrency, the admin surface and
the command line."""

from __future__ import annotations

import re
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from pulumi_ilert_contacts.emulator import EmulatorAdmin, EmulatorServer
from pulumi_ilert_contacts.emulator.__main__ import main
from pulumi_ilert_contacts.emulator.admin_client import EmulatorAdminError

from .helpers import TOKEN, USER, Api, SpecValidator, emails, phones

LISTENING = re.compile(r"^ilert emulator listening on (http://127\.0\.0\.1:(\d+))\n$")


# -- lifecycle and persistence ------------------------------------------------------------


def test_port_zero_picks_a_free_port_and_url_reflects_it() -> None:
    with EmulatorServer() as server:
        assert server.port > 0
        assert server.url == f"http://127.0.0.1:{server.port}"
        assert server.api_url == f"{server.url}/api"
        assert server.admin.health()
    assert not server.running


def test_a_stopped_server_refuses_connections() -> None:
    server = EmulatorServer().start()
    url = server.url
    server.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/_emulator/health", timeout=2)


def test_state_in_a_db_file_survives_a_restart(tmp_path: Path, validator: SpecValidator) -> None:
    db = tmp_path / "emulator.db"
    with EmulatorServer(token=TOKEN, users=[USER], db=db) as first:
        api = Api(first.url, validator)
        email = api.post(emails(), json={"target": "kept@example.com"}).json()
        phone = api.post(
            phones(), json={"target": "+4915112345678", "regionCode": "DE", "primary": True}
        ).json()
        first.admin.set_status(email["id"], "LOCKED")
        email["status"] = "LOCKED"
        before = first.admin.contacts()

    with EmulatorServer(token=TOKEN, users=[USER], db=db) as second:
        api = Api(second.url, validator)
        assert second.admin.contacts() == before, "re-seeding the user added nothing"
        assert api.get(emails(contact_id=email["id"])).json() == email
        assert api.get(phones(contact_id=phone["id"])).json() == phone
        newer = api.post(emails(), json={"target": "new@example.com"}).json()
        assert newer["id"] > phone["id"], "ids continue, never reused"


def test_an_in_memory_server_starts_empty_each_time(validator: SpecValidator) -> None:
    server = EmulatorServer(users=[USER])
    with server:
        Api(server.url, validator).post(emails(), json={"target": "a@example.com"})
    with server:
        assert [e["target"] for e in server.admin.contacts()["emails"]] == ["user1001@example.com"]


def test_requests_are_served_concurrently(api: Api, admin: EmulatorAdmin) -> None:
    admin.add_fault("GET", "delay", seconds=0.5, path="phone-numbers")
    slow = threading.Thread(target=api.get, args=(phones(),))
    slow.start()
    time.sleep(0.05)
    started = time.monotonic()
    assert api.get(emails()).status_code == 200
    assert time.monotonic() - started < 0.3, "a slow request must not hold up the others"
    slow.join()


def test_parallel_creates_get_distinct_ids(api: Api, admin: EmulatorAdmin) -> None:
    with ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(
            pool.map(lambda n: api.post(emails(), json={"target": f"p{n}@example.com"}), range(48))
        )
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 48
    assert len(admin.contacts()["emails"]) == 48 + 2


# -- admin surface ------------------------------------------------------------------------


def test_health_answers_ok(emulator: EmulatorServer) -> None:
    response = requests.get(f"{emulator.url}/_emulator/health", timeout=5)
    assert (response.status_code, response.json()) == (200, {"ok": True})
    emulator.admin.wait_ready(timeout=1)


def test_wait_ready_times_out_when_nothing_listens() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(TimeoutError):
        EmulatorAdmin(f"http://127.0.0.1:{port}").wait_ready(timeout=0.3)


def test_seeding_a_user_gives_it_a_login_email_once(api: Api, admin: EmulatorAdmin) -> None:
    assert api.get(emails(1003)).status_code == 404
    assert admin.seed_user(1003) is True
    assert admin.seed_user(1003) is False
    assert [e["target"] for e in api.get(emails(1003)).json()] == ["user1003@example.com"]
    assert api.get(phones(1003)).json() == []


def test_a_user_can_be_seeded_with_its_own_login_email(api: Api, admin: EmulatorAdmin) -> None:
    admin.seed_user(1004, email="jane@example.org")
    assert [e["target"] for e in api.get(emails(1004)).json()] == ["jane@example.org"]
    response = requests.post(f"{admin.url}/_emulator/users", json={"id": 1005}, timeout=5)
    assert response.status_code == 201
    assert response.json() == {"id": 1005, "created": True}


@pytest.mark.parametrize("body", [{}, {"id": 0}, {"id": "x"}, {"id": True}, {"id": 7, "email": "nope"}])
def test_seeding_refuses_a_bad_user(emulator: EmulatorServer, body: dict[str, object]) -> None:
    assert requests.post(f"{emulator.url}/_emulator/users", json=body, timeout=5).status_code == 400


def test_admin_contacts_lists_both_kinds_with_their_owner(api: Api, admin: EmulatorAdmin) -> None:
    phone = api.post(phones(1002), json={"target": "+4915112345678", "regionCode": "DE"}).json()
    contacts = admin.contacts()
    assert [(e["user_id"], e["target"]) for e in contacts["emails"]] == [
        ("1001", "user1001@example.com"),
        ("1002", "user1002@example.com"),
    ]
    assert contacts["phone_numbers"] == [{"user_id": "1002", **phone}]


def test_setting_the_status_of_an_unknown_contact_or_to_an_unknown_status_fails(
    admin: EmulatorAdmin,
) -> None:
    with pytest.raises(EmulatorAdminError, match="404"):
        admin.set_status(999999, "LOCKED")
    with pytest.raises(EmulatorAdminError, match="400"):
        admin.set_status(admin.contacts()["emails"][0]["id"], "FROZEN")


def test_unknown_admin_paths_and_other_paths_are_404(emulator: EmulatorServer) -> None:
    assert requests.get(f"{emulator.url}/_emulator/nothing", timeout=5).status_code == 404
    assert requests.get(f"{emulator.url}/", timeout=5).status_code == 404
    assert requests.post(f"{emulator.url}/_emulator/health", timeout=5).status_code == 405


def _non_loopback_address() -> str | None:
    # Connecting a UDP socket sends nothing; it only asks the kernel for a route.
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect(("192.0.2.1", 9))
        except OSError:
            return None
        address: str = sock.getsockname()[0]
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_the_admin_surface_answers_only_loopback_clients(validator: SpecValidator) -> None:
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    with EmulatorServer(token=TOKEN, users=[USER], host="0.0.0.0") as server:
        remote = f"http://{address}:{server.port}"
        refused = requests.get(f"{remote}/_emulator/contacts", timeout=5)
        assert refused.status_code == 403
        assert refused.json()["code"] == "FORBIDDEN"
        assert Api(remote, validator).get(emails()).status_code == 200, "the API itself is served"


# -- command line -------------------------------------------------------------------------


def _read_line(process: subprocess.Popen[str], timeout: float = 10.0) -> str:
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise TimeoutError("the emulator printed nothing")
    return process.stdout.readline()


RunCli = Callable[..., "subprocess.Popen[str]"]


@pytest.fixture
def run_cli() -> Iterator[RunCli]:
    """Start ``python -m pulumi_ilert_contacts.emulator ARGS``; killed at teardown if still up."""
    started: list[subprocess.Popen[str]] = []

    def run(*args: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, "-m", "pulumi_ilert_contacts.emulator", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(process)
        return process

    yield run
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


def test_the_cli_prints_one_line_serves_and_exits_cleanly_on_sigterm(
    run_cli: RunCli, validator: SpecValidator
) -> None:
    process = run_cli("--port", "0", "--token", "cli-token", "--users", "1001,1002")
    line = _read_line(process)
    match = LISTENING.match(line)
    assert match, line
    url = match.group(1)

    api = Api(url, validator, token="cli-token")
    assert api.get(emails(1002)).status_code == 200
    assert api.with_token(TOKEN).get(emails(1002)).status_code == 403
    EmulatorAdmin(url).wait_ready(timeout=1)

    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert out == "", "exactly one line on stdout"
    assert err == "", "no request log unless --verbose"


def test_cli_state_in_a_db_file_survives_a_kill(
    run_cli: RunCli, tmp_path: Path, validator: SpecValidator
) -> None:
    db = str(tmp_path / "state.db")
    first = run_cli("--port", "0", "--users", "1001", "--db", db)
    match = LISTENING.match(_read_line(first))
    assert match
    created = Api(match.group(1), validator).post(emails(), json={"target": "durable@example.com"}).json()
    first.kill()  # SIGKILL: no chance to flush or close anything
    first.communicate(timeout=10)

    second = run_cli("--port", "0", "--users", "1001", "--db", db)
    match = LISTENING.match(_read_line(second))
    assert match
    assert Api(match.group(1), validator).get(emails(contact_id=created["id"])).json() == created


def test_the_cli_logs_requests_with_verbose_and_exits_cleanly_on_sigint(
    run_cli: RunCli, validator: SpecValidator
) -> None:
    process = run_cli("--port", "0", "--users", "1001", "--verbose")
    match = LISTENING.match(_read_line(process))
    assert match
    Api(match.group(1), validator).get(emails())
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=10)
    assert process.returncode == 0, err
    assert "GET /api/users/1001/contacts/emails" in err


# Argument errors are checked in-process: main() returns before serving or touching
# signal handlers, and a subprocess per case would cost a second of interpreter start.


def test_the_cli_refuses_a_non_loopback_host_unless_allowed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--port", "0", "--host", "0.0.0.0"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "--allow-remote" in err


@pytest.mark.parametrize("users", ["abc", "1001,x", "0"])
def test_the_cli_rejects_bad_user_ids(capsys: pytest.CaptureFixture[str], users: str) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--port", "0", "--users", users])
    assert exited.value.code == 2
    assert "user ids" in capsys.readouterr().err


def test_the_cli_reports_a_port_in_use(capsys: pytest.CaptureFixture[str]) -> None:
    handlers = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert main(["--port", str(taken.getsockname()[1])]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "cannot start the emulator" in err
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == handlers
