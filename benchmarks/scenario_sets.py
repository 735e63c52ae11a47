"""Contact sets against single resources (issue 16): the same contacts of the same users declared
as one ``UserContacts`` set per user and as one resource per contact, through the real engine, in
one run against one emulator, every phase of the lifecycle.

- **Workload**: ``users`` users (20), each with five email addresses and five phone numbers (the
  first number primary): 200 contacts. The users are seeded by the emulator with their login email;
  it is deleted before the run (unmeasured), so that each user starts with no contact and both
  shapes manage exactly the same 200 (a set that does not list the login email would delete it).
- **Shapes and faces**: ``sets`` (``UserContacts`` with ``delete_on_destroy``) and ``singles``
  (``ContactEmail`` / ``ContactPhoneNumber``), each through the plugin face (the native Python
  classes, ``pulumi_ilert_contacts.native``, as the lifecycle bench's plugin variant), the dynamic
  face (``pulumi_ilert_contacts``) and the engine floor (``floor_provider``'s stand-ins: the same
  property shapes, no HTTP). Each face has users of its own in the emulator; the commands run
  interleaved, the order rotating between repeats.
- **Phases**: create (``up``), no-op ``preview``, update (one email of every user replaced: 20 of
  the 200 contacts; a single resource updates in place with a PUT, a set POSTs the new address and
  DELETEs the old one), ``refresh``, ``destroy`` (the sets delete the 200 contacts they list, as
  the singles do) and, for the sets only, ``destroy`` of sets without ``delete_on_destroy``, which
  forgets and calls nothing (its stack is made again first, unmeasured).
- **Live**: with ``live`` = (limit, window) the emulator enforces that rate per key and the provider
  its own limiter (as ``scenario_lifecycle``'s live run); each phase that sends requests starts on
  a clean budget; a phase's floor is max(the engine floor of its shape, requests / rate).
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection
from typing import Any

import requests
from bench_harness import (
    TOKEN,
    UP,
    Context,
    emulator_for,
    make_stack,
    median_of,
    progress,
    ratio,
    require_success,
    rotated,
    run_counted,
)
from measure import EmulatorProcess
from pulumi_harness import Stack
from scenario_lifecycle import LIVE_ENGINE_REPEAT, BudgetPacer, live_env

FACES = ("plugin", "dynamic", "floor")
SHAPES = ("sets", "singles")
FIRST_USER = {"plugin": 62001, "dynamic": 12001, "floor": 12001}
SINGLES_OFFSET = 1000
"""Each face and shape calling ilert has users of its own (the floor calls nobody): the singles'
users are ``SINGLES_OFFSET`` above the sets' (the same contacts, on other user ids)."""
EMAILS = NUMBERS = 5
UP_TARGET_RATIO = 0.4
"""The issue's target: ``up`` of the sets at most this times the singles' ``up``."""
OPENTOFU_UP_SECONDS = 3.0
"""OpenTofu applying the same 200 contacts with ilert's Terraform provider (issue 16): about 3 s."""
LIVE_RATIO = 1.1
"""The issue's live target: every phase within this times max(engine floor, requests / rate)."""
DESTROY = ("destroy", "--yes", "--non-interactive", "--skip-preview")
PHASES: dict[str, tuple[str, ...]] = {
    "create": UP,
    "preview": ("preview", "--non-interactive", "--expect-no-changes"),
    "update": UP,
    "refresh": ("refresh", "--yes", "--non-interactive", "--skip-preview", "--expect-no-changes"),
    "destroy": DESTROY,
    "destroy_forget": DESTROY,
}
LABELS = {
    "create": "`up` (create)",
    "preview": "`preview` (no-op)",
    "update": "`up` (update 10 %: one email per user replaced)",
    "refresh": "`refresh`",
    "destroy": "`destroy` (sets: deleteOnDestroy)",
    "destroy_forget": "`destroy` (sets without deleteOnDestroy: forget)",
}
_PYTHON_CLASSES = {
    "plugin": "from pulumi_ilert_contacts.native import ContactEmail, ContactPhoneNumber, UserContacts",
    "dynamic": "from pulumi_ilert_contacts import ContactEmail, ContactPhoneNumber, UserContacts",
    "floor": "from floor_provider import FloorEmail as ContactEmail, "
    "FloorPhoneNumber as ContactPhoneNumber, FloorUserContacts as UserContacts",
}
SETS_PROGRAM = """\
import json

{imports}

data = json.load(open("contacts.json"))
for user in data["users"]:
    UserContacts(
        f"user-{{user['user_id']}}",
        user_id=user["user_id"],
        emails=user["emails"],
        phone_numbers=[
            {{"target": n["target"], "region_code": "DE", "primary": n["primary"]}} for n in user["numbers"]
        ],
        delete_on_destroy=data["delete_on_destroy"],
    )
"""
SINGLES_PROGRAM = """\
import json

{imports}

data = json.load(open("contacts.json"))
for user in data["users"]:
    uid = user["user_id"]
    for j, email in enumerate(user["emails"]):
        ContactEmail(f"email-{{uid}}-{{j}}", user_id=uid, target=email)
    for j, number in enumerate(user["numbers"]):
        ContactPhoneNumber(
            f"phone-{{uid}}-{{j}}", user_id=uid, region_code="DE", target=number["target"],
            primary=number["primary"],
        )
"""


