"""``generate --from-terraform``: a Terraform state in, the program that adopts its contacts out.

The generator runs as a user runs it (its own process), against a real emulator over HTTP; the
states are the hand-written fixtures of ``tfstate/`` (see ``terraform_support``). The engine runs
the generated programs in ``tests/e2e/test_generate_terraform_e2e.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi_ilert_contacts.emulator import EmulatorServer
from pulumi_ilert_contacts.generate.from_terraform import assign_address_names
from pulumi_ilert_contacts.generate.tfstate import parse_text

from .support import TOKEN, Run, api_post, declared_resources, generator_env, ruff_check
from .terraform_support import (
    CONTACT_ADDRESSES,
    FAKE_IDS,
    FIXTURES,
    FOREIGN,
    GONE,
    NAMES,
    SHOW,
    STATE,
    seed_terraform_account,
    state_document,
    state_text,
)

PREFIX = "pulumi-ilert-contacts: "


def from_terraform(
    env: dict[str, str], path: str, *args: str, stdin: str | None = None, cwd: Path | None = None
) -> Run:
    """Run ``generate --from-terraform PATH ARGS`` (``stdin`` feeds ``-``)."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pulumi_ilert_contacts",
            "generate",
            "--from-terraform",
            path,
            "--timestamp",
            "none",
            *args,
        ],
        env=env,
        cwd=cwd,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def write_state(tmp_path: Path, document: dict[str, Any] | str, name: str = "terraform.tfstate") -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def yaml_resources(text: str) -> dict[str, Any]:
    resources: dict[str, Any] = yaml.safe_load(text)["resources"]
    return resources


@pytest.fixture
def seeded(emulator: EmulatorServer) -> dict[str, int]:
    return seed_terraform_account(emulator, TOKEN)


# -- both JSON forms, stdin, what is declared ------------------------------------------------------


def test_state_and_show_json_give_one_program_named_after_the_addresses(
    tmp_path: Path, emulator: EmulatorServer, seeded: dict[str, int]
) -> None:
    env = generator_env(emulator)
    state = write_state(tmp_path, state_text(STATE, seeded))
    show = write_state(tmp_path, state_text(SHOW, seeded), "show.json")

    from_state = from_terraform(env, str(state), "--format", "pulumi-yaml")
    from_show = from_terraform(env, str(show), "--format", "pulumi-yaml")

    assert from_state.code == 0, from_state.stderr
    assert from_show.code == 0, from_show.stderr
    resources = yaml_resources(from_state.stdout)
    assert set(resources) == set(NAMES.values())
    ids = {
        "email-oncall-jane": "jane-email",
        "phone-oncall-jane": "jane-phone",
        "phone-backup-0": "jane-backup",
    }
    ids |= {
        "email-oncall-ops": "ops-email",
        "team-sre-email-pager": "pager",
        "team-sre-escalation-phone-night-0": "night",
    }
    for name, placeholder in ids.items():
        user = resources[name]["properties"]["userId"]
        assert resources[name]["options"]["import"] == f"{user}:{seeded[placeholder]}"
    for address, name in NAMES.items():  # the address is in a comment above its resource
        assert f"# Terraform: {address}\n" in from_state.stdout or f"#   {address}\n" in from_state.stdout, (
            name
        )
    # primary is not in Terraform's schema: it comes from ilert
    assert resources["phone-oncall-jane"]["properties"]["primary"] is True
    assert "primary" not in resources["phone-backup-0"]["properties"]

    def body(text: str) -> str:
        return text[text.index("\nname:") :]

    assert body(from_show.stdout) == body(from_state.stdout)
    assert "does not say which provider configuration" in from_show.stderr
    # one list per user and kind for each run, nothing written
    counts = emulator.admin.request_counts()
    assert counts == {"GET": 8, "POST": 0, "PUT": 0, "DELETE": 0}, counts


def test_standard_input_and_a_file_give_the_same_python_program(
    tmp_path: Path, emulator: EmulatorServer, seeded: dict[str, int]
) -> None:
    env = generator_env(emulator)
    text = state_text(STATE, seeded)
    out = tmp_path / "contacts.py"

    piped = from_terraform(env, "-", "--out", str(out), stdin=text)
    assert piped.code == 0, piped.stderr
    from_file = from_terraform(env, str(write_state(tmp_path, text)))

    def body(source: str) -> str:
        return source[source.index("\nimport") :]

    assert body(out.read_text()) == body(from_file.stdout)
    assert "--from-terraform -" in out.read_text()
    declared = {d.name: d for d in declared_resources(out.read_text().replace("pulumi.Output.secret", ""))}
    assert set(declared) == set(NAMES.values())
    assert all(d.kwargs["adopt"] is True for d in declared.values())
    assert ruff_check(out).returncode == 0, ruff_check(out).stdout


