"""What the reliability suite drives and checks: rosters, a pulumi command that runs in the
background (so a test can interrupt it), the emulator as a file-backed process of its own (so a
test can kill and restart it), and the one convergence check every test ends with.

The convergence check is the promise the suite keeps: ilert holds exactly the declared contacts,
no target twice, none that no state resource knows, and the state matches the program.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator_support import login_email
from pulumi_fixtures import TOKEN
from pulumi_harness import Result, Stack, base_env, contact_program
from pulumi_ilert_contacts.core.kinds import KIND_BY_TYPE, camel_name
from pulumi_ilert_contacts.emulator import EmulatorAdmin, EmulatorServer

Contact = dict[str, Any]
"""One declared contact, as ``pulumi_harness.contact_program`` takes it: kind, name, args."""

FACES = ("dynamic", "plugin")
"""Which resources a stack declares: the dynamic ones, or the plugin's (``pulumi_ilert_contacts.native``)."""
NAMESPACE = {"dynamic": "ilert", "plugin": "ilert-contacts"}
"""The stack config namespace of each face's account (``<namespace>:apiToken``, ``:endpoint``)."""
PLUGIN_DIR = Path(sys.executable).parent
"""Where ``pip install`` put ``pulumi-resource-ilert-contacts``, named in a plugin stack's ``Pulumi.yaml``."""


@dataclass(frozen=True)
class Template:
    """A stack directory (``project/`` and ``backend/``) to copy, the emulator address its config
    names, and the emulator state file its resources live in (None: a stack with no resources)."""

    root: Path
    endpoint: str
    db: Path | None = None


def stack_in(root: Path, pulumi_home: Path) -> Stack:
    """The stack of a directory laid out as a ``Template``."""
    return Stack(root / "project", base_env(root / "backend", pulumi_home))


def copy_stack(template: Template, root: Path, endpoint: str, pulumi_home: Path) -> Stack:
    """A copy of ``template`` in ``root``, pointed at the emulator at ``endpoint``."""
    shutil.copytree(template.root, root)
    # The endpoint is in the stack config and, once deployed, in the state's provider inputs
    # (which `pulumi refresh` uses): point both at this emulator.
    for path in [root / "project" / "Pulumi.test.yaml", *(root / "backend").glob(".pulumi/stacks/*/*.json")]:
        path.write_text(path.read_text().replace(template.endpoint, endpoint))
    return stack_in(root, pulumi_home)


NewStack = Callable[..., Stack]
"""``new_stack(endpoint, contacts, template=None)``: the reliability conftest's stack factory."""

EmulatorFor = Callable[..., EmulatorServer]
"""``emulator_for(users, db=None)``: the reliability conftest's emulator factory."""


# -- rosters -------------------------------------------------------------------------------------


def email_target(user: int, index: int, version: int = 1) -> str:
    """A roster email address; ``version`` > 1 gives the address it is changed to."""
    suffix = "" if version == 1 else f".v{version}"
    return f"oncall{index}.{user}{suffix}@team.example"


def phone_target(user: int, index: int, version: int = 1) -> str:
    """A roster German mobile number in E.164 (valid for region DE), one per version."""
    prefix = {1: "151", 2: "157", 3: "160"}[version]
    return f"+49{prefix}{user:04d}{index:04d}"


def roster(
    users: range | list[int],
    *,
    emails: int = 1,
    phones: int = 1,
    changed: frozenset[int] = frozenset(),
    primary_index: int | None = 0,
) -> list[Contact]:
    """``emails`` email and ``phones`` phone contacts per user; users in ``changed`` get the
    second version of every target (the same resources with new targets: updates in place).
    ``primary_index`` names each user's primary phone (None: no primary)."""
    contacts: list[Contact] = []
    for user in users:
        version = 2 if user in changed else 1
        for i in range(emails):
            contacts.append(
                {
                    "kind": "email",
                    "name": f"u{user}-email{i}",
                    "args": {"user_id": str(user), "target": email_target(user, i, version)},
                }
            )
        for i in range(phones):
            contacts.append(
                {
                    "kind": "phone",
                    "name": f"u{user}-phone{i}",
                    "args": {
                        "user_id": str(user),
                        "region_code": "DE",
                        "target": phone_target(user, i, version),
                        "primary": i == primary_index,
                    },
                }
            )
    return contacts


