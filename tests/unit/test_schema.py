"""The plugin's package schema: derived from the property table of ``core.kinds``, documented
throughout, and what the real Pulumi CLI prints with ``pulumi package get-schema``.

Names, types and required lists are asserted against the table (it is the truth the schema is
derived from); a few facts a user sees are also asserted literally, so a change to the table that
changes them shows up here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi_ilert_contacts._version import __version__
from pulumi_ilert_contacts.core.kinds import EMAIL, KINDS, PHONE, ContactKind
from pulumi_ilert_contacts.plugin.schema import function_token, resource_token, schema, schema_json

REPO = Path(__file__).resolve().parents[2]
PLUGIN = Path(sys.executable).parent / "pulumi-resource-ilert-contacts"
SCHEMA = schema()


def _described(where: str, node: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """Every (path, description) a user reads: the node's own and its properties'."""
    yield where, node.get("description")
    for section in ("properties", "inputProperties"):
        for name, spec in node.get(section, {}).items():
            yield f"{where}.{section}.{name}", spec.get("description")


def _every_description() -> Iterator[tuple[str, Any]]:
    yield "package", SCHEMA.get("description")
    for name, spec in SCHEMA["config"]["variables"].items():
        yield f"config.{name}", spec.get("description")
    yield from _described("provider", SCHEMA["provider"])
    for token, resource in SCHEMA["resources"].items():
        yield from _described(token, resource)
    for token, function in SCHEMA["functions"].items():
        yield token, function.get("description")
        yield from _described(f"{token}.inputs", function["inputs"])
        yield from _described(f"{token}.outputs", function["outputs"])


def test_everything_a_user_reads_has_a_description() -> None:
    found = list(_every_description())
    missing = [where for where, text in found if not (isinstance(text, str) and text.strip())]

    assert missing == []
    assert len(found) > 40  # the walk reached every section


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.resource)
def test_resource_properties_are_the_table(kind: ContactKind) -> None:
    resource = SCHEMA["resources"][resource_token(kind)]

    assert list(resource["properties"]) == [p.camel for p in kind.properties]
    assert list(resource["inputProperties"]) == [p.camel for p in kind.inputs]
    assert resource["requiredInputs"] == [p.camel for p in kind.inputs if p.required]
    assert set(resource["required"]) == {p.camel for p in kind.properties}
    for prop in kind.properties:
        output = resource["properties"][prop.camel]
        assert (output["type"], output["description"]) == (prop.type, prop.description)
        assert output.get("willReplaceOnChanges", False) is prop.replaces
    for prop in kind.inputs:
        assert resource["inputProperties"][prop.camel].get("default") == prop.default


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.resource)
def test_function_inputs_and_outputs_are_the_table(kind: ContactKind) -> None:
    function = SCHEMA["functions"][function_token(kind)]
    types = {p.camel: p.type for p in kind.properties}

    inputs, outputs = function["inputs"], function["outputs"]
    expected_inputs = ["userId", "target"] + (["regionCode"] if kind is PHONE else [])
    assert sorted(inputs["properties"]) == sorted(expected_inputs)
    assert inputs["required"] == ["userId", "target"]
    # A look-up answers everything the resource has, except the resource-only switch `adopt`.
    assert list(outputs["properties"]) == [p.camel for p in kind.properties if p.name != "adopt"]
    assert set(outputs["required"]) == set(outputs["properties"])
    for section in (inputs, outputs):
        for name, spec in section["properties"].items():
            assert spec["type"] == types[name], name


def test_what_users_see_literally() -> None:
    email = SCHEMA["resources"]["ilert-contacts:index:ContactEmail"]
    phone = SCHEMA["resources"]["ilert-contacts:index:ContactPhoneNumber"]

    assert (SCHEMA["name"], SCHEMA["version"]) == ("ilert-contacts", __version__)
    assert email["inputProperties"]["userId"]["type"] == "string"
    assert email["properties"]["contactId"]["type"] == "integer"
    assert email["properties"]["userId"]["willReplaceOnChanges"] is True
    assert phone["inputProperties"]["regionCode"]["type"] == "string"
    primary = phone["inputProperties"]["primary"]
    assert (primary["type"], primary["default"]) == ("boolean", False)
    assert phone["properties"]["status"]["type"] == "string"
    assert "OK" in phone["properties"]["status"]["description"]
    assert set(SCHEMA["functions"]) == {
        "ilert-contacts:index:getContactEmail",
        "ilert-contacts:index:getContactPhoneNumber",
    }
    phone_outputs = SCHEMA["functions"]["ilert-contacts:index:getContactPhoneNumber"]["outputs"]["properties"]
    assert {"contactId", "status", "regionCode", "primary"} <= set(phone_outputs)


def test_api_token_is_secret_as_config_and_as_provider_input() -> None:
    config = SCHEMA["config"]["variables"]
    provider = SCHEMA["provider"]["inputProperties"]

    assert config["apiToken"] == {**config["apiToken"], "type": "string", "secret": True}
    assert provider["apiToken"]["secret"] is True
    assert set(provider) == {"apiToken", "endpoint"}
    assert not config["endpoint"].get("secret", False)
    assert "ILERT_API_TOKEN" in config["apiToken"]["description"]
    assert "ILERT_ENDPOINT" in config["endpoint"]["description"]


def test_resource_docs_name_the_id_form_and_the_import_command() -> None:
    for kind in (EMAIL, PHONE):
        description = SCHEMA["resources"][resource_token(kind)]["description"]
        assert "`<userId>:<contactId>`" in description
        assert f"pulumi import {resource_token(kind)} " in description


def test_schema_json_is_the_schema() -> None:
    assert json.loads(schema_json()) == SCHEMA


@pytest.mark.e2e
def test_pulumi_package_get_schema_prints_the_same_schema(tmp_path: Path) -> None:
    tools = REPO / ".tools" / "bin"
    if not (tools / "pulumi").exists():
        pytest.fail("the pulumi CLI is not installed: run `make pulumi-cli` (make test does it)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ILERT_", "PULUMI_"))}
    env.update(
        PATH=os.pathsep.join([str(tools), str(PLUGIN.parent), env.get("PATH", "")]),
        PULUMI_HOME=str(tmp_path / "pulumi-home"),
        PULUMI_SKIP_UPDATE_CHECK="true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
    )

    proc = subprocess.run(
        ["pulumi", "package", "get-schema", str(PLUGIN)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )

    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == SCHEMA
