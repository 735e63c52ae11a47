"""``configure()`` judges the endpoint, so a bad one fails ``pulumi preview``; the token can wait."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi_ilert_contacts import ContactEmailProvider, ContactPhoneNumberProvider, IlertConfigError
from pulumi_ilert_contacts.core import config
from pulumi_ilert_contacts.core.config import normalise_endpoint
from pulumi_ilert_contacts.dynamic.provider import ContactProvider
from pulumi_ilert_contacts.emulator import EmulatorServer
from pulumi_ilert_contacts.emulator.admin_client import EmulatorAdmin

from .support import TOKEN, USER, total_requests

PROVIDERS = [ContactEmailProvider, ContactPhoneNumberProvider]


def configure(provider: ContactProvider, raw: dict[str, Any]) -> None:
    """Configure as the dynamic-provider process does, with the engine's stack config."""
    provider.configure(ConfigureRequest(Config(raw_config=raw, project_name="contacts")))


def refusal(endpoint: str) -> str:
    """What ``normalise_endpoint`` says about an endpoint it refuses."""
    with pytest.raises(IlertConfigError) as caught:
        normalise_endpoint(endpoint)
    return str(caught.value)


@pytest.mark.parametrize("provider_class", PROVIDERS)
@pytest.mark.parametrize(
    "endpoint",
    ["http://example.invalid:8080", "http://10.0.0.5", "HTTP://api.ilert.com/", "ftp://api.ilert.com"],
)
def test_configure_refuses_an_endpoint_the_first_call_would_refuse_with_the_same_message(
    provider_class: type[ContactProvider], endpoint: str
) -> None:
    with pytest.raises(IlertConfigError) as caught:
        configure(provider_class(), {"ilert:apiToken": TOKEN, "ilert:endpoint": endpoint})

    assert str(caught.value) == refusal(endpoint)
    assert TOKEN not in str(caught.value)


def test_configure_refuses_a_plain_http_endpoint_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ILERT_ENDPOINT", "http://example.invalid:8080")

    with pytest.raises(IlertConfigError) as caught:
        configure(ContactEmailProvider(), {"ilert:apiToken": TOKEN})

    assert str(caught.value) == refusal("http://example.invalid:8080")


def test_a_stack_endpoint_that_is_fine_overrides_a_bad_one_in_the_environment(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ILERT_ENDPOINT", "http://example.invalid:8080")

    configure(ContactEmailProvider(), {"ilert:apiToken": TOKEN, "ilert:endpoint": emulator.url})

    assert config.current().endpoint == emulator.url


def test_a_refused_configure_leaves_the_settings_as_they_were(emulator: EmulatorServer) -> None:
    provider = ContactEmailProvider()
    configure(provider, {"ilert:apiToken": TOKEN, "ilert:endpoint": emulator.url})

    with pytest.raises(IlertConfigError):
        configure(
            provider, {"ilert:apiToken": "other-token", "ilert:endpoint": "http://example.invalid:8080"}
        )

    settings = config.current()
    assert (settings.endpoint, settings.token) == (emulator.url, TOKEN)


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://api.ilert.com",
        "https://api.ilert.com/api/",
        "http://127.0.0.1:8080",
        "http://localhost:1",
        "http://[::1]:8",
    ],
)
def test_configure_accepts_https_and_loopback_http(endpoint: str) -> None:
    configure(ContactEmailProvider(), {"ilert:apiToken": TOKEN, "ilert:endpoint": endpoint})

    assert config.current().endpoint == normalise_endpoint(endpoint)


def test_configure_without_any_endpoint_takes_the_default() -> None:
    configure(ContactEmailProvider(), {"ilert:apiToken": TOKEN})

    assert config.current().endpoint == config.DEFAULT_ENDPOINT


def test_configure_without_a_token_succeeds_and_the_first_call_names_what_is_missing(
    emulator: EmulatorServer, admin: EmulatorAdmin
) -> None:
    provider = ContactEmailProvider()
    configure(provider, {"ilert:endpoint": emulator.url})
    props = {"user_id": USER, "target": "jane@example.com", "__provider": "blob"}

    # Planning needs no token: a preview with nothing to do makes no call.
    checked = provider.check({}, props)
    assert checked.failures == []
    assert provider.diff(f"{USER}:1", checked.inputs, checked.inputs).changes is False

    with pytest.raises(IlertConfigError) as caught:
        provider.create(checked.inputs)
    assert "no ilert API token" in str(caught.value)
    assert "ilert:apiToken" in str(caught.value) and "ILERT_API_TOKEN" in str(caught.value)
    assert total_requests(admin) == 0
