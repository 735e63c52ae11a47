"""Fixtures for the unit tests: a real emulator per test and a clean provider process state.

Every test talks HTTP to an ``EmulatorServer`` on 127.0.0.1; nothing in ``requests`` is mocked.
The provider keeps its settings, Session, client and contact lists per process, so each test
starts and ends with all of them forgotten.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from emulator_support import emulator_fixture
from pulumi_ilert_contacts import ContactEmailProvider, ContactPhoneNumberProvider
from pulumi_ilert_contacts.core import client, config
from pulumi_ilert_contacts.core.directory import DIRECTORY
from pulumi_ilert_contacts.emulator import EmulatorServer
from pulumi_ilert_contacts.emulator.admin_client import EmulatorAdmin

from .faces import FACES, Face, make_face
from .support import OTHER_USER, TOKEN, USER

ILERT_ENV = (
    "ILERT_API_TOKEN",
    "ILERT_ENDPOINT",
    "ILERT_HTTP_TIMEOUT",
    "ILERT_RATE_LIMIT",
    "ILERT_RATE_WINDOW",
    "ILERT_RATE_DIR",
    "ILERT_RATE_STORE",
    "ILERT_RATE_STORE_PASSWORD",
    "ILERT_DEBUG_HTTP",
)


def forget_process_state() -> None:
    """Drop what the provider remembers per process: configure(), Session, client, lists."""
    config.reset()
    client.reset_session()
    DIRECTORY.clear()


@pytest.fixture(autouse=True)
def clean_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """No ILERT_* variable from the developer's shell, and no state carried between tests."""
    for name in ILERT_ENV:
        monkeypatch.delenv(name, raising=False)
    # A 429 without Retry-After waits for the next window: keep that a second, not a minute.
    monkeypatch.setenv("ILERT_RATE_WINDOW", "1")
    # The rate budgets shared between processes: a folder of each test's own, not the user's.
    monkeypatch.setenv("ILERT_RATE_DIR", str(tmp_path_factory.mktemp("rate-budgets")))
    forget_process_state()
    yield
    forget_process_state()


emulator = emulator_fixture(TOKEN, [USER, OTHER_USER])
"""A fresh emulator per test with users 1234 and 5678 (each with a login email contact)."""


@pytest.fixture
def admin(emulator: EmulatorServer) -> EmulatorAdmin:
    """The emulator's admin surface (state, request counts, faults)."""
    return emulator.admin


@pytest.fixture
def ilert_env(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> EmulatorServer:
    """Point the provider at the emulator through ILERT_API_TOKEN and ILERT_ENDPOINT."""
    monkeypatch.setenv("ILERT_API_TOKEN", TOKEN)
    monkeypatch.setenv("ILERT_ENDPOINT", emulator.url)
    forget_process_state()
    return emulator


@pytest.fixture
def email(ilert_env: EmulatorServer) -> ContactEmailProvider:
    """The dynamic email provider, the account from the environment."""
    return ContactEmailProvider()


@pytest.fixture
def phone(ilert_env: EmulatorServer) -> ContactPhoneNumberProvider:
    """The dynamic phone number provider, the account from the environment."""
    return ContactPhoneNumberProvider()


@pytest.fixture(params=FACES)
def face(request: pytest.FixtureRequest, emulator: EmulatorServer) -> Face:
    """Each face of the package in turn (dynamic providers, the plugin's ContactsProvider),
    in-process and configured for the emulator: a test taking it runs once per face."""
    made = make_face(request.param)
    made.configure(emulator.url, TOKEN)
    return made
