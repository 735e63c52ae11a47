"""Interrupted deployments: `pulumi up` on a 50-contact roster stopped by SIGINT (the engine winds
down) or SIGKILL (it dies on the spot, its provider process finishing what it had started), at
several points. The recovery documented in docs/guide-recovery.md must leave ilert with exactly the
declared contacts: no duplicate, no orphan. A contact set (``UserContacts``) stopped half way through
its writes converges on the next ``up`` the same way, through either face.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from emulator_support import api_post, login_email, set_contacts
from fault_harness import (
    SET_TYPES,
    EmulatorFor,
    NewStack,
    PulumiProcess,
    Template,
    assert_no_token,
    check_convergence,
    completed,
    deployment,
    remove_empty_attrs,
    roster,
    wait_for,
    write_set,
)
from pulumi_fixtures import TOKEN
from pulumi_harness import Stack
from pulumi_ilert_contacts.emulator import EmulatorAdmin

USERS = list(range(3001, 3026))  # one email and one phone number each: 50 contacts
ROSTER = roster(USERS)
FAST = {"ILERT_RATE_LIMIT": "0"}  # the client's own limiter would only slow the run down
POINTS = (5, 25, 45)  # creates answered by ilert when the signal is sent


def start_slow_up(admin: EmulatorAdmin, stack: Stack) -> PulumiProcess:
    """`pulumi up` of the roster, each create held 0.3 s at ilert so that the run is long enough
    to be caught at each point (8 at a time: about two seconds of creates)."""
    admin.add_fault("POST", "delay", seconds=0.3, count=10_000)
    return PulumiProcess(
        stack, "up", "--yes", "--non-interactive", "--skip-preview", "--parallel", "8", env=FAST
    )


def interrupt_at(
    admin: EmulatorAdmin, up: PulumiProcess, creates: int, sig: signal.Signals
) -> tuple[int, str]:
    """Send ``sig`` once ilert has answered ``creates`` creates; wait for the engine to exit and for
    every request already sent to be answered; end the engine's leftover children."""
    try:
        wait_for(lambda: completed(admin, "POST") >= creates or up.proc.poll() is not None,
                 timeout=120, what=f"{creates} creates")
        up.send(sig)
        code, output = up.wait()
        wait_for(lambda: all(e["status"] is not None for e in admin.requests()["log"]),
                 timeout=30, what="ilert to answer every request in flight")
    finally:
        up.stop()  # the engine's children outlive a SIGKILL
    admin.clear_faults()
    return code, output


def release_lock(stack: Stack) -> None:
    """What the engine asks for after a kill, as docs/guide-recovery.md tells it: the next command says
    the stack is locked (after repairing an emptied state attributes file, if the kill left one),
    and `pulumi cancel` releases the lock."""
    locked = stack.up(check=False, env=FAST)
    if "failed to load checkpoint: EOF" in locked.output:
        assert remove_empty_attrs(stack), str(locked)
        locked = stack.up(check=False, env=FAST)
    assert locked.code != 0 and "pulumi cancel" in locked.output, str(locked)
    stack.run("cancel", "--yes")


def orphans(admin: EmulatorAdmin, stack: Stack) -> int:
    return check_convergence(admin, stack, ROSTER).orphans


@pytest.mark.parametrize("creates", POINTS)
def test_sigint_mid_up_leaves_no_orphan_and_a_plain_up_converges(
    creates: int, emulator_for: EmulatorFor, new_stack: NewStack
) -> None:
    emulator = emulator_for(USERS)
    admin = emulator.admin
    stack = new_stack(emulator.url, ROSTER)

    code, output = interrupt_at(admin, start_slow_up(admin, stack), creates, signal.SIGINT)

    # The engine waited for the creates in flight and recorded them: nothing to repair.
    if code != 0:
        assert "update canceled" in output, output
    assert "Traceback (most recent call last)" not in output
    assert not deployment(stack).get("pending_operations")
    assert orphans(admin, stack) == 0

    stack.up(env=FAST)
    report = check_convergence(admin, stack, ROSTER)
    assert report.converged, str(report)
    assert_no_token(stack)


