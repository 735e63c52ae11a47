"""IlertClient against the emulator: the typed calls, the error mapping and the configuration rules."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pulumi_ilert_contacts import (
    IlertApiError,
    IlertAuthError,
    IlertConfigError,
    IlertConnectionError,
    IlertError,
    IlertNotFoundError,
    IlertServerError,
    IlertValidationError,
    __version__,
)
from pulumi_ilert_contacts.core import client as client_module
from pulumi_ilert_contacts.core import config
from pulumi_ilert_contacts.core.client import IlertClient, shared_client
from pulumi_ilert_contacts.core.config import Settings, normalise_endpoint
from pulumi_ilert_contacts.core.kinds import EMAIL, PHONE
from pulumi_ilert_contacts.emulator import EmulatorServer
from pulumi_ilert_contacts.emulator.admin_client import EmulatorAdmin

from .support import TOKEN, USER, emails_of, phones_of, wait_until_answered


@pytest.fixture
def api(ilert_env: EmulatorServer) -> IlertClient:
    """The process's client, configured from the environment to talk to the emulator."""
    return shared_client()


def _leaks(error: BaseException) -> bool:
    texts = [str(error), repr(error), *(str(arg) for arg in error.args)]
    texts += [str(getattr(error, name, "")) for name in ("detail", "context", "api_message")]
    return any(TOKEN in text for text in texts)


# -- the typed calls --------------------------------------------------------------------------


def test_list_shows_the_login_email_of_a_seeded_user(api: IlertClient) -> None:
    listed = api.list_contacts(EMAIL, USER)

    assert [c["target"] for c in listed] == [f"user{USER}@example.com"]
    assert listed[0]["status"] == "OK"


def test_email_contact_round_trip(api: IlertClient, admin: EmulatorAdmin) -> None:
    created = api.create_contact(EMAIL, USER, {"target": "jane@example.com"})
    contact_id = int(created["id"])
    assert created["target"] == "jane@example.com"
    assert {"id": contact_id, "target": "jane@example.com"}.items() <= emails_of(admin, USER)[-1].items()

    assert api.get_contact(EMAIL, USER, contact_id)["target"] == "jane@example.com"
    assert contact_id in [int(c["id"]) for c in api.list_contacts(EMAIL, USER)]

    updated = api.update_contact(EMAIL, USER, contact_id, {"target": "jane.doe@example.com"})
    assert int(updated["id"]) == contact_id
    assert [c["target"] for c in emails_of(admin, USER) if c["id"] == contact_id] == ["jane.doe@example.com"]

    api.delete_contact(EMAIL, USER, contact_id)
    assert contact_id not in [c["id"] for c in emails_of(admin, USER)]
    with pytest.raises(IlertNotFoundError):
        api.get_contact(EMAIL, USER, contact_id)


def test_phone_contact_round_trip(api: IlertClient, admin: EmulatorAdmin) -> None:
    body = {"target": "+4915123456789", "regionCode": "DE", "primary": False}
    created = api.create_contact(PHONE, USER, body)
    contact_id = int(created["id"])
    assert phones_of(admin, USER) == [
        {
            "user_id": USER,
            "id": contact_id,
            "regionCode": "DE",
            "target": "+4915123456789",
            "primary": False,
            "status": "OK",
        }
    ]

    fetched = api.get_contact(PHONE, USER, contact_id)
    assert (fetched["target"], fetched["regionCode"], fetched["primary"]) == ("+4915123456789", "DE", False)
    assert [int(c["id"]) for c in api.list_contacts(PHONE, USER)] == [contact_id]

    api.update_contact(
        PHONE, USER, contact_id, {"target": "+16502530000", "regionCode": "US", "primary": True}
    )
    stored = phones_of(admin, USER)[0]
    assert (stored["target"], stored["regionCode"], stored["primary"]) == ("+16502530000", "US", True)

    api.delete_contact(PHONE, USER, contact_id)
    assert phones_of(admin, USER) == []


def test_deleting_a_contact_that_is_already_gone_succeeds(api: IlertClient, admin: EmulatorAdmin) -> None:
    api.delete_contact(EMAIL, USER, 424242)

    assert admin.request_counts()["DELETE"] == 1


