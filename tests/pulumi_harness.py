"""Drive the real Pulumi CLI against the emulator: a throwaway project, a local backend, a stack.

Used by the end-to-end, policy and reliability suites and by the benchmarks. Everything runs on
loopback: the emulator is a real HTTP server, the engine starts the SDK's dynamic provider process,
which reaches the emulator over 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PASSPHRASE = "e2e-passphrase"
PULUMI_VERSION = "v3.259.0"
SECRET_SIG, SECRET_VALUE_SIG = "4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270"
"""How a state marks a secret value: ``{SECRET_SIG: SECRET_VALUE_SIG, "ciphertext": ...}``."""


def tool_path() -> str:
    """PATH with the repo's built CLI and this interpreter's virtualenv first."""
    return os.pathsep.join(
        [str(REPO / ".tools" / "bin"), str(Path(sys.executable).parent), os.environ.get("PATH", "")]
    )


def pulumi_binary() -> str | None:
    """The pulumi binary the suite will use, or None when it is not installed."""
    return shutil.which("pulumi", path=tool_path())


def base_env(backend: Path, home: Path) -> dict[str, str]:
    """The environment of every pulumi command: local backend, no ilert env, no downloads."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ILERT_", "PULUMI_"))}
    env.update(
        PATH=tool_path(),
        PULUMI_BACKEND_URL=f"file://{backend}",
        PULUMI_HOME=str(home),
        PULUMI_CONFIG_PASSPHRASE=PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK="true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
        PULUMI_SKIP_CONFIRMATIONS="true",
        PYTHONUNBUFFERED="1",
    )
    return env


def project_file(project: str, runtime: str, plugin_dir: Path | None = None) -> str:
    """A ``Pulumi.yaml`` header; ``plugin_dir`` (the folder holding ``pulumi-resource-ilert-contacts``)
    adds a ``plugins:`` entry, so the CLI loads the plugin as a project plugin, not from PATH."""
    text = f"name: {project}\nruntime: {runtime}\n"
    if plugin_dir is not None:
        text += f"plugins:\n  providers:\n    - name: ilert-contacts\n      path: {plugin_dir}\n"
    return text


@dataclass
class Result:
    """One finished pulumi command."""

    args: list[str]
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def __str__(self) -> str:
        return f"$ pulumi {' '.join(self.args)}  (exit {self.code})\n{self.output}"


