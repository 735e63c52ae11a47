"""Fixtures of the reliability suite: emulators seeded with a roster's users, and stacks.

A stack here is a copy of one initialised once per session (project, local backend, encrypted
token): `pulumi stack init` and two `config set` cost seconds per stack, and the suite makes dozens.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fault_harness import (
    NAMESPACE,
    PLUGIN_DIR,
    Contact,
    EmulatorFor,
    NewStack,
    Template,
    copy_stack,
    stack_in,
    write_roster,
)
from pulumi_fixtures import TOKEN
from pulumi_harness import Stack
from pulumi_ilert_contacts.emulator import EmulatorServer

PLACEHOLDER_ENDPOINT = "http://127.0.0.1:9"
"""Where the template stack points until a copy is given its emulator's address."""


@pytest.fixture(scope="session")
def stack_template(tmp_path_factory: pytest.TempPathFactory, pulumi_home: Path) -> Template:
    """A project with stack ``test`` on a local backend, the token set as a secret."""
    root = tmp_path_factory.mktemp("stack-template")
    (root / "backend").mkdir()
    stack = stack_in(root, pulumi_home)
    stack.write_program("import pulumi\n", project="reliability")
    stack.init(PLACEHOLDER_ENDPOINT, TOKEN)
    return Template(root, PLACEHOLDER_ENDPOINT)


@pytest.fixture(scope="session")
def plugin_stack_template(tmp_path_factory: pytest.TempPathFactory, pulumi_home: Path) -> Template:
    """The same for the plugin's resources: ``ilert-contacts:*`` config, the plugin named in
    ``Pulumi.yaml``."""
    root = tmp_path_factory.mktemp("plugin-stack-template")
    (root / "backend").mkdir()
    stack = stack_in(root, pulumi_home)
    stack.write_program("import pulumi\n", project="reliability", plugin_dir=PLUGIN_DIR)
    stack.init(PLACEHOLDER_ENDPOINT, TOKEN, namespace=NAMESPACE["plugin"])
    return Template(root, PLACEHOLDER_ENDPOINT)


@pytest.fixture
def new_stack(tmp_path: Path, pulumi_home: Path, stack_template: Template) -> NewStack:
    """Make a stack declaring ``contacts`` against the emulator at ``endpoint``: a copy of
    ``template`` (default: the empty stack)."""
    count = 0

    def make(endpoint: str, contacts: list[Contact], template: Template | None = None) -> Stack:
        nonlocal count
        count += 1
        stack = copy_stack(template or stack_template, tmp_path / f"stack{count}", endpoint, pulumi_home)
        write_roster(stack, contacts)
        return stack

    return make


@pytest.fixture
def emulator_for(tmp_path: Path) -> Iterator[EmulatorFor]:
    """Start an in-process emulator seeded with ``users``, from a copy of the state file ``db``
    when given (stopped after the test)."""
    started: list[EmulatorServer] = []

    def start(users: list[int], db: Path | None = None) -> EmulatorServer:
        copy = None
        if db is not None:
            copy = tmp_path / f"emulator{len(started)}.db"
            shutil.copyfile(db, copy)
        server = EmulatorServer(token=TOKEN, users=users, db=copy).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