def test_sensitive_values_are_secrets_and_data_sources_become_look_ups(
    tmp_path: Path, emulator: EmulatorServer, seeded: dict[str, int]
) -> None:
    env = generator_env(emulator)
    state = write_state(tmp_path, state_text(STATE, seeded))

    as_yaml = from_terraform(env, str(state), "--format", "pulumi-yaml")
    as_python = from_terraform(env, str(state))

    document = yaml.safe_load(as_yaml.stdout)
    assert document["resources"]["email-oncall-jane"]["properties"]["target"] == {
        "fn::secret": "jane@example.com"
    }
    assert document["resources"]["email-oncall-ops"]["properties"]["target"] == "ops@example.org"
    assert document["variables"] == {
        "data-email-login": {
            "fn::invoke": {
                "function": "ilert-contacts:index:getContactEmail",
                "arguments": {"userId": "1001", "target": "user1001@example.com"},
            }
        }
    }
    assert 'target=pulumi.Output.secret("jane@example.com"),' in as_python.stdout
    assert "# data.ilert_user_email_contact.login:" in as_python.stdout
    assert "native.get_contact_email(user_id='1001', target='user1001@example.com')" in as_python.stdout


def test_gone_changed_and_foreign_objects_are_reported_and_the_rest_of_the_move_printed(
    tmp_path: Path, emulator: EmulatorServer, seeded: dict[str, int]
) -> None:
    run = from_terraform(generator_env(emulator), str(write_state(tmp_path, state_text(STATE, seeded))))

    assert run.code == 0, run.stderr
    gone = f"gone from ilert: {GONE} (email contact {seeded['deleted']} of user 1002): ilert no longer has it"
    assert PREFIX + gone in run.stderr
    assert "gone@example.org" not in run.stdout
    changed = "target is 'pager@example.org' in ilert, 'old-pager@example.org' in the state"
    assert changed in run.stderr
    assert 'target="pager@example.org",' in run.stdout
    listed = run.stderr[run.stderr.index("not contacts, left in Terraform (2):") :].splitlines()
    assert [line.strip() for line in listed[1:3]] == list(FOREIGN)
    steps = run.stderr[run.stderr.index(PREFIX + "the rest of the move") :]
    order = [
        "1. stop applying",
        "2. pulumi up",
        "3. pulumi preview --expect-no-changes",
        "4. make Terraform forget",
    ]
    assert [steps.index(step) for step in order] == sorted(steps.index(step) for step in order)
    for address in CONTACT_ADDRESSES:  # including the contact ilert no longer has
        assert f"terraform state rm '{address}'" in steps
    assert "from = module.team.module.escalation.ilert_user_phone_number_contact.night\n" in steps
    assert "destroy = false" in steps
    assert "warning" not in run.stderr


def test_a_contact_two_addresses_manage_is_declared_once(
    tmp_path: Path, emulator: EmulatorServer, seeded: dict[str, int]
) -> None:
    document = state_document(STATE, seeded)
    twin = json.loads(json.dumps(next(r for r in document["resources"] if r["name"] == "backup")))
    twin["name"] = "backup_copy"
    document["resources"].append(twin)

    run = from_terraform(generator_env(emulator), str(write_state(tmp_path, document)))

    assert run.code == 0, run.stderr
    assert "managed twice: ilert_user_phone_number_contact.backup_copy[0]" in run.stderr
    assert run.stdout.count(f"# ilert phone number contact {seeded['jane-backup']}\n") == 1


# -- names -----------------------------------------------------------------------------------------


def _objects(text: str) -> list[Any]:
    return [obj for obj in parse_text(text, "x").objects if obj.kind is not None]


def test_names_follow_the_address_and_do_not_depend_on_order_or_other_resources() -> None:
    objects = _objects(state_text(STATE, FAKE_IDS))
    names = assign_address_names(objects)
    assert {a: n for a, n in names.items() if a in NAMES} == NAMES
    assert names["data.ilert_user_email_contact.login"] == "data-email-login"
    assert assign_address_names(reversed(objects)) == names
    assert len(set(names.values())) == len(names)


