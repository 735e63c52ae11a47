"""Fault injection, request counting and rate limiting, seen from a real HTTP client."""

from __future__ import annotations

import http.client
import time

import pytest
import requests
from pulumi_ilert_contacts.emulator import EmulatorAdmin, EmulatorServer
from pulumi_ilert_contacts.emulator.admin_client import EmulatorAdminError

from .helpers import TOKEN, Api, SpecValidator, emails, phones


def _targets(admin: EmulatorAdmin) -> list[str]:
    return [e["target"] for e in admin.contacts()["emails"]]


# -- status faults ------------------------------------------------------------------------


def test_a_status_fault_answers_without_acting_and_can_send_retry_after(
    api: Api, admin: EmulatorAdmin
) -> None:
    admin.add_fault("POST", "status", status=503, retry_after=7)

    faulted = api.post(emails(), json={"target": "a@example.com"})
    assert faulted.status_code == 503
    assert faulted.headers["Retry-After"] == "7"
    assert faulted.json()["code"] == "SERVICE_UNAVAILABLE"
    assert "a@example.com" not in _targets(admin)

    assert api.post(emails(), json={"target": "a@example.com"}).status_code == 201, "used up after one"


def test_a_status_fault_can_answer_with_a_raw_non_json_body(api: Api, admin: EmulatorAdmin) -> None:
    admin.add_fault("GET", "status", status=502, body="<html>Bad Gateway</html>", content_type="text/html")
    response = api.get(emails(), check=False)
    assert response.status_code == 502
    assert response.text == "<html>Bad Gateway</html>"
    assert response.headers["Content-Type"].startswith("text/html")


def test_an_injected_429_looks_like_the_rate_limiter(api: Api, admin: EmulatorAdmin) -> None:
    admin.add_fault("*", "status", status=429)
    response = api.get(emails())
    assert response.json()["code"] == "RATE_LIMIT"
    assert "Retry-After" not in response.headers


def test_a_fault_applies_to_count_matching_requests(api: Api, admin: EmulatorAdmin) -> None:
    admin.add_fault("GET", "status", status=500, count=2)
    assert [api.get(emails()).status_code for _ in range(3)] == [500, 500, 200]


def test_a_fault_with_seconds_applies_to_every_matching_request_until_it_expires(
    api: Api, admin: EmulatorAdmin
) -> None:
    admin.add_fault("GET", "status", status=500, seconds=0.3)
    assert [api.get(emails()).status_code for _ in range(4)] == [500] * 4
    time.sleep(0.35)
    assert api.get(emails()).status_code == 200
    assert admin.faults() == []


def test_a_fault_matches_only_its_method_and_path_pattern(api: Api, admin: EmulatorAdmin) -> None:
    admin.add_fault("GET", "status", status=500, path=r"/phone-numbers$")
    assert api.post(phones(), json={"target": "+4915112345678", "regionCode": "DE"}).status_code == 201
    assert api.get(emails()).status_code == 200
    assert api.get(phones()).status_code == 500


def test_rules_apply_in_the_order_they_were_added(api: Api, admin: EmulatorAdmin) -> None:
    admin.add_fault("*", "status", status=503)
    admin.add_fault("GET", "status", status=500)
    assert [api.get(emails()).status_code for _ in range(3)] == [503, 500, 200]


def test_clearing_faults_removes_every_rule(api: Api, admin: EmulatorAdmin) -> None:
    admin.add_fault("*", "status", status=500, count=100)
    admin.add_fault("*", "drop_before", count=100)
    assert len(admin.faults()) == 2
    admin.clear_faults()
    assert admin.faults() == []
    assert api.get(emails()).status_code == 200


def test_faults_apply_before_authentication(api: Api, admin: EmulatorAdmin) -> None:
    admin.add_fault("GET", "status", status=502)
    assert api.with_token("wrong").get(emails()).status_code == 502


@pytest.mark.parametrize(
    "spec",
    [
        {"method": "GET", "action": "explode"},
        {"method": "FETCH", "action": "status", "status": 500},
        {"method": "GET", "action": "status"},
        {"method": "GET", "action": "status", "status": 99},
        {"method": "GET", "action": "delay"},
        {"method": "GET", "action": "status", "status": 500, "count": 0},
        {"method": "GET", "action": "status", "status": 500, "path": "("},
        {"method": "GET", "action": "delay", "seconds": -1},
    ],
)
def test_a_malformed_fault_rule_is_refused(emulator: EmulatorServer, spec: dict[str, object]) -> None:
    response = requests.post(f"{emulator.url}/_emulator/faults", json=spec, timeout=5)
    assert response.status_code == 400
    assert response.json()["code"] == "BAD_REQUEST"


def test_the_admin_client_raises_on_a_refused_call(admin: EmulatorAdmin) -> None:
    with pytest.raises(EmulatorAdminError, match="400"):
        admin.add_fault("GET", "status")


# -- connection drops ---------------------------------------------------------------------


def test_drop_before_closes_the_connection_and_creates_nothing(api: Api, admin: EmulatorAdmin) -> None:
    admin.add_fault("POST", "drop_before")
    with pytest.raises(requests.ConnectionError) as caught:
        api.post(emails(), json={"target": "lost@example.com"})
    # The server hung up without a single byte of response.
    assert isinstance(caught.value.args[0].args[1], http.client.RemoteDisconnected)
    assert "lost@example.com" not in _targets(admin)
    assert api.post(emails(), json={"target": "lost@example.com"}).status_code == 201


