"""Helpers for the generator tests: seed contacts over the API, run the generator as a user would."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import emulator_support
from pulumi_ilert_contacts.emulator import EmulatorServer

TOKEN = "tok-generate-7d41c09be3a2"
"""The emulator's API key: distinctive, so a leak shows up in any text searched for it."""
RUFF = Path(sys.executable).parent / "ruff"
EPOCH = "1700000000"  # 2023-11-14T22:13:20Z


@dataclass
class Run:
    """One finished generator run."""

    code: int
    stdout: str
    stderr: str


def api_post(emulator: EmulatorServer, user_id: int, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """Create a contact through the API, as a person in the ilert UI would."""
    return emulator_support.api_post(emulator, TOKEN, user_id, kind, body)


def generator_env(emulator: EmulatorServer, **extra: str) -> dict[str, str]:
    """The environment of a generator run: this emulator, no ILERT_* or SOURCE_DATE_EPOCH from outside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ILERT_") and k != "SOURCE_DATE_EPOCH"}
    env.update(ILERT_API_TOKEN=TOKEN, ILERT_ENDPOINT=emulator.url)
    env.update(extra)
    return env


def generate(env: dict[str, str], *args: str, cwd: Path | None = None) -> Run:
    """Run ``python -m pulumi_ilert_contacts generate ARGS``."""
    proc = subprocess.run(
        [sys.executable, "-m", "pulumi_ilert_contacts", "generate", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def ruff_check(path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``ruff check`` on one file, ignoring any configuration file around it."""
    return subprocess.run(
        [str(RUFF), "check", "--isolated", "--no-cache", *options, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@dataclass(frozen=True)
class Declared:
    """One resource declared by a generated program."""

    variable: str
    cls: str
    name: str
    kwargs: dict[str, Any]
    opts: str | None


def declared_resources(source: str) -> list[Declared]:
    """Every ``x = ContactEmail(...)`` / ``ContactPhoneNumber(...)`` of a generated program."""
    found = []
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
            continue
        call = node.value
        assert isinstance(call.func, ast.Name) and isinstance(node.targets[0], ast.Name)
        kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in call.keywords if kw.arg and kw.arg != "opts"}
        opts = [ast.unparse(kw.value) for kw in call.keywords if kw.arg == "opts"]
        found.append(
            Declared(
                variable=node.targets[0].id,
                cls=call.func.id,
                name=ast.literal_eval(call.args[0]),
                kwargs=kwargs,
                opts=opts[0] if opts else None,
            )
        )
    return found