@dataclass
class Stack:
    """A Pulumi project directory with one stack on a local backend."""

    workdir: Path
    env: dict[str, str]
    name: str = "test"
    history: list[Result] = field(default_factory=list)

    # -- program -----------------------------------------------------------------------------

    def write_program(self, source: str, project: str = "e2e", plugin_dir: Path | None = None) -> None:
        """(Re)write ``__main__.py`` (dedented) and ``Pulumi.yaml`` (see ``project_file``)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "Pulumi.yaml").write_text(project_file(project, "python", plugin_dir))
        (self.workdir / "__main__.py").write_text(textwrap.dedent(source).lstrip())

    def write_yaml_program(self, body: str, project: str = "e2e", plugin_dir: Path | None = None) -> None:
        """(Re)write ``Pulumi.yaml`` as a Pulumi YAML program: the header, then ``body`` (dedented
        top-level ``config:``, ``resources:``, ``variables:``, ``outputs:``)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        header = project_file(project, "yaml", plugin_dir)
        (self.workdir / "Pulumi.yaml").write_text(header + textwrap.dedent(body).lstrip())

    # -- commands ----------------------------------------------------------------------------

    def run(
        self, *args: str, check: bool = True, timeout: float = 600, env: dict[str, str] | None = None
    ) -> Result:
        """Run ``pulumi ARGS`` in the project directory."""
        cmd = ["pulumi", *args]
        if args and args[0] not in ("stack", "version", "login", "plugin", "about") and "--stack" not in args:
            cmd += ["--stack", self.name]
        proc = subprocess.run(
            cmd,
            cwd=self.workdir,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        result = Result(list(args), proc.returncode, proc.stdout, proc.stderr)
        self.history.append(result)
        if check and proc.returncode != 0:
            raise AssertionError(f"pulumi command failed:\n{result}")
        return result

    def init(
        self, endpoint: str, token: str, config: dict[str, str] | None = None, namespace: str = "ilert"
    ) -> None:
        """Create the stack and point it at the emulator (token as a secret); ``namespace`` is the
        config's: ``ilert`` for the dynamic resources, ``ilert-contacts`` for the plugin."""
        self.run("stack", "init", self.name, "--non-interactive")
        self.run("config", "set", f"{namespace}:endpoint", endpoint)
        self.run("config", "set", "--secret", f"{namespace}:apiToken", token)
        for key, value in (config or {}).items():
            self.run("config", "set", key, value)

    def up(self, *extra: str, check: bool = True, env: dict[str, str] | None = None) -> Result:
        return self.run("up", "--yes", "--non-interactive", "--skip-preview", *extra, check=check, env=env)

    def preview(self, *extra: str, check: bool = True, env: dict[str, str] | None = None) -> Result:
        return self.run("preview", "--non-interactive", "--diff", *extra, check=check, env=env)

    def refresh(self, *extra: str, check: bool = True) -> Result:
        return self.run("refresh", "--yes", "--non-interactive", "--skip-preview", *extra, check=check)

    def destroy(self, *extra: str, check: bool = True) -> Result:
        return self.run("destroy", "--yes", "--non-interactive", "--skip-preview", *extra, check=check)

    def outputs(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.run("stack", "output", "--json", "--stack", self.name).stdout)
        return data

    def export(self, show_secrets: bool = False) -> str:
        args = ["stack", "export", "--stack", self.name] + (["--show-secrets"] if show_secrets else [])
        return self.run(*args).stdout

    def resources(self) -> list[dict[str, Any]]:
        """The resources in the state, from ``pulumi stack export``."""
        deployment = json.loads(self.export())["deployment"]
        resources: list[dict[str, Any]] = deployment.get("resources") or []
        return resources

    def contact_resources(self) -> list[dict[str, Any]]:
        """Only the ilert contact resources of the state."""
        return [r for r in self.resources() if ":dynamic/ilert:" in r["type"]]

    def native_resources(self) -> list[dict[str, Any]]:
        """Only the ``ilert-contacts`` plugin's contact resources of the state."""
        return [r for r in self.resources() if r["type"].startswith("ilert-contacts:index:")]


def changes_summary(result: Result) -> str:
    """The engine's summary of a preview/up (for assertion messages)."""
    return result.output[-2000:]


def contact_program(contacts: list[dict[str, Any]], exports: bool = True, native: bool = False) -> str:
    """A program declaring the given contacts (dicts with kind 'email'/'phone', name and args): the
    dynamic resources, or with ``native`` the plugin's (``pulumi_ilert_contacts.native``)."""
    module = "pulumi_ilert_contacts.native" if native else "pulumi_ilert_contacts"
    lines = ["import pulumi", f"from {module} import ContactEmail, ContactPhoneNumber", ""]
    for c in contacts:
        cls = "ContactEmail" if c["kind"] == "email" else "ContactPhoneNumber"
        args = ", ".join(f"{k}={v!r}" for k, v in c["args"].items())
        opts = c.get("opts")
        opts_src = f", opts=pulumi.ResourceOptions({opts})" if opts else ""
        var = c["name"].replace("-", "_")
        lines.append(f"{var} = {cls}({c['name']!r}, {args}{opts_src})")
        if exports:
            lines.append(f"pulumi.export({c['name']!r}, {{'id': {var}.id, 'contact_id': {var}.contact_id, "
                         f"'status': {var}.status, 'target': {var}.target}})")
    return "\n".join(lines) + "\n"