# -- error mapping ----------------------------------------------------------------------------


def test_rejected_body_raises_validation_error_with_the_api_message(api: IlertClient) -> None:
    with pytest.raises(IlertValidationError) as caught:
        api.create_contact(EMAIL, USER, {"target": "not-an-email"})

    error = caught.value
    assert str(error) == (
        f"Unable to create email contact for user {USER}: ilert API returned 400: "
        "target 'not-an-email' is not a valid email address [BAD_REQUEST]"
    )
    assert (error.status, error.code) == (400, "BAD_REQUEST")
    assert error.api_message == "target 'not-an-email' is not a valid email address"


def test_duplicate_contact_names_operation_user_and_api_message(api: IlertClient) -> None:
    with pytest.raises(IlertValidationError) as caught:
        api.create_contact(EMAIL, USER, {"target": f"user{USER}@example.com"})

    assert str(caught.value).startswith(
        f"Unable to create email contact for user {USER}: ilert API returned 400: "
    )
    assert f"user{USER}@example.com" in str(caught.value)
    assert caught.value.code == "DUPLICATE_CONTACT"


def test_401_says_the_key_was_missing_or_refused_and_where_it_came_from(
    api: IlertClient, admin: EmulatorAdmin
) -> None:
    admin.add_fault("GET", "status", status=401)

    with pytest.raises(IlertAuthError) as caught:
        api.list_contacts(EMAIL, USER)

    assert caught.value.status == 401
    assert str(caught.value).startswith(
        f"Unable to list email contacts of user {USER}: ilert API returned 401"
    )
    hint = "ilert did not accept the API key (it was missing or refused); check the key in ILERT_API_TOKEN"
    assert hint in str(caught.value)
    assert "no API key was sent" not in str(caught.value)


def test_403_without_key_error_says_the_key_lacks_the_permission(
    api: IlertClient, admin: EmulatorAdmin
) -> None:
    admin.add_fault("PUT", "status", status=403)

    with pytest.raises(IlertAuthError) as caught:
        api.update_contact(EMAIL, USER, 1, {"target": "jane@example.com"})

    assert caught.value.status == 403 and caught.value.code != "KEY_ERROR"
    assert "the API key from ILERT_API_TOKEN lacks the permission for this" in str(caught.value)
    assert "admin rights" in str(caught.value) and "invalid or revoked" not in str(caught.value)
    assert TOKEN not in str(caught.value)