def users_of(face: str, shape: str, users: int) -> list[int]:
    first = FIRST_USER[face] + (SINGLES_OFFSET if shape == "singles" else 0)
    return [first + i for i in range(users)]


def contacts(
    face: str, shape: str, users: int, version: int = 0, delete_on_destroy: bool = True
) -> dict[str, Any]:
    """The program's ``contacts.json``: per user five emails and five numbers (the first primary);
    ``version`` > 0 replaces each user's first email."""
    listed = []
    for uid in users_of(face, shape, users):
        emails = [f"u{uid}-{j}-v{version if j == 0 else 0}@example.com" for j in range(EMAILS)]
        numbers = [{"target": f"+49151{uid % 100_000:05d}{j:03d}", "primary": j == 0} for j in range(NUMBERS)]
        listed.append({"user_id": str(uid), "emails": emails, "numbers": numbers})
    return {"delete_on_destroy": delete_on_destroy, "users": listed}


def write_contacts(
    stack: Stack, face: str, shape: str, users: int, version: int, delete_on_destroy: bool = True
) -> None:
    data = contacts(face, shape, users, version, delete_on_destroy)
    (stack.workdir / "contacts.json").write_text(json.dumps(data))


def variant_name(face: str, shape: str) -> str:
    return f"{face}-{shape}"


def _stack(
    ctx: Context, emulator: EmulatorProcess, face: str, shape: str, users: int, extra: dict[str, str]
) -> tuple[Stack, dict[str, str]]:
    source = (SETS_PROGRAM if shape == "sets" else SINGLES_PROGRAM).format(imports=_PYTHON_CLASSES[face])
    # make_stack's variants: "plugin" (the plugin's config namespace and plugins: entry), "http"
    # (the dynamic face), "floor".
    variant = {"dynamic": "http"}.get(face, face)
    stack, env = make_stack(ctx, emulator, variant, users * (EMAILS + NUMBERS), extra, source=source)
    write_contacts(stack, face, shape, users, 0)
    return stack, env


def remove_login_emails(emulator: EmulatorProcess, users: list[int]) -> None:
    """Delete each seeded user's login email (through the API, before anything is measured)."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with requests.Session() as session:
        for uid in users:
            base = f"{emulator.url}/api/users/{uid}/contacts/emails"
            listed = session.get(base, headers=headers, timeout=30)
            listed.raise_for_status()
            for contact in listed.json():
                session.delete(f"{base}/{contact['id']}", headers=headers, timeout=30).raise_for_status()
    emulator.admin.reset_requests()


def expected(phase: str, shape: str, users: int) -> tuple[dict[str, int], dict[str, int], str]:
    """A phase's request target: (exact counts, upper bounds, description). ``total`` counts all."""
    n, changed, lists = users * (EMAILS + NUMBERS), users, 2 * users
    if phase in ("preview", "destroy_forget"):
        return {"total": 0}, {}, "none"
    if phase == "refresh":
        return {"POST": 0, "PUT": 0, "DELETE": 0}, {"GET": lists}, f"GET <= {lists} (2 per user), no write"
    if shape == "singles":
        method, count = {"create": ("POST", n), "update": ("PUT", changed), "destroy": ("DELETE", n)}[phase]
        return {method: count, "total": count}, {}, f"{method} = {count}"
    if phase == "create":
        return {"POST": n, "PUT": 0, "DELETE": 0}, {"GET": lists}, f"POST = {n}, GET <= {lists} (2 per user)"
    if phase == "update":
        return (
            {"POST": changed, "DELETE": changed, "PUT": 0},
            {"GET": lists},
            f"POST = {changed}, DELETE = {changed} (one write per difference), GET <= {lists}",
        )
    return {"DELETE": n, "POST": 0, "PUT": 0}, {"GET": lists}, f"DELETE = {n}, GET <= {lists} (2 per user)"