@pytest.mark.parametrize("creates", POINTS)
def test_sigkill_mid_up_then_cancel_clear_pending_and_adopting_up_converges(
    creates: int, emulator_for: EmulatorFor, new_stack: NewStack
) -> None:
    emulator = emulator_for(USERS)
    admin = emulator.admin
    stack = new_stack(emulator.url, ROSTER)

    code, _ = interrupt_at(admin, start_slow_up(admin, stack), creates, signal.SIGKILL)
    assert code == -signal.SIGKILL
    assert deployment(stack).get("pending_operations"), "killed with no create in flight: tests nothing"

    # What the engine asks for, step by step (docs/guide-recovery.md).
    release_lock(stack)
    stack.refresh("--clear-pending-creates")
    assert not deployment(stack).get("pending_operations")
    stack.up(env={**FAST, "ILERT_ADOPT_EXISTING": "true"})

    report = check_convergence(admin, stack, ROSTER)
    assert report.converged, str(report)
    # Nothing left for the next ordinary run to do.
    stack.up("--expect-no-changes", env=FAST)
    assert_no_token(stack)


def test_import_pending_creates_leaves_landed_contacts_orphaned_and_an_adopting_up_recovers_them(
    emulator_for: EmulatorFor, new_stack: NewStack
) -> None:
    """The engine's own path, `pulumi refresh --import-pending-creates URN ID`, does not recover a
    dynamic resource with Pulumi v3.259.0: the refresh drops the pending operations and records
    nothing (the backend carries only pending *creating* operations into the new snapshot), so the
    contacts that landed stay orphaned. This pins that down (docs/guide-recovery.md relies on it) and
    shows that the documented path still recovers from there."""
    emulator = emulator_for(USERS)
    admin = emulator.admin
    stack = new_stack(emulator.url, ROSTER)

    code, _ = interrupt_at(admin, start_slow_up(admin, stack), 25, signal.SIGKILL)
    assert code == -signal.SIGKILL
    release_lock(stack)

    live = admin.contacts()
    ids = {("email", c["user_id"], c["target"]): c["id"] for c in live["emails"]}
    ids |= {("phone", c["user_id"], c["target"]): c["id"] for c in live["phone_numbers"]}
    imports: list[str] = []
    for op in deployment(stack).get("pending_operations") or []:
        resource = op["resource"]
        inputs = resource["inputs"]
        kind = "phone" if "PhoneNumber" in resource["type"] else "email"
        contact_id = ids.get((kind, inputs["user_id"], inputs["target"]))
        if op["type"] == "creating" and contact_id is not None:
            imports += ["--import-pending-creates", resource["urn"],
                        "--import-pending-creates", f"{inputs['user_id']}:{contact_id}"]
    assert imports, "no create landed while the engine was killed: the case tests nothing"
    landed = len(imports) // 4
    stack.refresh(*imports, "--clear-pending-creates")  # the creates that never landed

    assert not deployment(stack).get("pending_operations")
    assert orphans(admin, stack) == landed  # imported: none

    stack.up(env={**FAST, "ILERT_ADOPT_EXISTING": "true"})
    report = check_convergence(admin, stack, ROSTER)
    assert report.converged, str(report)
    assert_no_token(stack)


def test_state_attributes_emptied_by_a_kill_block_the_stack_until_deleted(
    emulator_for: EmulatorFor, new_stack: NewStack
) -> None:
    """A kill while the `file://` backend rewrites a state file can leave its `.attrs` sidecar
    empty (it is truncated in place, then written): every command then fails with `failed to load
    checkpoint: EOF`. Deleting the empty file is the repair docs/guide-recovery.md gives; here the kill's
    effect is made on purpose, since its moment cannot be aimed at."""
    users = USERS[:2]
    emulator = emulator_for(users)
    stack = new_stack(emulator.url, roster(users))
    stack.up(env=FAST)
    backend = Path(stack.env["PULUMI_BACKEND_URL"].removeprefix("file://"))
    [attrs] = backend.glob(f".pulumi/stacks/*/{stack.name}.json.attrs")
    attrs.write_bytes(b"")

    broken = stack.preview(check=False)
    assert broken.code != 0 and "failed to load checkpoint: EOF" in broken.output, str(broken)
    assert remove_empty_attrs(stack) == [attrs]
    stack.preview("--expect-no-changes")


# -- a contact set stopped half way -----------------------------------------------------------------

SET_USER = 4001
SET_EMAILS = [login_email(SET_USER), *(f"oncall{i}.{SET_USER}@team.example" for i in range(15))]
SET_NUMBERS = [
    {"target": f"+49151{SET_USER:04d}{i:04d}", "region_code": "DE", "primary": i == 0} for i in range(4)
]
HAND_MADE = [f"left.behind{i}@example.org" for i in range(10)]
"""Contacts a person made in ilert before the set: unlisted, so the set deletes them."""
SET_WRITES = len(SET_EMAILS) - 1 + len(SET_NUMBERS) + len(HAND_MADE)
"""What a whole create writes: a POST per listed contact but the login email, a DELETE per hand-made one."""
def writes_answered(admin: EmulatorAdmin) -> int:
    return completed(admin, "POST") + completed(admin, "DELETE")