def write_roster(stack: Stack, contacts: list[Contact], face: str = "dynamic") -> None:
    """(Re)write the stack's program to declare exactly ``contacts``, as ``face``'s resources."""
    native = face == "plugin"
    stack.write_program(
        contact_program(contacts, exports=False, native=native),
        project="reliability",
        plugin_dir=PLUGIN_DIR if native else None,
    )


SET_TYPES = {
    "dynamic": "pulumi-python:dynamic/ilert:UserContacts",
    "plugin": "ilert-contacts:index:UserContacts",
}
"""The contact set's type token in the state, by face."""

_SET_SOURCE = """
from pulumi_ilert_contacts{module} import UserContacts

UserContacts("team", user_id="{user}", emails={emails!r}, phone_numbers={numbers!r}{extra})
"""


def write_set(
    stack: Stack,
    face: str,
    user: int,
    emails: list[str],
    numbers: list[dict[str, Any]],
    delete_on_destroy: bool = False,
) -> None:
    """(Re)write the stack's program to declare one contact set ``team`` of ``user`` through ``face``
    (the plugin's: ``pulumi_ilert_contacts.native``), numbers as dicts with Python names."""
    native = face == "plugin"
    source = _SET_SOURCE.format(
        module=".native" if native else "",
        user=user,
        emails=emails,
        numbers=numbers,
        extra=", delete_on_destroy=True" if delete_on_destroy else "",
    )
    stack.write_program(source, project="reliability", plugin_dir=PLUGIN_DIR if native else None)


# -- the convergence check -----------------------------------------------------------------------


