"""``config.resolve``: the one order of sources for both faces, and where each token came from."""

from __future__ import annotations

import pytest
from pulumi_ilert_contacts import IlertConfigError
from pulumi_ilert_contacts.core.config import DEFAULT_ENDPOINT, resolve
from pulumi_ilert_contacts.core.validation import UNKNOWN

ENV = {"ILERT_API_TOKEN": "tok-env", "ILERT_ENDPOINT": "https://env.example.com", "ILERT_ADOPT_EXISTING": "1"}


def test_an_explicit_providers_inputs_come_first() -> None:
    resolved = resolve(
        {"apiToken": "tok-in", "endpoint": "https://in.example.com"},
        {"apiToken": "tok-stack"},
        ENV,
        namespace="ilert-contacts",
        explicit="acct-b",
    )

    assert (resolved.token, resolved.endpoint) == ("tok-in", "https://in.example.com")
    assert resolved.token_source == "the `apiToken` input of the explicit provider 'acct-b'"
    assert resolved.adopt_existing  # not among the inputs: the environment's


@pytest.mark.parametrize("namespace", ["ilert", "ilert-contacts"])
def test_the_stack_config_of_the_faces_namespace_comes_before_the_environment(namespace: str) -> None:
    resolved = resolve({}, {"apiToken": "tok-stack", "adoptExisting": "false"}, ENV, namespace=namespace)

    assert resolved.token == "tok-stack"
    assert resolved.token_source == f"the stack config '{namespace}:apiToken'"
    assert resolved.endpoint == "https://env.example.com"
    assert resolved.adopt_existing is False
    assert resolved.settings().token_source == resolved.token_source


@pytest.mark.parametrize("unset", [None, "", UNKNOWN])
def test_an_empty_or_unknown_value_falls_through_to_the_environment(unset: object) -> None:
    resolved = resolve({"apiToken": unset}, {"apiToken": unset, "endpoint": unset}, ENV, namespace="ilert")

    assert (resolved.token, resolved.token_source) == ("tok-env", "ILERT_API_TOKEN")
    assert resolved.endpoint == "https://env.example.com"


def test_without_any_source_the_endpoint_is_the_default_and_the_missing_token_says_how_to_set_it() -> None:
    dynamic = resolve({}, {}, {}, namespace="ilert")
    plugin = resolve({}, {}, {}, namespace="ilert-contacts")

    assert dynamic.endpoint == plugin.endpoint == DEFAULT_ENDPOINT
    assert not dynamic.adopt_existing
    with pytest.raises(IlertConfigError) as caught:
        dynamic.settings()
    assert str(caught.value) == (
        "no ilert API token: set it with `pulumi config set --secret ilert:apiToken <token>` "
        "or the ILERT_API_TOKEN environment variable"
    )
    with pytest.raises(IlertConfigError) as caught:
        plugin.settings()
    assert str(caught.value) == (
        "no ilert API token: set it with `pulumi config set --secret ilert-contacts:apiToken <token>`, "
        "the provider's `apiToken` input or the ILERT_API_TOKEN environment variable"
    )


def test_the_token_is_never_in_the_repr() -> None:
    resolved = resolve({}, {"apiToken": "tok-secret-1"}, {}, namespace="ilert")

    assert "tok-secret-1" not in repr(resolved) and "tok-secret-1" not in repr(resolved.settings())


def test_the_rate_store_from_the_config_reaches_the_settings_and_never_their_repr() -> None:
    store = "rediss://:store-pw-19c0@redis.example.com:6380/0"
    resolved = resolve({}, {"apiToken": "tok-stack", "rateStore": store}, ENV, namespace="ilert-contacts")

    assert resolved.settings().rate_store == store
    assert "store-pw-19c0" not in repr(resolved) and "store-pw-19c0" not in repr(resolved.settings())
    # Without the config, ILERT_RATE_STORE is read where the budget is opened (ratelimit.limiter_for).
    assert resolve({}, {}, ENV | {"ILERT_RATE_STORE": store}, namespace="ilert-contacts").rate_store is None
