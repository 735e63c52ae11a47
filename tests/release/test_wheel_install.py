"""The package as a user gets it: the wheel and sdist built from the sources, the wheel installed
(no editable install, no test extras) into a clean virtualenv that already holds the newest Pulumi
SDK and an older ``requests`` (as a user's project may), and both quickstarts run through the real
engine with it: the Python program on the dynamic resources and the Pulumi YAML program on the
plugin the wheel installs.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pulumi_harness import REPO, Stack, base_env
from pulumi_ilert_contacts.emulator import EmulatorServer

TOKEN = "wheel-install-token"
PREINSTALLED = ("pulumi==3.272.0", "requests==2.32.3")
"""What a user's project may already have: the newest SDK, and a requests older than ours."""


def _run(*cmd: str | Path, cwd: Path | None = None) -> str:
    proc = subprocess.run(
        [str(c) for c in cmd], cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=900
    )
    assert proc.returncode == 0, f"$ {' '.join(map(str, cmd))}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel and the sdist of the sources, built as a release would build them."""
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--outdir", out, REPO)
    return out


@pytest.fixture(scope="module")
def user_venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean virtualenv with the user's own pins first, then ``pip install`` of the wheel."""
    venv = tmp_path_factory.mktemp("user") / "venv"
    _run(sys.executable, "-m", "venv", venv)
    pip = venv / "bin" / "pip"
    _run(pip, "install", "--quiet", *PREINSTALLED)
    (wheel,) = dist.glob("*.whl")
    _run(pip, "install", "--quiet", wheel)
    return venv


def test_the_wheel_and_sdist_pass_the_metadata_check(dist: Path) -> None:
    out = _run(sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir()))
    assert out.count("PASSED") == 2


def test_the_long_description_is_a_package_page_not_the_repository_readme(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as zf:
        (metadata,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        text = zf.read(metadata).decode()
    description = text.split("\n\n", 1)[1]
    assert "pip install pulumi-ilert-contacts" in description
    assert "make test" not in description and "make demo" not in description


def test_the_sdist_carries_the_sources_and_the_license_metadata(dist: Path) -> None:
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as tf:
        names = tf.getnames()
    assert any(n.endswith("pulumi_ilert_contacts/core/kinds.py") for n in names)
    assert any(n.endswith("pyproject.toml") for n in names)


def test_the_wheel_installs_beside_the_users_newer_pulumi_and_older_requests(user_venv: Path) -> None:
    """pip keeps what the project had: the ranges admit them, nothing is up- or downgraded."""
    versions = _run(
        user_venv / "bin" / "python",
        "-c",
        "import importlib.metadata as m; print(m.version('pulumi'), m.version('requests'), "
        "m.version('pulumi-ilert-contacts'))",
    ).split()
    assert versions[:2] == ["3.272.0", "2.32.3"]
    werkzeug = subprocess.run([user_venv / "bin" / "python", "-c", "import werkzeug"], capture_output=True)
    assert werkzeug.returncode != 0, "the emulator's web server is an extra, not a runtime dependency"


def test_the_emulator_without_its_extra_says_which_extra_to_install(user_venv: Path) -> None:
    proc = subprocess.run(
        [user_venv / "bin" / "ilert-contacts-emulator", "--port", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "pip install 'pulumi-ilert-contacts[emulator]'" in proc.stderr


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(token=TOKEN, users=(1001, 1002)) as server:
        yield server


def _stack(user_venv: Path, example: str, tmp_path: Path, pulumi_home: Path, namespace: str) -> Stack:
    """A copy of a shipped example whose programs and plugin come from the user's virtualenv."""
    workdir = tmp_path / example
    _run("cp", "-r", REPO / "examples" / example, workdir)
    project = workdir / "Pulumi.yaml"
    # The example names the repository's .venv as its plugin folder; a user names their own.
    project.write_text(project.read_text().replace("../../.venv/bin", str(user_venv / "bin")))
    backend = tmp_path / f"backend-{example}"
    backend.mkdir()
    env = base_env(backend, pulumi_home)
    # The user's interpreter (program, dynamic provider, plugin) before the repository's.
    env["PATH"] = f"{user_venv / 'bin'}:{env['PATH']}"
    return Stack(workdir, env)


@pytest.mark.parametrize(
    ("example", "namespace"), [("quickstart", "ilert"), ("yaml-quickstart", "ilert-contacts")]
)
def test_the_quickstart_deploys_from_the_installed_wheel(
    user_venv: Path, emulator: EmulatorServer, tmp_path: Path, pulumi_home: Path, example: str, namespace: str
) -> None:
    stack = _stack(user_venv, example, tmp_path, pulumi_home, namespace)
    stack.init(emulator.url, TOKEN, namespace=namespace)
    stack.up()
    assert stack.outputs()["phone_target"] == "+4915123456789"
    assert len(emulator.admin.contacts()["phone_numbers"]) == 1
    emulator.admin.reset_requests()
    stack.preview("--expect-no-changes")
    assert emulator.admin.request_counts().get("GET", 0) == 0
    stack.destroy()
    assert emulator.admin.contacts()["phone_numbers"] == []