def meets(phase: str, shape: str, users: int, counts: dict[str, int]) -> bool:
    exact, bounds, _ = expected(phase, shape, users)
    return all(counts.get(k, 0) == v for k, v in exact.items()) and all(
        counts.get(k, 0) <= v for k, v in bounds.items()
    )


def sets(
    ctx: Context,
    users: int = 20,
    faces: Collection[str] = FACES,
    live: tuple[int, float] | None = None,
    shapes: Collection[str] = SHAPES,
) -> dict[str, Any]:
    """Every phase for each face and shape, interleaved, ``ctx.repeat`` times (a live run once,
    its phases that send no request ``LIVE_ENGINE_REPEAT`` times); medians, ratios and targets."""
    faces = [f for f in FACES if f in faces]
    variants = [(face, shape) for face in faces for shape in SHAPES if shape in shapes]
    calling = [f for f in faces if f != "floor"]
    everyone = sorted({u for face in calling for shape in SHAPES for u in users_of(face, shape, users)})
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {
        p: {variant_name(*v): [] for v in variants} for p in PHASES
    }
    load_before = _loads()
    repeat = 1 if live else ctx.repeat
    for rep in range(repeat):
        order = rotated(tuple(variants), rep)
        with emulator_for(ctx, everyone) as emulator:
            remove_login_emails(emulator, everyone)
            if live:
                emulator.admin.set_rate_limit(*live)
            extra = live_env(ctx, live)
            stacks = {v: _stack(ctx, emulator, *v, users, extra) for v in variants}
            pacer = BudgetPacer(live[1] if live else None)
            for phase, args in PHASES.items():
                sends = expected(phase, "sets", users)[0] != {"total": 0}
                times = LIVE_ENGINE_REPEAT if live and not sends else 1
                for face, shape in (v for k in range(times) for v in rotated(order, k)):
                    name = variant_name(face, shape)
                    stack, env = stacks[(face, shape)]
                    if phase == "destroy_forget":
                        if shape == "singles":
                            continue
                        _recreate_forgetting(emulator, stack, env, face, users, live)
                    if phase == "update":
                        write_contacts(stack, face, shape, users, 1)
                    if face != "floor" and sends:
                        pacer.wait()
                    progress(f"sets {users} users run {rep + 1}/{repeat}: {phase} ({name})")
                    result = run_counted(stack, env, emulator, args)
                    if face != "floor" and result["requests"]["total"]:
                        pacer.spent()
                    require_success(result, f"sets {name} {phase}")
                    runs[phase][name].append(result)
    return _summary(runs, users, faces, live, load_before)


def _recreate_forgetting(
    emulator: EmulatorProcess,
    stack: Stack,
    env: dict[str, str],
    face: str,
    users: int,
    live: tuple[int, float] | None,
) -> None:
    """The sets again, without ``delete_on_destroy`` (unmeasured; no limit on either side)."""
    write_contacts(stack, face, "sets", users, 1, delete_on_destroy=False)
    if live:
        emulator.admin.set_rate_limit(None)
    progress(f"sets: {face} sets again without deleteOnDestroy (not measured)")
    require_success(
        run_counted(stack, env, emulator, UP, {"ILERT_RATE_LIMIT": "0"}), f"sets {face} re-create"
    )
    if live:
        emulator.admin.set_rate_limit(*live)


