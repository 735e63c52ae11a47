"""The native provider run from source: a Pulumi YAML project names the repository's
``provider/`` folder (``PulumiPlugin.yaml``, runtime python) under ``packages:``, and the engine
starts the plugin from ``provider/__main__.py`` through the Python language host. The installed
console script is kept off PATH, so only the source can serve the resources."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pulumi_fixtures import TOKEN
from pulumi_harness import REPO, Stack, base_env
from pulumi_ilert_contacts.emulator import EmulatorServer

PROGRAM = """\
name: from-source
runtime: yaml
packages:
  ilert-contacts: {source}
resources:
  oncall-email:
    type: ilert-contacts:index:ContactEmail
    properties:
      userId: "1001"
      target: from-source@example.com
outputs:
  contactId: ${{oncall-email.contactId}}
"""


def test_a_yaml_project_runs_the_provider_from_its_source_folder(
    tmp_path: Path, pulumi_home: Path, emulator: EmulatorServer
) -> None:
    venv_bin = str(Path(sys.executable).parent)
    env = base_env(tmp_path / "backend", pulumi_home)
    (tmp_path / "backend").mkdir()
    # The CLI and the system, not the virtualenv holding pulumi-resource-ilert-contacts; the
    # plugin's interpreter (with the package's dependencies) named as a user would name theirs.
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != venv_bin)
    env["PULUMI_PYTHON_CMD"] = sys.executable
    stack = Stack(tmp_path / "project", env)
    stack.workdir.mkdir()
    (stack.workdir / "Pulumi.yaml").write_text(PROGRAM.format(source=REPO / "provider"))
    stack.init(emulator.url, TOKEN, namespace="ilert-contacts")

    up = stack.up()
    assert "from $PATH" not in up.output
    contact_id = stack.outputs()["contactId"]
    emails = {c["id"]: c["target"] for c in emulator.admin.contacts()["emails"]}
    assert emails[contact_id] == "from-source@example.com"

    emulator.admin.reset_requests()
    stack.preview("--expect-no-changes")
    assert emulator.admin.request_counts().get("GET", 0) == 0
    stack.destroy()
    assert contact_id not in {c["id"] for c in emulator.admin.contacts()["emails"]}