def test_addresses_that_slugify_alike_get_distinct_stable_names() -> None:
    document = state_document(STATE, FAKE_IDS)
    oncall = next(r for r in document["resources"] if r["name"] == "oncall" and "email" in r["type"])
    clone = json.loads(json.dumps(oncall))
    clone["name"] = "oncall_jane"
    for instance in clone["instances"]:
        instance.pop("index_key")
    clone["instances"] = clone["instances"][:1]
    document["resources"].append(clone)
    objects = _objects(json.dumps(document))

    names = assign_address_names(objects)

    first, second = (
        names['ilert_user_email_contact.oncall["jane"]'],
        names["ilert_user_email_contact.oncall_jane"],
    )
    assert first != second
    assert first.startswith("email-oncall-jane-") and second.startswith("email-oncall-jane-")
    assert assign_address_names(reversed(objects)) == names
    assert names['ilert_user_email_contact.oncall["ops"]'] == "email-oncall-ops"


# -- bad input: a clear error, non-zero exit, no file, no call to ilert ----------------------------


def _malformed_user(ids: dict[str, int]) -> str:
    document = state_document(STATE, ids)
    document["resources"][3]["instances"][1]["attributes"]["user"] = [{"id": "ops"}]
    return json.dumps(document)


def _empty_user_block(ids: dict[str, int]) -> str:
    document = state_document(STATE, ids)
    document["resources"][3]["instances"][1]["attributes"]["user"] = []
    return json.dumps(document)


BAD_INPUTS = {
    "not-json": (lambda ids: 'resource "ilert_user_email_contact" {}', "", "text that is not JSON"),
    "not-a-state": (
        lambda ids: json.dumps({"name": "contacts", "runtime": "yaml"}),
        "at $: ",
        "a Terraform state",
    ),
    "plan": (
        lambda ids: (FIXTURES / "plan.json").read_text(),
        "at $.planned_values",
        "the state, not a plan",
    ),
    "encrypted": (
        lambda ids: (FIXTURES / "encrypted.tfstate").read_text(),
        "at $.encrypted_data",
        "encrypted",
    ),
    "version-3": (
        lambda ids: (FIXTURES / "v3.tfstate").read_text(),
        "at $.version",
        "state format version 4",
    ),
    "user-id": (
        _malformed_user,
        "at $.resources[3].instances[1].attributes.user[0].id",
        "numeric ilert user id",
    ),
    "user-block": (_empty_user_block, "at $.resources[3].instances[1].attributes.user:", "a user block"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_is_a_clear_error_and_writes_nothing(
    tmp_path: Path, emulator: EmulatorServer, case: str
) -> None:
    make, where, expected = BAD_INPUTS[case]
    state = write_state(tmp_path, make(FAKE_IDS))
    out = tmp_path / "Pulumi.yaml"

    run = from_terraform(generator_env(emulator), str(state), "--format", "pulumi-yaml", "--out", str(out))

    assert run.code == 1
    assert f"{PREFIX}error: {state}: {where}" in run.stderr
    assert "expected" in run.stderr and expected in run.stderr
    assert "nothing was written" in run.stderr
    assert not out.exists() and run.stdout == ""
    assert emulator.admin.request_counts().get("GET", 0) == 0


@pytest.mark.parametrize("what", ["missing", "directory"])
def test_an_unreadable_file_is_a_clear_error(tmp_path: Path, emulator: EmulatorServer, what: str) -> None:
    path = tmp_path / "nowhere.tfstate" if what == "missing" else tmp_path
    out = tmp_path / "contacts.py"

    run = from_terraform(generator_env(emulator), str(path), "--out", str(out))

    assert run.code == 1
    assert f"{PREFIX}error: cannot read {path}: " in run.stderr
    assert not out.exists()


# -- provider aliases: another account -------------------------------------------------------------


def _aliased(ids: dict[str, int]) -> dict[str, Any]:
    document = state_document(STATE, ids)
    for resource in document["resources"]:
        if resource["name"] == "backup":
            resource["provider"] = 'provider["registry.terraform.io/ilert/ilert"].staging'
        if resource.get("module") == 'module.team["sre"]' and resource["name"] == "pager":
            resource["provider"] = 'module.team["sre"].provider["registry.terraform.io/ilert/ilert"]'
    return document


def test_unmapped_provider_aliases_are_an_error_naming_them(tmp_path: Path, emulator: EmulatorServer) -> None:
    state = write_state(tmp_path, _aliased(FAKE_IDS))

    run = from_terraform(generator_env(emulator), str(state), "--format", "pulumi-yaml")

    assert run.code == 1
    assert 'provider configurations module.team["sre"], staging, another ilert account' in run.stderr
    assert "--alias module.team" in run.stderr
    assert emulator.admin.request_counts().get("GET", 0) == 0


def test_a_mapped_alias_gets_an_explicit_provider_in_yaml_and_python_is_refused(
    tmp_path: Path, emulator: EmulatorServer, seeded: dict[str, int]
) -> None:
    document = _aliased(seeded)
    pager = next(r for r in document["resources"] if r["name"] == "pager")
    pager["provider"] = 'provider["registry.terraform.io/ilert/ilert"]'  # back to the default account
    state = write_state(tmp_path, document)
    env = generator_env(emulator, ILERT_STAGING_TOKEN=TOKEN)
    alias = f"staging={emulator.url},ILERT_STAGING_TOKEN"

    run = from_terraform(env, str(state), "--format", "pulumi-yaml", "--alias", alias)
    python = from_terraform(env, str(state), "--alias", alias)

    assert run.code == 0, run.stderr
    document_out = yaml.safe_load(run.stdout)
    assert document_out["config"] == {"stagingApiToken": {"type": "string"}}
    provider = document_out["resources"]["provider-staging"]
    assert provider == {
        "type": "pulumi:providers:ilert-contacts",
        "properties": {"endpoint": emulator.url, "apiToken": "${stagingApiToken}"},
    }
    assert document_out["resources"]["phone-backup-0"]["options"]["provider"] == "${provider-staging}"
    assert "provider" not in document_out["resources"]["phone-oncall-jane"]["options"]
    assert 'pulumi config set --secret stagingApiToken "$ILERT_STAGING_TOKEN"' in run.stderr
    assert TOKEN not in run.stdout + run.stderr
    assert python.code == 1 and "use --format pulumi-yaml" in python.stderr


def test_two_runs_write_the_same_file(
    tmp_path: Path, emulator: EmulatorServer, seeded: dict[str, int]
) -> None:
    state = write_state(tmp_path, state_text(STATE, seeded))
    runs = [from_terraform(generator_env(emulator), str(state), "--format", "pulumi-yaml") for _ in range(2)]
    assert runs[0].code == 0 and runs[0].stdout == runs[1].stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--user", "1001"], "give either --user (one or more) or --from-terraform"),
        (["--format", "yaml-roster"], "--from-terraform writes --format python or pulumi-yaml"),
        (["--alias", "staging"], "--alias: expected ALIAS=ENDPOINT,TOKEN_VARIABLE"),
        (["--alias", "staging=http://ilert.example.com,TOKEN"], "--alias: "),
        (
            ["--alias", "staging=https://a.example.com,T", "--alias", "staging=https://b.example.com,U"],
            "twice",
        ),
    ],
)
def test_command_line_mistakes_are_usage_errors(
    emulator: EmulatorServer, args: list[str], message: str
) -> None:
    run = from_terraform(generator_env(emulator), str(STATE), *args)
    assert run.code == 2 and message in run.stderr, run.stderr
    assert emulator.admin.request_counts().get("GET", 0) == 0


