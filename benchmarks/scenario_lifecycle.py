"""The lifecycle scenario: every phase of a stack's life (create, preview, no-op up, update, refresh,
adopt a generated program, the recovery switch, destroy) at a size, the variants interleaved command
by command; the request targets each phase must keep, Terraform's requests for the same work, and
the live-limit run (the phases paced by a rate budget, as against the live API).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import workload
from bench_harness import (
    HTTP_VARIANTS,
    TOKEN,
    UP,
    VARIANTS,
    BenchmarkFailed,
    Context,
    emulator_for,
    first_user_of,
    load,
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


@dataclass(frozen=True)
class Phase:
    """One measured command of the lifecycle."""

    name: str
    args: tuple[str, ...]
    contacts_version: int | None = None  # rewrite contacts.json first (the update)
    stack: str = "main"
    """``main``: the lifecycle's stack; ``generated``: a new stack of the program ``generate``
    writes for the contacts ilert holds; ``recovery``: a new stack of the same program as main
    (its contacts exist, its state knows none of them)."""
    env: tuple[tuple[str, str], ...] = ()


PHASES = (
    Phase("create", UP),
    Phase("preview", ("preview", "--non-interactive", "--expect-no-changes")),
    Phase("noop_up", (*UP, "--expect-no-changes")),
    Phase("update", UP, contacts_version=1),
    Phase("refresh", ("refresh", "--yes", "--non-interactive", "--skip-preview", "--expect-no-changes")),
    Phase("adopt", UP, stack="generated"),
    Phase("recovery", UP, stack="recovery", env=(("ILERT_ADOPT_EXISTING", "true"),)),
    Phase("destroy", ("destroy", "--yes", "--non-interactive", "--skip-preview")),
)


# -- lifecycle ---------------------------------------------------------------------------------


def expected_requests(phase: str, n: int, users: int) -> tuple[dict[str, int], str]:
    """What the targets allow for a phase: (exact counts or upper bounds, a human description)."""
    if phase == "create":
        return {"POST": n, "total": n}, f"POST = {n}"
    if phase in ("preview", "noop_up"):
        return {"total": 0}, "none"
    if phase == "update":
        changed = workload.changed_count(n)
        return {"PUT": changed, "total": changed}, f"PUT = {changed}"
    if phase == "refresh":
        return {"GET": 2 * users}, f"GET <= {2 * users} (users x kinds)"
    if phase in ("adopt", "recovery"):
        return {"GET": 2 * users}, f"GET <= {2 * users} (users x kinds), no write"
    return {"DELETE": n, "total": n}, f"DELETE = {n}"


def meets_request_target(phase: str, requests: dict[str, int], n: int, users: int) -> bool:
    expected, _ = expected_requests(phase, n, users)
    if phase in ("refresh", "adopt", "recovery"):
        return requests.get("GET", 0) <= expected["GET"] and requests.get("total", 0) == requests.get(
            "GET", 0
        )
    return all(requests.get(k, 0) == v for k, v in expected.items())


# What ilert's own Terraform provider sends for the same phase, per resource: measured under
# OpenTofu against this emulator with the same workload at N = 200 over 20 users (issue 11):
# create POST 200 + GET 200; no-op plan GET 400; 10 % update GET 420 + PUT 20; refresh GET 400;
# destroy DELETE 200 + GET 400. That is 1 GET per resource on create, 2 per resource on plan,
# refresh and destroy, plus 1 per updated resource. Adopting has no measured counterpart: with
# `import` blocks OpenTofu reads each imported resource at least once, so N GETs is a lower bound.
TERRAFORM_SOURCE = (
    "ilert's Terraform provider under OpenTofu, measured against this emulator at N = 200 over 20 "
    "users (issue 11), scaled per resource; adopt and recovery: a lower bound (import reads each "
    "resource once), not measured"
)


def terraform_requests(phase: str, resources: int, changed: int) -> dict[str, Any]:
    """The Terraform provider's requests for a phase over ``resources`` contacts."""
    if phase == "create":
        counts = {"POST": resources, "GET": resources}
    elif phase in ("preview", "noop_up", "refresh"):
        counts = {"GET": 2 * resources}
    elif phase == "update":
        counts = {"GET": 2 * resources + changed, "PUT": changed}
    elif phase == "destroy":
        counts = {"DELETE": resources, "GET": 2 * resources}
    else:  # adopt, recovery: import
        counts = {"GET": resources}
    return {
        **counts,
        "total": sum(counts.values()),
        "estimated": phase in ("adopt", "recovery"),
    }


def phase_resources(phase: str, n: int, users: int) -> int:
    """Contacts a phase's program declares: the generated one also holds every login email."""
    return n + users if phase == "adopt" else n


