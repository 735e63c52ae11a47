"""The native plugin as the Pulumi engine reaches it: ``pulumi-resource-ilert-contacts`` (the
console script ``pip install`` puts on PATH) in its own process, spoken to over gRPC.

The plugin is given an engine address it never dials (nothing listens on 127.0.0.1:1): the SDK's
servicer uses the engine only for Construct and Call, which this provider does not serve. The
process gets no ILERT_* variables unless a test says so: the account reaches it through Configure,
as the provider's inputs (or the stack config of the default provider) would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path
from typing import Any

import grpc
import pytest
from emulator_support import emulator_fixture, fresh_admin
from google.protobuf import empty_pb2, struct_pb2
from plugin_process import read_port, struct
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc
from pulumi_ilert_contacts._version import __version__
from pulumi_ilert_contacts.core.validation import UNKNOWN
from pulumi_ilert_contacts.emulator import EmulatorServer
from pulumi_ilert_contacts.emulator.admin_client import EmulatorAdmin
from pulumi_ilert_contacts.plugin.schema import schema

PLUGIN = Path(sys.executable).parent / "pulumi-resource-ilert-contacts"
NO_ENGINE = "127.0.0.1:1"
TOKEN = "tok-plugin-3e9a71c05b2d48f6"
USER = "1234"
STRANGER = "9999"  # a user the emulator does not know
EMAIL = "ilert-contacts:index:ContactEmail"
PHONE = "ilert-contacts:index:ContactPhoneNumber"
GET_EMAIL = "ilert-contacts:index:getContactEmail"
GET_PHONE = "ilert-contacts:index:getContactPhoneNumber"
EMAIL_URN = f"urn:pulumi:test::contacts::{EMAIL}::jane-email"
PHONE_URN = f"urn:pulumi:test::contacts::{PHONE}::jane-mobile"
PROVIDER_URN = "urn:pulumi:test::contacts::pulumi:providers:ilert-contacts::default"
CALL_TIMEOUT = 30.0


class PluginProcess:
    """The plugin in a subprocess, and a ResourceProvider stub connected to it."""

    def __init__(self, log: Path, env: dict[str, str] | None = None) -> None:
        clean = {k: v for k, v in os.environ.items() if not k.startswith("ILERT_")}
        self._log = log.open("wb")
        self.log_path = log
        self.process = subprocess.Popen(
            [str(PLUGIN), NO_ENGINE],
            stdout=subprocess.PIPE,
            stderr=self._log,
            env={**clean, **(env or {})},
        )
        try:
            self.port = read_port(self.process, 30.0, "pulumi-resource-ilert-contacts")
        except Exception:
            self.stop()
            raise AssertionError(f"the plugin did not start:\n{log.read_text()}") from None
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        grpc.channel_ready_future(self.channel).result(timeout=CALL_TIMEOUT)
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)

    def configure(self, args: dict[str, Any], urn: str = "") -> provider_pb2.ConfigureResponse:
        return self.stub.Configure(
            provider_pb2.ConfigureRequest(args=struct(args), acceptSecrets=True, urn=urn),
            timeout=CALL_TIMEOUT,
        )

    def stop(self) -> None:
        if hasattr(self, "channel"):
            self.channel.close()
        self.process.kill()
        self.process.wait(timeout=10)
        self._log.close()


def values(message: struct_pb2.Struct) -> dict[str, PropertyValue]:
    """A property map off the wire, decoded by the SDK (secrets recognised)."""
    return PropertyValue.unmarshal_map(message)


def plain(message: struct_pb2.Struct) -> dict[str, Any]:
    """A property map as plain Python values (numbers, which cross as doubles, back as ints)."""
    result: dict[str, Any] = {}
    for key, value in values(message).items():
        inner = value.value
        result[key] = int(inner) if isinstance(inner, float) and inner.is_integer() else inner
    return result


def failure(caught: pytest.ExceptionInfo[grpc.RpcError]) -> str:
    """What the engine would print for a failed call: the status details."""
    details = caught.value.details()  # type: ignore[attr-defined]
    return str(details)


emulator = emulator_fixture(TOKEN, [USER], scope="module")


@pytest.fixture
def admin(emulator: EmulatorServer) -> EmulatorAdmin:
    return fresh_admin(emulator)


@pytest.fixture(scope="module")
def plugin(emulator: EmulatorServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PluginProcess]:
    """One plugin process configured with the emulator's account through its inputs."""
    process = PluginProcess(tmp_path_factory.mktemp("plugin") / "stderr.log")
    try:
        process.configure({"apiToken": TOKEN, "endpoint": emulator.url})
        yield process
    finally:
        process.stop()