def _loads() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _summary(
    runs: dict[str, dict[str, list[dict[str, Any]]]],
    users: int,
    faces: list[str],
    live: tuple[int, float] | None,
    load_before: list[float],
) -> dict[str, Any]:
    rate = live[0] / live[1] if live else None
    phases: dict[str, Any] = {}
    for phase in PHASES:
        entry: dict[str, Any] = {}
        for face in faces:
            figures: dict[str, Any] = {}
            for shape in SHAPES:
                measured = runs[phase].get(variant_name(face, shape), [])
                if not measured:
                    continue
                median = median_of(measured)
                median["runs"] = len(measured)
                if face != "floor":
                    _, _, described = expected(phase, shape, users)
                    median["target"] = described
                    median["meets_target"] = meets(phase, shape, users, median["requests"])
                    median["status_429"] = max(r["status_429"] for r in measured)
                figures[shape] = median
            if "sets" in figures and "singles" in figures:
                figures["sets_to_singles"] = ratio(figures["sets"]["seconds"], figures["singles"]["seconds"])
                figures["sets_to_singles_engine_cpu"] = ratio(
                    figures["sets"]["engine_cpu_seconds"], figures["singles"]["engine_cpu_seconds"]
                )
            entry[face] = figures
        if "floor" in entry:
            floor_phase = "destroy" if phase == "destroy_forget" else phase
            for face in (f for f in faces if f != "floor"):
                for shape, figures in entry[face].items():
                    if shape not in SHAPES:
                        continue
                    floor_runs = runs[floor_phase].get(variant_name("floor", shape), [])
                    if not floor_runs:
                        continue
                    engine_seconds = median_of(floor_runs)["seconds"]
                    requests_seconds = figures["requests"].get("total", 0) / rate if rate else 0.0
                    floor_seconds = max(engine_seconds, requests_seconds)
                    figures |= {
                        "engine_floor_seconds": engine_seconds,
                        "requests_seconds": round(requests_seconds, 3),
                        "floor_seconds": round(floor_seconds, 3),
                        "ratio_to_floor": ratio(figures["seconds"], floor_seconds),
                    }
        phases[phase] = entry
    return {
        "users": users,
        "contacts": users * (EMAILS + NUMBERS),
        "faces": faces,
        "live": {"limit": live[0], "window": live[1]} if live else None,
        "phases": phases,
        "load_before": load_before,
        "load_after": _loads(),
        "targets": targets(phases, users, live),
    }


def targets(phases: dict[str, Any], users: int, live: tuple[int, float] | None) -> list[dict[str, Any]]:
    """The issue's targets, each with what was measured and whether it holds."""
    checks: list[dict[str, Any]] = []
    faces = [f for f in phases["create"] if f != "floor"]
    for face in faces:
        create = phases["create"][face]
        if live is None and "sets_to_singles" in create:
            checks.append(
                {
                    "target": f"{face} face: `up` of the sets <= {UP_TARGET_RATIO}x the singles",
                    "measured": f"{create['sets']['seconds']:.2f} s / {create['singles']['seconds']:.2f} s = "
                    f"{create['sets_to_singles']:.2f}x",
                    "met": create["sets_to_singles"] <= UP_TARGET_RATIO,
                }
            )
            checks.append(
                {
                    "target": f"{face} face: `up` of the sets below OpenTofu's ~{OPENTOFU_UP_SECONDS:g} s",
                    "measured": f"{create['sets']['seconds']:.2f} s",
                    "met": create["sets"]["seconds"] < OPENTOFU_UP_SECONDS,
                }
            )
        for phase, entry in phases.items():
            for shape in SHAPES:
                figures = entry.get(face, {}).get(shape)
                if figures is None:
                    continue
                checks.append(
                    {
                        "target": f"{face} face, {shape}, {LABELS[phase]}: requests {figures['target']}",
                        "measured": _requests(figures["requests"]),
                        "met": figures["meets_target"],
                    }
                )
                if live is not None and "ratio_to_floor" in figures:
                    checks.append(
                        {
                            "target": f"{face} face, {shape}, {LABELS[phase]}: within {LIVE_RATIO}x of "
                            "max(engine floor, requests / rate)",
                            "measured": f"{figures['seconds']:.1f} s / {figures['floor_seconds']:.1f} s = "
                            f"{figures['ratio_to_floor']:.2f}x",
                            "met": figures["ratio_to_floor"] <= LIVE_RATIO,
                        }
                    )
                if live is not None:
                    checks.append(
                        {
                            "target": f"{face} face, {shape}, {LABELS[phase]}: no 429",
                            "measured": str(figures["status_429"]),
                            "met": figures["status_429"] == 0,
                        }
                    )
    return checks


# -- report ------------------------------------------------------------------------------------------

METHODS = ("GET", "POST", "PUT", "DELETE")