def generate_program(emulator: EmulatorProcess, users: list[int]) -> str:
    """The program ``pulumi-ilert-contacts generate`` writes for the users' contacts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ILERT_")}
    env.update(ILERT_API_TOKEN=TOKEN, ILERT_ENDPOINT=emulator.url, ILERT_RATE_LIMIT="0")
    args = [arg for user in users for arg in ("--user", str(user))]
    proc = subprocess.run(
        [sys.executable, "-m", "pulumi_ilert_contacts", "generate", *args, "--timestamp", "none"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
    )
    if proc.returncode != 0:
        raise BenchmarkFailed(f"generate failed (exit {proc.returncode}):\n{proc.stderr[-1500:]}")
    return proc.stdout


class BudgetPacer:
    """In a live-limit run, each phase that sends requests starts on a clean budget: one whole
    window after the last request, when the emulator's fixed window and the provider's sliding
    log are both empty. Otherwise a phase would pay for the one before it."""

    def __init__(self, window: float | None) -> None:
        self.window = window
        self.last: float | None = None

    def wait(self) -> None:
        if self.window is None or self.last is None:
            return
        pause = self.last + self.window + 1.0 - time.monotonic()
        if pause > 0:
            progress(f"  waiting {pause:.0f} s for a clean rate budget")
            time.sleep(pause)

    def spent(self) -> None:
        self.last = time.monotonic()


def failed_operations(
    phase: str, result: dict[str, Any], n: int, users: int, stack: Stack, variant: str = "http"
) -> int | None:
    """Operations of the phase that did not take effect, from the emulator's log (writes) or the
    state (adoption): independent of what the command's exit code says."""
    ok = result["ok_by_method"]
    if phase == "create":
        return n - ok.get("POST", 0)
    if phase == "update":
        return workload.changed_count(n) - ok.get("PUT", 0)
    if phase == "destroy":
        return n - ok.get("DELETE", 0)
    if phase in ("adopt", "recovery"):
        held = stack.native_resources() if variant == "plugin" else stack.contact_resources()
        return phase_resources(phase, n, users) - len(held)
    return 0 if result["code"] == 0 else None


def _phase_source(phase: Phase, variant: str, generated: dict[str, str]) -> str | None:
    """The program of a phase's own stack: the generated one (for the floor, with its stand-ins;
    for the plugin, its own users' with the native classes), or ``None`` for the workload program."""
    if phase.stack != "generated":
        return None
    if variant == "plugin":
        return workload.plugin_source(generated["plugin"])
    return generated["http"] if variant == "http" else workload.floor_source(generated["http"])


LIVE_ENGINE_REPEAT = 5
"""Runs of a phase that sends no request (no-op preview and up) in a live-limit run, the median
kept: its floor is the engine's alone, a few seconds at N = 500, where one run on a busy machine
varies by a quarter either way; the repeats cost seconds and no rate budget."""


def live_env(ctx: Context, live: tuple[int, float] | None) -> dict[str, str]:
    """The provider's own limiter as shipped (at the given rate), with a budget folder of the run's."""
    if live is None:
        return {}
    limit, window = live
    return {
        "ILERT_RATE_LIMIT": str(limit),
        "ILERT_RATE_WINDOW": f"{window:g}",
        "ILERT_RATE_DIR": str(ctx.fresh_dir("rate-budget")),
    }


def _setup_create(
    emulator: EmulatorProcess,
    stacks: dict[str, tuple[Stack, dict[str, str]]],
    order: tuple[str, ...],
    live: tuple[int, float] | None,
    n: int,
) -> None:
    """Create the contacts of every variant's main stack, unmeasured: with no limit at the
    emulator nor in the provider (so it neither waits nor spends the measured phases' budget)."""
    if live:
        emulator.admin.set_rate_limit(None)
    for variant in order:
        stack, env = stacks[variant]
        progress(f"N={n} setup: create ({variant}, unlimited, not measured)")
        require_success(
            run_counted(stack, env, emulator, UP, {"ILERT_RATE_LIMIT": "0"}), f"setup create ({variant})"
        )
    if live:
        emulator.admin.set_rate_limit(*live)


