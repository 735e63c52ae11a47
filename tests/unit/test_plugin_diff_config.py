"""The plugin's DiffConfig answer: a provider whose endpoint or token changed is updated in place.

The engine calls DiffConfig whenever a stack's provider inputs change, e.g. a new
``ilert-contacts:endpoint`` (the demo's emulator gets a new port on every run). The servicer is
called here as grpc calls it, with the protocol's request message.
"""

from __future__ import annotations

import asyncio
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime.proto import provider_pb2
from pulumi_ilert_contacts._version import __version__
from pulumi_ilert_contacts.plugin.provider import ContactsProvider
from pulumi_ilert_contacts.plugin.server import ContactsServicer

URN = "urn:pulumi:dev::contacts::pulumi:providers:ilert-contacts::default"


def diff_config(olds: dict[str, Any], news: dict[str, Any]) -> provider_pb2.DiffResponse:
    old_struct, new_struct = struct_pb2.Struct(), struct_pb2.Struct()
    old_struct.update(olds)
    new_struct.update(news)
    request = provider_pb2.DiffRequest(urn=URN, id="1", olds=old_struct, news=new_struct)
    servicer = ContactsServicer([], __version__, ContactsProvider(), engine_address="127.0.0.1:1")
    response: provider_pb2.DiffResponse = asyncio.run(servicer.DiffConfig(request, None))
    return response


def test_a_new_endpoint_is_an_in_place_update_of_the_provider() -> None:
    response = diff_config({"endpoint": "http://127.0.0.1:8080"}, {"endpoint": "http://127.0.0.1:9090"})

    assert response.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert list(response.diffs) == ["endpoint"]
    assert list(response.replaces) == []
    assert response.detailedDiff["endpoint"].kind == provider_pb2.PropertyDiff.UPDATE
    assert response.detailedDiff["endpoint"].inputDiff


def test_unchanged_provider_inputs_are_no_change() -> None:
    inputs = {"endpoint": "http://127.0.0.1:8080", "apiToken": "t"}
    response = diff_config(inputs, dict(inputs))

    assert response.changes == provider_pb2.DiffResponse.DIFF_NONE
    assert dict(response.detailedDiff) == {}
