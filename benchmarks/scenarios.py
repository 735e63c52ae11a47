"""The benchmark's scenarios: the lifecycle at several sizes, the parallelism sweep, the rate-limited
create and the import cost. Each returns plain data for ``results.json``.

Every scenario runs the real ``pulumi`` CLI on a local backend against the emulator on loopback.
The HTTP variant uses the real ``pulumi_ilert_contacts`` resources (the dynamic face); the plugin
variant the same program through the ``ilert-contacts`` plugin (``pulumi_ilert_contacts.native``);
the floor variant the stand-ins of ``floor_provider`` (no HTTP, no validation). Wherever several
are measured they run interleaved, command by command, so background load on the machine falls on
all alike.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import workload
from measure import EmulatorProcess, Measured, run_pulumi
from pulumi_harness import Stack, base_env

BENCH_DIR = Path(__file__).resolve().parent
TOKEN = "bench-token-7c1d"
VARIANTS = ("http", "floor")
LIFECYCLE_VARIANTS = ("http", "plugin", "floor")
"""The lifecycle of ``make bench``: both faces and the floor (the live-limit run keeps ``VARIANTS``)."""
HTTP_VARIANTS = ("http", "plugin")
"""The variants that call the emulator: the dynamic face and the plugin face."""
PLUGIN_NAMESPACE = "ilert-contacts"
"""The plugin's config namespace (``ilert-contacts:endpoint``, ``ilert-contacts:apiToken``)."""
STACK = "bench"
UP = ("up", "--yes", "--non-interactive", "--skip-preview")


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


class BenchmarkFailed(RuntimeError):
    """A pulumi command the benchmark relies on failed."""


@dataclass
class Context:
    """Where a run keeps its throwaway projects, and how many times it repeats each measurement."""

    tmp: Path
    repeat: int
    _count: int = 0

    @property
    def home(self) -> Path:
        home = self.tmp / "pulumi-home"
        home.mkdir(exist_ok=True)
        return home

    def fresh_dir(self, label: str) -> Path:
        self._count += 1
        path = self.tmp / f"{self._count:03d}-{label}"
        path.mkdir()
        return path

    def wide_pool_python(self) -> Path:
        """A ``PULUMI_PYTHON_CMD`` that serves the dynamic provider with ``wide_pool_dynamic``."""
        wrapper = self.tmp / "python-wide-pool"
        if not wrapper.exists():
            # pulumi-resource-pulumi-python runs "$PULUMI_PYTHON_CMD -u -m pulumi.dynamic ARGS";
            # anything else (the language host's own use) goes to python3 unchanged.
            wrapper.write_text(
                "#!/bin/sh\n"
                'if [ "$3" = "pulumi.dynamic" ]; then\n'
                '    shift 3; exec python3 -u -m wide_pool_dynamic "$@"\n'
                "fi\n"
                'exec python3 "$@"\n'
            )
            wrapper.chmod(0o755)
        return wrapper


def load() -> float:
    """The one-minute load average: how busy the machine was (other work included)."""
    return round(os.getloadavg()[0], 2)


# -- building blocks ---------------------------------------------------------------------------


def make_stack(
    ctx: Context,
    emulator: EmulatorProcess,
    variant: str,
    n: int,
    env_extra: dict[str, str] | None = None,
    *,
    first_user: int = workload.FIRST_USER,
    version: int = 0,
    source: str | None = None,
) -> tuple[Stack, dict[str, str]]:
    """A project of ``variant`` declaring ``n`` contacts (or the program ``source``), with its
    stack initialised."""
    root = ctx.fresh_dir(f"{variant}-{n}")
    backend = root / "backend"
    backend.mkdir()
    env = base_env(backend, ctx.home)
    env.update(
        PYTHONPATH=str(BENCH_DIR),  # floor_provider and wide_pool_dynamic, in program and provider
        ILERT_RATE_LIMIT="0",  # unlimited unless a scenario says otherwise
    )
    env.update(env_extra or {})
    workdir = root / "project"
    workload.write_program(workdir, variant, project=f"bench-{variant}")
    if source is not None:
        (workdir / "__main__.py").write_text(source)
    else:
        workload.write_contacts(workdir, n, version, first_user)
    stack = Stack(workdir, env, name=STACK)
    stack.init(emulator.url, TOKEN, namespace=PLUGIN_NAMESPACE if variant == "plugin" else "ilert")
    return stack, env


