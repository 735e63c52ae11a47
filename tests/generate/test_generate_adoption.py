"""What the generated declarations do when the provider runs them: adopt, never create or write.

The end-to-end suite proves this through the Pulumi engine; here the provider's own ``check`` and
``create`` run in-process against the emulator, with the exact values the generator wrote.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pulumi_ilert_contacts import ContactEmailProvider, ContactPhoneNumberProvider
from pulumi_ilert_contacts.core import client, config
from pulumi_ilert_contacts.core.directory import DIRECTORY
from pulumi_ilert_contacts.dynamic.provider import ContactProvider

from .conftest import Account
from .support import TOKEN, declared_resources, generate

PROVIDERS: dict[str, type[ContactProvider]] = {
    "ContactEmail": ContactEmailProvider,
    "ContactPhoneNumber": ContactPhoneNumberProvider,
}


def forget_process_state() -> None:
    config.reset()
    client.reset_session()
    client._client = None
    DIRECTORY.clear()


@pytest.fixture
def provider_env(account: Account, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This test process pointed at the emulator, as the provider process would be."""
    monkeypatch.setenv("ILERT_API_TOKEN", TOKEN)
    monkeypatch.setenv("ILERT_ENDPOINT", account.emulator.url)
    forget_process_state()
    yield
    forget_process_state()


def test_generated_values_adopt_every_valid_contact_with_reads_only(
    account: Account, tmp_path: Path, provider_env: None
) -> None:
    run = generate(account.env, "--user", "1001", "--user", "1002", "--user", "1003")
    assert run.code == 0, run.stderr
    before = account.emulator.admin.contacts()
    account.emulator.admin.reset_requests()

    adopted: dict[str, str] = {}
    rejected: list[str] = []
    for resource in declared_resources(run.stdout):
        provider = PROVIDERS[resource.cls]()
        checked = provider.check({}, resource.kwargs)
        if checked.failures:
            rejected.append(resource.kwargs["target"])
            continue
        result = provider.create(checked.inputs)
        adopted[resource.name] = result.id

    counts = account.emulator.admin.request_counts()
    assert {method for method, count in counts.items() if count} == {"GET"}
    assert account.emulator.admin.contacts() == before
    assert rejected == ["pager@localhost"]  # the one flagged with a WARNING
    live = [*before["emails"], *before["phone_numbers"]]
    live_ids = {f"{c['user_id']}:{c['id']}" for c in live}
    assert set(adopted.values()) == live_ids - {f"1003:{account.invalid_email}"}