def check(plugin: PluginProcess, urn: str, news: dict[str, Any]) -> provider_pb2.CheckResponse:
    return plugin.stub.Check(
        provider_pb2.CheckRequest(urn=urn, type=urn.split("::")[2], olds=struct({}), news=struct(news)),
        timeout=CALL_TIMEOUT,
    )


def checked(plugin: PluginProcess, urn: str, news: dict[str, Any]) -> struct_pb2.Struct:
    response = check(plugin, urn, news)
    assert list(response.failures) == []
    return response.inputs


def diff(
    plugin: PluginProcess, urn: str, olds: dict[str, Any], news: dict[str, Any]
) -> provider_pb2.DiffResponse:
    return plugin.stub.Diff(
        provider_pb2.DiffRequest(
            id=f"{USER}:1", urn=urn, type=urn.split("::")[2], olds=struct(olds), news=struct(news)
        ),
        timeout=CALL_TIMEOUT,
    )


def create(
    plugin: PluginProcess, urn: str, properties: struct_pb2.Struct, preview: bool = False
) -> provider_pb2.CreateResponse:
    return plugin.stub.Create(
        provider_pb2.CreateRequest(urn=urn, type=urn.split("::")[2], properties=properties, preview=preview),
        timeout=CALL_TIMEOUT,
    )


def invoke(plugin: PluginProcess, tok: str, args: dict[str, Any]) -> provider_pb2.InvokeResponse:
    return plugin.stub.Invoke(provider_pb2.InvokeRequest(tok=tok, args=struct(args)), timeout=CALL_TIMEOUT)


# -- the plugin itself -----------------------------------------------------------------------


def test_plugin_info_carries_the_package_version(plugin: PluginProcess) -> None:
    info = plugin.stub.GetPluginInfo(empty_pb2.Empty(), timeout=CALL_TIMEOUT)

    assert info.version == version("pulumi-ilert-contacts") == __version__


def test_get_schema_serves_the_derived_schema(plugin: PluginProcess) -> None:
    response = plugin.stub.GetSchema(provider_pb2.GetSchemaRequest(version=0), timeout=CALL_TIMEOUT)

    served = json.loads(response.schema)
    assert served == schema()
    assert (served["name"], served["version"]) == ("ilert-contacts", __version__)
    assert set(served["resources"]) == {EMAIL, PHONE, "ilert-contacts:index:UserContacts"}
    assert set(served["functions"]) == {GET_EMAIL, GET_PHONE}


def test_server_process_has_no_token_in_its_environment(plugin: PluginProcess) -> None:
    environ = Path(f"/proc/{plugin.process.pid}/environ")
    if not environ.exists():
        pytest.skip("no /proc on this platform")
    assert TOKEN.encode() not in environ.read_bytes()


# -- provider configuration ------------------------------------------------------------------