def test_drop_after_creates_the_contact_but_the_client_gets_a_connection_error(
    api: Api, admin: EmulatorAdmin
) -> None:
    admin.add_fault("POST", "drop_after")
    with pytest.raises(requests.ConnectionError):
        api.post(emails(), json={"target": "lost@example.com"})
    assert "lost@example.com" in _targets(admin)
    retried = api.post(emails(), json={"target": "lost@example.com"})
    assert retried.json()["code"] == "DUPLICATE_CONTACT"


def test_drop_after_a_delete_deletes(api: Api, admin: EmulatorAdmin) -> None:
    email = api.post(emails(), json={"target": "gone@example.com"}).json()
    admin.add_fault("DELETE", "drop_after")
    with pytest.raises(requests.ConnectionError):
        api.delete(emails(contact_id=email["id"]))
    assert api.get(emails(contact_id=email["id"])).status_code == 404


def test_a_dropped_connection_does_not_disturb_the_next_request(api: Api, admin: EmulatorAdmin) -> None:
    admin.add_fault("GET", "drop_before", count=3)
    for _ in range(3):
        with pytest.raises(requests.ConnectionError):
            api.get(emails())
    assert api.get(emails()).status_code == 200


# -- delay --------------------------------------------------------------------------------


def test_a_delay_fault_answers_normally_after_sleeping(api: Api, admin: EmulatorAdmin) -> None:
    admin.add_fault("POST", "delay", seconds=0.3)
    started = time.monotonic()
    response = api.post(emails(), json={"target": "slow@example.com"})
    assert time.monotonic() - started >= 0.3
    assert response.status_code == 201
    started = time.monotonic()
    api.post(emails(), json={"target": "fast@example.com"})
    assert time.monotonic() - started < 0.3


def test_a_delay_longer_than_the_client_timeout_still_acts(api: Api, admin: EmulatorAdmin) -> None:
    admin.add_fault("POST", "delay", seconds=0.3)
    with pytest.raises(requests.Timeout):
        api.post(emails(), json={"target": "late@example.com"}, timeout=0.1)
    deadline = time.monotonic() + 2
    while "late@example.com" not in _targets(admin):
        assert time.monotonic() < deadline, "the delayed request never acted"
        time.sleep(0.02)


# -- request counting ---------------------------------------------------------------------


def test_requests_are_counted_by_method_including_faulted_and_refused_ones(
    api: Api, admin: EmulatorAdmin
) -> None:
    admin.add_fault("PUT", "status", status=500)
    admin.add_fault("DELETE", "drop_before")
    api.get(emails())
    api.post(emails(), json={"target": "a@example.com"})
    api.put(emails(contact_id=1), json={"target": "b@example.com"})
    with pytest.raises(requests.ConnectionError):
        api.delete(emails(contact_id=1))
    api.with_token(None).get(emails())
    api.with_token("wrong").get(phones())
    admin.contacts()  # the admin surface is not counted

    stats = admin.requests()
    assert stats["total"] == 6
    assert admin.request_counts() == {"GET": 3, "POST": 1, "PUT": 1, "DELETE": 1}
    assert [(e["method"], e["status"]) for e in stats["log"]] == [
        ("GET", 200),
        ("POST", 201),
        ("PUT", 500),
        ("DELETE", None),
        ("GET", 401),
        ("GET", 403),
    ]
    assert stats["log"][0]["path"] == "/api/users/1001/contacts/emails"


def test_resetting_the_request_counter_starts_from_zero(api: Api, admin: EmulatorAdmin) -> None:
    api.get(emails())
    admin.reset_requests()
    assert admin.requests() == {
        "total": 0,
        "by_method": {"GET": 0, "POST": 0, "PUT": 0, "DELETE": 0},
        "peak_in_flight": 0,
        "peak_writes_in_flight": 0,
        "log": [],
    }
    api.get(emails())
    assert admin.request_counts()["GET"] == 1


# -- rate limiting ------------------------------------------------------------------------


def _wait_for_a_fresh_window(window: float) -> None:
    # Windows are aligned to wall-clock multiples of the window length, so start just
    # after a boundary to have the whole window for the requests below.
    time.sleep(window - time.time() % window + 0.02)


def test_over_the_rate_limit_the_api_answers_429_without_retry_after(api: Api, admin: EmulatorAdmin) -> None:
    admin.set_rate_limit(3, window=1)
    _wait_for_a_fresh_window(1)
    statuses = [api.get(emails()).status_code for _ in range(3)]
    limited = api.get(emails())
    assert statuses == [200, 200, 200]
    assert limited.status_code == 429
    assert limited.json()["code"] == "RATE_LIMIT"
    assert "Retry-After" not in limited.headers
    assert api.post(emails(), json={"target": "a@example.com"}).status_code == 429, "no write either"
    assert admin.request_counts()["GET"] == 4, "429s are counted"

    _wait_for_a_fresh_window(1)
    assert api.get(emails()).status_code == 200


def test_the_rate_limit_can_be_set_at_start_and_turned_off(validator: SpecValidator) -> None:
    with EmulatorServer(token=TOKEN, users=[1001], rate_limit=1, rate_window=60) as server:
        api = Api(server.url, validator)
        # Three requests, so a window boundary falling between two of them still leaves
        # two in one window.
        assert 429 in [api.get(emails()).status_code for _ in range(3)]
        server.admin.set_rate_limit(None)
        assert [api.get(emails()).status_code for _ in range(5)] == [200] * 5


def test_the_rate_limit_counts_only_authenticated_requests(api: Api, admin: EmulatorAdmin) -> None:
    admin.set_rate_limit(2, window=0.5)
    _wait_for_a_fresh_window(0.5)
    for _ in range(5):
        assert api.with_token("wrong").get(emails()).status_code == 403
    assert [api.get(emails()).status_code for _ in range(3)] == [200, 200, 429]
