"""A TypeScript project and a Go project use the plugin the way a user does, through the real engine
and this repository's own language hosts (``tools/pulumi-cli/pulumi-language-nodejs`` and
``pulumi-language-go``): ``pulumi package add`` of the plugin generates the local SDK and links it
(package.json / go.mod), then the program (``typescript/index.ts``, ``go/main.go``) declares a
ContactEmail, a ContactPhoneNumber with ``primary``, a UserContacts set of phone numbers (objects in a
list), an explicit Provider for a second ilert account, a getContactEmail look-up and a secret
output, and lives through ``up``, a no-change ``preview``, an update, ``pulumi import`` and
``destroy``.

The two languages share the tests: each gets its own project, stack and emulators, and the tests
run in order for one language, then for the other, each starting from what the previous left.

Downloads are cached on the machine: npm installs from ``typescript/package-lock.json`` (the npm
cache, prefer-offline), and the Go program's ``go.mod``/``go.sum`` pin what the CLI build already
fetched; ``go build`` runs with the CLI build's flags so its build cache serves the SDK's packages.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from pulumi_fixtures import TOKEN
from pulumi_harness import Result, Stack, base_env, project_file, tool_path
from pulumi_ilert_contacts import __version__
from pulumi_ilert_contacts.emulator import EmulatorServer

pytestmark = pytest.mark.e2e

HERE = Path(__file__).resolve().parent
PLUGIN = "pulumi-resource-ilert-contacts"
EMAIL = "ilert-contacts:index:ContactEmail"
PHONE = "ilert-contacts:index:ContactPhoneNumber"
SET = "ilert-contacts:index:UserContacts"
SECOND_TOKEN = "second-account-token-93be1d"
PAGER_PIN = "pager-pin-7f3a91"  # the program's secret output (typescript/index.ts, go/main.go)
RUNTIME = {"typescript": "nodejs", "go": "go"}


@dataclass
class Project:
    lang: str
    stack: Stack
    main: EmulatorServer  # the default provider's account (users 1001-1003)
    second: EmulatorServer  # the explicit provider's account (user 2001)
    added: Result  # `pulumi package add`

    @property
    def workdir(self) -> Path:
        return self.stack.workdir


def language_env(env: dict[str, str]) -> dict[str, str]:
    """The stack's environment plus what keeps npm and go on this machine's caches: npm prefers its
    cache, and go builds with the flags of tools/pulumi-cli/install.sh (the same build cache keys)."""
    return {
        **env,
        "npm_config_prefer_offline": "true",
        "npm_config_audit": "false",
        "npm_config_fund": "false",
        "GOFLAGS": "-mod=readonly -buildvcs=false -trimpath",
        "CGO_ENABLED": "0",
    }


def pulumi(stack: Stack, *args: str) -> Result:
    """A pulumi command that takes no --stack (``Stack.run`` adds one)."""
    proc = subprocess.run(
        ["pulumi", *args], cwd=stack.workdir, env=stack.env, capture_output=True, text=True,
        timeout=900, stdin=subprocess.DEVNULL, check=False,
    )
    result = Result(list(args), proc.returncode, proc.stdout, proc.stderr)
    assert result.code == 0, f"pulumi command failed:\n{result}"
    return result


@pytest.fixture(scope="module", params=["typescript", "go"])
def project(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, pulumi_home: Path
) -> Iterator[Project]:
    """A new project of the language with the SDK added by `pulumi package add`, and its stack."""
    lang: str = request.param
    needs = {"typescript": ("node", "npm"), "go": ("go",)}[lang]
    for tool in (*needs, f"pulumi-language-{RUNTIME[lang]}"):
        if shutil.which(tool, path=tool_path()) is None:
            pytest.fail(f"{tool} is not installed: `make pulumi-cli` and `make node` (make test does both)")
    plugin = shutil.which(PLUGIN, path=tool_path())
    assert plugin is not None, f"{PLUGIN} is not on PATH: `pip install -e .` installs it (make venv)"

    root = tmp_path_factory.mktemp(f"lang-{lang}")
    (root / "backend").mkdir()
    workdir = root / "project"
    shutil.copytree(HERE / lang, workdir)
    (workdir / "Pulumi.yaml").write_text(project_file(f"contacts-{lang}", RUNTIME[lang], Path(plugin).parent))
    stack = Stack(workdir, language_env(base_env(root / "backend", pulumi_home)))
    with (
        EmulatorServer(token=TOKEN, users=(1001, 1002, 1003)) as main,
        EmulatorServer(token=SECOND_TOKEN, users=(2001,)) as second,
    ):
        # The plugin's path, not its name: a bare name is looked up in the Pulumi registry.
        added = pulumi(stack, "package", "add", plugin)
        stack.init(main.url, TOKEN, {"secondEndpoint": second.url}, namespace="ilert-contacts")
        stack.run("config", "set", "--secret", "secondToken", SECOND_TOKEN)
        yield Project(lang, stack, main, second, added)


def writes(emulator: EmulatorServer) -> dict[str, int]:
    counts = emulator.admin.request_counts()
    return {method: counts.get(method, 0) for method in ("POST", "PUT", "DELETE")}


def reset(p: Project) -> None:
    p.main.admin.reset_requests()
    p.second.admin.reset_requests()


def made(emulator: EmulatorServer) -> list[tuple[str, str]]:
    """(user, target) of the contacts in ilert that the users did not start with (login emails)."""
    contacts = emulator.admin.contacts()
    return sorted(
        (c["user_id"], c["target"])
        for c in [*contacts["emails"], *contacts["phone_numbers"]]
        if c["target"] != f"user{c['user_id']}@example.com"
    )


def by_name(stack: Stack) -> dict[str, dict[str, Any]]:
    return {r["urn"].rsplit("::", 1)[-1]: r for r in stack.resources()}


def test_package_add_generates_the_sdk_and_links_it_into_the_project(project: Project) -> None:
    out = project.added.output
    sdk = project.workdir / "sdks" / "ilert-contacts"
    assert f"Successfully generated an SDK for the ilert-contacts package at {sdk.parent}" in out
    assert "Added package ilert contacts" in out
    if project.lang == "typescript":
        assert 'import * as ilertContacts from "@pulumi-ilert-contacts/ilert-contacts";' in out, out
        # Compiled by the SDK's postinstall script when npm installed it.
        assert (sdk / "contactEmail.ts").is_file() and (sdk / "bin" / "index.js").is_file()
        package = json.loads((project.workdir / "package.json").read_text())
        assert package["dependencies"]["@pulumi-ilert-contacts/ilert-contacts"] == "file:sdks/ilert-contacts"
        link = project.workdir / "node_modules" / "@pulumi-ilert-contacts" / "ilert-contacts"
        assert link.resolve() == sdk.resolve()
        # One @pulumi/pulumi for the program and the SDK (the pinned one).
        assert not (sdk / "node_modules" / "@pulumi" / "pulumi").exists()
    else:
        assert '"github.com/pulumi-ilert-contacts/sdk/go/ilertcontacts"' in out, out
        assert (sdk / "go.mod").is_file() and (sdk / "ilertcontacts" / "contactEmail.go").is_file()
        gomod = (project.workdir / "go.mod").read_text()
        assert "github.com/pulumi-ilert-contacts/sdk/go v0.0.0" in gomod
        assert "replace github.com/pulumi-ilert-contacts/sdk/go => ./sdks/ilert-contacts" in gomod
    assert f"ilert-contacts: ilert-contacts@{__version__}" in (project.workdir / "Pulumi.yaml").read_text()


def test_up_creates_the_contacts_in_both_accounts_and_looks_one_up(project: Project) -> None:
    reset(project)

    project.stack.up()

    assert writes(project.main) == {"POST": 3, "PUT": 0, "DELETE": 0}
    assert writes(project.second) == {"POST": 1, "PUT": 0, "DELETE": 0}
    assert made(project.main) == [
        ("1001", "+4915123456789"), ("1001", "jane.doe@example.com"), ("1003", "+4930123456"),
    ]
    assert made(project.second) == [("2001", "ops@example.com")]
    contacts = project.main.admin.contacts()
    [email] = [c for c in contacts["emails"] if c["target"] == "jane.doe@example.com"]
    [phone] = [c for c in contacts["phone_numbers"] if c["user_id"] == "1001"]
    [team] = [c for c in contacts["phone_numbers"] if c["user_id"] == "1003"]
    assert (team["regionCode"], team["primary"]) == ("DE", True)
    [login] = [c for c in contacts["emails"] if c["target"] == "user1002@example.com"]
    [ops] = [c for c in project.second.admin.contacts()["emails"] if c["target"] == "ops@example.com"]
    assert phone["primary"] is True and phone["regionCode"] == "DE"
    outputs = project.stack.outputs()
    assert outputs == {
        "emailId": f"1001:{email['id']}",
        "emailContactId": email["id"],
        "emailTarget": "jane.doe@example.com",
        "mobileContactId": phone["id"],
        "mobileTarget": "+4915123456789",
        "mobilePrimary": True,
        "opsContactId": ops["id"],
        "teamId": "1003",
        "loginContactId": login["id"],
        "loginStatus": "OK",
        "pagerPin": "[secret]",
    }
    shown = json.loads(project.stack.run("stack", "output", "--json", "--show-secrets").stdout)
    assert shown["pagerPin"] == PAGER_PIN
    # ops-email went through the explicit provider "second", the others through the default one.
    providers = {
        name: r["provider"].rsplit("::", 1)[0].rsplit("::", 1)[1]
        for name, r in by_name(project.stack).items()
        if r["type"] in (EMAIL, PHONE)
    }
    # (The SDK asks for the plugin's version: the default provider is "default_<version>".)
    default = "default_" + __version__.replace(".", "_")
    assert providers == {"jane-email": default, "jane-mobile": default, "ops-email": "second"}


def test_no_change_preview_calls_the_api_only_for_the_look_up(project: Project) -> None:
    reset(project)

    project.stack.preview("--expect-no-changes")

    # The resources' plan reads nothing: the only requests are the look-up's read of user 1002's
    # emails (a function runs at preview too); the second account gets none.
    log = project.main.admin.requests()["log"]
    assert [(r["method"], r["path"]) for r in log] == [("GET", "/api/users/1002/contacts/emails")], log
    assert project.second.admin.requests()["total"] == 0


def test_changing_a_target_updates_in_place_with_one_put(project: Project) -> None:
    before = project.stack.outputs()["emailContactId"]
    project.stack.run("config", "set", "email", "jane@example.com")
    reset(project)

    project.stack.up()

    assert writes(project.main) == {"POST": 0, "PUT": 1, "DELETE": 0}
    assert writes(project.second) == {"POST": 0, "PUT": 0, "DELETE": 0}
    assert project.stack.outputs()["emailContactId"] == before
    assert made(project.main) == [
        ("1001", "+4915123456789"), ("1001", "jane@example.com"), ("1003", "+4930123456"),
    ]


def test_import_takes_over_an_existing_contact_with_no_write(project: Project) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    created = requests.post(
        f"{project.main.api_url}/users/1003/contacts/emails", json={"target": "oncall@example.com"},
        headers=headers, timeout=10,
    )
    assert created.ok, created.text
    contact_id = created.json()["id"]
    reset(project)

    # No code generation: that is the language host's GenerateProgram, which ours do not implement.
    project.stack.run(
        "import", EMAIL, "oncall-email", f"1003:{contact_id}", "--yes", "--generate-code=false",
        "--protect=false", "--non-interactive",
    )

    assert writes(project.main) == {"POST": 0, "PUT": 0, "DELETE": 0}
    imported = by_name(project.stack)["oncall-email"]
    assert imported["id"] == f"1003:{contact_id}"
    assert imported["outputs"]["target"] == "oncall@example.com"
    assert imported["outputs"]["contactId"] == contact_id


def test_the_tokens_and_the_secret_output_are_only_ciphertext_in_the_state(project: Project) -> None:
    stored = project.stack.export()
    for secret in (TOKEN, SECOND_TOKEN, PAGER_PIN):
        assert secret not in stored
    resources = by_name(project.stack)
    for view in ("inputs", "outputs"):
        token = resources["second"][view]["apiToken"]
        assert isinstance(token, dict) and "ciphertext" in token, (view, token)
    backend = Path(project.stack.env["PULUMI_BACKEND_URL"].removeprefix("file://"))
    files = [p for p in backend.rglob("*") if p.is_file()]
    assert files
    for secret in (TOKEN, SECOND_TOKEN, PAGER_PIN):
        assert [str(p) for p in files if secret.encode() in p.read_bytes()] == []


def test_destroy_deletes_every_contact_of_the_stack_through_its_provider(project: Project) -> None:
    reset(project)

    project.stack.destroy()

    # email, mobile, the imported one, and the set's number (deleteOnDestroy)
    assert writes(project.main) == {"POST": 0, "PUT": 0, "DELETE": 4}
    assert writes(project.second) == {"POST": 0, "PUT": 0, "DELETE": 1}
    assert made(project.main) == [] and made(project.second) == []
    assert [r for r in project.stack.resources() if r["type"] in (EMAIL, PHONE, SET)] == []