def test_check_config_refuses_a_plain_http_endpoint_off_loopback(plugin: PluginProcess) -> None:
    response = plugin.stub.CheckConfig(
        provider_pb2.CheckRequest(
            urn=PROVIDER_URN,
            olds=struct({}),
            news=struct({"apiToken": TOKEN, "endpoint": "http://ilert.example.com"}),
        ),
        timeout=CALL_TIMEOUT,
    )

    [refused] = response.failures
    assert refused.property == "endpoint"
    assert "ilert-contacts:endpoint" in refused.reason and "http://ilert.example.com" in refused.reason
    assert TOKEN not in refused.reason


def test_check_config_keeps_the_token_secret(plugin: PluginProcess, emulator: EmulatorServer) -> None:
    response = plugin.stub.CheckConfig(
        provider_pb2.CheckRequest(
            urn=PROVIDER_URN, olds=struct({}), news=struct({"apiToken": TOKEN, "endpoint": emulator.url})
        ),
        timeout=CALL_TIMEOUT,
    )

    assert list(response.failures) == []
    inputs = values(response.inputs)
    assert inputs["apiToken"].is_secret and inputs["apiToken"].value == TOKEN
    assert not inputs["endpoint"].is_secret


def test_configure_takes_the_token_from_the_provider_inputs(
    emulator: EmulatorServer, admin: EmulatorAdmin, tmp_path: Path
) -> None:
    process = PluginProcess(tmp_path / "stderr.log")  # a fresh process: nothing read yet
    try:
        response = process.configure({"apiToken": TOKEN, "endpoint": emulator.url})
        found = invoke(process, GET_EMAIL, {"userId": USER, "target": f"user{USER}@example.com"})
    finally:
        process.stop()

    assert response.acceptSecrets and response.supportsPreview
    assert list(found.failures) == []
    assert admin.requests()["total"] == 1  # the one list of the user's emails, with that token


def test_configure_falls_back_to_ilert_api_token(
    emulator: EmulatorServer, admin: EmulatorAdmin, tmp_path: Path
) -> None:
    process = PluginProcess(tmp_path / "stderr.log", env={"ILERT_API_TOKEN": TOKEN})
    try:
        process.configure({"endpoint": emulator.url})
        found = invoke(process, GET_EMAIL, {"userId": USER, "target": f"user{USER}@example.com"})
    finally:
        process.stop()

    assert list(found.failures) == []
    assert plain(getattr(found, "return"))["target"] == f"user{USER}@example.com"


def test_unconfigured_token_fails_naming_the_config_key_without_calls(
    emulator: EmulatorServer, admin: EmulatorAdmin, tmp_path: Path
) -> None:
    process = PluginProcess(tmp_path / "stderr.log")
    try:
        process.configure({"endpoint": emulator.url})
        inputs = checked(process, EMAIL_URN, {"userId": USER, "target": "jane@example.com"})
        with pytest.raises(grpc.RpcError) as caught:
            create(process, EMAIL_URN, inputs)
    finally:
        process.stop()

    assert "ilert-contacts:apiToken" in failure(caught)
    assert admin.requests()["total"] == 0


WRONG = "tok-plugin-refused-8d04b7"
EXPLICIT_URN = "urn:pulumi:test::contacts::pulumi:providers:ilert-contacts::second-account"


def _refused_create(tmp_path: Path, configure: dict[str, Any], urn: str = "", **env: str) -> str:
    """Create a contact with a key ilert refuses; what the engine would print."""
    process = PluginProcess(tmp_path / "stderr.log", env=env)
    try:
        process.configure(configure, urn=urn)
        inputs = checked(process, EMAIL_URN, {"userId": USER, "target": "jane@example.com"})
        with pytest.raises(grpc.RpcError) as caught:
            create(process, EMAIL_URN, inputs)
    finally:
        process.stop()
    assert WRONG not in process.log_path.read_text()
    return failure(caught)