def _requests(counts: dict[str, int]) -> str:
    return ", ".join(f"{m} {counts[m]}" for m in METHODS if counts.get(m)) or "0"


def _cpu(figures: dict[str, Any]) -> str:
    parts = (figures["engine_cpu_seconds"], figures["program_cpu_seconds"], figures["provider_cpu_seconds"])
    return " / ".join(f"{value or 0:.2f}" for value in parts)


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def markdown(data: dict[str, Any]) -> str:
    """The tables: per face, each phase's sets and singles (time, CPU, requests) and the ratio."""
    live = data["live"]
    head = (
        f"{data['contacts']} contacts of {data['users']} users (5 emails + 5 numbers each, one primary) "
        f"as {data['users']} `UserContacts` sets against {data['contacts']} single resources, one "
        f"emulator, one run; load average (1, 5, 15 min) {data['load_before']} -> {data['load_after']}"
    )
    if live:
        head += (
            f"; at ilert's limit: the emulator allows {live['limit']} requests per {live['window']:g} s "
            "per key, the provider's own limiter on, each phase that sends requests on a clean budget"
        )
    parts = [head]
    floors = data["phases"]["create"].get("floor")
    for face in data["faces"]:
        if face == "floor":
            continue
        label = {"plugin": "plugin face (native Python classes)", "dynamic": "dynamic face"}[face]
        lines = [f"**{label}**", ""]
        if live:
            lines += [
                "| phase | shape | runs | time s | engine floor s | requests | requests / rate s "
                "| floor s | ratio to floor | 429 | target | met |",
                "|---|---|---:|---:|---:|---|---:|---:|---:|---:|---|:-:|",
            ]
        else:
            lines += [
                "| phase | shape | time s | sets / singles | CPU s engine / program / provider "
                "| engine CPU sets / singles | requests | target | met | engine floor s |",
                "|---|---|---:|---:|---:|---:|---|---|:-:|---:|",
            ]
        for phase, entry in data["phases"].items():
            figures = entry.get(face, {})
            for shape in SHAPES:
                f = figures.get(shape)
                if f is None:
                    continue
                met = "yes" if f["meets_target"] else "**no**"
                if live:
                    ratio_text = _x(f.get("ratio_to_floor"))
                    if (f.get("ratio_to_floor") or 0) > LIVE_RATIO:
                        ratio_text = f"**{ratio_text}**"
                    lines.append(
                        f"| {LABELS[phase]} | {shape} | {f['runs']} | {f['seconds']:.1f} "
                        f"| {f.get('engine_floor_seconds', 0):.1f} | {_requests(f['requests'])} "
                        f"| {f.get('requests_seconds', 0):.1f} | {f.get('floor_seconds', 0):.1f} "
                        f"| {ratio_text} "
                        f"| {f['status_429']} | {f['target']} | {met} |"
                    )
                else:
                    first = shape == "sets"
                    lines.append(
                        f"| {LABELS[phase]} | {shape} | {f['seconds']:.2f} "
                        f"| {_x(figures.get('sets_to_singles')) if first else ''} | {_cpu(f)} "
                        f"| {_x(figures.get('sets_to_singles_engine_cpu')) if first else ''} "
                        f"| {_requests(f['requests'])} | {f['target']} | {met} "
                        f"| {f.get('engine_floor_seconds', 0):.2f} |"
                    )
        parts.append("\n".join(lines))
    if floors and not live:
        lines = [
            "**engine floor** (`floor_provider`: the same shapes, no HTTP)",
            "",
            "| phase | sets s | singles s | sets / singles | CPU s engine / program / provider, sets "
            "| same, singles |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for phase, entry in data["phases"].items():
            f = entry.get("floor", {})
            if "sets" not in f or "singles" not in f:
                continue
            lines.append(
                f"| {LABELS[phase]} | {f['sets']['seconds']:.2f} | {f['singles']['seconds']:.2f} "
                f"| {_x(f.get('sets_to_singles'))} | {_cpu(f['sets'])} | {_cpu(f['singles'])} |"
            )
        parts.append("\n".join(lines))
    checks = ["Targets (issue 16):", ""]
    checks += [
        f"- {'PASS' if c['met'] else '**FAIL**'}: {c['target']} (measured: {c['measured']})"
        for c in data["targets"]
    ]
    parts.append("\n".join(checks))
    return "\n\n".join(parts)
