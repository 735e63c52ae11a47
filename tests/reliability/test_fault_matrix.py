"""The fault matrix: every fault the network or ilert can throw, at every method, through the real
engine, on a 20-contact roster; then a re-run. Whatever the first command did (succeed after
retries, or fail naming the operation), the re-run converges: ilert holds exactly the declared
contacts, with no duplicate and no orphan.

Each case has its own emulator and its own stack, so the cases run a few at a time (a pulumi
command mostly waits on process start-up, on retries and on the emulator's injected delays); each
test then reports its case. When every case ran, docs/reliability-matrix.md is written from the
outcomes.

A contact set (``UserContacts``) has rows of its own, one per face (``test_faults_inside_a_set...``):
the core's tests (tests/unit/test_contact_set.py) already pin each fault inside a set, so one engine
run per face puts them together.

The matrix runs through the dynamic resources; representative rows (``PLUGIN_CASES``: each fault
once, at the method where it matters most, and the emulator restart) run again through the native
plugin, a Python program of ``pulumi_ilert_contacts.native`` through the same engine. The whole
matrix through the plugin would add about as much again (~3 min) for the same core code paths.
"""

from __future__ import annotations

import shutil
import time
import traceback
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from emulator_support import api_post, api_request, requests_made, set_contacts
from fault_harness import (
    Contact,
    Convergence,
    EmulatorFor,
    EmulatorProcess,
    NewStack,
    PulumiProcess,
    Template,
    assert_no_token,
    check_convergence,
    completed,
    copy_stack,
    faces_in_state,
    roster,
    wait_for,
    write_roster,
    write_set,
)
from matrix_report import METHODS, CaseOutcome, write
from pulumi_fixtures import TOKEN
from pulumi_harness import REPO, Result, Stack
from pulumi_ilert_contacts.emulator import EmulatorAdmin, EmulatorServer
from pulumi_ilert_contacts.emulator.admin_client import FaultAction

USERS = list(range(2001, 2011))
TOUCHED = frozenset(range(2003, 2009))  # whose contacts a PUT case changes and a DELETE case removes
FAULT_PATH = r"^/api/users/(2004|2007)/contacts/"  # the fault hits 4 of the 20 contacts
AFFECTED = 4  # requests of the faulted method that match FAULT_PATH in one command
RATE_WINDOW = 2  # ILERT_RATE_WINDOW of the 429 cases
SLOW = 2.5  # seconds the server sleeps before answering, against a 1 s client timeout
VERB = {"POST": "create", "PUT": "update", "DELETE": "delete", "GET": "list"}
IDEMPOTENT = ("PUT", "DELETE", "GET")
WORKERS = 3  # cases at a time

# The first test runs the whole matrix in its fixture (a few minutes on a busy 2-core machine).
pytestmark = pytest.mark.timeout(1500)


@dataclass(frozen=True)
class Fault:
    """One row of the matrix: an emulator fault rule and how many matching requests it hits."""

    key: str
    label: str
    action: FaultAction
    count: dict[str, int]
    fails: frozenset[str]  # the methods whose faulted command is expected to fail
    status: int | None = None
    delay: float | None = None
    env: dict[str, str] = field(default_factory=dict)


def _counts(post: int, other: int) -> dict[str, int]:
    return {"POST": post, **{m: other for m in IDEMPOTENT}}