def test_a_refused_key_from_the_stack_config_names_the_dynamic_key(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ILERT_API_TOKEN", TOKEN)  # the stack config wins: its key is the one refused
    config.set_from_stack_config({"ilert:apiToken": "tok-stack-wrong", "ilert:endpoint": emulator.url})

    with pytest.raises(IlertAuthError) as caught:
        shared_client().list_contacts(EMAIL, USER)

    assert "invalid or revoked; check the key in the stack config 'ilert:apiToken'" in str(caught.value)
    assert "tok-stack-wrong" not in str(caught.value) and "ILERT_API_TOKEN" not in str(caught.value)


def test_wrong_key_raises_auth_error_with_key_error_code(emulator: EmulatorServer) -> None:
    wrong = IlertClient(Settings(endpoint=emulator.url, token="tok-wrong-0000"))

    with pytest.raises(IlertAuthError) as caught:
        wrong.get_contact(PHONE, USER, 7)

    error = caught.value
    assert (error.status, error.code) == (403, "KEY_ERROR")
    assert str(error).startswith(
        f"Unable to read phone number contact 7 of user {USER}: ilert API returned 403"
    )
    assert "the API key is invalid or revoked" in str(error)
    assert "tok-wrong-0000" not in str(error)


def test_unknown_user_raises_not_found(api: IlertClient) -> None:
    with pytest.raises(IlertNotFoundError) as caught:
        api.list_contacts(EMAIL, "999")

    assert str(caught.value) == (
        "Unable to list email contacts of user 999: ilert API returned 404: User 999 not found [NOT_FOUND]"
    )


def test_missing_contact_raises_not_found_naming_the_contact(api: IlertClient) -> None:
    with pytest.raises(IlertNotFoundError) as caught:
        api.update_contact(EMAIL, USER, 4242, {"target": "x@example.com"})

    assert str(caught.value).startswith(
        f"Unable to update email contact 4242 of user {USER}: ilert API returned 404"
    )


def test_non_json_error_body_is_reported_not_crashed_on(api: IlertClient, admin: EmulatorAdmin) -> None:
    admin.add_fault("POST", "status", status=502, body="<html><body>502 Bad Gateway</body></html>")

    with pytest.raises(IlertServerError) as caught:
        api.create_contact(EMAIL, USER, {"target": "jane@example.com"})

    error = caught.value
    assert error.status == 502
    assert error.api_message is None
    assert str(error).startswith(
        f"Unable to create email contact for user {USER}: ilert API returned 502 (non-JSON body: "
    )
    assert "502 Bad Gateway" in str(error)


def test_success_with_a_body_that_is_not_json_is_an_ilert_error(
    api: IlertClient, admin: EmulatorAdmin
) -> None:
    admin.add_fault("GET", "status", status=200, body="this is not json")

    with pytest.raises(IlertError) as caught:
        api.list_contacts(EMAIL, USER)

    assert "returned 200 with a body that is not JSON" in str(caught.value)
    assert str(caught.value).startswith(f"Unable to list email contacts of user {USER}")


def test_unanswered_request_raises_connection_error_naming_the_timeout(
    ilert_env: EmulatorServer, admin: EmulatorAdmin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ILERT_HTTP_TIMEOUT", "0.5")
    client = IlertClient(config.current())
    admin.add_fault("POST", "delay", seconds=1.5)

    with pytest.raises(IlertConnectionError) as caught:
        client.create_contact(EMAIL, USER, {"target": "slow@example.com"})

    assert str(caught.value).startswith(
        f"Unable to create email contact for user {USER}: no answer from ilert"
    )
    assert "within 0.5s" in str(caught.value)
    assert caught.value.status is None
    wait_until_answered(admin)


def test_every_error_is_an_api_error_subclass_with_its_status(api: IlertClient, admin: EmulatorAdmin) -> None:
    admin.add_fault("PUT", "status", status=418)

    with pytest.raises(IlertApiError) as caught:
        api.update_contact(EMAIL, USER, 1, {"target": "x@example.com"})

    assert type(caught.value) is IlertApiError
    assert caught.value.status == 418


# -- the token stays secret ------------------------------------------------------------------


def test_token_never_appears_in_errors_or_reprs(
    api: IlertClient, admin: EmulatorAdmin, monkeypatch: pytest.MonkeyPatch
) -> None:
    errors: list[BaseException] = []
    admin.add_fault("POST", "status", status=502, body="<html>502 Bad Gateway</html>")
    admin.add_fault("GET", "status", status=401)
    for call in (
        lambda: api.create_contact(EMAIL, USER, {"target": "jane@example.com"}),
        lambda: api.create_contact(EMAIL, USER, {"target": "bad"}),
        lambda: api.list_contacts(EMAIL, USER),
        lambda: api.list_contacts(EMAIL, "999"),
        lambda: api.get_contact(EMAIL, USER, 999),
    ):
        with pytest.raises(IlertError) as caught:
            call()
        errors.append(caught.value)
    monkeypatch.setenv("ILERT_HTTP_TIMEOUT", "0.3")
    admin.add_fault("POST", "delay", seconds=1)
    with pytest.raises(IlertConnectionError) as caught:
        IlertClient(config.current()).create_contact(EMAIL, USER, {"target": "slow@example.com"})
    errors.append(caught.value)
    wait_until_answered(admin)

    assert len(errors) == 6
    assert [e for e in errors if _leaks(e)] == []
    assert TOKEN not in repr(api)
    assert TOKEN not in repr(config.current())
    assert TOKEN not in str(config.current())


@contextmanager
def _recording_server() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A loopback HTTP server answering every GET with ``[]``: its URL and the headers it saw."""
    seen: list[dict[str, str]] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(dict(self.headers))
            body = json.dumps([]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_user_agent_and_bearer_token_are_sent() -> None:
    with _recording_server() as (url, seen):
        client = IlertClient(Settings(endpoint=url, token=TOKEN))
        assert client.list_contacts(EMAIL, USER) == []

    assert seen[0]["User-Agent"] == f"pulumi-ilert-contacts/{__version__}"
    assert seen[0]["Authorization"] == f"Bearer {TOKEN}"


def test_a_netrc_entry_for_the_host_does_not_replace_the_bearer_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # requests, trusting the environment, would send ~/.netrc's login as Basic auth instead.
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password other-secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    with _recording_server() as (url, seen):
        client = IlertClient(Settings(endpoint=url, token=TOKEN))
        assert client.list_contacts(EMAIL, USER) == []

    assert seen[0]["Authorization"] == f"Bearer {TOKEN}"


def test_proxy_variables_are_read_once_for_the_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    # Read per Session, not per request (requests' per-request scan of the whole environment
    # was a third of its CPU per request); NO_PROXY is honoured as requests honours it.
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "internal.example")
    session, _ = client_module._shared(Settings(endpoint="https://api.ilert.com", token=TOKEN))
    assert session.proxies.get("https") == "http://proxy.example:3128"
    assert session.trust_env is False
    bypassed, _ = client_module._shared(Settings(endpoint="https://internal.example", token=TOKEN))
    assert "https" not in bypassed.proxies


# -- configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "endpoint",
    ["http://api.ilert.com", "http://10.0.0.5:8080", "http://ilert.internal.example/", "HTTP://8.8.8.8"],
)
def test_plain_http_endpoint_is_refused_off_loopback(endpoint: str) -> None:
    with pytest.raises(IlertConfigError) as caught:
        normalise_endpoint(endpoint)

    assert "refusing plain-http ilert endpoint" in str(caught.value)
    assert "use https://" in str(caught.value)


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        ("https://api.ilert.com", "https://api.ilert.com"),
        ("https://api.ilert.com/", "https://api.ilert.com"),
        ("https://api.ilert.com/api", "https://api.ilert.com"),
        ("https://api.ilert.com/api/", "https://api.ilert.com"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("http://localhost:8080", "http://localhost:8080"),
        ("http://[::1]:8080/", "http://[::1]:8080"),
        ("  https://ilert.example.com  ", "https://ilert.example.com"),
    ],
)
def test_endpoint_is_normalised(endpoint: str, expected: str) -> None:
    assert normalise_endpoint(endpoint) == expected


@pytest.mark.parametrize("endpoint", ["api.ilert.com", "ftp://api.ilert.com", "https://", ""])
def test_endpoint_that_is_not_a_url_is_refused(endpoint: str) -> None:
    with pytest.raises(IlertConfigError, match="invalid ilert endpoint"):
        normalise_endpoint(endpoint)


def test_endpoint_with_trailing_slash_reaches_the_api(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ILERT_API_TOKEN", TOKEN)
    monkeypatch.setenv("ILERT_ENDPOINT", emulator.url + "/")

    assert [c["target"] for c in shared_client().list_contacts(EMAIL, USER)] == [f"user{USER}@example.com"]


def test_plain_http_endpoint_from_environment_is_refused_before_any_request(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ILERT_API_TOKEN", TOKEN)
    monkeypatch.setenv("ILERT_ENDPOINT", "http://api.ilert.example.com")

    with pytest.raises(IlertConfigError, match="refusing plain-http"):
        shared_client()


def test_missing_token_names_the_config_key_and_environment_variable() -> None:
    with pytest.raises(IlertConfigError) as caught:
        config.current()

    assert "ilert:apiToken" in str(caught.value)
    assert "ILERT_API_TOKEN" in str(caught.value)


def test_stack_config_wins_over_environment(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ILERT_API_TOKEN", "tok-from-env")
    monkeypatch.setenv("ILERT_ENDPOINT", "https://api.ilert.com")
    config.set_from_stack_config({"ilert:apiToken": TOKEN, "ilert:endpoint": emulator.url})

    settings = config.current()

    assert (settings.endpoint, settings.token) == (emulator.url, TOKEN)
    assert shared_client().list_contacts(EMAIL, USER)
