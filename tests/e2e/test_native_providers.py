"""Provider configuration of the plugin through the real engine: two explicit providers for two ilert
accounts in one program (Python and YAML), the API token kept out of the state, the logs and the
error messages, and the install that keeps previews free of the CLI's ``from $PATH`` warning."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from native_support import (
    EMAIL,
    NAMESPACE,
    NO_WRITES,
    new_stack,
    non_login,
    python_stack,
    write_yaml,
    writes,
    yaml_stack,
)
from pulumi_fixtures import TOKEN
from pulumi_harness import Stack
from pulumi_ilert_contacts.emulator import EmulatorServer
from redis_server import RedisServer

STAGING_TOKEN = "staging-secret-token-71c2a9"
PRODUCTION_TOKEN = "production-secret-token-0d9e44"


@pytest.fixture(scope="module")
def staging() -> Iterator[EmulatorServer]:
    with EmulatorServer(token=STAGING_TOKEN, users=(1001, 1002)) as server:
        yield server


@pytest.fixture(scope="module")
def production() -> Iterator[EmulatorServer]:
    # Other user ids than staging's: a request sent to the wrong account fails instead of passing.
    with EmulatorServer(token=PRODUCTION_TOKEN, users=(2001, 2002)) as server:
        yield server


def account_config(staging: EmulatorServer, production: EmulatorServer) -> dict[str, str]:
    """The program's own config keys for the two accounts (the tokens are set as secrets after)."""
    return {"stagingEndpoint": staging.url, "productionEndpoint": production.url}


def set_tokens(stack: Stack) -> None:
    stack.run("config", "set", "--secret", "stagingToken", STAGING_TOKEN)
    stack.run("config", "set", "--secret", "productionToken", PRODUCTION_TOKEN)


def targets(emulator: EmulatorServer) -> set[tuple[str, str]]:
    """The (user, target) of every contact a program made (login emails left out)."""
    contacts = non_login(emulator)
    return {(c["user_id"], c["target"]) for kind in contacts.values() for c in kind}


def by_name(resources: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["urn"].rsplit("::", 1)[-1]: r for r in resources}


