"""Fixtures for the emulator tests: a real emulator on a free port per test, its admin
client, and an API client whose every response is checked against the OpenAPI spec."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from pulumi_ilert_contacts.emulator import EmulatorAdmin, EmulatorServer

from .helpers import OTHER_USER, SPEC_PATH, TOKEN, USER, Api, SpecValidator


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(SPEC_PATH.read_text())
    return result


@pytest.fixture
def validator(spec: dict[str, Any]) -> SpecValidator:
    return SpecValidator(spec)


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(token=TOKEN, users=[USER, OTHER_USER]) as server:
        yield server


@pytest.fixture
def admin(emulator: EmulatorServer) -> EmulatorAdmin:
    return emulator.admin


@pytest.fixture
def api(emulator: EmulatorServer, validator: SpecValidator) -> Api:
    return Api(emulator.url, validator)