# The counts make each outcome certain whatever the order of the requests. A create is POSTed at
# most 3 times (a look-up by target before each retry); an idempotent request is sent at most 4
# times after drops or timeouts (urllib3 read=3) and 9 times after error statuses. So 3 x AFFECTED
# outlasts every create, 3 is absorbed by any idempotent request, and 4 x AFFECTED timeouts
# outlast every idempotent request. 2 x AFFECTED 429s make the retries, sent at the next window
# boundary, meet a 429 again: the burst lasts into the next window.
FAULTS = [
    Fault("429", "429 burst without Retry-After, lasting into the next window", "status",
          _counts(2 * AFFECTED, 2 * AFFECTED), frozenset(), status=429,
          env={"ILERT_RATE_WINDOW": str(RATE_WINDOW)}),
    Fault("500", "500 Internal Server Error", "status", _counts(3 * AFFECTED, 3), frozenset({"POST"}),
          status=500),
    Fault("502", "502 Bad Gateway", "status", _counts(3 * AFFECTED, 3), frozenset({"POST"}), status=502),
    Fault("503", "503 Service Unavailable", "status", _counts(3 * AFFECTED, 3), frozenset({"POST"}),
          status=503),
    Fault("reset", "connection reset before the server acts", "drop_before",
          _counts(3 * AFFECTED, 3), frozenset({"POST"})),
    Fault("lost", "response lost after the server acted", "drop_after", _counts(AFFECTED, 3), frozenset()),
    Fault("slow", f"response slower than the client timeout ({SLOW:g} s vs ILERT_HTTP_TIMEOUT=1)", "delay",
          _counts(AFFECTED, 4 * AFFECTED), frozenset(IDEMPOTENT), delay=SLOW,
          env={"ILERT_HTTP_TIMEOUT": "1"}),
]
RESTART_LABEL = "emulator killed (SIGKILL) and restarted mid-`up` (file-backed)"
RESTART_METHODS = ("POST", "PUT", "DELETE")
FAULT_CASES = {f"{m}-{f.key}": (f, m) for f in FAULTS for m in METHODS}
RESTART_CASES = {f"restart-{m}": m for m in RESTART_METHODS}
FAULT_ORDER = [f.label for f in FAULTS] + [RESTART_LABEL]
PLUGIN_CASES = (
    "POST-lost",  # a lost create answer: the look-up by target, no duplicate
    "POST-500",  # a create that fails after its attempts, named; the re-run creates the rest
    "PUT-reset",  # a dropped connection absorbed by the retries of an idempotent request
    "DELETE-503",
    "GET-slow",  # timeouts outlasting the retries of a refresh
    "GET-429",  # a 429 burst into the next window
    "restart-POST",  # the emulator killed mid-create
)
"""The cases that also run through the plugin (as ``plugin-<case>``)."""
PLUGIN = "plugin-"


def case_of(case_id: str) -> tuple[str, str]:
    """(face, case) of a test's case id: ``plugin-POST-lost`` is the plugin's ``POST-lost``."""
    if case_id.startswith(PLUGIN):
        return "plugin", case_id.removeprefix(PLUGIN)
    return "dynamic", case_id


# -- what a case does ---------------------------------------------------------------------------------


def desired(method: str) -> list[Contact]:
    """The program after the faulted command's change."""
    if method == "PUT":
        return roster(USERS, changed=TOUCHED)
    if method == "DELETE":
        return roster([u for u in USERS if u not in TOUCHED])
    return roster(USERS)


def first_error(output: str) -> str:
    """The first error line a user sees, without the SDK's prefix."""
    for line in output.splitlines():
        if "error:" in line and "Unable to" in line:
            return line.split("error:", 1)[1].replace("Exception calling application:", "").strip()
    return ""


def fault_hits(admin: EmulatorAdmin, rule: int, count: int) -> int:
    """How many requests a count-limited rule has hit so far."""
    for live in admin.faults():
        if live["id"] == rule:
            return count - int(live["count"])
    return count


def assert_clear_failure(output: str, verb: str | None = None) -> None:
    """A failed command names the operation and shows neither a Python traceback nor the token."""
    expected = f"Unable to {verb}" if verb else "Unable to "
    assert expected in output, f"no error naming the operation ({expected!r}):\n{output}"
    assert "Traceback (most recent call last)" not in output, f"a raw traceback:\n{output}"
    assert TOKEN not in output


def rerun(stack: Stack, admin: EmulatorAdmin, method: str) -> tuple[str, Convergence]:
    """The same command again, without the fault; then the convergence check."""
    if method == "GET":
        stack.up("--refresh")
    else:
        stack.up()
    command = "`pulumi up --refresh`" if method == "GET" else "`pulumi up`"
    return command, check_convergence(admin, stack, desired(method))