def assert_set_converged(admin: EmulatorAdmin, stack: Stack, face: str) -> None:
    """The user's contacts are exactly the listed ones (so no duplicate and no orphan), the state
    holds the set and no pending operation."""
    assert set_contacts(admin, SET_USER) == (
        sorted(SET_EMAILS),
        sorted((n["target"], n["primary"]) for n in SET_NUMBERS),
    )
    state = deployment(stack)
    assert [r["id"] for r in state.get("resources") or [] if r["type"] == SET_TYPES[face]] == [str(SET_USER)]
    assert not state.get("pending_operations")


@pytest.mark.parametrize(
    ("face", "sig"),
    [("dynamic", signal.SIGINT), ("dynamic", signal.SIGKILL), ("plugin", signal.SIGKILL)],
    ids=["dynamic-SIGINT", "dynamic-SIGKILL", "plugin-SIGKILL"],
)
def test_a_set_interrupted_half_way_converges_on_the_next_up_with_no_duplicate_and_no_orphan(
    face: str,
    sig: signal.Signals,
    emulator_for: EmulatorFor,
    new_stack: NewStack,
    plugin_stack_template: Template,
) -> None:
    emulator = emulator_for([SET_USER])
    admin = emulator.admin
    for target in HAND_MADE:
        api_post(emulator, TOKEN, SET_USER, "emails", {"target": target})
    stack = new_stack(emulator.url, [], plugin_stack_template if face == "plugin" else None)
    write_set(stack, face, SET_USER, SET_EMAILS, SET_NUMBERS)
    # Every write held 0.3 s at ilert, four at a time: the set's create takes about two seconds.
    admin.add_fault("POST", "delay", seconds=0.3, count=10_000)
    admin.add_fault("DELETE", "delay", seconds=0.3, count=10_000)
    admin.reset_requests()
    up = PulumiProcess(stack, "up", "--yes", "--non-interactive", "--skip-preview", env=FAST)
    try:
        wait_for(lambda: writes_answered(admin) >= 6 or up.proc.poll() is not None, timeout=120,
                 what="6 writes of the set")
        up.send(sig)
        if sig == signal.SIGKILL:
            up.reap(grace=0)  # the whole machine gone: the provider stops mid-set as well
        code, output = up.wait()
        wait_for(lambda: all(e["status"] is not None for e in admin.requests()["log"]),
                 timeout=30, what="ilert to answer every request in flight")
    finally:
        up.stop()
    admin.clear_faults()
    done = writes_answered(admin)
    assert "Traceback (most recent call last)" not in output

    if sig == signal.SIGINT:
        # The engine lets the set's create finish and records it (measured: all 29 writes, then
        # the next up makes no request).
        assert not deployment(stack).get("pending_operations")
    else:
        assert code == -signal.SIGKILL
        assert 6 <= done < SET_WRITES, f"the kill did not land mid-set ({done} of {SET_WRITES} writes)"
        assert deployment(stack).get("pending_operations"), "killed with no create in flight"
        release_lock(stack)
        stack.refresh("--clear-pending-creates")
        assert not deployment(stack).get("pending_operations")
    # What is left to do, so the next up's requests can be counted against it.
    live = admin.contacts()
    held = {c["target"].casefold() for c in live["emails"] if c["user_id"] == str(SET_USER)}
    held |= {c["target"] for c in live["phone_numbers"] if c["user_id"] == str(SET_USER)}
    listed = {e.casefold() for e in SET_EMAILS} | {n["target"] for n in SET_NUMBERS}
    missing, unlisted = len(listed - held), len(held - listed)
    admin.reset_requests()

    stack.up(env=FAST)

    assert_set_converged(admin, stack, face)
    # One list per kind and a write per difference left: nothing written twice.
    counts = admin.request_counts()
    assert (counts.get("POST", 0), counts.get("DELETE", 0), counts.get("PUT", 0)) == (missing, unlisted, 0)
    assert counts.get("GET", 0) <= 2, counts
    admin.reset_requests()
    stack.preview("--expect-no-changes")
    assert admin.requests()["total"] == 0
    assert_no_token(stack)
