"""Record an upgrade baseline: stacks written by a release, for every later version to upgrade.

    python tests/upgrade/record_baseline.py --ref v0.2.0       # or: make upgrade-baseline REF=v0.2.0

Builds the wheel of the package at git ``--ref`` (a temporary worktree), installs it into a fresh
virtualenv with the dependencies that release declared, starts that release's emulator with a
SQLite file, and runs ``pulumi up`` with that release on each program in ``programs/``:

- ``dynamic-python``: the dynamic resources (the default for Python programs), one with ``adopt``;
- ``native-yaml``: Pulumi YAML on the native provider, the default provider and an explicit one;
- ``native-python``: the native provider's Python classes, whose default provider carries the
  package version in its name.

It keeps, under ``baselines/<version>/``, each stack's program, its stack config (the token as
ciphertext under the fixed passphrase), its state (``pulumi stack export``), the emulator's
database and a manifest naming the endpoint the states were written against. ``test_upgrade.py``
then checks every later version against every baseline kept here: this is providertest's
"upgrade test" (github.com/pulumi/providertest), recorded once per release.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PROGRAMS = HERE / "programs"
BASELINES = HERE / "baselines"

PASSPHRASE = "upgrade-baseline-passphrase"
"""Encrypts the stacks' secrets in the fixtures; a test value, as is the token."""
TOKEN = "upgrade-token-7c2e91"
SECOND_TOKEN = "upgrade-token-7c2e91"
"""The explicit provider's key: the same account here (one emulator), given as its own input."""
USERS = (1001, 1002, 1003, 1004)
STACK = "rec"

# The config each program is deployed with: the default provider's namespace, and the program's own.
NAMESPACE = {"dynamic-python": "ilert", "native-yaml": "ilert-contacts", "native-python": "ilert-contacts"}
NATIVE = ("native-yaml", "native-python")


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    print("$", " ".join(cmd), file=sys.stderr)
    return subprocess.run(cmd, check=True, text=True, stdin=subprocess.DEVNULL, **kwargs)  # type: ignore[call-overload,no-any-return]


def build_venv(ref: str, work: Path) -> tuple[Path, str]:
    """A virtualenv with the wheel of ``ref`` and the dependencies it declared; its version."""
    source = work / "source"
    run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(source), ref])
    try:
        run(
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--no-deps",
                "-w",
                str(work / "dist"),
                str(source),
            ]
        )
    finally:
        run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(source)])
    (wheel,) = (work / "dist").glob("pulumi_ilert_contacts-*.whl")
    version = wheel.name.split("-")[1]
    venv = work / "venv"
    run([sys.executable, "-m", "venv", str(venv)])
    run([str(venv / "bin" / "pip"), "install", "--quiet", str(wheel)])
    return venv, version


def start_emulator(venv: Path, db: Path) -> tuple[subprocess.Popen[str], str]:
    """That release's emulator on a free loopback port, keeping its data in ``db``."""
    users = ",".join(str(u) for u in USERS)
    proc = subprocess.Popen(
        [
            str(venv / "bin" / "ilert-contacts-emulator"),
            "--port",
            "0",
            "--token",
            TOKEN,
            "--users",
            users,
            "--db",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r"listening on (http://\S+)", line)
    if not match:
        proc.kill()
        raise SystemExit(f"the emulator did not start: {line!r}")
    return proc, match.group(1)


def pulumi_env(venv: Path, backend: Path, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ILERT_", "PULUMI_", "VIRTUAL_ENV"))}
    env.update(
        # The release's interpreter (programs, the dynamic provider) and plugin first, then the CLI.
        PATH=os.pathsep.join([str(venv / "bin"), str(REPO / ".tools" / "bin"), env.get("PATH", "")]),
        PULUMI_BACKEND_URL=f"file://{backend}",
        PULUMI_HOME=str(home),
        PULUMI_CONFIG_PASSPHRASE=PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK="true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
    )
    return env


def with_plugin(project_yaml: str, plugin_dir: Path) -> str:
    """``Pulumi.yaml`` with a ``plugins:`` entry for the plugin in ``plugin_dir``, after the header."""
    head, _, rest = project_yaml.partition("\n\n")
    entry = f"plugins:\n  providers:\n    - name: ilert-contacts\n      path: {plugin_dir}\n"
    return f"{head}\n{entry}\n{rest}" if rest else f"{head}\n{entry}"


def record(ref: str, force: bool) -> Path:
    with tempfile.TemporaryDirectory(prefix="ilert-upgrade-") as tmp:
        work = Path(tmp)
        venv, version = build_venv(ref, work)
        out = BASELINES / version
        if out.exists():
            if not force:
                raise SystemExit(f"{out} exists; pass --force to record it again")
            shutil.rmtree(out)
        db = work / "emulator.db"
        emulator, endpoint = start_emulator(venv, db)
        try:
            backend, home = work / "backend", work / "home"
            backend.mkdir()
            env = pulumi_env(venv, backend, home)
            stacks = {}
            for program in sorted(p.name for p in PROGRAMS.iterdir() if p.is_dir()):
                project = work / "projects" / program
                shutil.copytree(PROGRAMS / program, project)
                if program in NATIVE:
                    text = (project / "Pulumi.yaml").read_text()
                    (project / "Pulumi.yaml").write_text(with_plugin(text, venv / "bin"))
                pulumi = ["pulumi", "--non-interactive"]
                run([*pulumi, "stack", "init", STACK], cwd=project, env=env)
                ns = NAMESPACE[program]
                run([*pulumi, "config", "set", f"{ns}:endpoint", endpoint], cwd=project, env=env)
                run([*pulumi, "config", "set", "--secret", f"{ns}:apiToken", TOKEN], cwd=project, env=env)
                if program == "native-yaml":
                    run([*pulumi, "config", "set", "secondEndpoint", endpoint], cwd=project, env=env)
                    run(
                        [*pulumi, "config", "set", "--secret", "secondToken", SECOND_TOKEN],
                        cwd=project,
                        env=env,
                    )
                run([*pulumi, "up", "--yes", "--skip-preview"], cwd=project, env=env)
                state = run([*pulumi, "stack", "export"], cwd=project, env=env, capture_output=True).stdout
                target = out / program
                shutil.copytree(PROGRAMS / program, target)
                shutil.copy(project / f"Pulumi.{STACK}.yaml", target / f"Pulumi.{STACK}.yaml")
                (target / "state.json").write_text(state)
                stacks[program] = {"namespace": ns, "native": program in NATIVE}
        finally:
            emulator.terminate()
            emulator.wait(timeout=30)
        shutil.copy(db, out / "emulator.db")
        commit = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", ref], check=True, text=True, capture_output=True
        ).stdout.strip()
        manifest = {
            "version": version,
            "commit": commit,
            "endpoint": endpoint,
            "token": TOKEN,
            "passphrase": PASSPHRASE,
            "stack": STACK,
            "users": list(USERS),
            "stacks": stacks,
        }
        (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
        return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ref", default="HEAD", help="the git ref of the release to record (default HEAD)")
    parser.add_argument("--force", action="store_true", help="replace a baseline already recorded")
    args = parser.parse_args()
    print(f"recorded {record(args.ref, args.force)}")


if __name__ == "__main__":
    main()