@pytest.mark.parametrize(
    "urn",
    [PROVIDER_URN, PROVIDER_URN + f"_{__version__.replace('.', '_')}", ""],
    ids=["default", "versioned", "none"],
)
def test_a_refused_key_of_the_default_provider_names_the_stack_config(
    emulator: EmulatorServer, admin: EmulatorAdmin, tmp_path: Path, urn: str
) -> None:
    message = _refused_create(tmp_path, {"apiToken": WRONG, "endpoint": emulator.url}, urn)

    assert "ilert API returned 403" in message
    assert "invalid or revoked; check the key in the stack config 'ilert-contacts:apiToken'" in message
    assert "'ilert:apiToken'" not in message and "no API key was sent" not in message
    assert WRONG not in message
    assert admin.requests()["total"] == 1


def test_a_refused_key_of_an_explicit_provider_names_its_input(
    emulator: EmulatorServer, admin: EmulatorAdmin, tmp_path: Path
) -> None:
    message = _refused_create(tmp_path, {"apiToken": WRONG, "endpoint": emulator.url}, EXPLICIT_URN)

    assert "check the key in the `apiToken` input of the explicit provider 'second-account'" in message
    assert "stack config" not in message and WRONG not in message


def test_a_refused_key_from_the_environment_names_ilert_api_token(
    emulator: EmulatorServer, admin: EmulatorAdmin, tmp_path: Path
) -> None:
    message = _refused_create(tmp_path, {"endpoint": emulator.url}, PROVIDER_URN, ILERT_API_TOKEN=WRONG)

    assert "check the key in ILERT_API_TOKEN" in message
    assert "stack config" not in message and WRONG not in message


def test_a_401_says_the_key_was_missing_or_refused(
    emulator: EmulatorServer, admin: EmulatorAdmin, tmp_path: Path
) -> None:
    admin.add_fault("POST", "status", status=401)
    message = _refused_create(tmp_path, {"apiToken": TOKEN, "endpoint": emulator.url}, PROVIDER_URN)

    assert "ilert API returned 401" in message
    assert "(it was missing or refused); check the key in the stack config 'ilert-contacts:apiToken'" in (
        message
    )
    assert "no API key was sent" not in message and TOKEN not in message


# -- check and diff: planning without calls --------------------------------------------------


def test_check_normalises_inputs_in_schema_names(plugin: PluginProcess, admin: EmulatorAdmin) -> None:
    phone = plain(checked(plugin, PHONE_URN, {"userId": 1234, "regionCode": "de", "target": "0151 23456789"}))
    email = plain(checked(plugin, EMAIL_URN, {"userId": "01234", "target": "Jane@EXAMPLE.com"}))

    assert phone == {
        "userId": USER,
        "regionCode": "DE",
        "target": "+4915123456789",
        "primary": False,
        "adopt": False,
    }
    assert email == {"userId": USER, "target": "Jane@example.com", "adopt": False}
    assert admin.requests()["total"] == 0


def test_check_passes_an_unknown_value_through(plugin: PluginProcess) -> None:
    # On the wire an unknown is the SDK's sentinel string, both ways.
    inputs = plain(checked(plugin, EMAIL_URN, {"userId": USER, "target": UNKNOWN}))

    assert inputs["target"] == UNKNOWN


@pytest.mark.parametrize(
    ("urn", "news", "prop", "resource"),
    [
        (EMAIL_URN, {"userId": USER, "target": "not-an-email"}, "target", "ContactEmail"),
        (EMAIL_URN, {"userId": "abc", "target": "jane@example.com"}, "userId", "ContactEmail"),
        (
            PHONE_URN,
            {"userId": USER, "regionCode": "XX", "target": "+4915123456789"},
            "regionCode",
            "ContactPhoneNumber",
        ),
        (
            PHONE_URN,
            {"userId": USER, "regionCode": "DE", "target": "+16502530000"},
            "target",
            "ContactPhoneNumber",
        ),
    ],
)
def test_bad_input_fails_check_naming_the_property_without_calls(
    plugin: PluginProcess, admin: EmulatorAdmin, urn: str, news: dict[str, Any], prop: str, resource: str
) -> None:
    response = check(plugin, urn, news)

    failures = {f.property: f.reason for f in response.failures}
    assert prop in failures, failures
    assert failures[prop].startswith(f"{resource}.{prop} ")
    assert admin.requests()["total"] == 0