@dataclass
class Workspace:
    """Where a case makes its stack and emulator state, and which face's resources it declares."""

    root: Path
    pulumi_home: Path
    empty: Template
    deployed: Template
    face: str = "dynamic"

    def stack(self, endpoint: str, method: str) -> Stack:
        template = self.empty if method == "POST" else self.deployed
        stack = copy_stack(template, self.root / "stack", endpoint, self.pulumi_home)
        write_roster(stack, desired(method), self.face)
        return stack

    def db(self, method: str) -> Path | None:
        """The emulator's state file: a copy of the deployed roster's, except for creates."""
        if method == "POST":
            return None
        assert self.deployed.db is not None
        return Path(shutil.copyfile(self.deployed.db, self.root / "ilert.db"))


def run_fault_case(fault: Fault, method: str, ws: Workspace) -> CaseOutcome:
    """Inject the fault, run the command, check how it ended, re-run, check convergence."""
    started = time.monotonic()
    with EmulatorServer(token=TOKEN, users=USERS, db=ws.db(method)) as emulator:
        admin = emulator.admin
        stack = ws.stack(emulator.url, method)
        count = fault.count[method]
        rule = admin.add_fault(method, fault.action, path=FAULT_PATH, status=fault.status, count=count,
                               seconds=fault.delay)
        extra = ("--refresh",) if method == "GET" else ()
        first: Result = stack.up(*extra, check=False, env=fault.env)
        hits = fault_hits(admin, rule, count)
        admin.clear_faults()
        log = admin.requests()["log"]
        if fault.action == "delay":
            time.sleep(SLOW)  # let the requests the client gave up on land before the re-run

        assert hits >= 1, f"the fault never hit a request: the case tests nothing\n{first}"
        if fault.status == 429:
            per_path = Counter(e["path"] for e in log if e["status"] == 429)
            assert max(per_path.values()) >= 2, "no retry met the burst again in the next window"
        if method in fault.fails:
            assert first.code != 0, f"expected the fault to outlast the retries:\n{first}"
            assert_clear_failure(first.output, VERB[method])
        else:
            assert first.code == 0, f"expected the retries to absorb the fault:\n{first}"

        command, report = rerun(stack, admin, method)
        assert faces_in_state(stack) == {ws.face}
        assert_no_token(stack)
    return CaseOutcome(
        fault=fault.label, method=method, first_run="failed" if first.code else "succeeded",
        message=first_error(first.output) if first.code else "", fault_hits=hits, rerun=command,
        converged=report.converged, duplicates=report.duplicates, orphans=report.orphans,
        missing=report.missing, seconds=time.monotonic() - started, problems=report.problems,
    )


def run_restart_case(method: str, ws: Workspace) -> CaseOutcome:
    """Kill the file-backed emulator (SIGKILL) while the `up` is half done, start it again on the
    same port and state file, let the `up` end as it will, re-run, check convergence."""
    started = time.monotonic()
    db = ws.db(method) or ws.root / "ilert.db"
    ilert = EmulatorProcess(db, TOKEN, USERS)
    ilert.start()
    try:
        admin = ilert.admin
        stack = ws.stack(ilert.url, method)
        # Hold every write 0.4 s, four at a time, so the kill lands with some done, some in flight.
        admin.add_fault(method, "delay", seconds=0.4, count=1000)
        up = PulumiProcess(stack, "up", "--yes", "--non-interactive", "--skip-preview", "--parallel", "4")
        try:
            wait_for(lambda: completed(admin, method) >= 4, timeout=120, what=f"4 {method}s answered")
            done = completed(admin, method)
            ilert.kill()
            time.sleep(1.0)
            ilert.start()  # same port, same state file, no fault rules
            code, output = up.wait()
        finally:
            up.stop()
        if code != 0:
            assert_clear_failure(output)
        command, report = rerun(stack, admin, method)
        assert faces_in_state(stack) == {ws.face}
        assert_no_token(stack)
    finally:
        ilert.stop()
    return CaseOutcome(
        fault=RESTART_LABEL, method=method, first_run="failed" if code else "succeeded",
        message=first_error(output) if code else "", fault_hits=1, rerun=command,
        converged=report.converged, duplicates=report.duplicates, orphans=report.orphans,
        missing=report.missing, seconds=time.monotonic() - started, problems=report.problems,
        detail=f"killed after {done} {method}s answered",
    )


# -- running the matrix --------------------------------------------------------------------------------


