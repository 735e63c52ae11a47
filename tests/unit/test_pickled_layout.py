"""Providers pickled into states by every release still load: every module path ever pickled stays
importable and unpickles into today's provider, which then works against ilert.

A dynamic resource's state holds its provider as ``__provider``: the SDK's ``serialize_provider``
(dill, by reference) of the provider instance, base64. The blobs below were made by the code they
name, not by hand: ``git archive`` of the commit, then ``serialize_provider(<Kind>Provider())`` with
that tree first on ``sys.path``. A provider class that moves must leave its old module path behind
(the way ``contacts/`` does for the layout before the reshape) and add its new blobs here.
"""

from __future__ import annotations

import base64
import importlib
import pickletools
from typing import Any

import dill
import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi_ilert_contacts import ContactEmailProvider, ContactPhoneNumberProvider
from pulumi_ilert_contacts.core.kinds import EMAIL, PHONE
from pulumi_ilert_contacts.dynamic.provider import ContactProvider
from pulumi_ilert_contacts.emulator import EmulatorServer
from pulumi_ilert_contacts.emulator.admin_client import EmulatorAdmin

from .support import TOKEN, USER, emails_of, phones_of

_RECORDED: list[tuple[str, str, str]] = [
    # 0.1.0, before the reshape (57997fb^, and the same bytes at every commit since 582e2b4).
    (
        "pulumi_ilert_contacts.contacts.email",
        "ContactEmailProvider",
        "gASVRAAAAAAAAACMJHB1bHVtaV9pbGVydF9jb250YWN0cy5jb250YWN0cy5lbWFpbJSMFENvbnRhY3RFbWFpbFByb3ZpZGVylJOUKYGULg==",
    ),
    (
        "pulumi_ilert_contacts.contacts.phone",
        "ContactPhoneNumberProvider",
        "gASVSgAAAAAAAACMJHB1bHVtaV9pbGVydF9jb250YWN0cy5jb250YWN0cy5waG9uZZSMGkNvbnRhY3RQaG9uZU51bWJlclByb3ZpZGVylJOUKYGULg==",
    ),
    # Since the reshape (57997fb; e6d96e6 pickles the same bytes).
    (
        "pulumi_ilert_contacts.dynamic.email",
        "ContactEmailProvider",
        "gASVQwAAAAAAAACMI3B1bHVtaV9pbGVydF9jb250YWN0cy5keW5hbWljLmVtYWlslIwUQ29udGFjdEVtYWlsUHJvdmlkZXKUk5QpgZQu",
    ),
    (
        "pulumi_ilert_contacts.dynamic.phone",
        "ContactPhoneNumberProvider",
        "gASVSQAAAAAAAACMI3B1bHVtaV9pbGVydF9jb250YWN0cy5keW5hbWljLnBob25llIwaQ29udGFjdFBob25lTnVtYmVyUHJvdmlkZXKUk5QpgZQu",
    ),
]
PICKLED: dict[str, tuple[str, str]] = {blob: (module, name) for module, name, blob in _RECORDED}
"""Every ``__provider`` any release wrote: the blob -> the (module, class) it refers to."""

TODAYS_CLASS = {cls.__name__: cls for cls in (ContactEmailProvider, ContactPhoneNumberProvider)}


def configure_from_stack(provider: ContactProvider, emulator: EmulatorServer) -> None:
    """Configure as the dynamic-provider process does, with the stack config ``ilert:*``."""
    raw = {"ilert:apiToken": TOKEN, "ilert:endpoint": emulator.url}
    provider.configure(ConfigureRequest(Config(raw_config=raw, project_name="old-state")))


def deserialize_provider(blob: str) -> Any:
    """A ``__provider`` loaded as the SDK's dynamic-provider server does (``pulumi.dynamic.__main__``)."""
    return dill.loads(base64.b64decode(blob))


def _referenced(blob: str) -> tuple[str, str]:
    """The (module, class) a pickled provider refers to, read from the pickle without loading it."""
    strings = [arg for op, arg, _ in pickletools.genops(base64.b64decode(blob)) if isinstance(arg, str)]
    module, name = strings[:2]
    return module, name


@pytest.mark.parametrize("blob", list(PICKLED), ids=lambda b: ".".join(PICKLED[b]))
def test_every_pickled_module_path_stays_importable_with_its_provider(blob: str) -> None:
    module, name = PICKLED[blob]
    assert _referenced(blob) == (module, name), "the recorded blob is not the one described"

    provider_class = getattr(importlib.import_module(module), name)

    assert provider_class is TODAYS_CLASS[name]
    assert issubclass(provider_class, ContactProvider)


@pytest.mark.parametrize("blob", list(PICKLED), ids=lambda b: ".".join(PICKLED[b]))
def test_every_pickled_provider_unpickles_into_todays_provider(blob: str) -> None:
    provider = deserialize_provider(blob)
    assert type(provider) is TODAYS_CLASS[PICKLED[blob][1]]


@pytest.mark.parametrize("provider_class", [ContactEmailProvider, ContactPhoneNumberProvider])
def test_todays_pickles_are_among_the_pinned_ones(provider_class: type[ContactProvider]) -> None:
    # A failure here means a provider class moved: keep its old module importable (a re-export,
    # as contacts/ does) and add the new blob to PICKLED.
    assert serialize_provider(provider_class()) in PICKLED


def test_a_pre_reshape_email_provider_from_an_old_state_manages_a_contact(
    emulator: EmulatorServer, admin: EmulatorAdmin
) -> None:
    [blob] = [b for b, (module, _) in PICKLED.items() if module == "pulumi_ilert_contacts.contacts.email"]
    provider = deserialize_provider(blob)
    assert provider.kind is EMAIL
    # As the engine does: configure from the stack config, then the resource's calls.
    configure_from_stack(provider, emulator)

    checked = provider.check({}, {"user_id": USER, "target": "Old.State@Example.com"})
    assert checked.failures == []
    created = provider.create(checked.inputs)
    assert [e["target"] for e in emails_of(admin, USER)][-1] == "Old.State@example.com"
    assert provider.read(created.id, created.outs).outs == created.outs
    provider.delete(created.id, created.outs)
    assert "Old.State@example.com" not in [e["target"] for e in emails_of(admin, USER)]


def test_a_pre_reshape_phone_provider_from_an_old_state_manages_a_contact(
    emulator: EmulatorServer, admin: EmulatorAdmin
) -> None:
    [blob] = [b for b, (module, _) in PICKLED.items() if module == "pulumi_ilert_contacts.contacts.phone"]
    provider = deserialize_provider(blob)
    assert provider.kind is PHONE
    configure_from_stack(provider, emulator)

    checked = provider.check({}, {"user_id": USER, "target": "0151 23456789", "region_code": "DE"})
    assert checked.failures == []
    created = provider.create(checked.inputs)
    [phone] = phones_of(admin, USER)
    assert phone["target"] == "+4915123456789" and created.outs["contact_id"] == phone["id"]
    provider.delete(created.id, created.outs)
    assert phones_of(admin, USER) == []