def test_a_property_the_resource_lacks_is_named_with_the_schema_names_it_has(plugin: PluginProcess) -> None:
    response = check(plugin, EMAIL_URN, {"userId": USER, "target": "jane@example.com", "regionCode": "DE"})

    [extra] = response.failures
    assert extra.property == "regionCode"
    assert "expected one of userId, target, adopt" in extra.reason


def test_region_mismatch_is_reported_in_schema_names(plugin: PluginProcess) -> None:
    response = check(plugin, PHONE_URN, {"userId": USER, "regionCode": "DE", "target": "+14155550100"})

    [mismatch] = response.failures
    assert "regionCode is DE" in mismatch.reason and "region_code" not in mismatch.reason


EMAIL_STATE = {"userId": USER, "target": "jane@example.com", "adopt": False, "contactId": 17, "status": "OK"}


@pytest.mark.parametrize(
    ("news", "changes", "diffs", "replaces"),
    [
        ({"userId": USER, "target": "jane@example.com", "adopt": False}, "DIFF_NONE", [], []),
        ({"userId": USER, "target": "jane@example.com"}, "DIFF_NONE", [], []),  # adopt at its default
        (
            {"userId": "5678", "target": "jane@example.com", "adopt": False},
            "DIFF_SOME",
            ["userId"],
            ["userId"],
        ),
        ({"userId": USER, "target": "jane.doe@example.com", "adopt": False}, "DIFF_SOME", ["target"], []),
        ({"userId": USER, "target": "jane@example.com", "adopt": True}, "DIFF_SOME", ["adopt"], []),
    ],
    ids=["no-change", "default-adopt", "user-replaces", "target-updates", "adopt-only"],
)
def test_diff_plans_without_calls(
    plugin: PluginProcess,
    admin: EmulatorAdmin,
    news: dict[str, Any],
    changes: str,
    diffs: list[str],
    replaces: list[str],
) -> None:
    response = diff(plugin, EMAIL_URN, EMAIL_STATE, news)

    assert response.changes == getattr(provider_pb2.DiffResponse, changes)
    assert list(response.diffs) == diffs
    assert list(response.replaces) == replaces
    kinds = {key: d.kind for key, d in response.detailedDiff.items()}
    expected_kind = provider_pb2.PropertyDiff.UPDATE_REPLACE if replaces else provider_pb2.PropertyDiff.UPDATE
    assert kinds == dict.fromkeys(diffs, expected_kind)
    assert response.hasDetailedDiff and not response.deleteBeforeReplace
    assert admin.requests()["total"] == 0


def test_phone_diff_names_region_code_in_schema_spelling(plugin: PluginProcess) -> None:
    olds = {"userId": USER, "regionCode": "DE", "target": "+4915123456789", "primary": False, "adopt": False}
    response = diff(plugin, PHONE_URN, olds, {**olds, "regionCode": "AT", "target": "+43664123456"})

    assert sorted(response.diffs) == ["regionCode", "target"] and list(response.replaces) == []


# -- create, read, update, delete against the emulator ---------------------------------------


def test_create_in_preview_calls_nothing_and_leaves_computed_outputs_unknown(
    plugin: PluginProcess, admin: EmulatorAdmin
) -> None:
    inputs = checked(plugin, EMAIL_URN, {"userId": USER, "target": "preview@example.com"})

    planned = create(plugin, EMAIL_URN, inputs, preview=True)

    outs = plain(planned.properties)
    assert planned.id == ""
    assert outs["contactId"] == outs["status"] == UNKNOWN
    assert outs["target"] == "preview@example.com"
    assert admin.requests()["total"] == 0


