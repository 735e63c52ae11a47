"""The benchmark's scenarios: the lifecycle at several sizes, the parallelism sweep, the rate-limited
create and the import cost. Each returns plain data for ``results.json``.

Every scenario runs the real ``pulumi`` CLI on a local backend against the emulator on loopback.
The HTTP variant uses the real ``pulumi_ilert_contacts`` resources; the floor variant the stand-ins
of ``floor_provider`` (no HTTP, no validation). Wherever both are measured they run interleaved,
command by command, so background load on the machine falls on both alike.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
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
STACK = "bench"
UP = ("up", "--yes", "--non-interactive", "--skip-preview")


@dataclass(frozen=True)
class Phase:
    """One measured command of the lifecycle."""

    name: str
    args: tuple[str, ...]
    contacts_version: int | None = None  # rewrite contacts.json first (the update)


PHASES = (
    Phase("create", UP),
    Phase("preview", ("preview", "--non-interactive", "--expect-no-changes")),
    Phase("noop_up", (*UP, "--expect-no-changes")),
    Phase("update", UP, contacts_version=1),
    Phase("refresh", ("refresh", "--yes", "--non-interactive", "--skip-preview", "--expect-no-changes")),
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
    ctx: Context, emulator: EmulatorProcess, variant: str, n: int, env_extra: dict[str, str] | None = None
) -> tuple[Stack, dict[str, str]]:
    """A project of ``variant`` declaring ``n`` contacts, with its stack initialised."""
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
    workload.write_contacts(workdir, n)
    stack = Stack(workdir, env, name=STACK)
    stack.init(emulator.url, TOKEN)
    return stack, env


def run_counted(
    stack: Stack, env: dict[str, str], emulator: EmulatorProcess, args: tuple[str, ...] | list[str]
) -> dict[str, Any]:
    """Run one pulumi command with the emulator's request counter reset before; its figures."""
    emulator.admin.reset_requests()
    emulator_cpu = emulator.cpu_seconds()
    measured = run_pulumi(stack.workdir, env, stack.name, *args)
    emulator_cpu = emulator.cpu_seconds() - emulator_cpu
    stats = emulator.admin.requests()
    return {**summarise(measured, stats), "emulator_cpu_seconds": round(emulator_cpu, 2)}


def summarise(measured: Measured, stats: dict[str, Any]) -> dict[str, Any]:
    statuses = Counter(str(entry["status"]) for entry in stats["log"])
    post_ok = sum(1 for e in stats["log"] if e["method"] == "POST" and e["status"] in (200, 201))
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
        "provider_cmdlines": measured.provider_cmdlines,
        "requests": {k: v for k, v in stats["by_method"].items() if v} | {"total": stats["total"]},
        "statuses": dict(statuses),
        "status_429": statuses.get("429", 0),
        "post_ok": post_ok,
        "output_tail": measured.output[-1500:] if measured.code else "",
    }


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
    return {"DELETE": n, "total": n}, f"DELETE = {n}"


def meets_request_target(phase: str, requests: dict[str, int], n: int, users: int) -> bool:
    expected, _ = expected_requests(phase, n, users)
    if phase == "refresh":
        return requests.get("GET", 0) <= expected["GET"] and requests.get("total", 0) == requests.get(
            "GET", 0
        )
    return all(requests.get(k, 0) == v for k, v in expected.items())


def lifecycle(ctx: Context, n: int) -> dict[str, Any]:
    """create, no-op preview and up, 10 % update, refresh and destroy of ``n`` contacts, both variants."""
    users = workload.users_for(n)
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {p.name: {v: [] for v in VARIANTS} for p in PHASES}
    load_before = load()
    for rep in range(ctx.repeat):
        # Alternate which variant goes first, so neither always runs right after the other's work.
        order = VARIANTS if rep % 2 == 0 else VARIANTS[::-1]
        with emulator_for(ctx, users) as emulator:
            stacks = {v: make_stack(ctx, emulator, v, n) for v in VARIANTS}
            for phase in PHASES:
                for variant in order:
                    stack, env = stacks[variant]
                    if phase.contacts_version is not None:
                        workload.write_contacts(stack.workdir, n, phase.contacts_version)
                    progress(f"N={n} run {rep + 1}/{ctx.repeat}: {phase.name} ({variant})")
                    result = run_counted(stack, env, emulator, phase.args)
                    require_success(result, f"N={n} {variant} {phase.name}")
                    runs[phase.name][variant].append(result)
    phases: dict[str, Any] = {}
    for phase in PHASES:
        http, floor = (median_of(runs[phase.name][v]) for v in VARIANTS)
        _, described = expected_requests(phase.name, n, len(users))
        phases[phase.name] = {
            "http": http,
            "floor": floor,
            "ratio": ratio(http["seconds"], floor["seconds"]),
            "expected_requests": described,
            "meets_request_target": meets_request_target(phase.name, http["requests"], n, len(users)),
        }
    return {"n": n, "users": len(users), "phases": phases, "load_before": load_before, "load_after": load()}


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


# -- import time -------------------------------------------------------------------------------

# What each process has loaded before our code runs: the program runs under the language host's
# pulumi-language-python-exec, the provider under pulumi.dynamic.__main__.
PROGRAM_PRELUDE = "import pulumi, pulumi.runtime, pulumi.dynamic"
PROVIDER_PRELUDE = "import pulumi, pulumi.runtime, pulumi.dynamic, dill, grpc"
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