def first_user_of(variant: str) -> int:
    """The first user id of a variant's workload: the plugin's users are its own (see
    ``workload.PLUGIN_USER_OFFSET``); the floor calls nobody, so it shares the dynamic face's."""
    return workload.FIRST_USER + (workload.PLUGIN_USER_OFFSET if variant == "plugin" else 0)


def rotated(variants: tuple[str, ...], rep: int) -> tuple[str, ...]:
    """The order of the variants in repetition ``rep``: each goes first in turn (for two, this
    alternates), so none always runs right after another's work."""
    k = rep % len(variants)
    return variants[k:] + variants[:k]


def run_counted(
    stack: Stack,
    env: dict[str, str],
    emulator: EmulatorProcess,
    args: tuple[str, ...] | list[str],
    extra_env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run one pulumi command with the emulator's request counter reset before; its figures."""
    emulator.admin.reset_requests()
    emulator_cpu = emulator.cpu_seconds()
    measured = run_pulumi(stack.workdir, {**env, **(extra_env or {})}, stack.name, *args)
    emulator_cpu = emulator.cpu_seconds() - emulator_cpu
    stats = emulator.admin.requests()
    return {**summarise(measured, stats), "emulator_cpu_seconds": round(emulator_cpu, 2)}


def summarise(measured: Measured, stats: dict[str, Any]) -> dict[str, Any]:
    statuses = Counter(str(entry["status"]) for entry in stats["log"])
    post_ok = sum(1 for e in stats["log"] if e["method"] == "POST" and e["status"] in (200, 201))
    ok_by_method = Counter(e["method"] for e in stats["log"] if _took_effect(e))
    return {
        "code": measured.code,
        "seconds": measured.seconds,
        "cpu_seconds": measured.cpu_seconds,
        "provider_peak_mib": measured.provider_peak_mib,
        "provider_cpu_seconds": measured.provider_cpu_seconds,
        "program_cpu_seconds": measured.program_cpu_seconds,
        # The Go side: the engine (state, checkpoints, plan) and the language host.
        "engine_cpu_seconds": round(
            measured.cpu_seconds - (measured.provider_cpu_seconds or 0) - (measured.program_cpu_seconds or 0),
            2,
        ),
        # Of which the Go language host (pulumi-language-python), polled like the program.
        "language_host_cpu_seconds": measured.language_host_cpu_seconds,
        "provider_cmdlines": measured.provider_cmdlines,
        "requests": {k: v for k, v in stats["by_method"].items() if v} | {"total": stats["total"]},
        "statuses": dict(statuses),
        "status_429": statuses.get("429", 0),
        "post_ok": post_ok,
        "ok_by_method": dict(ok_by_method),
        "output_tail": measured.output[-1500:] if measured.code else "",
    }


def _took_effect(entry: dict[str, Any]) -> bool:
    # A 2xx, or for a DELETE a 404: a contact already gone counts as deleted.
    status = entry["status"]
    if status is None:
        return False
    return 200 <= status < 300 or (entry["method"] == "DELETE" and status == 404)


def require_success(result: dict[str, Any], what: str) -> None:
    if result["code"] != 0:
        raise BenchmarkFailed(f"{what} failed (exit {result['code']}):\n{result['output_tail']}")


def median_of(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The figures of repeated runs: median time, and the rest from the run with that time."""
    seconds = [r["seconds"] for r in runs]
    chosen = sorted(runs, key=lambda r: r["seconds"])[(len(runs) - 1) // 2]
    return {
        **{k: v for k, v in chosen.items() if k != "output_tail"},
        "seconds": round(statistics.median(seconds), 3),
        "runs_seconds": seconds,
        "provider_peak_mib": max((r["provider_peak_mib"] or 0 for r in runs), default=None) or None,
    }


def ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


@contextmanager
def emulator_for(
    ctx: Context, users: list[int], rate_limit: tuple[int, float] | None = None
) -> Iterator[EmulatorProcess]:
    with EmulatorProcess(TOKEN, users, ctx.fresh_dir("emulator") / "emulator.log") as emulator:
        if rate_limit is not None:
            emulator.admin.set_rate_limit(*rate_limit)
        yield emulator


def progress(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')} load {load():.1f}] {message}", file=sys.stderr, flush=True)


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


# -- parallelism -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """One point of the parallelism sweep."""

    parallel: int
    provider_workers: int = 4
    skip_checkpoints: bool = False  # the engine's PULUMI_SKIP_CHECKPOINTS: no state write per step

    def env(self, ctx: Context) -> dict[str, str]:
        env: dict[str, str] = {}
        if self.provider_workers != 4:
            env["PULUMI_PYTHON_CMD"] = str(ctx.wide_pool_python())
            env["BENCH_PROVIDER_WORKERS"] = str(self.provider_workers)
        if self.skip_checkpoints:
            env["PULUMI_SKIP_CHECKPOINTS"] = "true"
        return env


SWEEP = (
    Setting(4),
    Setting(8),
    Setting(16),
    Setting(32),
    Setting(32, provider_workers=32),
    Setting(8, skip_checkpoints=True),
)


def parallelism(ctx: Context, n: int, settings: tuple[Setting, ...] = SWEEP) -> dict[str, Any]:
    """``pulumi up`` (and destroy) of ``n`` contacts at each setting, both variants."""
    users = workload.users_for(n)
    rows = []
    for setting in settings:
        runs: dict[str, dict[str, list[dict[str, Any]]]] = {
            op: {v: [] for v in VARIANTS} for op in ("create", "destroy")
        }
        for rep in range(ctx.repeat):
            order = VARIANTS if rep % 2 == 0 else VARIANTS[::-1]
            with emulator_for(ctx, users) as emulator:
                stacks = {v: make_stack(ctx, emulator, v, n, setting.env(ctx)) for v in VARIANTS}
                for op, command in (("create", UP), ("destroy", ("destroy", *UP[1:]))):
                    for variant in order:
                        stack, env = stacks[variant]
                        progress(f"{setting} N={n}: {op} ({variant})")
                        result = run_counted(
                            stack, env, emulator, (*command, "--parallel", str(setting.parallel))
                        )
                        require_success(result, f"{setting} {variant} {op}")
                        runs[op][variant].append(result)
        row: dict[str, Any] = {
            "parallel": setting.parallel,
            "provider_workers": setting.provider_workers,
            "skip_checkpoints": setting.skip_checkpoints,
        }
        for op in ("create", "destroy"):
            http, floor = (median_of(runs[op][v]) for v in VARIANTS)
            row[op] = {"http": http, "floor": floor, "ratio": ratio(http["seconds"], floor["seconds"])}
        rows.append(row)
    return {"n": n, "rows": rows}


# -- rate limit --------------------------------------------------------------------------------

# (client limiter on?, --parallel, provider workers): the provider as shipped, then with the
# SDK's four-thread pool widened so that more requests are in flight when the limit is hit.
RATE_CASES = {
    "with_limiter": (True, 8, 4),
    "without_limiter": (False, 8, 4),
    "with_limiter_wide": (True, 32, 32),
    "without_limiter_wide": (False, 32, 32),
}


def rate_limited(ctx: Context, n: int, limit: int, windows: list[float]) -> dict[str, Any]:
    """Create ``n`` contacts against an emulator enforcing ``limit`` requests per window (each of
    ``windows`` seconds), with and without the provider's client-side limiter.

    The floor is requests / rate. Where the engine alone is slower than that, the limit never
    binds and the engine is the floor: so the engine alone is measured next to each window, and
    the cases with a widened provider pool are only run where the limit binds.
    """
    users = workload.users_for(n)
    result: dict[str, Any] = {"n": n, "users": len(users), "limit": limit, "load_before": load()}
    result["windows"] = []
    for window in windows:
        floor_seconds = n / (limit / window)
        with emulator_for(ctx, users) as emulator:
            stack, env = make_stack(ctx, emulator, "floor", n)
            progress(f"rate limit {limit}/{window:g}s N={n}: the engine alone (floor provider)")
            engine = run_counted(stack, env, emulator, UP)
            require_success(engine, "rate-limit engine floor")
        binds = floor_seconds > engine["seconds"]
        entry: dict[str, Any] = {
            "window": window,
            "floor_seconds": round(floor_seconds, 3),
            "engine_floor": engine,
            "limit_binds": binds,
            "cases": {},
        }
        for case, (limiter, parallel, workers) in RATE_CASES.items():
            if workers != 4 and not binds:
                continue
            env_extra = {"ILERT_RATE_LIMIT": str(limit) if limiter else "0", "ILERT_RATE_WINDOW": str(window)}
            if workers != 4:
                env_extra |= {
                    "PULUMI_PYTHON_CMD": str(ctx.wide_pool_python()),
                    "BENCH_PROVIDER_WORKERS": str(workers),
                }
            # A fresh emulator per case: its windows and counts start clean, and the contacts
            # are thrown away with it (no destroy needed).
            with emulator_for(ctx, users, rate_limit=(limit, window)) as emulator:
                stack, env = make_stack(ctx, emulator, "http", n, env_extra)
                progress(f"rate limit {limit}/{window:g}s N={n}: create, {case.replace('_', ' ')}")
                run = run_counted(stack, env, emulator, (*UP, "--parallel", str(parallel)))
            run |= {
                "client_limiter": limiter,
                "parallel": parallel,
                "provider_workers": workers,
                # Contacts this update did not create, whatever the exit code says.
                "failed_operations": n - run["post_ok"],
                "ratio_to_floor": ratio(run["seconds"], floor_seconds),
                "ratio_to_engine_floor": ratio(run["seconds"], engine["seconds"]),
                "output_tail": run["output_tail"][-600:],
            }
            progress(
                f"  {run['seconds']:.1f} s, exit {run['code']}, {run['status_429']} x 429, "
                f"{run['failed_operations']} failed, requests {run['requests']}"
            )
            entry["cases"][case] = run
        result["windows"].append(entry)
    result["load_after"] = load()
    return result


# -- many stacks, one key ------------------------------------------------------------------------

MANY_STACKS_USER_STRIDE = 1000  # stack k declares users FIRST_USER + k * stride, ...: no overlap


def concurrent_ups(
    ctx: Context, stacks: int, n: int, variant: str, live: tuple[int, float] | None, shared: bool
) -> dict[str, Any]:
    """``stacks`` separate ``pulumi up`` commands at once, each of ``n`` contacts of its own users,
    all with the same API key against one emulator. ``shared``: the provider processes share the
    machine's rate budget (as shipped); otherwise each gets a budget folder of its own, which is
    each process budgeting the key alone (as before)."""
    firsts = [workload.FIRST_USER + k * MANY_STACKS_USER_STRIDE for k in range(stacks)]
    users = [u for first in firsts for u in workload.users_for(n, first)]
    with emulator_for(ctx, users, rate_limit=live) as emulator:
        common = live_env(ctx, live)
        made = []
        for first in firsts:
            extra = common if shared else live_env(ctx, live)
            made.append(make_stack(ctx, emulator, variant, n, extra, first_user=first))
        emulator.admin.reset_requests()
        measured: list[Measured | None] = [None] * stacks

        def up(k: int) -> None:
            stack, env = made[k]
            measured[k] = run_pulumi(stack.workdir, env, stack.name, *UP)

        threads = [threading.Thread(target=up, args=(k,)) for k in range(stacks)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        stats = emulator.admin.requests()
        contacts = emulator.admin.contacts()
    held = [(c["user_id"], c["target"]) for kind in ("emails", "phone_numbers") for c in contacts[kind]]
    statuses = Counter(str(e["status"]) for e in stats["log"])
    post_ok = sum(1 for e in stats["log"] if e["method"] == "POST" and e["status"] in (200, 201))
    codes = [m.code if m is not None else -1 for m in measured]
    return {
        "stacks": stacks,
        "n": n,
        "variant": variant,
        "shared_budget": shared,
        "seconds": round(seconds, 3),
        "codes": codes,
        "requests": {k: v for k, v in stats["by_method"].items() if v} | {"total": stats["total"]},
        "status_429": statuses.get("429", 0),
        "failed_operations": stacks * n - post_ok if variant == "http" else None,
        "duplicates": len(held) - len(set(held)),
        "output_tails": [m.output[-600:] for m in measured if m is not None and m.code],
    }


def many_stacks(ctx: Context, counts: list[int], n: int, limit: int, window: float) -> dict[str, Any]:
    """2 and 4 (``counts``) stacks of ``n`` contacts deploying at once with one key, against an
    emulator enforcing ``limit`` requests per ``window`` seconds: with the shared budget, and
    with each process budgeting alone. The floor is max(the engines alone, requests / rate)."""
    rows = []
    rate = limit / window
    for stacks in counts:
        progress(f"many stacks: {stacks} x {n} contacts, the engines alone (floor provider)")
        engine = concurrent_ups(ctx, stacks, n, "floor", None, shared=True)
        for shared in (True, False):
            label = "shared budget" if shared else "each process alone"
            progress(f"many stacks: {stacks} x {n} contacts, {label}, {limit}/{window:g}s")
            run = concurrent_ups(ctx, stacks, n, "http", (limit, window), shared=shared)
            floor_seconds = max(engine["seconds"], run["requests"]["total"] / rate)
            run |= {
                "engine_seconds": engine["seconds"],
                "requests_seconds": round(run["requests"]["total"] / rate, 3),
                "floor_seconds": round(floor_seconds, 3),
                "ratio_to_floor": ratio(run["seconds"], floor_seconds),
            }
            progress(
                f"  {run['seconds']:.1f} s (floor {floor_seconds:.1f} s), exits {run['codes']}, "
                f"{run['status_429']} x 429, {run['failed_operations']} failed, "
                f"{run['duplicates']} duplicates"
            )
            rows.append(run)
    return {"n": n, "limit": limit, "window": window, "rows": rows}


# -- import time -------------------------------------------------------------------------------

# What each process has loaded before our code runs: the program runs under the language host's
# pulumi-language-python-exec, the provider under pulumi.dynamic.__main__.
PROGRAM_PRELUDE = "import pulumi, pulumi.runtime, pulumi.dynamic"
PROVIDER_PRELUDE = "import pulumi, pulumi.runtime, pulumi.dynamic, dill, grpc"
PLUGIN_PRELUDE = "import pulumi, pulumi.runtime, pulumi.provider.experimental.server, grpc.aio"
# What each of them then does with our package (or with the floor's stand-ins).
ROLES = {
    "program": (PROGRAM_PRELUDE, "from pulumi_ilert_contacts import ContactEmail, ContactPhoneNumber"),
    "provider": (
        PROVIDER_PRELUDE,
        # Unpickling the providers imports their modules; the first check loads the validators,
        # the first request the HTTP stack.
        "from pulumi_ilert_contacts.dynamic.email import ContactEmailProvider\n"
        "from pulumi_ilert_contacts.dynamic.phone import ContactPhoneNumberProvider\n"
        "ContactEmailProvider().check({}, {'user_id': '1', 'target': 'a@example.com'})\n"
        "ContactPhoneNumberProvider().check({}, {'user_id': '1', 'region_code': 'DE', "
        "'target': '+4915100000010'})\n"
        "from pulumi_ilert_contacts.core import client\n"
        "from pulumi_ilert_contacts.core.config import Settings\n"
        "client._shared(Settings('https://api.ilert.com', 'import-time'))",
    ),
    "floor program and provider": (PROVIDER_PRELUDE, "import floor_provider"),
    # The plugin process: the console script's module on top of the SDK's provider server; the
    # first check loads the validators, the first request the HTTP stack, as in the dynamic one.
    "plugin": (
        PLUGIN_PRELUDE,
        "import pulumi_ilert_contacts.plugin.server\n"
        "from pulumi_ilert_contacts.core import client\n"
        "from pulumi_ilert_contacts.core.kinds import EMAIL, PHONE\n"
        "from pulumi_ilert_contacts.core.validation import check_contact\n"
        "check_contact(EMAIL, {'user_id': '1', 'target': 'a@example.com'})\n"
        "check_contact(PHONE, {'user_id': '1', 'region_code': 'DE', 'target': '+4915100000010'})\n"
        "from pulumi_ilert_contacts.core.config import Settings\n"
        "client._shared(Settings('https://api.ilert.com', 'import-time'))",
    ),
}
HEAVY = ("requests", "urllib3", "phonenumbers", "email_validator", "idna")
_SCRIPT = """\
import sys, time
{prelude}
started = time.perf_counter()
{body}
print(round((time.perf_counter() - started) * 1000, 1))
print(",".join(m for m in {heavy!r} if m in sys.modules))
"""
_IMPORTTIME = re.compile(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)")


def _python(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(BENCH_DIR), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, check=True, env=env)


def _top_level_imports(script: str) -> dict[str, int]:
    """Cumulative microseconds of each module ``script`` imports at top level (-X importtime)."""
    found: dict[str, int] = {}
    for match in _IMPORTTIME.finditer(_python("-X", "importtime", "-c", script).stderr):
        if len(match.group(2)) == 1:  # one space after the bar: not imported by another module
            found[match.group(3)] = int(match.group(1))
    return found


def import_time(repeat: int) -> dict[str, Any]:
    """What importing our package costs: fresh interpreters (best of ``repeat``), and in the
    program and provider processes on top of the SDK they have loaded anyway."""
    fresh: dict[str, float] = {}
    for label, statement in (
        ("python (nothing)", "pass"),
        ("pulumi_ilert_contacts (top level, lazy)", "import pulumi_ilert_contacts"),
        ("pulumi.dynamic (the SDK)", "import pulumi.dynamic"),
        (
            "pulumi_ilert_contacts resources",
            "from pulumi_ilert_contacts import ContactEmail, ContactPhoneNumber",
        ),
        ("pulumi.provider.experimental.server (the SDK)", "import pulumi.provider.experimental.server"),
        ("pulumi_ilert_contacts.plugin.server (the plugin)", "import pulumi_ilert_contacts.plugin.server"),
    ):
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            _python("-c", statement)
            best = min(best, time.perf_counter() - started)
        fresh[label] = round(best * 1000, 1)
    roles: dict[str, Any] = {}
    for role, (prelude, body) in ROLES.items():
        script = _SCRIPT.format(prelude=prelude, body=body, heavy=HEAVY)
        runs = [_python("-c", script).stdout.split("\n") for _ in range(repeat)]
        roles[role] = {
            "ms": min(float(run[0]) for run in runs),
            "third_party_loaded": [m for m in runs[0][1].split(",") if m],
        }
    prelude_modules = set(_top_level_imports(PROVIDER_PRELUDE))
    provider_script = f"{PROVIDER_PRELUDE}\n{ROLES['provider'][1]}"
    breakdown = {
        name: round(us / 1000, 1)
        for name, us in _top_level_imports(provider_script).items()
        if name not in prelude_modules
    }
    top_level = _python("-c", "import sys, pulumi_ilert_contacts; print(int('pulumi' in sys.modules))")
    return {
        "fresh_interpreter_ms": fresh,
        "net_of_interpreter_ms": {k: round(v - fresh["python (nothing)"], 1) for k, v in fresh.items()},
        "in_process_ms": roles,
        "provider_breakdown_ms": dict(sorted(breakdown.items(), key=lambda kv: -kv[1])[:8]),
        "top_level_imports_pulumi_sdk": top_level.stdout.strip() == "1",
    }