def test_email_lifecycle_create_read_update_delete(plugin: PluginProcess, admin: EmulatorAdmin) -> None:
    stub = plugin.stub
    inputs = checked(plugin, EMAIL_URN, {"userId": USER, "target": "Jane@EXAMPLE.com"})

    created = create(plugin, EMAIL_URN, inputs)
    outs = plain(created.properties)
    contact_id = outs["contactId"]
    assert created.id == f"{USER}:{contact_id}"
    assert outs == {
        "userId": USER,
        "target": "Jane@example.com",
        "adopt": False,
        "contactId": contact_id,
        "status": "OK",
    }
    assert [c["target"] for c in admin.contacts()["emails"] if c["id"] == contact_id] == ["Jane@example.com"]
    assert admin.request_counts()["POST"] == 1

    admin.reset_requests()
    read = stub.Read(
        provider_pb2.ReadRequest(
            id=created.id, urn=EMAIL_URN, type=EMAIL, properties=created.properties, inputs=inputs
        ),
        timeout=CALL_TIMEOUT,
    )
    assert read.id == created.id
    assert plain(read.properties) == outs
    assert plain(read.inputs) == plain(inputs)
    assert admin.request_counts().get("POST", 0) == admin.request_counts().get("PUT", 0) == 0

    news = checked(plugin, EMAIL_URN, {"userId": USER, "target": "jane.doe@example.com"})
    admin.reset_requests()
    updated = stub.Update(
        provider_pb2.UpdateRequest(id=created.id, urn=EMAIL_URN, type=EMAIL, olds=read.properties, news=news),
        timeout=CALL_TIMEOUT,
    )
    assert plain(updated.properties) == {**outs, "target": "jane.doe@example.com"}
    assert admin.requests()["total"] == admin.request_counts()["PUT"] == 1
    assert [c["target"] for c in admin.contacts()["emails"] if c["id"] == contact_id] == [
        "jane.doe@example.com"
    ]

    admin.reset_requests()
    stub.Delete(
        provider_pb2.DeleteRequest(id=created.id, urn=EMAIL_URN, type=EMAIL, properties=updated.properties),
        timeout=CALL_TIMEOUT,
    )
    assert admin.requests()["total"] == admin.request_counts()["DELETE"] == 1
    assert contact_id not in [c["id"] for c in admin.contacts()["emails"]]

    # A contact that is gone: a refresh (state given) answers an empty id, a repeated delete succeeds.
    gone = stub.Read(
        provider_pb2.ReadRequest(id=created.id, urn=EMAIL_URN, type=EMAIL, properties=updated.properties),
        timeout=CALL_TIMEOUT,
    )
    assert gone.id == ""
    stub.Delete(
        provider_pb2.DeleteRequest(id=created.id, urn=EMAIL_URN, type=EMAIL, properties=updated.properties),
        timeout=CALL_TIMEOUT,
    )