def stored_files_with(stack: Stack, secret: str) -> list[str]:
    """Files of the stack's backend holding ``secret`` in plain text."""
    backend = Path(stack.env["PULUMI_BACKEND_URL"].removeprefix("file://"))
    return [str(p) for p in backend.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


# -- two accounts in one program ---------------------------------------------------------------

TWO_ACCOUNTS_PYTHON = """
import pulumi
from pulumi_ilert_contacts import native

cfg = pulumi.Config()
staging = native.Provider("staging", endpoint=cfg.require("stagingEndpoint"),
                          api_token=cfg.require_secret("stagingToken"))
production = native.Provider("production", endpoint=cfg.require("productionEndpoint"),
                             api_token=cfg.require_secret("productionToken"))

native.ContactEmail("staging-email", user_id="1001", target="jane@staging.example.com",
                    opts=pulumi.ResourceOptions(provider=staging))
native.ContactPhoneNumber("staging-mobile", user_id="1002", region_code="DE", target="+4915123456789",
                          opts=pulumi.ResourceOptions(provider=staging))
native.ContactEmail("production-email", user_id="2001", target="jane@example.com",
                    opts=pulumi.ResourceOptions(provider=production))
login = native.get_contact_email(user_id="2002", target="user2002@example.com",
                                 opts=pulumi.InvokeOptions(provider=production))
pulumi.export("production_login_contact_id", login.contact_id)
"""


@pytest.fixture(scope="module")
def two_accounts(
    tmp_path_factory: pytest.TempPathFactory,
    pulumi_home: Path,
    staging: EmulatorServer,
    production: EmulatorServer,
) -> Iterator[Stack]:
    """The Python program with two explicit providers, deployed once (and destroyed by its test)."""
    root = tmp_path_factory.mktemp("two-accounts-python")
    config = account_config(staging, production)
    stack = python_stack(root, pulumi_home, None, TWO_ACCOUNTS_PYTHON, config=config)
    set_tokens(stack)
    staging.admin.reset_requests()
    production.admin.reset_requests()
    stack.up()
    yield stack


def test_two_explicit_providers_in_python_each_reach_only_their_own_account(
    two_accounts: Stack, staging: EmulatorServer, production: EmulatorServer
) -> None:
    assert targets(staging) == {("1001", "jane@staging.example.com"), ("1002", "+4915123456789")}
    assert targets(production) == {("2001", "jane@example.com")}
    assert writes(staging) == {"POST": 2, "PUT": 0, "DELETE": 0}
    assert writes(production) == {"POST": 1, "PUT": 0, "DELETE": 0}
    [login] = [c for c in production.admin.contacts()["emails"] if c["target"] == "user2002@example.com"]
    assert two_accounts.outputs()["production_login_contact_id"] == login["id"]
    # A provider reference is "<provider urn>::<provider id>"; the urn ends with the provider's name.
    used = {
        name: r["provider"].rsplit("::", 1)[0].rsplit("::", 1)[1]
        for name, r in by_name(two_accounts.native_resources()).items()
    }
    assert used == {"staging-email": "staging", "staging-mobile": "staging", "production-email": "production"}


def test_api_tokens_are_ciphertext_in_the_state_and_only_in_their_provider(two_accounts: Stack) -> None:
    stored = two_accounts.export()
    assert STAGING_TOKEN not in stored and PRODUCTION_TOKEN not in stored
    resources = by_name(json.loads(stored)["deployment"]["resources"])
    for name in ("staging", "production"):
        for view in ("inputs", "outputs"):
            token = resources[name][view]["apiToken"]
            assert isinstance(token, dict) and set(token) >= {"ciphertext"}, (name, view, token)
    assert stored_files_with(two_accounts, STAGING_TOKEN) == []
    assert stored_files_with(two_accounts, PRODUCTION_TOKEN) == []

    # Decrypted, each token is in its own provider resource and nowhere else.
    shown = json.loads(two_accounts.export(show_secrets=True))["deployment"]["resources"]
    holders = {
        secret: [r["urn"].rsplit("::", 1)[-1] for r in shown if secret in json.dumps(r)]
        for secret in (STAGING_TOKEN, PRODUCTION_TOKEN)
    }
    assert holders == {STAGING_TOKEN: ["staging"], PRODUCTION_TOKEN: ["production"]}


def test_destroy_deletes_each_contact_through_its_own_provider(
    two_accounts: Stack, staging: EmulatorServer, production: EmulatorServer
) -> None:
    staging.admin.reset_requests()
    production.admin.reset_requests()

    two_accounts.destroy()

    assert targets(staging) == set() and targets(production) == set()
    assert writes(staging) == {"POST": 0, "PUT": 0, "DELETE": 2}
    assert writes(production) == {"POST": 0, "PUT": 0, "DELETE": 1}


TWO_ACCOUNTS_YAML = """
config:
  stagingEndpoint:
    type: string
  stagingToken:
    type: string
    secret: true
  productionEndpoint:
    type: string
  productionToken:
    type: string
    secret: true
resources:
  staging:
    type: pulumi:providers:ilert-contacts
    properties:
      endpoint: ${stagingEndpoint}
      apiToken: ${stagingToken}
  production:
    type: pulumi:providers:ilert-contacts
    properties:
      endpoint: ${productionEndpoint}
      apiToken: ${productionToken}
  staging-email:
    type: ilert-contacts:index:ContactEmail
    properties:
      userId: "1002"
      target: ops@staging.example.com
    options:
      provider: ${staging}
  production-mobile:
    type: ilert-contacts:index:ContactPhoneNumber
    properties:
      userId: "2002"
      regionCode: DE
      target: 0151 23456789
      primary: true
    options:
      provider: ${production}
"""


def test_two_explicit_providers_in_yaml_each_reach_only_their_own_account(
    tmp_path_factory: pytest.TempPathFactory,
    pulumi_home: Path,
    staging: EmulatorServer,
    production: EmulatorServer,
) -> None:
    root = tmp_path_factory.mktemp("two-accounts-yaml")
    config = account_config(staging, production)
    stack = yaml_stack(root, pulumi_home, None, TWO_ACCOUNTS_YAML, config=config)
    set_tokens(stack)

    stack.up()

    assert targets(staging) == {("1002", "ops@staging.example.com")}
    assert targets(production) == {("2002", "+4915123456789")}
    stored = stack.export()
    assert STAGING_TOKEN not in stored and PRODUCTION_TOKEN not in stored
    stack.destroy()
    assert targets(staging) == set() and targets(production) == set()


# -- the token in logs and error messages ------------------------------------------------------

ONE_EMAIL = """
resources:
  jane-email:
    type: ilert-contacts:index:ContactEmail
    properties:
      userId: "1001"
      target: jane@example.com
"""


@pytest.fixture
def echoing() -> Iterator[EmulatorServer]:
    """An account whose create answers echo the API token back, as a misconfigured proxy or a
    chatty API might (the token is this module's ``TOKEN``, not the staging one)."""
    with EmulatorServer(token=TOKEN, users=(1001,)) as server:
        yield server


def echo_token_on_create(emulator: EmulatorServer) -> None:
    emulator.admin.add_fault(
        "POST", "status", path="/emails$", status=403, content_type="application/json",
        body=f'{{"status": 403, "message": "API key {TOKEN} is not valid", "code": "KEY_ERROR"}}',
    )


ECHOED_ERROR = (
    "Unable to create email contact for user 1001: ilert API returned 403: API key *** is not valid"
)


def lines_with(text: str, secret: str) -> list[str]:
    return [line for line in text.splitlines() if secret in line]


def test_token_from_the_environment_is_in_no_verbose_log_error_or_state(
    tmp_path_factory: pytest.TempPathFactory, pulumi_home: Path, echoing: EmulatorServer
) -> None:
    # The token only in ILERT_API_TOKEN: with it in the stack config, the engine itself prints
    # secret config at -v=9 when it marshals the Configure call, before any plugin code runs
    # (see tests/reliability/test_security.py), so only this path can be held to "no log line".
    stack = new_stack(tmp_path_factory.mktemp("token-env"), pulumi_home)
    write_yaml(stack, ONE_EMAIL)
    stack.run("stack", "init", stack.name, "--non-interactive")
    stack.run("config", "set", f"{NAMESPACE}:endpoint", echoing.url)
    echo_token_on_create(echoing)

    env = {"ILERT_API_TOKEN": TOKEN, "ILERT_DEBUG_HTTP": "1"}

    failed = stack.up("-v=9", "--logtostderr", check=False, env=env)
    echoing.admin.clear_faults()
    done = stack.up(env={"ILERT_API_TOKEN": TOKEN})  # the control: the token in the environment works

    assert failed.code != 0, failed
    assert "Marshaling property for RPC" in failed.output, "not the engine's most verbose log"
    assert ECHOED_ERROR in failed.output, failed
    assert "invalid or revoked; check the key in ILERT_API_TOKEN" in failed.output, failed
    debug_line = "ilert-http POST /users/1001/contacts/emails -> 403 in "
    assert debug_line in failed.output and "(Authorization: Bearer ***)" in failed.output
    assert lines_with(failed.output, TOKEN) == []
    assert lines_with(done.output, TOKEN) == []
    assert [r["outputs"]["target"] for r in stack.native_resources()] == ["jane@example.com"]
    assert TOKEN not in stack.export(show_secrets=True)
    assert stored_files_with(stack, TOKEN) == []


def test_token_from_secret_config_is_masked_in_errors_and_only_in_the_default_provider(
    tmp_path_factory: pytest.TempPathFactory, pulumi_home: Path, echoing: EmulatorServer
) -> None:
    stack = yaml_stack(tmp_path_factory.mktemp("token-config"), pulumi_home, echoing, ONE_EMAIL)
    echo_token_on_create(echoing)
    echoing.admin.reset_requests()

    failed = stack.up(check=False)
    echoing.admin.clear_faults()
    stack.up()

    assert failed.code != 0, failed
    assert ECHOED_ERROR in failed.output, failed
    assert "invalid or revoked; check the key in the stack config 'ilert-contacts:apiToken'" in failed.output
    assert lines_with(failed.output, TOKEN) == []
    stored = stack.export()
    assert TOKEN not in stored and stored_files_with(stack, TOKEN) == []
    resources = by_name(json.loads(stored)["deployment"]["resources"])
    assert set(resources["default"]["inputs"]["apiToken"]) >= {"ciphertext"}
    # The engine keeps the stack config as its default provider's inputs; nothing else holds it.
    shown = json.loads(stack.export(show_secrets=True))["deployment"]["resources"]
    assert [r["type"] for r in shown if TOKEN in json.dumps(r)] == [f"pulumi:providers:{NAMESPACE}"]


REFUSED_TOKEN = "refused-secret-token-5be07d"
EXPLICIT_EMAIL = """
config:
  endpoint:
    type: string
  refusedToken:
    type: string
resources:
  second-account:
    type: pulumi:providers:ilert-contacts
    properties:
      endpoint: ${endpoint}
      apiToken: ${refusedToken}
  jane-email:
    type: ilert-contacts:index:ContactEmail
    properties:
      userId: "1001"
      target: jane@example.com
    options:
      provider: ${second-account}
"""


def test_a_refused_key_of_an_explicit_provider_names_its_api_token_input(
    tmp_path_factory: pytest.TempPathFactory, pulumi_home: Path, echoing: EmulatorServer
) -> None:
    stack = yaml_stack(tmp_path_factory.mktemp("refused-explicit"), pulumi_home, None, EXPLICIT_EMAIL)
    stack.run("config", "set", "endpoint", echoing.url)
    stack.run("config", "set", "--secret", "refusedToken", REFUSED_TOKEN)

    failed = stack.up(check=False)

    assert failed.code != 0, failed
    assert "ilert API returned 403: The API key is not valid [KEY_ERROR]" in failed.output, failed
    assert "check the key in the `apiToken` input of the explicit provider 'second-account'" in failed.output
    assert "ilert:apiToken" not in failed.output and "stack config" not in failed.output
    assert lines_with(failed.output, REFUSED_TOKEN) == []


# -- the no-noise install ----------------------------------------------------------------------


def test_plugins_entry_in_pulumi_yaml_keeps_previews_free_of_the_path_warning(
    tmp_path_factory: pytest.TempPathFactory, pulumi_home: Path, staging: EmulatorServer
) -> None:
    root = tmp_path_factory.mktemp("no-noise")
    stack = yaml_stack(root, pulumi_home, staging, ONE_EMAIL, STAGING_TOKEN)
    staging.admin.reset_requests()

    quiet = stack.preview()
    # The control: the same program with the plugin found on PATH only.
    stack.write_yaml_program(ONE_EMAIL)
    noisy = stack.preview()

    assert "from $PATH" not in quiet.output, quiet
    assert f"+ {EMAIL}: (create)" in quiet.output, quiet
    assert "warning: using pulumi-resource-ilert-contacts from $PATH" in noisy.output, noisy
    assert writes(staging) == NO_WRITES


# -- the shared rate budget's store ---------------------------------------------------------------

STORE_PASSWORD = "store-secret-pw-3a81f0"


def test_a_rate_store_in_the_stack_config_holds_the_budget_and_its_password_stays_secret(
    tmp_path_factory: pytest.TempPathFactory, pulumi_home: Path
) -> None:
    with EmulatorServer(token=TOKEN, users=(1001,)) as ilert, RedisServer(password=STORE_PASSWORD) as redis:
        store = f"redis://:{STORE_PASSWORD}@127.0.0.1:{redis.port}/0"
        # Set in plain text, the worst case: the provider still keeps it secret in the state.
        config = {f"{NAMESPACE}:rateStore": store}
        root = tmp_path_factory.mktemp("rate-store")
        stack = yaml_stack(root, pulumi_home, ilert, ONE_EMAIL, config=config)

        done = stack.up()
        budgets = redis_keys(redis)

    assert [r["outputs"]["target"] for r in stack.native_resources()] == ["jane@example.com"]
    assert [key.startswith("pulumi-ilert-contacts:rate:") for key in budgets] == [True]
    assert TOKEN not in budgets[0]
    assert lines_with(done.output, STORE_PASSWORD) == []
    stored = stack.export()
    # (The engine's update history keeps the stack config as set, here in plain text: set it with
    # --secret, as the README says.)
    assert STORE_PASSWORD not in stored
    resources = by_name(json.loads(stored)["deployment"]["resources"])
    assert set(resources["default"]["inputs"]["rateStore"]) >= {"ciphertext"}


def test_a_rate_store_that_cannot_be_used_fails_the_preview_before_any_request(
    tmp_path_factory: pytest.TempPathFactory, pulumi_home: Path
) -> None:
    with EmulatorServer(token=TOKEN, users=(1001,)) as ilert:
        config = {f"{NAMESPACE}:rateStore": f"memcached://ci:{STORE_PASSWORD}@cache.example.com:11211"}
        root = tmp_path_factory.mktemp("rate-store-bad")
        stack = yaml_stack(root, pulumi_home, ilert, ONE_EMAIL, config=config)
        ilert.admin.reset_requests()

        failed = stack.preview(check=False)
        requests = ilert.admin.requests()["total"]

    assert failed.code != 0
    said = "ilert-contacts:rateStore: invalid rate store 'memcached://ci:***@cache.example.com:11211'"
    assert said in failed.output
    assert lines_with(failed.output, STORE_PASSWORD) == []
    assert requests == 0


def redis_keys(server: RedisServer) -> list[str]:
    import redis

    client = redis.Redis.from_url(server.url, password=server.password, decode_responses=True)
    try:
        return sorted(str(key) for key in client.keys("*"))
    finally:
        client.close()
