"""The providers as the Pulumi engine reaches them: over gRPC, in the SDK's own dynamic-provider
server (``python -m pulumi.dynamic``), running in a separate process.

The server process gets no ILERT_* variables: the token and endpoint reach it only through the
Configure call, as ``ilert:apiToken``/``ilert:endpoint`` from the stack config would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from emulator_support import emulator_fixture, fresh_admin
from google.protobuf import json_format, struct_pb2
from plugin_process import read_port, struct
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc
from pulumi_ilert_contacts import ContactEmailProvider, ContactPhoneNumberProvider
from pulumi_ilert_contacts.emulator import EmulatorServer
from pulumi_ilert_contacts.emulator.admin_client import EmulatorAdmin

TOKEN = "tok-grpc-8d2f6b01c9e34a57"
USER = "1234"
EMAIL_BLOB = serialize_provider(ContactEmailProvider())
PHONE_BLOB = serialize_provider(ContactPhoneNumberProvider())
EMAIL_URN = "urn:pulumi:test::contacts::pulumi-python:dynamic/ilert:ContactEmail::jane-email"
PHONE_URN = "urn:pulumi:test::contacts::pulumi-python:dynamic/ilert:ContactPhoneNumber::jane-mobile"
CALL_TIMEOUT = 30.0


class DynamicProviderServer:
    """``python -m pulumi.dynamic`` in a subprocess, and a gRPC stub connected to it."""

    def __init__(self, log: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ILERT_")}
        env["PYTHONUNBUFFERED"] = "1"  # the port is printed without a flush
        self._log = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pulumi.dynamic"],
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=env,
        )
        self.port = read_port(self.process, 30.0, "the dynamic provider server")
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        grpc.channel_ready_future(self.channel).result(timeout=CALL_TIMEOUT)
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)

    def stop(self) -> None:
        self.channel.close()
        self.process.kill()
        self.process.wait(timeout=10)
        self._log.close()


def plain(message: struct_pb2.Struct) -> dict[str, Any]:
    values = json_format.MessageToDict(message)
    # Numbers cross the wire as doubles.
    return {k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in values.items()}


def configure(server: DynamicProviderServer, emulator: EmulatorServer) -> None:
    server.stub.Configure(
        provider_pb2.ConfigureRequest(args=struct({"ilert:apiToken": TOKEN, "ilert:endpoint": emulator.url})),
        timeout=CALL_TIMEOUT,
    )


emulator = emulator_fixture(TOKEN, [USER], scope="module")


@pytest.fixture
def admin(emulator: EmulatorServer) -> EmulatorAdmin:
    return fresh_admin(emulator)


@pytest.fixture(scope="module")
def server(
    emulator: EmulatorServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DynamicProviderServer]:
    """One configured dynamic provider server for the module (as the engine keeps one per update)."""
    process = DynamicProviderServer(tmp_path_factory.mktemp("dynamic") / "stderr.log")
    try:
        configure(process, emulator)
        yield process
    finally:
        process.stop()


def _check(
    server: DynamicProviderServer, urn: str, blob: str, news: dict[str, Any]
) -> provider_pb2.CheckResponse:
    return server.stub.Check(
        provider_pb2.CheckRequest(urn=urn, olds=struct({}), news=struct({**news, "__provider": blob})),
        timeout=CALL_TIMEOUT,
    )


def test_server_process_has_no_token_in_its_environment(server: DynamicProviderServer) -> None:
    environ = Path(f"/proc/{server.process.pid}/environ")
    if not environ.exists():
        pytest.skip("no /proc on this platform")

    assert b"ILERT_API_TOKEN" not in environ.read_bytes()
    assert TOKEN.encode() not in environ.read_bytes()


def test_email_lifecycle_over_grpc(server: DynamicProviderServer, admin: EmulatorAdmin) -> None:
    stub = server.stub

    checked = _check(server, EMAIL_URN, EMAIL_BLOB, {"user_id": 1234, "target": "Jane@EXAMPLE.com"})
    assert list(checked.failures) == []
    inputs = plain(checked.inputs)
    assert inputs == {"user_id": USER, "target": "Jane@example.com", "adopt": False, "__provider": EMAIL_BLOB}
    assert admin.requests()["total"] == 0

    created = stub.Create(
        provider_pb2.CreateRequest(urn=EMAIL_URN, properties=checked.inputs), timeout=CALL_TIMEOUT
    )
    outs = plain(created.properties)
    contact_id = outs["contact_id"]
    assert created.id == f"{USER}:{contact_id}"
    assert (outs["status"], outs["__provider"]) == ("OK", EMAIL_BLOB)
    assert [c["target"] for c in admin.contacts()["emails"] if c["id"] == contact_id] == ["Jane@example.com"]
    assert admin.request_counts()["POST"] == 1

    read = stub.Read(
        provider_pb2.ReadRequest(
            id=created.id, urn=EMAIL_URN, properties=created.properties, inputs=checked.inputs
        ),
        timeout=CALL_TIMEOUT,
    )
    assert read.id == created.id
    assert plain(read.properties) == outs
    assert plain(read.inputs) == inputs

    unchanged = stub.Diff(
        provider_pb2.DiffRequest(id=created.id, urn=EMAIL_URN, olds=read.properties, news=read.inputs),
        timeout=CALL_TIMEOUT,
    )
    assert unchanged.changes == provider_pb2.DiffResponse.DIFF_NONE

    new_inputs = _check(
        server, EMAIL_URN, EMAIL_BLOB, {"user_id": USER, "target": "jane.doe@example.com"}
    ).inputs
    diff = stub.Diff(
        provider_pb2.DiffRequest(id=created.id, urn=EMAIL_URN, olds=read.properties, news=new_inputs),
        timeout=CALL_TIMEOUT,
    )
    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert list(diff.replaces) == []

    updated = stub.Update(
        provider_pb2.UpdateRequest(id=created.id, urn=EMAIL_URN, olds=read.properties, news=new_inputs),
        timeout=CALL_TIMEOUT,
    )
    assert plain(updated.properties)["contact_id"] == contact_id
    assert [c["target"] for c in admin.contacts()["emails"] if c["id"] == contact_id] == [
        "jane.doe@example.com"
    ]

    stub.Delete(
        provider_pb2.DeleteRequest(id=created.id, urn=EMAIL_URN, properties=updated.properties),
        timeout=CALL_TIMEOUT,
    )
    assert contact_id not in [c["id"] for c in admin.contacts()["emails"]]

    gone = stub.Read(
        provider_pb2.ReadRequest(id=created.id, urn=EMAIL_URN, properties=updated.properties),
        timeout=CALL_TIMEOUT,
    )
    assert gone.id == ""


def test_phone_lifecycle_over_grpc(server: DynamicProviderServer, admin: EmulatorAdmin) -> None:
    stub = server.stub

    checked = _check(
        server, PHONE_URN, PHONE_BLOB, {"user_id": USER, "region_code": "DE", "target": "0151 23456789"}
    )
    assert list(checked.failures) == []
    assert plain(checked.inputs)["target"] == "+4915123456789"

    created = stub.Create(
        provider_pb2.CreateRequest(urn=PHONE_URN, properties=checked.inputs), timeout=CALL_TIMEOUT
    )
    contact_id = plain(created.properties)["contact_id"]
    assert created.id == f"{USER}:{contact_id}"
    assert [(c["id"], c["target"], c["primary"]) for c in admin.contacts()["phone_numbers"]] == [
        (contact_id, "+4915123456789", False)
    ]

    new_inputs = _check(
        server,
        PHONE_URN,
        PHONE_BLOB,
        {"user_id": USER, "region_code": "DE", "target": "+4915123456789", "primary": True},
    ).inputs
    diff = stub.Diff(
        provider_pb2.DiffRequest(id=created.id, urn=PHONE_URN, olds=created.properties, news=new_inputs),
        timeout=CALL_TIMEOUT,
    )
    assert (diff.changes, list(diff.replaces)) == (provider_pb2.DiffResponse.DIFF_SOME, [])

    moved = _check(
        server, PHONE_URN, PHONE_BLOB, {"user_id": "5678", "region_code": "DE", "target": "+4915123456789"}
    )
    replace = stub.Diff(
        provider_pb2.DiffRequest(id=created.id, urn=PHONE_URN, olds=created.properties, news=moved.inputs),
        timeout=CALL_TIMEOUT,
    )
    assert list(replace.replaces) == ["user_id"]

    updated = stub.Update(
        provider_pb2.UpdateRequest(id=created.id, urn=PHONE_URN, olds=created.properties, news=new_inputs),
        timeout=CALL_TIMEOUT,
    )
    assert plain(updated.properties)["primary"] is True
    assert [(c["id"], c["primary"]) for c in admin.contacts()["phone_numbers"]] == [(contact_id, True)]

    read = stub.Read(
        provider_pb2.ReadRequest(id=created.id, urn=PHONE_URN, properties=updated.properties),
        timeout=CALL_TIMEOUT,
    )
    assert plain(read.properties) == plain(updated.properties)

    stub.Delete(
        provider_pb2.DeleteRequest(id=created.id, urn=PHONE_URN, properties=updated.properties),
        timeout=CALL_TIMEOUT,
    )
    assert admin.contacts()["phone_numbers"] == []
    # Deleting again (a retried delete) succeeds.
    stub.Delete(
        provider_pb2.DeleteRequest(id=created.id, urn=PHONE_URN, properties=updated.properties),
        timeout=CALL_TIMEOUT,
    )


@pytest.mark.parametrize(
    ("urn", "blob", "news", "prop"),
    [
        (EMAIL_URN, EMAIL_BLOB, {"user_id": USER, "target": "not-an-email"}, "target"),
        (EMAIL_URN, EMAIL_BLOB, {"user_id": "abc", "target": "jane@example.com"}, "user_id"),
        (
            PHONE_URN,
            PHONE_BLOB,
            {"user_id": USER, "region_code": "XX", "target": "+4915123456789"},
            "region_code",
        ),
        (PHONE_URN, PHONE_BLOB, {"user_id": USER, "region_code": "DE", "target": "+16502530000"}, "target"),
    ],
)
def test_bad_input_fails_check_over_grpc_without_api_calls(
    server: DynamicProviderServer, admin: EmulatorAdmin, urn: str, blob: str, news: dict[str, Any], prop: str
) -> None:
    response = _check(server, urn, blob, news)

    failures = {f.property: f.reason for f in response.failures}
    assert prop in failures
    assert failures[prop].startswith(("ContactEmail.", "ContactPhoneNumber."))
    assert admin.requests()["total"] == 0


def test_adopt_over_grpc_takes_over_the_login_email_without_a_post(
    server: DynamicProviderServer, admin: EmulatorAdmin
) -> None:
    login = next(c for c in admin.contacts()["emails"] if c["target"] == f"user{USER}@example.com")
    checked = _check(
        server, EMAIL_URN, EMAIL_BLOB, {"user_id": USER, "target": login["target"], "adopt": True}
    )

    created = server.stub.Create(
        provider_pb2.CreateRequest(urn=EMAIL_URN, properties=checked.inputs), timeout=CALL_TIMEOUT
    )

    assert created.id == f"{USER}:{login['id']}"
    assert admin.request_counts()["POST"] == 0


def test_unconfigured_server_fails_with_the_missing_token_named(
    emulator: EmulatorServer, admin: EmulatorAdmin, tmp_path: Path
) -> None:
    unconfigured = DynamicProviderServer(tmp_path / "stderr.log")
    try:
        checked = _check(unconfigured, EMAIL_URN, EMAIL_BLOB, {"user_id": USER, "target": "jane@example.com"})
        with pytest.raises(grpc.RpcError) as caught:
            unconfigured.stub.Create(
                provider_pb2.CreateRequest(urn=EMAIL_URN, properties=checked.inputs), timeout=CALL_TIMEOUT
            )
    finally:
        unconfigured.stop()

    assert "ilert:apiToken" in str(caught.value)
    assert admin.requests()["total"] == 0


def test_a_refused_key_names_the_stack_config_it_came_from_and_never_the_key(
    emulator: EmulatorServer, admin: EmulatorAdmin, tmp_path: Path
) -> None:
    wrong = "tok-dynamic-refused-5f1c2e"
    refused = DynamicProviderServer(tmp_path / "stderr.log")
    try:
        refused.stub.Configure(
            provider_pb2.ConfigureRequest(
                args=struct({"ilert:apiToken": wrong, "ilert:endpoint": emulator.url})
            ),
            timeout=CALL_TIMEOUT,
        )
        checked = _check(refused, EMAIL_URN, EMAIL_BLOB, {"user_id": USER, "target": "jane@example.com"})
        with pytest.raises(grpc.RpcError) as caught:
            refused.stub.Create(
                provider_pb2.CreateRequest(urn=EMAIL_URN, properties=checked.inputs), timeout=CALL_TIMEOUT
            )
    finally:
        refused.stop()

    message = str(caught.value)
    assert "ilert API returned 403" in message
    assert "the API key is invalid or revoked; check the key in the stack config 'ilert:apiToken'" in message
    assert "ilert-contacts:apiToken" not in message and "no API key was sent" not in message
    assert wrong not in message and wrong not in (tmp_path / "stderr.log").read_text()
    assert admin.requests()["total"] == 1  # the refused POST; nothing after it