def test_phone_lifecycle_update_in_place_and_adopt_only_change(
    plugin: PluginProcess, admin: EmulatorAdmin
) -> None:
    stub = plugin.stub
    inputs = checked(plugin, PHONE_URN, {"userId": USER, "regionCode": "de", "target": "0151 23456789"})
    created = create(plugin, PHONE_URN, inputs)
    outs = plain(created.properties)
    assert (outs["regionCode"], outs["target"], outs["primary"]) == ("DE", "+4915123456789", False)

    primary = checked(
        plugin, PHONE_URN, {"userId": USER, "regionCode": "DE", "target": "+4915123456789", "primary": True}
    )
    admin.reset_requests()
    updated = stub.Update(
        provider_pb2.UpdateRequest(
            id=created.id, urn=PHONE_URN, type=PHONE, olds=created.properties, news=primary
        ),
        timeout=CALL_TIMEOUT,
    )
    assert plain(updated.properties)["primary"] is True
    assert admin.request_counts()["PUT"] == 1
    assert [(c["id"], c["primary"]) for c in admin.contacts()["phone_numbers"]] == [(outs["contactId"], True)]

    adopt_only = checked(
        plugin,
        PHONE_URN,
        {"userId": USER, "regionCode": "DE", "target": "+4915123456789", "primary": True, "adopt": True},
    )
    admin.reset_requests()
    adopted = stub.Update(
        provider_pb2.UpdateRequest(
            id=created.id, urn=PHONE_URN, type=PHONE, olds=updated.properties, news=adopt_only
        ),
        timeout=CALL_TIMEOUT,
    )
    assert plain(adopted.properties) == {**plain(updated.properties), "adopt": True}
    assert admin.requests()["total"] == 0

    stub.Delete(
        provider_pb2.DeleteRequest(id=created.id, urn=PHONE_URN, type=PHONE, properties=adopted.properties),
        timeout=CALL_TIMEOUT,
    )
    assert admin.contacts()["phone_numbers"] == []


def test_read_by_id_alone_imports_an_existing_contact(plugin: PluginProcess, admin: EmulatorAdmin) -> None:
    login = next(c for c in admin.contacts()["emails"] if c["target"] == f"user{USER}@example.com")

    read = plugin.stub.Read(
        provider_pb2.ReadRequest(id=f"{USER}:{login['id']}", urn=EMAIL_URN, type=EMAIL), timeout=CALL_TIMEOUT
    )

    assert read.id == f"{USER}:{login['id']}"
    assert plain(read.inputs) == {"userId": USER, "target": login["target"], "adopt": False}
    assert plain(read.properties)["contactId"] == login["id"]
    assert admin.request_counts().get("POST", 0) == admin.request_counts().get("PUT", 0) == 0


def test_read_by_an_unknown_id_alone_fails_clearly(plugin: PluginProcess) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        plugin.stub.Read(
            provider_pb2.ReadRequest(id=f"{USER}:999", urn=EMAIL_URN, type=EMAIL), timeout=CALL_TIMEOUT
        )

    message = failure(caught)
    assert f"ilert has no email contact 999 for user {USER}" in message
    assert "'<user_id>:<contact_id>'" in message
    assert "Unexpected <class" not in message


def test_read_by_a_malformed_id_names_the_expected_form(plugin: PluginProcess) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        plugin.stub.Read(provider_pb2.ReadRequest(id="17", urn=EMAIL_URN, type=EMAIL), timeout=CALL_TIMEOUT)

    assert "malformed ilert contact id '17'" in failure(caught) and "'1001:17'" in failure(caught)


def test_create_for_a_user_ilert_does_not_know_answers_our_message(
    plugin: PluginProcess, admin: EmulatorAdmin
) -> None:
    inputs = checked(plugin, EMAIL_URN, {"userId": STRANGER, "target": "ghost@example.com"})

    with pytest.raises(grpc.RpcError) as caught:
        create(plugin, EMAIL_URN, inputs)

    message = failure(caught)
    assert message.startswith(f"Unable to create email contact for user {STRANGER}"), message
    assert "Unexpected <class" not in message and "Traceback" not in message
    assert TOKEN not in message
    assert "ghost@example.com" not in [c["target"] for c in admin.contacts()["emails"]]


def test_an_unknown_type_token_is_named(plugin: PluginProcess) -> None:
    urn = "urn:pulumi:test::contacts::ilert-contacts:index:Pager::jane-pager"
    with pytest.raises(grpc.RpcError) as caught:
        check(plugin, urn, {"userId": USER})

    assert "unknown resource type 'ilert-contacts:index:Pager'" in failure(caught)
    assert EMAIL in failure(caught)


