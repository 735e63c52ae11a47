"""The pack in ``policy/`` as the engine reaches it: its analyzer server over gRPC, in its own process.

The process is started the way the Python language host's RunPlugin starts a policy pack:
``python -u <pack dir> <engine address>``. ``PolicyPack(...)`` binds 127.0.0.1:0, writes the port
as the first line of stdout and blocks. The Python policy SDK never dials the engine address
(it only reports diagnostics in its responses), so no engine is needed here.

The calls are those the engine makes: GetAnalyzerInfo, Configure (with every policy's level, as
the engine reconciles the config file with the defaults), Analyze per resource (checked inputs)
and AnalyzeStack (outputs of the whole stack).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, json_format, struct_pb2
from plugin_process import read_port
from policy_args import email, native_email, native_phone, phone
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_ilert_contacts import policies
from pulumi_ilert_contacts.core.validation import UNKNOWN

REPO = Path(__file__).resolve().parents[2]
PACK_DIR = REPO / "policy"
CALL_TIMEOUT = 20.0
LEVELS = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "disabled": analyzer_pb2.DISABLED,
}


class PolicyPackProcess:
    """``python -u policy <engine address>`` in a subprocess, and an Analyzer stub connected to it."""

    def __init__(self, log: Path, cwd: Path) -> None:
        self._log = log.open("wb")
        self.log_path = log
        self.process = subprocess.Popen(
            [sys.executable, "-u", str(PACK_DIR), "127.0.0.1:1"],
            stdout=subprocess.PIPE,
            stderr=self._log,
            cwd=cwd,
        )
        try:
            self.port = read_port(self.process, 20.0, "the policy pack")
        except Exception:
            self.stop()
            raise AssertionError(f"the policy pack did not start:\n{log.read_text()}") from None
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        grpc.channel_ready_future(self.channel).result(timeout=CALL_TIMEOUT)
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)

    def stop(self) -> None:
        if hasattr(self, "channel"):
            self.channel.close()
        self.process.kill()
        self.process.wait(timeout=10)
        self._log.close()


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PolicyPackProcess]:
    workdir = tmp_path_factory.mktemp("pack")
    process = PolicyPackProcess(workdir / "stderr.log", cwd=workdir)
    try:
        yield process
    finally:
        process.stop()


def struct(values: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(values)
    return message


def configure(pack: PolicyPackProcess, config: dict[str, dict[str, Any]] | None = None) -> None:
    """Configure every policy as the engine does: default level, overridden by ``config``."""
    config = config or {}
    request = analyzer_pb2.ConfigureAnalyzerRequest()
    for name, default in policies.DEFAULT_ENFORCEMENT.items():
        props = dict(config.get(name, {}))
        level = props.pop("enforcementLevel", default.value)
        request.policyConfig[name].CopyFrom(
            analyzer_pb2.PolicyConfig(enforcementLevel=LEVELS[level], properties=struct(props))
        )
    pack.stub.Configure(request, timeout=CALL_TIMEOUT)


def analyze(pack: PolicyPackProcess, res: Any) -> analyzer_pb2.AnalyzeResponse:
    request = analyzer_pb2.AnalyzeRequest(
        type=res.type_token, properties=struct(res.props), urn=res.urn, name=res.name
    )
    response: analyzer_pb2.AnalyzeResponse = pack.stub.Analyze(request, timeout=CALL_TIMEOUT)
    return response


def analyze_stack(pack: PolicyPackProcess, resources: list[Any]) -> analyzer_pb2.AnalyzeResponse:
    request = analyzer_pb2.AnalyzeStackRequest(
        resources=[
            analyzer_pb2.AnalyzerResource(
                type=r.type_token, properties=struct(r.props), urn=r.urn, name=r.name
            )
            for r in resources
        ]
    )
    response: analyzer_pb2.AnalyzeResponse = pack.stub.AnalyzeStack(request, timeout=CALL_TIMEOUT)
    return response


def by_policy(response: analyzer_pb2.AnalyzeResponse) -> dict[str, list[analyzer_pb2.AnalyzeDiagnostic]]:
    found: dict[str, list[analyzer_pb2.AnalyzeDiagnostic]] = {}
    for diagnostic in response.diagnostics:
        found.setdefault(diagnostic.policyName, []).append(diagnostic)
    return found


def not_applicable(response: analyzer_pb2.AnalyzeResponse) -> dict[str, str]:
    return {entry.policy_name: entry.reason for entry in response.not_applicable}


def test_analyzer_info_lists_every_policy_with_level_type_and_config_schema(pack: PolicyPackProcess) -> None:
    info = pack.stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=CALL_TIMEOUT)
    assert info.name == policies.PACK_NAME and info.supportsConfig
    found = {p.name: p for p in info.policies}
    assert set(found) == set(policies.DEFAULT_ENFORCEMENT)
    for name, level in policies.DEFAULT_ENFORCEMENT.items():
        assert found[name].enforcementLevel == LEVELS[level.value], name
        assert found[name].description
    assert found[policies.PHONE_E164].policy_type == analyzer_pb2.POLICY_TYPE_RESOURCE
    assert found[policies.NO_DUPLICATE_CONTACTS].policy_type == analyzer_pb2.POLICY_TYPE_STACK
    schema = json_format.MessageToDict(found[policies.USER_HAS_PHONE].configSchema.properties)
    assert schema["requirePhone"]["default"] is True and schema["exemptUsers"]["type"] == "array"
    domains = json_format.MessageToDict(found[policies.EMAIL_ALLOWED_DOMAINS].configSchema.properties)
    assert domains["allowedDomains"]["items"] == {"type": "string", "minLength": 1}


def test_analyze_reports_an_email_outside_the_allowed_domains_as_mandatory(pack: PolicyPackProcess) -> None:
    configure(pack, {policies.EMAIL_ALLOWED_DOMAINS: {"allowedDomains": ["example.com"]}})
    response = analyze(pack, email("jane-email", "jane@gmail.com", __provider="serialized-provider"))
    found = by_policy(response)
    assert list(found) == [policies.EMAIL_ALLOWED_DOMAINS]
    (diagnostic,) = found[policies.EMAIL_ALLOWED_DOMAINS]
    assert diagnostic.enforcementLevel == analyzer_pb2.MANDATORY
    assert diagnostic.policyPackName == policies.PACK_NAME
    # The policy's description, then the violation in the set rules' form (no address, no domain).
    assert diagnostic.message.endswith(
        '\nContactEmail "jane-email": target is at a domain that is not in allowedDomains (example.com); '
        "ilert would notify a mailbox outside the organisation"
    )
    assert "jane@gmail.com" not in diagnostic.message and "gmail" not in diagnostic.message

    assert by_policy(analyze(pack, email("jane-email", "jane@Example.com"))) == {}


def test_analyze_without_config_passes_and_says_why(pack: PolicyPackProcess) -> None:
    configure(pack)
    response = analyze(pack, email("jane-email", "jane@gmail.com"))
    assert by_policy(response) == {}
    assert not_applicable(response)[policies.EMAIL_ALLOWED_DOMAINS] == "no allowedDomains configured"


def test_analyze_phone_checks_format_and_region(pack: PolicyPackProcess) -> None:
    configure(pack, {policies.PHONE_ALLOWED_REGIONS: {"allowedRegions": ["DE"]}})
    found = by_policy(analyze(pack, phone("us-mobile", "+12025550123", "DE")))
    assert set(found) == {policies.PHONE_E164}
    assert "region US" in found[policies.PHONE_E164][0].message

    found = by_policy(analyze(pack, phone("us-mobile", "+12025550123", "US")))
    assert set(found) == {policies.PHONE_ALLOWED_REGIONS}
    message = found[policies.PHONE_ALLOWED_REGIONS][0].message
    assert "region_code 'US' is not in allowedRegions (DE)" in message


def test_analyze_leaves_a_value_unknown_in_preview_to_the_update(pack: PolicyPackProcess) -> None:
    configure(pack, {policies.PHONE_ALLOWED_REGIONS: {"allowedRegions": ["DE"]}})
    response = analyze(pack, phone("p", target=UNKNOWN, region_code=UNKNOWN))
    assert list(response.diagnostics) == []
    skipped = not_applicable(response)
    assert "target and region_code not known yet" in skipped[policies.PHONE_E164]
    assert "region_code not known yet" in skipped[policies.PHONE_ALLOWED_REGIONS]


def test_analyze_stack_reports_each_cross_resource_problem_on_its_resource(pack: PolicyPackProcess) -> None:
    configure(pack)
    jane_mobile = phone("jane-mobile", "+4915123456789", primary=True, status="OK")
    jane_desk = phone("jane-desk", "+493012345678", primary=True, status="OK")
    jane_email = email("jane-email", "jane@example.com", status="OK")
    jane_again = email("jane-again", "JANE@example.com", status="OK")
    john_email = email("john-email", "john@example.com", user_id="5678", status="BLACKLISTED")
    found = by_policy(analyze_stack(pack, [jane_mobile, jane_desk, jane_email, jane_again, john_email]))

    assert set(found) == {
        policies.SINGLE_PRIMARY_PHONE,
        policies.NO_DUPLICATE_CONTACTS,
        policies.USER_HAS_PHONE,
        policies.CONTACT_STATUS,
    }
    assert [d.urn for d in found[policies.SINGLE_PRIMARY_PHONE]] == [jane_desk.urn, jane_mobile.urn]
    assert [d.urn for d in found[policies.NO_DUPLICATE_CONTACTS]] == [jane_again.urn, jane_email.urn]
    assert [d.urn for d in found[policies.USER_HAS_PHONE]] == [john_email.urn]
    assert [d.urn for d in found[policies.CONTACT_STATUS]] == [john_email.urn]
    levels = {name: {d.enforcementLevel for d in diags} for name, diags in found.items()}
    assert levels[policies.SINGLE_PRIMARY_PHONE] == {analyzer_pb2.MANDATORY}
    assert levels[policies.NO_DUPLICATE_CONTACTS] == {analyzer_pb2.MANDATORY}
    assert levels[policies.USER_HAS_PHONE] == {analyzer_pb2.ADVISORY}
    assert levels[policies.CONTACT_STATUS] == {analyzer_pb2.ADVISORY}
    assert "status is BLACKLISTED" in found[policies.CONTACT_STATUS][0].message
    assert '"jane-email"' in found[policies.NO_DUPLICATE_CONTACTS][0].message


def test_configured_levels_and_exemptions_are_honoured(pack: PolicyPackProcess) -> None:
    configure(
        pack,
        {
            policies.SINGLE_PRIMARY_PHONE: {"enforcementLevel": "disabled"},
            policies.USER_HAS_PHONE: {"exemptUsers": [5678], "requirePhone": True},
            policies.CONTACT_STATUS: {"enforcementLevel": "mandatory"},
        },
    )
    resources = [
        phone("jane-mobile", "+4915123456789", primary=True),
        phone("jane-desk", "+493012345678", primary=True),
        email("john-email", "john@example.com", user_id="5678", status="LOCKED"),
    ]
    found = by_policy(analyze_stack(pack, resources))
    assert set(found) == {policies.CONTACT_STATUS}
    assert found[policies.CONTACT_STATUS][0].enforcementLevel == analyzer_pb2.MANDATORY


def test_a_clean_stack_has_no_diagnostics(pack: PolicyPackProcess) -> None:
    configure(pack)
    resources = [
        phone("jane-mobile", "+4915123456789", primary=True, status="OK"),
        phone("jane-desk", "+493012345678", status=UNKNOWN),
        email("jane-email", "jane@example.com", status=None),
    ]
    assert list(analyze_stack(pack, resources).diagnostics) == []


def test_analyze_judges_native_resources_in_their_own_spelling(pack: PolicyPackProcess) -> None:
    configure(pack, {policies.PHONE_ALLOWED_REGIONS: {"allowedRegions": ["DE"]}})
    found = by_policy(analyze(pack, native_phone("us-mobile", "+12025550123", "US")))

    assert set(found) == {policies.PHONE_ALLOWED_REGIONS}
    message = found[policies.PHONE_ALLOWED_REGIONS][0].message
    # The engine's message is the policy's description, then the violation.
    assert "\nContactPhoneNumber \"us-mobile\" (native): regionCode 'US' is not in allowedRegions" in message

    skipped = not_applicable(analyze(pack, native_phone("p", region_code=UNKNOWN)))
    assert "regionCode not known yet" in skipped[policies.PHONE_ALLOWED_REGIONS]


def test_analyze_stack_counts_dynamic_and_native_contacts_together(pack: PolicyPackProcess) -> None:
    configure(pack)
    dynamic_mobile = phone("jane-mobile", "+4915123456789", primary=True, status="OK")
    native_desk = native_phone("jane-desk", "+493012345678", primary=True, status="OK")
    dynamic_email = email("jane-email", "jane@example.com", status="OK")
    native_again = native_email("jane-again", "Jane@EXAMPLE.com", status="OK")
    resources = [dynamic_mobile, native_desk, dynamic_email, native_again]

    found = by_policy(analyze_stack(pack, resources))

    assert set(found) == {policies.SINGLE_PRIMARY_PHONE, policies.NO_DUPLICATE_CONTACTS}
    assert {d.urn for d in found[policies.SINGLE_PRIMARY_PHONE]} == {dynamic_mobile.urn, native_desk.urn}
    assert {d.urn for d in found[policies.NO_DUPLICATE_CONTACTS]} == {dynamic_email.urn, native_again.urn}
