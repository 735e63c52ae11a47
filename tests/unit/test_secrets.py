"""The API token never reaches the Pulumi state, a pickle or a log line.

The dynamic provider instance is pickled (with dill) into every resource's state as
``__provider``; these tests pickle it exactly as the SDK does and search the bytes.
"""

from __future__ import annotations

import base64
import logging
import pickle

import dill
import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi_ilert_contacts import ContactEmailProvider, ContactPhoneNumberProvider
from pulumi_ilert_contacts.core import config
from pulumi_ilert_contacts.core.client import IlertClient, shared_client
from pulumi_ilert_contacts.dynamic.provider import ContactProvider
from pulumi_ilert_contacts.emulator import EmulatorServer

from .support import TOKEN, USER

PROVIDERS = [ContactEmailProvider, ContactPhoneNumberProvider]


def _configure(provider: ContactProvider, emulator: EmulatorServer) -> None:
    raw = {"ilert:apiToken": TOKEN, "ilert:endpoint": emulator.url}
    provider.configure(ConfigureRequest(Config(raw_config=raw, project_name="contacts")))


def _serialized_bytes(provider: ContactProvider) -> bytes:
    return base64.b64decode(serialize_provider(provider))


@pytest.mark.parametrize("provider_class", PROVIDERS)
def test_serialized_provider_holds_no_token_after_configure(
    provider_class: type[ContactProvider], emulator: EmulatorServer
) -> None:
    provider = provider_class()
    _configure(provider, emulator)
    provider.create(
        provider.check({}, {"user_id": USER, "region_code": "DE", "target": "+4915123456789"}).inputs
        if provider_class is ContactPhoneNumberProvider
        else provider.check({}, {"user_id": USER, "target": "jane@example.com"}).inputs
    )

    blob = _serialized_bytes(provider)

    assert TOKEN.encode() not in blob
    assert emulator.url.encode() not in blob
    # Pickled by reference to the importable class, not by value.
    assert provider_class.__module__.encode() in blob


@pytest.mark.parametrize("provider_class", PROVIDERS)
def test_serialized_provider_holds_no_token_from_the_environment(
    provider_class: type[ContactProvider], ilert_env: EmulatorServer
) -> None:
    provider = provider_class()
    shared_client().list_contacts(provider.kind, USER)  # the process now holds a client and a Session

    assert TOKEN.encode() not in _serialized_bytes(provider)


def test_serialized_provider_round_trips_to_a_working_provider(emulator: EmulatorServer) -> None:
    provider = ContactEmailProvider()
    _configure(provider, emulator)

    copy = dill.loads(_serialized_bytes(provider))

    assert type(copy) is ContactEmailProvider
    assert copy.read(f"{USER}:1", {"user_id": USER}).id == f"{USER}:1"


@pytest.mark.parametrize("provider_class", PROVIDERS)
def test_provider_instance_keeps_no_state(
    provider_class: type[ContactProvider], emulator: EmulatorServer
) -> None:
    provider = provider_class()
    _configure(provider, emulator)
    provider.read(f"{USER}:1", {"user_id": USER})

    assert provider.__dict__ == {}


def test_settings_refuse_to_be_pickled(ilert_env: EmulatorServer) -> None:
    settings = config.current()

    with pytest.raises(TypeError, match="must not be pickled"):
        pickle.dumps(settings)
    with pytest.raises(TypeError, match="must not be pickled"):
        dill.dumps(settings, recurse=True)


def test_client_refuses_to_be_pickled(ilert_env: EmulatorServer) -> None:
    client = IlertClient(config.current())

    with pytest.raises(TypeError, match="must not be pickled"):
        pickle.dumps(client)
    with pytest.raises(TypeError, match="must not be pickled"):
        dill.dumps(shared_client(), recurse=True)


def test_debug_log_masks_the_token(ilert_env: EmulatorServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="pulumi_ilert_contacts.http")

    ContactEmailProvider().read(f"{USER}:1", {"user_id": USER})

    assert "GET /users/1234/contacts/emails -> 200" in caplog.text
    assert "Bearer ***" in caplog.text
    assert TOKEN not in caplog.text
