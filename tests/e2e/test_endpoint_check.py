"""The endpoint is judged when the engine configures the provider: a plain-http endpoint off
loopback fails ``pulumi preview`` itself, and nothing is sent anywhere. The token can wait."""

from __future__ import annotations

from collections.abc import Callable

from pulumi_harness import Stack
from pulumi_ilert_contacts.emulator import EmulatorServer

PROGRAM = """
import pulumi
from pulumi_ilert_contacts import ContactEmail

cfg = pulumi.Config()
email = ContactEmail("jane-email", user_id="1001", target=cfg.get("email") or "jane@example.com")
pulumi.export("email_id", email.id)
"""

PLAIN_HTTP = "http://example.invalid:8080"
REFUSAL = (
    f"refusing plain-http ilert endpoint '{PLAIN_HTTP}': the API token would cross the network "
    "unencrypted; use https:// (plain http is only allowed for loopback addresses)"
)


def test_plain_http_endpoint_off_loopback_fails_preview_and_up_before_any_request(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = make_stack(PROGRAM, {"ilert:endpoint": PLAIN_HTTP})
    emulator.admin.reset_requests()

    preview = stack.preview(check=False)
    up = stack.up(check=False)

    assert preview.code != 0 and REFUSAL in preview.output, preview
    assert up.code != 0 and REFUSAL in up.output, up
    assert "jane-email" in up.output
    assert emulator.admin.requests()["total"] == 0
    assert stack.contact_resources() == []


def test_plain_http_endpoint_set_on_a_deployed_stack_fails_the_no_op_preview(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = make_stack(PROGRAM)
    stack.up()
    emulator.admin.reset_requests()

    stack.run("config", "set", "ilert:endpoint", PLAIN_HTTP)
    result = stack.preview(check=False)

    assert result.code != 0 and REFUSAL in result.output, result
    assert emulator.admin.requests()["total"] == 0


def test_without_a_token_a_no_op_preview_passes_and_the_first_call_names_what_is_missing(
    make_stack: Callable[..., Stack], emulator: EmulatorServer
) -> None:
    stack = make_stack(PROGRAM)
    stack.up()
    stack.run("config", "rm", "ilert:apiToken")
    emulator.admin.reset_requests()

    stack.preview("--expect-no-changes")
    stack.run("config", "set", "email", "jane.doe@example.com")
    result = stack.up(check=False)

    assert result.code != 0
    assert "no ilert API token" in result.output and "ilert:apiToken" in result.output, result
    assert emulator.admin.requests()["total"] == 0