def test_a_contact_inside_a_component_is_served(plugin: PluginProcess, admin: EmulatorAdmin) -> None:
    # A parent's type is part of the child's URN: acme:index:Team$ilert-contacts:index:ContactEmail.
    urn = f"urn:pulumi:test::contacts::acme:index:Team${EMAIL}::team-jane-email"

    inputs = plain(checked(plugin, urn, {"userId": USER, "target": "jane@EXAMPLE.com"}))
    planned = plain(create(plugin, urn, struct(inputs), preview=True).properties)

    assert inputs["target"] == planned["target"] == "jane@example.com"
    assert admin.requests()["total"] == 0


# -- functions -------------------------------------------------------------------------------


def test_get_contact_email_finds_the_login_email(plugin: PluginProcess, admin: EmulatorAdmin) -> None:
    login = next(c for c in admin.contacts()["emails"] if c["target"] == f"user{USER}@example.com")

    # Compared as check normalises: the domain in any case, the user id as a number.
    found = invoke(plugin, GET_EMAIL, {"userId": int(USER), "target": f"user{USER}@EXAMPLE.com"})

    assert list(found.failures) == []
    assert plain(getattr(found, "return")) == {
        "userId": USER,
        "target": login["target"],
        "contactId": login["id"],
        "status": "OK",
    }
    assert admin.request_counts().get("POST", 0) == 0


def test_get_contact_email_reports_the_address_as_ilert_holds_it(
    plugin: PluginProcess, admin: EmulatorAdmin
) -> None:
    # Matched case-insensitively; the answer is ilert's spelling, not the caller's.
    found = invoke(plugin, GET_EMAIL, {"userId": USER, "target": f"USER{USER}@example.com"})

    assert list(found.failures) == []
    assert plain(getattr(found, "return"))["target"] == f"user{USER}@example.com"


def test_get_contact_phone_number_finds_a_number_in_national_form(
    plugin: PluginProcess, admin: EmulatorAdmin
) -> None:
    inputs = checked(
        plugin, PHONE_URN, {"userId": USER, "regionCode": "DE", "target": "+4930123456", "primary": True}
    )
    created = create(plugin, PHONE_URN, inputs)
    try:
        found = invoke(plugin, GET_PHONE, {"userId": USER, "target": "030 123456", "regionCode": "de"})
        assert list(found.failures) == []
        assert plain(getattr(found, "return")) == {
            "userId": USER,
            "regionCode": "DE",
            "target": "+4930123456",
            "primary": True,
            "contactId": plain(created.properties)["contactId"],
            "status": "OK",
        }
    finally:
        plugin.stub.Delete(
            provider_pb2.DeleteRequest(
                id=created.id, urn=PHONE_URN, type=PHONE, properties=created.properties
            ),
            timeout=CALL_TIMEOUT,
        )


@pytest.mark.parametrize(
    ("tok", "args", "words"),
    [
        (GET_EMAIL, {"userId": USER, "target": "nobody@example.com"}, "none with this target"),
        (GET_EMAIL, {"userId": STRANGER, "target": "nobody@example.com"}, "no user with this id"),
        (GET_PHONE, {"userId": USER, "target": "+4917612345678"}, "none with this target"),
    ],
)
def test_function_without_a_match_answers_failures(
    plugin: PluginProcess, admin: EmulatorAdmin, tok: str, args: dict[str, Any], words: str
) -> None:
    response = invoke(plugin, tok, args)

    assert not response.HasField("return")
    [missing] = response.failures
    assert missing.property == "target"
    assert tok.rpartition(":")[2] in missing.reason and words in missing.reason
    assert args["target"] in missing.reason


def test_function_with_bad_arguments_answers_failures_without_calls(
    plugin: PluginProcess, admin: EmulatorAdmin
) -> None:
    response = invoke(plugin, GET_PHONE, {"userId": "jane", "target": "12"})

    failures = {f.property: f.reason for f in response.failures}
    assert "userId" in failures and failures["userId"].startswith("getContactPhoneNumber.userId ")
    assert admin.requests()["total"] == 0