def test_contacts_of_an_alias_alone_need_no_default_key(
    tmp_path: Path, emulator: EmulatorServer, seeded: dict[str, int]
) -> None:
    document = state_document(STATE, seeded)
    for resource in document["resources"]:
        resource["provider"] = 'provider["registry.terraform.io/ilert/ilert"].staging'
    env = {k: v for k, v in generator_env(emulator).items() if k != "ILERT_API_TOKEN"}
    env["ILERT_STAGING_TOKEN"] = TOKEN

    run = from_terraform(
        env,
        str(write_state(tmp_path, document)),
        "--format",
        "pulumi-yaml",
        "--alias",
        f"staging={emulator.url},ILERT_STAGING_TOKEN",
    )

    assert run.code == 0, run.stderr
    resources = yaml_resources(run.stdout)
    assert all(
        r["options"]["provider"] == "${provider-staging}" for n, r in resources.items() if n in NAMES.values()
    )


def test_a_value_ilert_holds_that_fails_validation_is_flagged(
    tmp_path: Path, emulator: EmulatorServer, seeded: dict[str, int]
) -> None:
    invalid = api_post(emulator, 1003, "emails", {"target": "pager@localhost"})
    document = state_document(STATE, seeded)
    local = json.loads(json.dumps(next(r for r in document["resources"] if r.get("name") == "legacy")))
    local.pop("module")
    local["name"] = "local"
    local["instances"][0]["attributes"].update(
        id=str(invalid["id"]), target="pager@localhost", user=[{"id": 1003}]
    )
    document["resources"].append(local)

    run = from_terraform(generator_env(emulator), str(write_state(tmp_path, document)))

    assert run.code == 0, run.stderr
    assert (
        f"{PREFIX}ilert_user_email_contact.local: warning: the value in ilert fails validation" in run.stderr
    )
    assert "# WARNING: the value in ilert fails validation" in run.stdout
