"""The API token stays secret, and only crosses the network encrypted, through the real engine.

Already pinned elsewhere, not repeated here: the state holds no token in the contact resources or
the serialized provider (tests/e2e/test_lifecycle.py), errors and reprs from the client and the
debug log in-process (tests/unit/test_client.py, tests/unit/test_secrets.py), and the endpoint
rules of ``normalise_endpoint`` one by one (tests/unit/test_client.py).
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi.dynamic import Config, ConfigureRequest
from pulumi_fixtures import TOKEN, USERS
from pulumi_harness import Stack
from pulumi_ilert_contacts import ContactEmailProvider, ContactPhoneNumberProvider, IlertError
from pulumi_ilert_contacts.core import client, config
from pulumi_ilert_contacts.core.directory import DIRECTORY
from pulumi_ilert_contacts.emulator import EmulatorServer
from security_support import proxy_trap, self_signed_certificate, tls_emulator

PROGRAM = """
from pulumi_ilert_contacts import ContactEmail, ContactPhoneNumber

ContactEmail("jane-email", user_id="1001", target="jane@example.com")
ContactPhoneNumber("jane-mobile", user_id="1001", region_code="DE", target="+4915123456789")
"""

EMAIL_PROGRAM = """
from pulumi_ilert_contacts import ContactEmail

ContactEmail("jane-email", user_id="1001", target="jane@example.com")
"""

ENGINE_CONFIGURE_LOG = re.compile(
    r"Marshaling property for RPC\[Provider\[0x[0-9a-f]+\]\.Configure\(\)\.inputs\]: value=\{"
)
"""The one place the engine itself prints a secret config value at -v=9 (pulumi v3.259.0).

Configure inputs are marshalled with their secrets kept, as ``{<sig>, value: <plaintext>}``, and
the marshaller logs each key of that wrapper; the line for ``value`` carries the plaintext. It
happens for any secret in the stack config, before any code of this package runs."""

DEBUG_LINE = re.compile(
    r"ilert-http (GET|POST|PUT|DELETE) /users/\S+ -> \S+ in \d+ ms \(Authorization: Bearer \*\*\*\)"
)


def echo_faults(emulator: EmulatorServer) -> None:
    """Make both creates fail with an answer that echoes the token back, as a misconfigured proxy
    or a chatty API might: HTML for the email, ilert's JSON error format for the phone number."""
    emulator.admin.add_fault(
        "POST", "status", path="/emails$", status=400, content_type="text/html",
        body=f"<html><pre>POST /api/users/1001/contacts/emails\nAuthorization: Bearer {TOKEN}</pre></html>",
    )
    emulator.admin.add_fault(
        "POST", "status", path="/phone-numbers$", status=403, content_type="application/json",
        body=f'{{"status": 403, "message": "API key {TOKEN} is not valid", "code": "KEY_ERROR"}}',
    )


def lines_with_token(text: str) -> list[str]:
    return [line for line in text.splitlines() if TOKEN in line]


def stored_files_with_token(stack: Stack) -> list[str]:
    backend = Path(stack.env["PULUMI_BACKEND_URL"].removeprefix("file://"))
    return [str(p) for p in backend.rglob("*") if p.is_file() and TOKEN.encode() in p.read_bytes()]


# -- the token in logs, errors and tracebacks ---------------------------------------------------