def lifecycle(
    ctx: Context,
    n: int,
    live: tuple[int, float] | None = None,
    variants: tuple[str, ...] = VARIANTS,
    only: Collection[str] | None = None,
) -> dict[str, Any]:
    """create, no-op preview and up, 10 % update, refresh, adopt (a generated program's first
    ``up``), recovery (``ILERT_ADOPT_EXISTING=true`` over a state that lost the contacts) and
    destroy of ``n`` contacts, for each of ``variants`` (``http`` and ``floor``, optionally
    ``plugin``: the same phases through the plugin, on users of its own in the same emulator).

    ``live`` = (limit, window): the emulator enforces that rate per key in fixed windows and the
    provider runs with its own limiter at that rate; each phase's floor is then
    max(engine floor, requests / rate). A live run is made once: its phases are bound by the rate,
    not by noise, and each takes minutes; only the phases that send no request are repeated
    (``LIVE_ENGINE_REPEAT``).

    ``only``: measure just these phases (a re-run of one after a fix). The contacts they need are
    created first, unmeasured, with no limit on either side.
    """
    users = workload.users_for(n)
    users_of = {v: workload.users_for(n, first_user_of(v)) for v in variants}
    everyone = sorted({u for group in users_of.values() for u in group})
    measured = [p for p in PHASES if only is None or p.name in only]
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {p.name: {v: [] for v in variants} for p in measured}
    load_before = load()
    repeat = 1 if live else ctx.repeat
    for rep in range(repeat):
        # Rotate which variant goes first, so none always runs right after another's work.
        order = rotated(variants, rep)
        with emulator_for(ctx, everyone, rate_limit=live) as emulator:
            extra = live_env(ctx, live)
            stacks = {
                v: make_stack(ctx, emulator, v, n, extra, first_user=first_user_of(v)) for v in variants
            }
            pacer = BudgetPacer(live[1] if live else None)
            version = 0
            generated: dict[str, str] = {}
            if measured[0].name != "create":
                _setup_create(emulator, stacks, order, live, n)
            for phase in measured:
                if phase.contacts_version is not None:
                    version = phase.contacts_version
                if phase.stack == "generated" and not generated:
                    for face in (v for v in HTTP_VARIANTS if v in variants):
                        pacer.wait()
                        progress(f"N={n} run {rep + 1}/{repeat}: generate ({face})")
                        generated[face] = generate_program(emulator, users_of[face])
                        pacer.spent()
                sends = expected_requests(phase.name, n, len(users))[0] != {"total": 0}
                times = LIVE_ENGINE_REPEAT if live and not sends else 1
                for variant in (v for k in range(times) for v in rotated(order, k)):
                    first = first_user_of(variant)
                    if phase.stack == "main":
                        stack, env = stacks[variant]
                    else:
                        source = _phase_source(phase, variant, generated)
                        stack, env = make_stack(
                            ctx, emulator, variant, n, extra, first_user=first, version=version, source=source
                        )
                    if phase.contacts_version is not None:
                        workload.write_contacts(stack.workdir, n, phase.contacts_version, first)
                    calls = variant in HTTP_VARIANTS
                    if calls and sends:
                        pacer.wait()
                    progress(f"N={n} run {rep + 1}/{repeat}: {phase.name} ({variant})")
                    result = run_counted(stack, env, emulator, phase.args, dict(phase.env))
                    if calls and result["requests"]["total"]:
                        pacer.spent()
                    require_success(result, f"N={n} {variant} {phase.name}")
                    if calls:
                        result["failed_operations"] = failed_operations(
                            phase.name, result, n, len(users), stack, variant
                        )
                    else:
                        result["failed_operations"] = None
                    runs[phase.name][variant].append(result)
    phases: dict[str, Any] = {}
    rate = live[0] / live[1] if live else None
    for phase in measured:
        http, floor = (median_of(runs[phase.name][v]) for v in VARIANTS)
        _, described = expected_requests(phase.name, n, len(users))
        requests_seconds = http["requests"].get("total", 0) / rate if rate else 0.0
        floor_seconds = max(floor["seconds"], requests_seconds)
        terraform = terraform_requests(
            phase.name, phase_resources(phase.name, n, len(users)), workload.changed_count(n)
        )
        phases[phase.name] = {
            "http": http,
            "floor": floor,
            "ratio": ratio(http["seconds"], floor["seconds"]),
            "expected_requests": described,
            "meets_request_target": meets_request_target(phase.name, http["requests"], n, len(users)),
            "requests_seconds": round(requests_seconds, 3),
            "floor_seconds": round(floor_seconds, 3),
            "ratio_to_floor": ratio(http["seconds"], floor_seconds),
            "failed_operations": max((r["failed_operations"] or 0) for r in runs[phase.name]["http"]),
            "status_429": max(r["status_429"] for r in runs[phase.name]["http"]),
            "terraform": terraform,
            "terraform_requests_seconds": round(terraform["total"] / rate, 3) if rate else None,
            "runs": len(runs[phase.name]["http"]),
        }
        if "plugin" in variants:
            plugin = median_of(runs[phase.name]["plugin"])
            phases[phase.name] |= {
                "plugin": plugin,
                "plugin_ratio": ratio(plugin["seconds"], floor["seconds"]),
                "plugin_to_http": ratio(plugin["seconds"], http["seconds"]),
                "plugin_meets_request_target": meets_request_target(
                    phase.name, plugin["requests"], n, len(users)
                ),
                "plugin_failed_operations": max(
                    (r["failed_operations"] or 0) for r in runs[phase.name]["plugin"]
                ),
                "plugin_status_429": max(r["status_429"] for r in runs[phase.name]["plugin"]),
            }
    return {
        "n": n,
        "users": len(users),
        "live": {"limit": live[0], "window": live[1]} if live else None,
        "variants": list(variants),
        "terraform_source": TERRAFORM_SOURCE,
        "phases": phases,
        "load_before": load_before,
        "load_after": load(),
    }
