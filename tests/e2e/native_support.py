"""What the end-to-end tests of the native face share: plugin stacks (YAML or Python) on a local
backend, pointed at an emulator through the ``ilert-contacts:*`` config, and the emulator views
they assert on.

The stacks name the plugin in a ``plugins:`` entry of ``Pulumi.yaml`` (as the no-noise install in
docs/guide-native-provider.md does), so their output carries no ``from $PATH`` warning per
resource; only ``test_native_providers.py`` looks at the PATH way itself.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from emulator_support import login_email
from pulumi_fixtures import TOKEN
from pulumi_harness import Stack, base_env
from pulumi_ilert_contacts.emulator import EmulatorServer

PLUGIN_DIR = Path(sys.executable).parent
"""Where ``pip install`` put ``pulumi-resource-ilert-contacts``: the virtualenv's bin folder."""

NAMESPACE = "ilert-contacts"
"""The plugin's config namespace: ``ilert-contacts:apiToken``, ``ilert-contacts:endpoint``."""

EMAIL = "ilert-contacts:index:ContactEmail"
PHONE = "ilert-contacts:index:ContactPhoneNumber"


def new_stack(root: Path, pulumi_home: Path) -> Stack:
    """An empty project folder ``root/project`` with its own local backend ``root/backend``."""
    backend = root / "backend"
    backend.mkdir(parents=True)
    return Stack(root / "project", base_env(backend, pulumi_home))


def yaml_stack(
    root: Path,
    pulumi_home: Path,
    emulator: EmulatorServer | None,
    body: str,
    token: str = TOKEN,
    config: dict[str, str] | None = None,
) -> Stack:
    """A Pulumi YAML stack of ``body``, its default provider configured for ``emulator`` (no
    ``ilert-contacts`` config at all when None: the program brings explicit providers)."""
    stack = new_stack(root, pulumi_home)
    write_yaml(stack, body)
    _init(stack, emulator, token, config)
    return stack


def python_stack(
    root: Path,
    pulumi_home: Path,
    emulator: EmulatorServer | None,
    source: str,
    token: str = TOKEN,
    config: dict[str, str] | None = None,
) -> Stack:
    """A Python stack of ``source`` (using ``pulumi_ilert_contacts.native``), configured as
    ``yaml_stack`` configures its stack."""
    stack = new_stack(root, pulumi_home)
    write_python(stack, source)
    _init(stack, emulator, token, config)
    return stack


def write_yaml(stack: Stack, body: str) -> None:
    """(Re)write the stack's YAML program, with the ``plugins:`` entry."""
    stack.write_yaml_program(body, plugin_dir=PLUGIN_DIR)


def write_python(stack: Stack, source: str) -> None:
    """(Re)write the stack's Python program, with the ``plugins:`` entry."""
    stack.write_program(source, plugin_dir=PLUGIN_DIR)


def _init(stack: Stack, emulator: EmulatorServer | None, token: str, config: dict[str, str] | None) -> None:
    if emulator is not None:
        stack.init(emulator.url, token, config, namespace=NAMESPACE)
        return
    stack.run("stack", "init", stack.name, "--non-interactive")
    for key, value in (config or {}).items():
        stack.run("config", "set", key, value)


def non_login(emulator: EmulatorServer) -> dict[str, list[dict[str, Any]]]:
    """The emulator's contacts without the login emails every user starts with."""
    contacts = emulator.admin.contacts()
    return {
        "emails": [dict(c) for c in contacts["emails"] if c["target"] != login_email(c["user_id"])],
        "phone_numbers": [dict(c) for c in contacts["phone_numbers"]],
    }


def writes(emulator: EmulatorServer) -> dict[str, int]:
    """POST, PUT and DELETE requests since the last reset (0 for none)."""
    counts = emulator.admin.request_counts()
    return {method: counts.get(method, 0) for method in ("POST", "PUT", "DELETE")}


NO_WRITES = {"POST": 0, "PUT": 0, "DELETE": 0}

