"""Shared fixtures of the real-engine suites (e2e, policy, reliability): an emulator on loopback
and Pulumi stacks on a local backend. Registered by tests/conftest.py as a plugin."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from emulator_support import emulator_fixture
from pulumi_harness import REPO, Stack, base_env, pulumi_binary
from pulumi_ilert_contacts.emulator import EmulatorServer

TOKEN = "e2e-secret-token-5b1f0c"
USERS = (1001, 1002, 1003)


@pytest.fixture(scope="session")
def pulumi_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if pulumi_binary() is None:
        pytest.fail("the pulumi CLI is not installed: run `make pulumi-cli` (make test does it)")
    return tmp_path_factory.mktemp("pulumi-home")


emulator = emulator_fixture(TOKEN, USERS)
"""An emulator per test, users 1001-1003 seeded."""


@pytest.fixture
def make_stack(
    tmp_path: Path, pulumi_home: Path, emulator: EmulatorServer
) -> Callable[..., Stack]:
    """Make a stack (program written, stack initialised against the emulator)."""
    count = 0

    def make(source: str, config: dict[str, str] | None = None, project: str = "e2e") -> Stack:
        nonlocal count
        count += 1
        backend = tmp_path / f"backend{count}"
        backend.mkdir()
        stack = Stack(tmp_path / f"project{count}", base_env(backend, pulumi_home))
        stack.write_program(source, project=project)
        stack.init(emulator.url, TOKEN, config)
        return stack

    return make


@pytest.fixture
def example_stack(
    tmp_path: Path, pulumi_home: Path, emulator: EmulatorServer
) -> Callable[..., Stack]:
    """A stack of one of the shipped examples, copied so its folder stays clean."""

    def make(example: str, config: dict[str, str] | None = None) -> Stack:
        workdir = tmp_path / example
        shutil.copytree(REPO / "examples" / example, workdir)
        backend = tmp_path / f"backend-{example}"
        backend.mkdir()
        stack = Stack(workdir, base_env(backend, pulumi_home))
        stack.init(emulator.url, TOKEN, config)
        return stack

    return make
