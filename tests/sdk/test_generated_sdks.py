"""The TypeScript and Go SDKs generated from the plugin's schema compile and hold the package.

The schema comes from the real plugin, as a user gets it: ``pulumi package get-schema`` on the
``pulumi-resource-ilert-contacts`` the virtualenv installs. ``tools/sdk-check/check.sh`` generates
the SDKs with ``pulumi-sdkgen`` (pkg/v3 v3.259.0's code generators, built by
``tools/pulumi-cli/install.sh``) and compiles them: ``tsc`` against ``@pulumi/pulumi`` 3.259.0
(``npm ci`` from tools/sdk-check/package-lock.json; node then loads the compiled package), and
``go build ./...`` against ``github.com/pulumi/pulumi/sdk/v3`` v3.259.0. See the script for the
details; a second run takes seconds (npm packages and Go build cache kept).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from pulumi_harness import REPO, base_env, pulumi_binary, tool_path

pytestmark = pytest.mark.e2e

CHECK = REPO / "tools" / "sdk-check" / "check.sh"
PLUGIN = "pulumi-resource-ilert-contacts"
RESOURCES = ("ContactEmail", "ContactPhoneNumber")
FUNCTIONS = ("getContactEmail", "getContactPhoneNumber")


@pytest.fixture(scope="module")
def schema_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The schema the plugin serves, through the CLI."""
    if pulumi_binary() is None:
        pytest.fail("the pulumi CLI is not installed: run `make pulumi-cli` (make test does it)")
    if shutil.which("pulumi-sdkgen", path=tool_path()) is None:
        pytest.fail("pulumi-sdkgen is not installed: run `make pulumi-cli` (make test does it)")
    plugin = shutil.which(PLUGIN, path=tool_path())
    if plugin is None:
        pytest.fail(f"{PLUGIN} is not on PATH: `pip install -e .` installs it (make venv)")
    work = tmp_path_factory.mktemp("schema")
    home = work / "home"
    home.mkdir()
    # The plugin's path, not its name: a bare name is looked up in the Pulumi registry.
    result = subprocess.run(
        ["pulumi", "package", "get-schema", plugin],
        env=base_env(work / "backend", home),
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"pulumi package get-schema failed:\n{result.stderr}"
    spec = json.loads(result.stdout)
    assert spec["name"] == "ilert-contacts"
    path = work / "schema.json"
    path.write_text(result.stdout)
    return path


@dataclass
class Generated:
    out: Path
    log: str
    manifest: dict[str, object]

    def text(self, relative: str) -> str:
        return (self.out / relative).read_text()


def run_check(schema: Path, out: Path, lang: str) -> Generated:
    env = {**os.environ, "PATH": tool_path()}
    result = subprocess.run(
        ["bash", str(CHECK), "--schema", str(schema), "--out", str(out), "--lang", lang],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"tools/sdk-check/check.sh --lang {lang} failed:\n{log}"
    return Generated(out, log, json.loads((out / "sdkgen.json").read_text()))


@pytest.fixture(scope="module")
def typescript(schema_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return run_check(schema_file, tmp_path_factory.mktemp("sdk-nodejs"), "nodejs")


@pytest.fixture(scope="module")
def golang(schema_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return run_check(schema_file, tmp_path_factory.mktemp("sdk-go"), "go")


def test_typescript_sdk_compiles_and_loads(typescript: Generated) -> None:
    # tsc emitted the package, and node loaded it: these are its runtime exports.
    assert (typescript.out / "nodejs" / "bin" / "index.js").is_file()
    assert (typescript.out / "nodejs" / "bin" / "index.d.ts").is_file()
    exports = json.loads(typescript.text("nodejs-exports.json"))
    for name in (*RESOURCES, *FUNCTIONS, "Provider", "config"):
        assert name in exports, f"{name} not exported by the compiled TypeScript SDK: {exports}"
    for name in FUNCTIONS:
        assert f"{name}Output" in exports


def test_typescript_sdk_declares_the_resources_functions_and_provider(typescript: Generated) -> None:
    nodejs = typescript.manifest["nodejs"]
    assert isinstance(nodejs, dict)
    package = json.loads(typescript.text("nodejs/package.json"))
    assert package["name"] == nodejs["packageName"]
    assert package["pulumi"]["name"] == "ilert-contacts"
    for resource in RESOURCES:
        source = typescript.text(f"nodejs/{resource[0].lower()}{resource[1:]}.ts")
        assert f"export class {resource} extends pulumi.CustomResource" in source
        assert f"__pulumiType = 'ilert-contacts:index:{resource}'" in source
        declaration = typescript.text(f"nodejs/bin/{resource[0].lower()}{resource[1:]}.d.ts")
        assert f"export declare class {resource} extends pulumi.CustomResource" in declaration
    for function in FUNCTIONS:
        source = typescript.text(f"nodejs/{function}.ts")
        assert f"export function {function}(" in source
        assert f'invoke("ilert-contacts:index:{function}"' in source
    provider = typescript.text("nodejs/provider.ts")
    assert "export class Provider extends pulumi.ProviderResource" in provider
    assert "pulumi.secret(args.apiToken)" in provider  # the token is kept secret in the state
    assert "endpoint" in provider


def test_go_sdk_builds(golang: Generated) -> None:
    go = golang.manifest["go"]
    assert isinstance(go, dict)
    packages = golang.text("go-packages.txt").split()
    assert go["importPath"] in packages
    assert f"{go['importPath']}/config" in packages


def test_go_sdk_declares_the_resources_functions_and_provider(golang: Generated) -> None:
    go = golang.manifest["go"]
    assert isinstance(go, dict)
    root = golang.out / "go" / str(go["importPath"]).removeprefix(f"{go['modulePath']}/")
    source = "\n".join(p.read_text() for p in sorted(root.glob("*.go")))
    for resource in RESOURCES:
        assert f"type {resource} struct" in source
        assert f"func New{resource}(ctx *pulumi.Context" in source
        assert f'ctx.RegisterResource("ilert-contacts:index:{resource}"' in source
    for function in FUNCTIONS:
        # Go names a get-function after the resource it looks up: Lookup<Resource>.
        assert f"func Lookup{function.removeprefix('get')}(ctx *pulumi.Context" in source
        assert f'ctx.Invoke("ilert-contacts:index:{function}"' in source
    assert "type Provider struct" in source
    assert "func NewProvider(ctx *pulumi.Context" in source
    assert "pulumi.ToSecret(args.ApiToken)" in source
    config = (root / "config" / "config.go").read_text()
    assert "func GetApiToken(ctx *pulumi.Context)" in config
    assert "func GetEndpoint(ctx *pulumi.Context)" in config
