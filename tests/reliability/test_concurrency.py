"""Concurrency: many operations at once through the engine (`--parallel 16`) and the dynamic
provider's own thread pool, and a change that two resources race on (the primary phone number)."""

from __future__ import annotations

from fault_harness import (
    EmulatorFor,
    NewStack,
    assert_no_token,
    check_convergence,
    roster,
    write_roster,
)

FAST = {"ILERT_RATE_LIMIT": "0"}  # measure the provider, not the client's limiter


def test_200_contacts_with_parallel_16_creates_exactly_200(
    emulator_for: EmulatorFor, new_stack: NewStack
) -> None:
    users = list(range(4001, 4041))
    declared = roster(users, emails=3, phones=2)  # 40 users x 5 contacts: many writes per user at once
    assert len(declared) == 200
    emulator = emulator_for(users)
    admin = emulator.admin
    stack = new_stack(emulator.url, declared)

    stack.up("--parallel", "16", env=FAST)

    counts = admin.request_counts()
    assert counts.get("POST") == 200, counts  # one create each, none resent
    report = check_convergence(admin, stack, declared)
    assert (report.in_ilert, report.in_state) == (200, 200)
    assert report.converged, str(report)
    # Reading them all back at once finds nothing to change.
    stack.preview("--refresh", "--parallel", "16", "--expect-no-changes", env=FAST)
    assert_no_token(stack)


def test_moving_primary_between_numbers_of_a_user_converges_without_flapping(
    emulator_for: EmulatorFor, new_stack: NewStack
) -> None:
    users = list(range(4101, 4111))
    emulator = emulator_for(users)
    admin = emulator.admin
    on_first = roster(users, emails=0, phones=2, primary_index=0)
    on_second = roster(users, emails=0, phones=2, primary_index=1)
    stack = new_stack(emulator.url, on_first)
    stack.up("--parallel", "16", env=FAST)

    # Ten users move their primary number in one `up`, there and back: whichever of the two
    # updates of a user lands first, ilert ends with exactly the declared primary.
    for declared in (on_second, on_first):
        write_roster(stack, declared)
        stack.up("--parallel", "16", env=FAST)
        report = check_convergence(admin, stack, declared)
        assert report.converged, str(report)
        primaries = sorted(p["target"] for p in admin.contacts()["phone_numbers"] if p["primary"])
        assert primaries == sorted(c["args"]["target"] for c in declared if c["args"]["primary"])
        stack.preview("--refresh", "--expect-no-changes", env=FAST)
    assert_no_token(stack)
