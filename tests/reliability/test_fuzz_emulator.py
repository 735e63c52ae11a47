"""The emulator fuzzed with schemathesis against the project's copy of the ilert OpenAPI spec
(spec/ilert-contacts-openapi.json): no request makes it fail with a 5xx, and every answer conforms.

What "conforms" means here, check by check:

- ``not_a_server_error``: no 5xx, whatever is sent.
- ``response_schema_conformance`` and ``content_type_conformance``: a documented (2xx) answer has
  the documented JSON shape and content type.
- ``negative_data_rejection``: a request the spec calls invalid is refused with a 4xx.
- ``ignored_auth``: an operation that answers 2xx with the key answers 401/403 without it.
- Not ``status_code_conformance``: the spec documents only each operation's success status, while
  ilert (and so the emulator) answers bad input, unknown users and contacts, and bad keys with
  400/401/403/404. Those are checked against ilert's error format instead (``error_conforms``).
- Not ``positive_data_acceptance``: the spec's bodies are bare ``{"target": string}``-style
  schemas without ilert's rules (an email address, E.164, a region code), so schema-valid data
  is rightly refused with 400 far more often than not.

Generation is steered so the fuzzer reaches the code behind the 404s: part of the cases name a
seeded user and one of its contacts, and part carry an acceptable body.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import phonenumbers
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi_fixtures import TOKEN
from pulumi_harness import REPO
from pulumi_ilert_contacts.emulator import EmulatorServer
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
)

SPEC = REPO / "spec" / "ilert-contacts-openapi.json"
SCHEMA = schemathesis.openapi.from_path(SPEC)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    negative_data_rejection,
    ignored_auth,
]
ERROR_STATUSES = {400, 401, 403, 404, 405}
USERS = (1001, 1002)
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EXAMPLES = 25
"""Per operation and generation mode: 20 runs of 25 requests take ~15 s on an idle machine."""

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)

MOBILES = [
    (phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), region)
    for region in ("DE", "US", "GB", "FR")
    if (number := phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE))
]
good_email_bodies = st.builds(lambda email: {"target": email}, st.emails(domains=st.just("example.com")))
good_phone_bodies = st.builds(
    lambda mobile, primary: {"target": mobile[0], "regionCode": mobile[1], "primary": primary},
    st.sampled_from(MOBILES),
    st.booleans(),
)


@pytest.fixture
def seeded() -> Iterator[tuple[EmulatorServer, requests.Session, dict[str, list[tuple[str, int]]]]]:
    """An emulator whose users each have an extra email and phone number; (user id, contact id)
    of every contact by collection (``emails``, ``phone-numbers``)."""
    with EmulatorServer(token=TOKEN, users=USERS) as server, requests.Session() as session:
        session.headers.update(AUTH)
        ids: dict[str, list[tuple[str, int]]] = {"emails": [], "phone-numbers": []}
        for user in USERS:
            for path, body in (
                ("emails", {"target": f"extra{user}@example.com"}),
                ("phone-numbers", {"target": "+4915123456789", "regionCode": "DE", "primary": True}),
            ):
                url = f"{server.api_url}/users/{user}/contacts/{path}"
                created = session.post(url, json=body, timeout=10)
                created.raise_for_status()
                ids[path].append((str(user), created.json()["id"]))
        yield server, session, ids


def cases(operation: Any, mode: GenerationMode, contacts: list[tuple[str, int]]) -> st.SearchStrategy[Any]:
    """Fully generated cases, cases on a seeded user and, in positive mode, cases on one of its
    contacts and cases with an acceptable body: so that the fuzzer gets past the 404s."""
    generated = operation.as_strategy(generation_mode=mode)
    on_user = st.sampled_from([str(u) for u in USERS]).flatmap(
        lambda user: operation.as_strategy(generation_mode=mode, path_parameters={"user-id": user})
    )
    if mode is GenerationMode.NEGATIVE:
        return st.one_of(generated, on_user)
    steered: list[st.SearchStrategy[Any]] = [generated, on_user]
    if "{id}" in operation.path:
        steered.append(
            st.sampled_from(contacts).flatmap(
                lambda pair: operation.as_strategy(
                    generation_mode=mode, path_parameters={"user-id": pair[0], "id": pair[1]}
                )
            )
        )
    if operation.method.upper() in ("POST", "PUT"):
        bodies = good_phone_bodies if "phone-numbers" in operation.path else good_email_bodies
        steered.append(
            st.tuples(st.sampled_from(contacts), bodies).flatmap(
                lambda drawn: operation.as_strategy(
                    generation_mode=mode,
                    path_parameters={"user-id": drawn[0][0], "id": drawn[0][1]}
                    if "{id}" in operation.path
                    else {"user-id": drawn[0][0]},
                    body=drawn[1],
                )
            )
        )
    return st.one_of(steered)


def error_conforms(response: schemathesis.Response) -> list[str]:
    """What in an error answer departs from ilert's format (empty when nothing does)."""
    problems = []
    if response.status_code not in ERROR_STATUSES:
        problems.append(f"unexpected error status {response.status_code}")
    content_type = (response.headers.get("content-type") or [""])[0]
    if content_type.split(";")[0] != "application/json":
        problems.append(f"content type {content_type!r}")
        return problems
    body = json.loads(response.content)
    if not (
        isinstance(body, dict)
        and body.get("status") == response.status_code
        and isinstance(body.get("message"), str)
        and body["message"]
        and isinstance(body.get("code"), str)
        and body["code"]
    ):
        problems.append(f"body {response.content[:200]!r} is not {{status, message, code}}")
    return problems


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=lambda m: m.value)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.method.upper()} {op.path}")
def test_emulator_answers_generated_requests_without_5xx_and_as_documented(
    operation: Any,
    mode: GenerationMode,
    seeded: tuple[EmulatorServer, requests.Session, dict[str, list[tuple[str, int]]]],
) -> None:
    server, session, ids = seeded
    contacts = ids["phone-numbers" if "phone-numbers" in operation.path else "emails"]
    statuses: list[int] = []

    @FUZZ
    @given(cases(operation, mode, contacts))
    def run(case: Any) -> None:
        transport = {"base_url": server.api_url, "session": session, "headers": AUTH}
        response = case.call(**transport)
        statuses.append(response.status_code)
        case.validate_response(response, checks=CHECKS, headers=AUTH, transport_kwargs=transport)
        if response.status_code >= 400:
            assert error_conforms(response) == [], case.as_curl_command()

    run()

    assert statuses, "nothing was sent"
    if mode is GenerationMode.POSITIVE:
        succeeded = [status for status in statuses if 200 <= status < 300]
        assert succeeded, f"the fuzzer never got past the errors: {statuses}"