def test_verbose_up_with_debug_log_and_failing_creates_prints_no_token(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = make_stack(PROGRAM)
    echo_faults(emulator)

    result = stack.up("-v=9", "--logtostderr", check=False, env={"ILERT_DEBUG_HTTP": "1"})

    assert result.code != 0, result
    # The errors name the operation and carry ilert's answer, with the token masked.
    email_error = "Unable to create email contact for user 1001: ilert API returned 400 (non-JSON body: "
    phone_error = "Unable to create phone number contact for user 1001: ilert API returned 403: API key ***"
    assert email_error in result.output and "Authorization: Bearer ***" in result.output
    assert phone_error + " is not valid [KEY_ERROR]" in result.output
    # The hint names where the refused key came from: the dynamic resources' stack config.
    assert "invalid or revoked; check the key in the stack config 'ilert:apiToken'" in result.output
    assert "ilert-contacts:apiToken" not in result.output
    # The opt-in debug log: method, path, status and timing, the Authorization header masked.
    logged = {m.group(0).split(" in ")[0] for m in DEBUG_LINE.finditer(result.output)}
    assert {
        "ilert-http POST /users/1001/contacts/emails -> 400",
        "ilert-http POST /users/1001/contacts/phone-numbers -> 403",
    } <= logged, result
    # The token itself: nowhere but the engine's own marshalling of the Configure call.
    assert [line for line in lines_with_token(result.output) if not ENGINE_CONFIGURE_LOG.search(line)] == []
    assert stored_files_with_token(stack) == []
    assert stack.contact_resources() == []


def test_token_from_the_environment_appears_nowhere_in_a_verbose_failing_up(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = make_stack(PROGRAM)
    stack.run("config", "rm", "ilert:apiToken")
    echo_faults(emulator)

    result = stack.up("-v=9", "--logtostderr", check=False, env={"ILERT_API_TOKEN": TOKEN})

    assert result.code != 0, result
    assert "ilert API returned 400" in result.output and "ilert API returned 403" in result.output
    assert lines_with_token(result.output) == []
    assert "invalid or revoked; check the key in ILERT_API_TOKEN" in result.output
    assert "ilert-http" not in result.output, "the HTTP debug log is opt-in"
    assert TOKEN not in stack.export(show_secrets=True)
    assert stored_files_with_token(stack) == []


@pytest.fixture
def configured(emulator: EmulatorServer) -> Iterator[EmulatorServer]:
    """This process configured as the engine configures the provider process: from stack config."""
    config.reset()
    client.reset_session()
    DIRECTORY.clear()
    raw = {"ilert:apiToken": TOKEN, "ilert:endpoint": emulator.url}
    ContactEmailProvider().configure(ConfigureRequest(Config(raw_config=raw, project_name="security")))
    yield emulator
    config.reset()
    client.reset_session()
    DIRECTORY.clear()


def raised_by(call: Callable[[], Any]) -> IlertError:
    with pytest.raises(IlertError) as caught:
        call()
    return caught.value


def test_tracebacks_of_provider_failures_hold_no_token_even_with_locals(
    configured: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    emulator = configured
    email, phone = ContactEmailProvider(), ContactPhoneNumberProvider()
    email_props = {"user_id": "1001", "target": "jane@example.com"}
    phone_props = {"user_id": "1001", "region_code": "DE", "target": "+4915123456789"}
    errors: list[IlertError] = []

    echo_faults(emulator)
    errors.append(raised_by(lambda: email.create(email_props)))
    errors.append(raised_by(lambda: phone.create(phone_props)))
    emulator.admin.add_fault("GET", "status", status=401, body=f"no key (saw Bearer {TOKEN})")
    # The refused email create looked the user's emails up, and the read would be answered from
    # that list: forget it, so the read asks ilert.
    DIRECTORY.clear()
    errors.append(raised_by(lambda: email.read("1001:1", email_props)))
    monkeypatch.setenv("ILERT_HTTP_TIMEOUT", "0.2")
    client.reset_session()
    emulator.admin.add_fault("PUT", "delay", seconds=1.0, count=5)
    moved = {**email_props, "target": "j@example.com"}
    errors.append(raised_by(lambda: email.update("1001:1", email_props, moved)))

    assert len(errors) == 4
    for error in errors:
        # As Python prints it (chained causes included) and as a tool showing every frame's
        # local variables would: the client's and settings' reprs mask the token.
        rendered = "".join(traceback.TracebackException.from_exception(error, capture_locals=True).format())
        assert TOKEN not in rendered, rendered
        assert TOKEN not in repr(error.args)


# -- endpoints: plain http only on loopback, TLS verified ----------------------------------------


def test_plain_http_endpoint_off_loopback_is_refused_before_any_connection(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = make_stack(EMAIL_PROGRAM)
    stack.run("config", "set", "ilert:endpoint", "http://ilert.example.com")

    with proxy_trap() as trap:
        refused = stack.up(check=False, env=trap.env())
        refused_seen = list(trap.seen)
        # The control: the same stack over https does try to connect, and the trap sees it.
        stack.run("config", "set", "ilert:endpoint", "https://ilert.example.com")
        tried = stack.up(check=False, env=trap.env())

    assert refused.code != 0, refused
    assert "jane-email" in refused.output
    assert "refusing plain-http ilert endpoint 'http://ilert.example.com'" in refused.output
    assert "the API token would cross the network unencrypted; use https://" in refused.output
    assert refused_seen == [], "nothing may be sent before the endpoint is refused"
    assert tried.code != 0, tried
    assert any(line.startswith("CONNECT ilert.example.com:443 ") for line in trap.seen), trap.seen
    assert stack.contact_resources() == []
    assert emulator.admin.requests()["total"] == 0


def test_plain_http_on_localhost_is_accepted(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    # 127.0.0.1 is what every other real-engine test uses; `localhost` is the other loopback spelling.
    stack = make_stack(EMAIL_PROGRAM)
    stack.run("config", "set", "ilert:endpoint", f"http://localhost:{emulator.port}")

    stack.up()

    assert "jane@example.com" in [c["target"] for c in emulator.admin.contacts()["emails"]]
    assert len(stack.contact_resources()) == 1


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


def test_https_endpoint_with_an_untrusted_certificate_is_refused(
    make_stack: Callable[..., Stack], certificate: tuple[Path, Path]
) -> None:
    cert, key = certificate
    stack = make_stack(EMAIL_PROGRAM)
    with tls_emulator(cert, key, TOKEN, USERS) as server:
        stack.run("config", "set", "ilert:endpoint", server.url)

        result = stack.up(check=False)

        assert result.code != 0, result
        why = "SSLCertVerificationError: self-signed certificate"
        assert f"connection to ilert at {server.url} failed ({why})" in result.output, result
        assert "jane-email" in result.output
        assert server.requests == 0, "no HTTP request may follow a failed certificate check"
    assert stack.contact_resources() == []


def test_tls_verification_is_on_and_a_trusted_certificate_is_accepted(
    certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = certificate
    config.reset()
    client.reset_session()
    with tls_emulator(cert, key, TOKEN, USERS) as server:
        monkeypatch.setenv("ILERT_API_TOKEN", TOKEN)
        monkeypatch.setenv("ILERT_ENDPOINT", server.url)
        try:
            ilert = client.shared_client()
            session, _ = client._shared()  # the one Session every call goes through
            assert session.verify is True

            # The same server, once its certificate is trusted the standard way, is reachable:
            # the refusal above is certificate verification, not something else about TLS.
            monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert))
            emails = ilert.list_contacts(ContactEmailProvider.kind, "1001")
        finally:
            client.reset_session()
            config.reset()

    assert [e["target"] for e in emails] == ["user1001@example.com"]
    assert server.requests == 1
