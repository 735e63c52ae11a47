"""Fixtures for the emulator tests: a real emulator on a free port per test, its admin
client, and an API client whose every response is checked against the OpenAPI spec."""

from __future__ import annotations

import json
from typing import Any

import pytest
from emulator_support import emulator_fixture
from pulumi_ilert_contacts.emulator import EmulatorAdmin, EmulatorServer

from .helpers import OTHER_USER, SPEC_PATH, TOKEN, USER, Api, SpecValidator


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(SPEC_PATH.read_text())
    return result


@pytest.fixture
def validator(spec: dict[str, Any]) -> SpecValidator:
    return SpecValidator(spec)


emulator = emulator_fixture(TOKEN, [USER, OTHER_USER])


@pytest.fixture
def admin(emulator: EmulatorServer) -> EmulatorAdmin:
    return emulator.admin


@pytest.fixture
def api(emulator: EmulatorServer, validator: SpecValidator) -> Api:
    return Api(emulator.url, validator)