@dataclass
class Convergence:
    """How ilert and the state compare with the program; ``problems`` is empty when they agree."""

    declared: int
    in_ilert: int
    in_state: int
    duplicates: int = 0
    orphans: int = 0
    missing: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def converged(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        head = (
            f"declared {self.declared}, in ilert {self.in_ilert}, in state {self.in_state}; "
            f"duplicates {self.duplicates}, orphans {self.orphans}, missing {self.missing}"
        )
        return head + "".join(f"\n  - {p}" for p in self.problems)


def _key(user_id: str, kind: str, target: str) -> tuple[str, str, str]:
    return (str(user_id), kind, target.casefold() if kind == "email" else target)


def deployment(stack: Stack) -> dict[str, Any]:
    """The stack's deployment: read from the local backend's checkpoint file (what
    ``pulumi stack export`` prints, without starting the CLI), else from ``pulumi stack export``."""
    backend = Path(stack.env["PULUMI_BACKEND_URL"].removeprefix("file://"))
    files = list(backend.glob(f".pulumi/stacks/*/{stack.name}.json"))
    if len(files) == 1:
        latest: dict[str, Any] = json.loads(files[0].read_text())["checkpoint"]["latest"]
        return latest
    data: dict[str, Any] = json.loads(stack.export())["deployment"]
    return data


def check_convergence(admin: EmulatorAdmin, stack: Stack, declared: list[Contact]) -> Convergence:
    """Compare ilert (the emulator), the stack state and the program.

    - duplicates: a (user, kind, target) that ilert holds more than once;
    - orphans: a contact in ilert that no state resource knows (login emails aside, unless declared);
    - missing: a declared contact that ilert does not hold;
    - and: ilert holds nothing undeclared, every state resource points at a live contact with the
      declared properties, no pending operations are left in the state.
    """
    wanted = {
        _key(c["args"]["user_id"], c["kind"], c["args"]["target"]): c for c in declared
    }
    live = admin.contacts()
    in_ilert: list[tuple[tuple[str, str, str], dict[str, Any]]] = []
    for kind, listed in (("email", live["emails"]), ("phone", live["phone_numbers"])):
        for contact in listed:
            key = _key(contact["user_id"], kind, contact["target"])
            if kind == "email" and contact["target"] == login_email(contact["user_id"]) and key not in wanted:
                continue
            in_ilert.append((key, dict(contact)))

    dep = deployment(stack)
    # Either face's contacts: the plugin's record schema names (regionCode), the dynamic ones Python's.
    state = [r for r in dep.get("resources") or [] if r["type"] in KIND_BY_TYPE]
    report = Convergence(declared=len(wanted), in_ilert=len(in_ilert), in_state=len(state))
    problems = report.problems

    counts = Counter(key for key, _ in in_ilert)
    for key, n in sorted(counts.items()):
        if n > 1:
            report.duplicates += n - 1
            problems.append(f"duplicate in ilert: {key} x{n}")
    for key in sorted(set(wanted) - set(counts)):
        report.missing += 1
        problems.append(f"missing in ilert: {key}")
    for key in sorted(set(counts) - set(wanted)):
        problems.append(f"undeclared contact left in ilert: {key}")

    state_ids = Counter(int(str(r["id"]).split(":")[1]) for r in state if r.get("id"))
    ilert_ids = {int(c["id"]): (key, c) for key, c in in_ilert}
    for contact_id, (key, _) in sorted(ilert_ids.items()):
        if contact_id not in state_ids:
            report.orphans += 1
            problems.append(f"orphan: ilert contact {contact_id} {key} is in no state")
    for contact_id, n in sorted(state_ids.items()):
        if n > 1:
            problems.append(f"{n} state resources share ilert contact {contact_id}")
        if contact_id not in ilert_ids:
            problems.append(f"state resource points at contact {contact_id}, which ilert does not hold")

    by_name = {c["name"]: c for c in declared}
    seen: set[str] = set()
    for resource in state:
        name = resource["urn"].rsplit("::", 1)[-1]
        seen.add(name)
        spec = by_name.get(name)
        if spec is None:
            problems.append(f"state holds {name}, which the program does not declare")
            continue
        # What the provider's diff compares: the program's arguments against the state.
        kind = KIND_BY_TYPE[resource["type"]]
        native = resource["type"] != kind.type_token
        for where in ("inputs", "outputs"):
            recorded = resource.get(where) or {}
            for prop, value in spec["args"].items():
                if recorded.get(camel_name(kind, prop) if native else prop) != value:
                    problems.append(f"state {name} {where}.{prop} is {recorded.get(prop)!r}, not {value!r}")
        contact_id = int(str(resource.get("id", "0:0")).split(":")[1])
        found = ilert_ids.get(contact_id)
        if found is not None:
            key, live_contact = found
            if key != _key(spec["args"]["user_id"], spec["kind"], spec["args"]["target"]):
                problems.append(f"state {name} points at contact {contact_id} {key}, not its target")
            primary = live_contact.get("primary")
            if spec["kind"] == "phone" and primary != spec["args"].get("primary", False):
                problems.append(f"ilert contact {contact_id} ({name}) has primary={primary}")
    for name in sorted(set(by_name) - seen):
        problems.append(f"{name} is declared but not in the state")
    pending = dep.get("pending_operations") or []
    if pending:
        problems.append(f"{len(pending)} pending operations left in the state")
    return report


def faces_in_state(stack: Stack) -> set[str]:
    """Which faces' contact resources the stack's state holds (``dynamic``, ``plugin``)."""
    types = {r["type"] for r in deployment(stack).get("resources") or [] if r["type"] in KIND_BY_TYPE}
    return {"dynamic" if KIND_BY_TYPE[t].type_token == t else "plugin" for t in types}


def remove_empty_attrs(stack: Stack) -> list[Path]:
    """Delete the zero-byte ``*.attrs`` files of the stack's local backend; return them.

    The ``file://`` backend (gocloud.dev fileblob) writes each state file's ``.attrs`` sidecar in
    place (truncate, then write) before it renames the new state into place. A kill between the
    two leaves the sidecar empty, the state file intact, and every later command failing with
    ``failed to load checkpoint: EOF``. A missing sidecar is fine, so the repair is to delete it.
    """
    backend = Path(stack.env["PULUMI_BACKEND_URL"].removeprefix("file://"))
    empty = [p for p in backend.glob(".pulumi/**/*.attrs") if p.stat().st_size == 0]
    for path in empty:
        path.unlink()
    return empty


def assert_no_token(stack: Stack) -> None:
    """No command's output may show the API token."""
    for result in stack.history:
        assert TOKEN not in result.output, f"the API token leaked into the output of:\n{result}"


# -- processes -----------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (from /proc), deepest last."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


class PulumiProcess:
    """``pulumi ARGS`` started in the background, so a test can signal it mid-run.

    The engine's children (language host, dynamic provider) are remembered while it runs: after
    a SIGKILL they outlive it, as they would on a user's machine, and ``reap`` ends them by pid.
    """

    def __init__(self, stack: Stack, *args: str, env: dict[str, str] | None = None) -> None:
        self.stack = stack
        self.args = list(args)
        self.log = stack.workdir / f"pulumi-{len(stack.history)}-{args[0]}.log"
        self._out = self.log.open("w")
        self.proc = subprocess.Popen(
            ["pulumi", *args, "--stack", stack.name],
            cwd=stack.workdir,
            env={**stack.env, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=self._out,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.descendants: set[int] = set()

    def poll_children(self) -> None:
        """Remember the engine's current descendants."""
        if self.proc.poll() is None:
            self.descendants.update(_children(self.proc.pid))

    def send(self, sig: signal.Signals) -> None:
        """Signal the pulumi process only (not its children), as ``kill -SIG <pid>`` would."""
        self.poll_children()
        if self.proc.poll() is None:
            os.kill(self.proc.pid, sig)

    def wait(self, timeout: float = 300) -> tuple[int, str]:
        """Wait for the exit; return the exit code and the output. Records it in the stack's history."""
        code = self.proc.wait(timeout=timeout)
        self._out.close()
        output = self.log.read_text()
        self.stack.history.append(Result(self.args, code, output, ""))
        return code, output

    def stop(self) -> None:
        """Make sure nothing of this run is left: kill it if still running, end its children.
        (A no-op once it ended and was reaped; for the cleanup after a failed wait.)"""
        self.poll_children()
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        self._out.close()
        self.reap(grace=0)

    def reap(self, grace: float = 5.0) -> list[int]:
        """End the engine's children that outlived it (by pid); return those still running at the end
        of ``grace`` (which had to be killed)."""
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(_alive(p) for p in self.descendants):
            time.sleep(0.1)
        leftover = [p for p in self.descendants if _alive(p)]
        for pid in leftover:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return leftover


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class EmulatorProcess:
    """The emulator's command line in a process of its own, on a fixed port, its state in a file:
    it can be killed (SIGKILL, nothing flushed on the way out) and started again where it was."""

    def __init__(self, db: Path, token: str, users: list[int], port: int | None = None) -> None:
        self.db = db
        self.token = token
        self.users = users
        self.port = port or free_port()
        self.proc: subprocess.Popen[str] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def admin(self) -> EmulatorAdmin:
        return EmulatorAdmin(self.url)

    def start(self, timeout: float = 20.0) -> None:
        """Start serving and wait until the admin surface answers (retries a port still held)."""
        command = [
            sys.executable, "-m", "pulumi_ilert_contacts.emulator", "--port", str(self.port),
            "--token", self.token, "--users", ",".join(map(str, self.users)), "--db", str(self.db),
        ]
        deadline = time.monotonic() + timeout
        while True:
            with self.db.with_suffix(".log").open("a") as log:
                self.proc = subprocess.Popen(
                    command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log, text=True
                )
            try:
                self.admin.wait_ready(timeout=max(deadline - time.monotonic(), 0.1))
                return
            except TimeoutError:
                pass
            if self.proc.poll() is None or time.monotonic() >= deadline:
                self.stop()
                raise TimeoutError(f"the emulator did not start on port {self.port}")
            time.sleep(0.2)  # exited: most likely the port is not free yet

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, as a crash or an OOM kill would end it."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM and wait."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


def wait_for(predicate: Any, timeout: float, interval: float = 0.03, what: str = "condition") -> None:
    """Poll ``predicate`` until true; raise ``TimeoutError`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def completed(admin: EmulatorAdmin, method: str, statuses: tuple[int, ...] = (200, 201, 204)) -> int:
    """API requests of ``method`` the emulator has answered with one of ``statuses``."""
    return sum(1 for e in admin.requests()["log"] if e["method"] == method and e["status"] in statuses)
