"""What only the dynamic face has, against the emulator: the serialized provider (``__provider``)
in every property bag, and the account from the stack config (``ilert:*``) per process.

The behaviour both faces share (check, diff, create, read, update, delete, adoption, get) is
tested once for both in test_faces.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi_ilert_contacts import ContactEmailProvider, ContactPhoneNumberProvider
from pulumi_ilert_contacts.core.kinds import PHONE
from pulumi_ilert_contacts.dynamic.provider import ContactProvider
from pulumi_ilert_contacts.emulator import EmulatorServer
from pulumi_ilert_contacts.emulator.admin_client import EmulatorAdmin

from .faces import PROVIDER_BLOB
from .support import TOKEN, USER


def checked(provider: ContactProvider, news: dict[str, Any]) -> dict[str, Any]:
    """The inputs ``check`` makes of ``news``, as the engine would pass them on."""
    result = provider.check({}, {**news, "__provider": PROVIDER_BLOB})
    assert result.failures == []
    return {**result.inputs, "__provider": PROVIDER_BLOB}


def test_diff_ignores_a_different_serialized_provider(ilert_env: EmulatorServer) -> None:
    email = ContactEmailProvider()
    inputs = {
        k: v
        for k, v in checked(email, {"user_id": USER, "target": "j@example.com"}).items()
        if k != "__provider"
    }

    diff = email.diff(f"{USER}:9", {**inputs, "__provider": "old-blob"}, {**inputs, "__provider": "new-blob"})

    assert diff.changes is False


@pytest.mark.parametrize("provider_class", [ContactEmailProvider, ContactPhoneNumberProvider])
def test_configure_with_stack_config_works_without_environment(
    provider_class: type[ContactProvider], emulator: EmulatorServer, admin: EmulatorAdmin
) -> None:
    provider = provider_class()
    raw = {"ilert:apiToken": TOKEN, "ilert:endpoint": emulator.url}
    provider.configure(ConfigureRequest(Config(raw_config=raw, project_name="contacts")))
    props = (
        {"user_id": USER, "region_code": "DE", "target": "+4915123456789"}
        if provider.kind is PHONE
        else {"user_id": USER, "target": "jane@example.com"}
    )

    created = provider.create(checked(provider, props))

    assert created.id.startswith(f"{USER}:")
    assert admin.request_counts()["POST"] == 1
    assert provider.read(created.id, created.outs).id == created.id
