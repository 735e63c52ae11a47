"""Upgrades change nothing: stacks written by an earlier release (recorded by ``record_baseline.py``
into ``baselines/<version>/``) under the package as it is now.

For each recorded stack, with the emulator's data as the release left it:

- ``pulumi preview --expect-no-changes`` passes and sends ilert no request at all;
- ``pulumi refresh --expect-no-changes`` passes (the live contacts read as the state holds them);
- changing one property updates that one contact with one PUT, nothing created or deleted;
- ``pulumi destroy`` deletes the stack's contacts and nothing else.

And for the dynamic resources, ``pulumi destroy`` straight after the upgrade runs the providers
pickled into the old state (by module path), so every module path a release pickled must still
import and work.
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pulumi_harness import Stack, base_env
from pulumi_ilert_contacts.emulator import EmulatorServer
from record_baseline import with_plugin

BASELINES = Path(__file__).resolve().parent / "baselines"
PLUGIN_DIR = Path(sys.executable).parent
"""The bin folder holding the package under test's ``pulumi-resource-ilert-contacts``."""

# The one property each program lets the test change (stack config the program reads).
UPDATE = {
    "dynamic-python": ("phone", "0151 99887766"),
    "native-yaml": ("email", "oncall2@example.com"),
    "native-python": ("email", "ops2@example.com"),
}


@dataclass(frozen=True)
class Baseline:
    """One stack recorded by one release."""

    folder: Path
    program: str
    manifest: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.manifest["version"])

    def __str__(self) -> str:
        return f"{self.version}-{self.program}"


def _baselines() -> list[Baseline]:
    found = []
    for manifest_file in sorted(BASELINES.glob("*/manifest.json")):
        manifest = json.loads(manifest_file.read_text())
        for program in manifest["stacks"]:
            found.append(Baseline(manifest_file.parent, program, manifest))
    return found


BASELINE_LIST = _baselines()


def test_a_baseline_is_recorded_for_each_release_kept() -> None:
    """0.1.0 (the first release) at least, with all three programs."""
    recorded = {(b.version, b.program) for b in BASELINE_LIST}
    assert {("0.1.0", p) for p in UPDATE} <= recorded


@dataclass
class Restored:
    """A baseline's stack, imported, and the emulator serving the release's data."""

    baseline: Baseline
    stack: Stack
    emulator: EmulatorServer

    def requests(self) -> dict[str, int]:
        """Requests by method since the last reset (methods with none left out)."""
        return {method: n for method, n in self.emulator.admin.request_counts().items() if n}

    def live(self, ids: set[int]) -> set[int]:
        """Those of ``ids`` that ilert still has."""
        contacts = self.emulator.admin.contacts()
        return ids & {int(c["id"]) for c in [*contacts["emails"], *contacts["phone_numbers"]]}

    def managed(self) -> set[int]:
        """The contact ids the stack's state holds."""
        return {
            int(str(r["id"]).split(":")[1])
            for r in self.stack.resources()
            if r["type"].endswith((":ContactEmail", ":ContactPhoneNumber"))
        }


@pytest.fixture
def restored(request: pytest.FixtureRequest, tmp_path: Path, pulumi_home: Path) -> Iterator[Restored]:
    """The baseline's stack imported into a fresh local backend, and the release's emulator data
    served on a new port (the recorded endpoint rewritten to it, in the state and the config)."""
    baseline: Baseline = request.param
    manifest = baseline.manifest
    db = tmp_path / "emulator.db"
    shutil.copy(baseline.folder / "emulator.db", db)
    with EmulatorServer(token=manifest["token"], users=manifest["users"], db=db) as emulator:
        recorded = str(manifest["endpoint"])
        project = tmp_path / "project"
        shutil.copytree(
            baseline.folder / baseline.program, project, ignore=shutil.ignore_patterns("state.json")
        )
        if manifest["stacks"][baseline.program]["native"]:
            # The plugin of the package under test, as a project plugin.
            project_yaml = project / "Pulumi.yaml"
            project_yaml.write_text(with_plugin(project_yaml.read_text(), PLUGIN_DIR))
        config = project / f"Pulumi.{manifest['stack']}.yaml"
        config.write_text(config.read_text().replace(recorded, emulator.url))
        state = tmp_path / "state.json"
        recorded_state = (baseline.folder / baseline.program / "state.json").read_text()
        state.write_text(recorded_state.replace(recorded, emulator.url))
        backend = tmp_path / "backend"
        backend.mkdir()
        env = {**base_env(backend, pulumi_home), "PULUMI_CONFIG_PASSPHRASE": manifest["passphrase"]}
        stack = Stack(project, env, name=manifest["stack"])
        stack.run("stack", "init", stack.name, "--non-interactive")
        stack.run("stack", "import", "--file", str(state))
        emulator.admin.reset_requests()
        yield Restored(baseline, stack, emulator)


@pytest.mark.parametrize("restored", BASELINE_LIST, ids=str, indirect=True)
def test_stack_of_an_earlier_release_previews_refreshes_updates_and_destroys(
    restored: Restored,
) -> None:
    stack = restored.stack
    stack.preview("--expect-no-changes")
    assert restored.requests() == {}, "a no-change preview after the upgrade must not call ilert"

    stack.refresh("--expect-no-changes")
    restored.emulator.admin.reset_requests()

    key, value = UPDATE[restored.baseline.program]
    stack.run("config", "set", key, value)
    stack.up()
    writes = {m: n for m, n in restored.requests().items() if m != "GET"}
    assert writes == {"PUT": 1}, f"one property changed must be one PUT, got {writes}"
    stack.preview("--expect-no-changes")

    managed = restored.managed()
    assert restored.live(managed) == managed, "the stack's contacts are in ilert before destroy"
    stack.destroy()
    assert restored.live(managed) == set()


DYNAMIC = [b for b in BASELINE_LIST if not b.manifest["stacks"][b.program]["native"]]


@pytest.mark.parametrize("restored", DYNAMIC, ids=str, indirect=True)
def test_destroy_runs_the_providers_pickled_by_an_earlier_release(restored: Restored) -> None:
    resources = restored.stack.resources()
    pickled = {r["inputs"]["__provider"] for r in resources if "__provider" in r.get("inputs", {})}
    assert pickled, "the recorded dynamic resources carry their pickled provider"
    managed = restored.managed()
    assert restored.live(managed) == managed
    restored.stack.destroy()
    assert restored.live(managed) == set()