@dataclass
class CaseResult:
    """A case's outcome (None if it did not get that far) and what went wrong, if anything."""

    outcome: CaseOutcome | None = None
    error: str | None = None


def deploy(root: Path, pulumi_home: Path, empty: Template, face: str) -> Template:
    """The roster deployed once, cleanly, as ``face``'s resources: where every PUT, DELETE and GET
    case of that face starts (each with its own copy of the stack and of the emulator's state file)."""
    db = root / "ilert.db"
    with EmulatorServer(token=TOKEN, users=USERS, db=db) as emulator:
        stack = copy_stack(empty, root / "stack", emulator.url, pulumi_home)
        write_roster(stack, roster(USERS), face)
        stack.up()
        assert check_convergence(emulator.admin, stack, roster(USERS)).converged
        return Template(root / "stack", emulator.url, db)


@dataclass
class Templates:
    """Each face's empty stack and deployed roster; a face's are made on first use."""

    tmp: pytest.TempPathFactory
    pulumi_home: Path
    empty: dict[str, Template]
    _deployed: dict[str, Template] = field(default_factory=dict)

    def deployed(self, face: str) -> Template:
        if face not in self._deployed:
            root = self.tmp.mktemp(f"deployed-{face}")
            self._deployed[face] = deploy(root, self.pulumi_home, self.empty[face], face)
        return self._deployed[face]


def _selected(request: pytest.FixtureRequest) -> list[str]:
    """The ids of the matrix cases this session runs (all, unless -k or a node id narrows it)."""
    ids = []
    for item in request.session.items:
        callspec = getattr(item, "callspec", None)
        in_matrix = "matrix" in getattr(item, "fixturenames", ())
        if getattr(item, "module", None) is request.module and callspec is not None and in_matrix:
            ids.append(callspec.id)
    return ids


@pytest.fixture(scope="module")
def matrix(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    pulumi_home: Path,
    stack_template: Template,
    plugin_stack_template: Template,
) -> dict[str, CaseResult]:
    """Run the selected cases, ``WORKERS`` at a time, longest first; write the page if all ran."""
    selected = _selected(request)
    templates = Templates(
        tmp_path_factory, pulumi_home, {"dynamic": stack_template, "plugin": plugin_stack_template}
    )
    # The deployed rosters first, one per face the selected cases need beyond creates, in parallel.
    needed = {case_of(c)[0] for c in selected if not case_of(c)[1].startswith("POST")}
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(templates.deployed, sorted(needed)))

    def job(case_id: str) -> Callable[[], CaseOutcome]:
        face, case = case_of(case_id)
        method = RESTART_CASES.get(case) or FAULT_CASES[case][1]
        deployed = templates.deployed(face) if method != "POST" else templates.empty[face]
        ws = Workspace(tmp_path_factory.mktemp(case_id), pulumi_home, templates.empty[face], deployed, face)
        if case in RESTART_CASES:
            return lambda: run_restart_case(RESTART_CASES[case], ws)
        fault, method = FAULT_CASES[case]
        return lambda: run_fault_case(fault, method, ws)

    def attempt(run: Callable[[], CaseOutcome]) -> CaseResult:
        try:
            outcome = run()
        except BaseException:  # a failed assertion or a crash: reported by the case's test
            return CaseResult(error=traceback.format_exc())
        if not outcome.converged:
            return CaseResult(outcome, "did not converge:\n  " + "\n  ".join(outcome.problems))
        return CaseResult(outcome)

    def quick(case_id: str) -> bool:
        case = case_of(case_id)[1]
        return not case.endswith(("429", "slow")) and case not in RESTART_CASES

    slow_first = sorted(selected, key=quick)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = {case: pool.submit(attempt, job(case)) for case in slow_first}
        results = {case: future.result() for case, future in futures.items()}
    wall = time.monotonic() - started
    outcomes = {case: r.outcome for case, r in results.items() if r.outcome is not None}
    every = set(FAULT_CASES) | set(RESTART_CASES) | {PLUGIN + case for case in PLUGIN_CASES}
    if set(results) == every and len(outcomes) == len(results):
        (REPO / "docs").mkdir(exist_ok=True)
        dynamic = [o for case, o in outcomes.items() if case_of(case)[0] == "dynamic"]
        plugin = [o for case, o in outcomes.items() if case_of(case)[0] == "plugin"]
        write(REPO / "docs" / "reliability-matrix.md", dynamic, FAULT_ORDER, wall, plugin)
    return results


def report(result: CaseResult) -> None:
    if result.error:
        pytest.fail(result.error, pytrace=False)


@pytest.mark.parametrize("case", list(FAULT_CASES))
def test_fault_then_rerun_converges_without_duplicates_or_orphans(
    case: str, matrix: dict[str, CaseResult]
) -> None:
    report(matrix[case])


@pytest.mark.parametrize("case", list(RESTART_CASES))
def test_emulator_killed_and_restarted_mid_up_converges(case: str, matrix: dict[str, CaseResult]) -> None:
    report(matrix[case])


@pytest.mark.parametrize("case", [PLUGIN + case for case in PLUGIN_CASES])
def test_through_the_plugin_the_fault_then_rerun_converges(case: str, matrix: dict[str, CaseResult]) -> None:
    report(matrix[case])



# -- a contact set -----------------------------------------------------------------------------------

SET_USER = 2101
SET_EMAILS = [f"oncall{i}.{SET_USER}@team.example" for i in range(4)]
SET_NUMBERS = [
    {"target": f"+49151{SET_USER:04d}000{i}", "region_code": "DE", "primary": i == 0} for i in range(2)
]


@pytest.mark.parametrize("face", ["dynamic", "plugin"])
def test_faults_inside_a_set_are_absorbed_with_no_duplicate_and_a_contact_already_gone_counts_as_deleted(
    face: str, emulator_for: EmulatorFor, new_stack: NewStack, plugin_stack_template: Template
) -> None:
    emulator = emulator_for([SET_USER])
    admin = emulator.admin
    for i in range(2):  # made by hand, unlisted: the set deletes them
        api_post(emulator, TOKEN, SET_USER, "emails", {"target": f"left.behind{i}@example.org"})
    stack = new_stack(emulator.url, [], plugin_stack_template if face == "plugin" else None)
    write_set(stack, face, SET_USER, SET_EMAILS, SET_NUMBERS, delete_on_destroy=True)
    user = rf"^/api/users/{SET_USER}/contacts/"
    admin.add_fault("POST", "drop_after", path=user + "emails$", count=1)  # created, the answer lost
    admin.add_fault("POST", "status", path=user + "phone-numbers$", status=503, count=1)
    admin.add_fault("DELETE", "status", path=user + "emails/", status=429, count=1, retry_after=0)
    admin.reset_requests()

    # A 429 without Retry-After waits for the next window: keep that a second.
    stack.up(env={"ILERT_RATE_LIMIT": "0", "ILERT_RATE_WINDOW": "1"})

    assert admin.faults() == [], "a fault was not hit: the case tests less than it says"
    assert set_contacts(admin, SET_USER) == (
        sorted(SET_EMAILS),
        sorted((n["target"], n["primary"]) for n in SET_NUMBERS),
    )
    # One list per kind and a look-up after each failed POST; a POST per listed contact plus the one
    # refused with 503 (sent again after its look-up), the lost answer found by its look-up and not
    # posted again; a DELETE per unlisted contact (two hand-made, the login email) plus the 429'd one.
    posts = len(SET_EMAILS) + len(SET_NUMBERS) + 1
    assert requests_made(admin) == {"GET": 2 + 2, "POST": posts, "DELETE": 3 + 1}
    admin.reset_requests()
    stack.preview("--expect-no-changes")
    assert admin.requests()["total"] == 0

    # A listed contact deleted by hand: destroy (deleteOnDestroy) deletes the others and succeeds.
    [gone] = [c for c in admin.contacts()["emails"] if c["target"] == SET_EMAILS[0]]
    api_request(emulator, "DELETE", f"/users/{SET_USER}/contacts/emails/{gone['id']}")
    admin.reset_requests()
    stack.destroy()
    assert set_contacts(admin, SET_USER) == ([], [])
    assert admin.request_counts()["DELETE"] == len(SET_EMAILS) - 1 + len(SET_NUMBERS)
    assert_no_token(stack)
