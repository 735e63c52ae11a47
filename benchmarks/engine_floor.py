"""Where the Pulumi side of a bulk ``up`` goes, how it grows with N, and which engine settings help
(issue 11, item 3). ``python benchmarks/run.py --floor`` runs it; its results go to ``floor.json`` /
``floor.md``.

- **Growth**: ``up`` (create) and ``destroy`` of N = 100, 200, 500, 1000 contacts for the floor
  (``floor_provider``), the dynamic face and the plugin face, interleaved; per command the CPU time
  split by process (the Go engine, the Go language host, the Python program, the provider), the
  size of the checkpoint file, and the same floor with ``PULUMI_SKIP_CHECKPOINTS=true`` (diagnostic
  only: the engine writes the state once, at the end, so a crash loses the record of every
  contact it made) to show what checkpointing costs in wall time.
- **Engine profile**: one more ``up`` per N and variant with ``pulumi --profiling``; the engine's
  CPU samples split with ``go tool pprof`` into checkpointing (building the snapshot, the integrity
  check, JSON, the file writes), the automatic log file, garbage collection and the rest. Needs a
  Go toolchain (``go`` on PATH or in /usr/local/go/bin); without one the profile is left out.
- **Settings**: the engine settings a user can turn on at N = 200, each against the shipped
  defaults in the same run: ``--parallel``, ``PULUMI_PARALLEL_DIFF``, the DIY backend's gzip and
  checkpoint-backup switches, the file backend's ``?metadata=skip``, and the two service-backend
  switches (``PULUMI_OPTIMIZED_CHECKPOINT_PATCH``, ``PULUMI_DISABLE_JOURNALING``) to show that a
  file backend ignores them; ``PULUMI_SKIP_CHECKPOINTS`` as the diagnostic bound.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import workload
from bench_harness import (
    UP,
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
from pulumi_harness import pulumi_binary

VARIANTS = ("floor", "http", "plugin")
LABELS = {"floor": "floor", "http": "dynamic", "plugin": "plugin"}
DESTROY = ("destroy", *UP[1:])
SKIP_CHECKPOINTS = {"PULUMI_SKIP_CHECKPOINTS": "true"}


# -- growth with N -------------------------------------------------------------------------------


def _state_bytes(stack_env: dict[str, str]) -> int:
    """Size of the stack's checkpoint file in the local backend."""
    backend = Path(stack_env["PULUMI_BACKEND_URL"].removeprefix("file://").split("?", 1)[0])
    files = [p for p in (backend / ".pulumi" / "stacks").rglob("*.json*") if not p.name.endswith(".attrs")]
    files = [p for p in files if ".bak" not in p.name]
    return sum(p.stat().st_size for p in files)


def _everyone(n: int, variants: tuple[str, ...]) -> list[int]:
    return sorted({u for v in variants for u in workload.users_for(n, first_user_of(v))})


def growth(ctx: Context, sizes: list[int], variants: tuple[str, ...] = VARIANTS) -> dict[str, Any]:
    """``up`` and ``destroy`` of each N for each variant (interleaved, the order rotating), plus the
    floor without checkpoints; ``ctx.repeat`` runs each, the median kept."""
    runs: dict[int, dict[str, dict[str, list[dict[str, Any]]]]] = {
        n: {v: {"create": [], "destroy": []} for v in (*variants, "floor_no_checkpoints")} for n in sizes
    }
    loads: dict[int, list[float]] = {n: [] for n in sizes}
    for rep in range(ctx.repeat):
        for n in sizes:
            loads[n].append(load())
            with emulator_for(ctx, _everyone(n, variants)) as emulator:
                order = rotated(variants, rep)
                stacks = {v: make_stack(ctx, emulator, v, n, first_user=first_user_of(v)) for v in variants}
                bare = make_stack(ctx, emulator, "floor", n, SKIP_CHECKPOINTS)
                for op, command in (("create", UP), ("destroy", DESTROY)):
                    for variant in order:
                        stack, env = stacks[variant]
                        progress(f"floor growth N={n} run {rep + 1}/{ctx.repeat}: {op} ({variant})")
                        result = run_counted(stack, env, emulator, command)
                        require_success(result, f"growth N={n} {variant} {op}")
                        if op == "create":
                            result["state_bytes"] = _state_bytes(env)
                        runs[n][variant][op].append(result)
                    progress(f"floor growth N={n} run {rep + 1}/{ctx.repeat}: {op} (floor, no checkpoints)")
                    result = run_counted(bare[0], bare[1], emulator, command)
                    require_success(result, f"growth N={n} floor without checkpoints {op}")
                    runs[n]["floor_no_checkpoints"][op].append(result)
            loads[n].append(load())
    rows = []
    for n in sizes:
        row: dict[str, Any] = {
            "n": n,
            "users": len(workload.users_for(n)),
            "load": loads[n],
            "variants": {},
        }
        for variant, ops in runs[n].items():
            row["variants"][variant] = {op: median_of(figures) for op, figures in ops.items()}
        floor = row["variants"]["floor"]
        for variant in row["variants"].values():
            for op in ("create", "destroy"):
                variant[op]["ratio_to_floor"] = ratio(variant[op]["seconds"], floor[op]["seconds"])
        rows.append(row)
    return {"sizes": sizes, "variants": list(variants), "rows": rows}


# -- the engine's CPU profile ------------------------------------------------------------------------


def go_binary() -> str | None:
    """A Go toolchain for ``go tool pprof``, if the machine has one."""
    return shutil.which("go") or shutil.which("go", path="/usr/local/go/bin")


# Buckets of the engine's CPU samples: the functions (name suffixes) whose cumulative samples make
# them up, summed (the functions of one bucket never call each other). The checkpoint's parts are
# inside ``saveSnapshot``; the other buckets are outside it.
PROFILE_BUCKETS: dict[str, tuple[str, ...]] = {
    "checkpoint": ("backend.(*SnapshotManager).saveSnapshot",),
    "checkpoint: building the snapshot": ("backend.(*SnapshotManager).Deployment",),
    "checkpoint: integrity check": ("snapshot.VerifyIntegrity",),
    "checkpoint: JSON": ("diy.compactJSONMarshaler.Marshal",),
    "checkpoint: file writes and backup copy": (
        "gocloud.dev/blob.(*Bucket).WriteAll",
        "gocloud.dev/blob.(*Bucket).Copy",
    ),
    "automatic log file": ("logging.(*PropertySinkHandler).Handle",),
    "garbage collection": ("runtime.gcBgMarkWorker",),
}


def profile_breakdown(pulumi: str, cpu_profile: Path, go: str) -> dict[str, Any] | None:
    """The engine's CPU samples in ``PROFILE_BUCKETS`` (seconds, and share of the total)."""
    proc = subprocess.run(
        [go, "tool", "pprof", "-top", "-cum", "-nodecount=100000", pulumi, str(cpu_profile)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0:
        return None
    total_match = re.search(r"Total samples = ([\d.]+)(ms|s)", proc.stdout)
    if total_match is None:
        return None
    total = _seconds(total_match.group(1), total_match.group(2))
    cumulative: dict[str, float] = {}
    for line in proc.stdout.splitlines():
        parts = line.split(maxsplit=5)
        # flat flat% sum% cum cum% name
        if len(parts) < 6 or not parts[3][:1].isdigit():
            continue
        unit = "ms" if parts[3].endswith("ms") else "s"
        cumulative[parts[5].strip()] = _seconds(parts[3].removesuffix(unit), unit)
    buckets = {
        bucket: sum(s for name, s in cumulative.items() if name.endswith(functions))
        for bucket, functions in PROFILE_BUCKETS.items()
    }
    return {
        "total_seconds": round(total, 2),
        "seconds": {k: round(v, 2) for k, v in buckets.items()},
        "share": {k: round(v / total, 3) if total else None for k, v in buckets.items()},
    }


def _seconds(value: str, unit: str) -> float:
    return float(value) / (1000 if unit == "ms" else 1)


def engine_profiles(ctx: Context, sizes: list[int], variants: tuple[str, ...] = VARIANTS) -> dict[str, Any]:
    """One profiled ``up`` per N and variant (not timed: profiling slows the engine a little)."""
    go = go_binary()
    pulumi = pulumi_binary()
    if go is None or pulumi is None:
        return {"available": False, "reason": "no Go toolchain for go tool pprof"}
    rows = []
    for n in sizes:
        row: dict[str, Any] = {"n": n, "load_before": load(), "variants": {}}
        with emulator_for(ctx, _everyone(n, variants)) as emulator:
            for variant in variants:
                stack, env = make_stack(ctx, emulator, variant, n, first_user=first_user_of(variant))
                prefix = ctx.fresh_dir(f"profile-{variant}-{n}") / "engine"
                progress(f"engine profile N={n}: up ({variant})")
                result = run_counted(stack, env, emulator, (*UP, "--profiling", str(prefix)))
                require_success(result, f"profiled up N={n} {variant}")
                profiles = sorted(prefix.parent.glob("engine.*.cpu"))
                breakdown = profile_breakdown(pulumi, profiles[-1], go) if profiles else None
                row["variants"][variant] = {"seconds": result["seconds"], "breakdown": breakdown}
        row["load_after"] = load()
        rows.append(row)
    return {"available": True, "rows": rows}


# -- settings --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EngineSetting:
    """One way to run the same ``up`` and ``destroy``."""

    key: str
    label: str
    args: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    backend_query: str = ""
    safe: bool = True
    note: str = ""


SETTINGS = (
    EngineSetting("shipped", "as shipped (--parallel default, 8 on 2 cores)"),
    EngineSetting("parallel-16", "--parallel 16", args=("--parallel", "16")),
    EngineSetting("parallel-32", "--parallel 32", args=("--parallel", "32")),
    EngineSetting("parallel-diff", "PULUMI_PARALLEL_DIFF=true", env=(("PULUMI_PARALLEL_DIFF", "true"),)),
    EngineSetting(
        "gzip",
        "PULUMI_DIY_BACKEND_GZIP=true",
        env=(("PULUMI_DIY_BACKEND_GZIP", "true"),),
        note="the state file is written gzipped (stack.json.gz); the CLI reads either",
    ),
    EngineSetting(
        "no-backups",
        "PULUMI_DIY_BACKEND_DISABLE_CHECKPOINT_BACKUPS=true",
        env=(("PULUMI_DIY_BACKEND_DISABLE_CHECKPOINT_BACKUPS", "true"),),
        note="no copy of the final state under .pulumi/backups",
    ),
    EngineSetting(
        "metadata-skip",
        "file backend ?metadata=skip",
        backend_query="metadata=skip",
        note="the file backend writes no .attrs sidecar (with an MD5 of the state) per checkpoint",
    ),
    EngineSetting(
        "checkpoint-patch",
        "PULUMI_OPTIMIZED_CHECKPOINT_PATCH=true",
        env=(("PULUMI_OPTIMIZED_CHECKPOINT_PATCH", "true"),),
        note="read by the Pulumi Cloud backend only",
    ),
    EngineSetting(
        "no-journaling",
        "PULUMI_DISABLE_JOURNALING=true",
        env=(("PULUMI_DISABLE_JOURNALING", "true"),),
        note="read by the Pulumi Cloud backend only",
    ),
    EngineSetting(
        "skip-checkpoints",
        "PULUMI_SKIP_CHECKPOINTS=true",
        env=tuple(SKIP_CHECKPOINTS.items()),
        safe=False,
        note="diagnostic only: the state is written once, at the end; a crash loses every step",
    ),
)
SETTING_KEYS = [setting.key for setting in SETTINGS]


def settings_named(keys: list[str]) -> tuple[EngineSetting, ...]:
    """The settings of ``keys`` (``shipped`` always first: every ratio is to it)."""
    chosen = {"shipped", *keys}
    return tuple(setting for setting in SETTINGS if setting.key in chosen)


def _stack_for(
    ctx: Context, emulator: EmulatorProcess, variant: str, n: int, setting: EngineSetting
) -> tuple[Any, dict[str, str]]:
    stack, env = make_stack(ctx, emulator, variant, n, dict(setting.env), first_user=first_user_of(variant))
    if setting.backend_query:
        env["PULUMI_BACKEND_URL"] += f"?{setting.backend_query}"
    return stack, env


def engine_settings(
    ctx: Context, n: int, variants: tuple[str, ...] = VARIANTS, settings: tuple[EngineSetting, ...] = SETTINGS
) -> dict[str, Any]:
    """``up`` and ``destroy`` of ``n`` contacts under each setting and variant, interleaved (the
    variant order rotating per setting and run); each row's ratio is to the shipped defaults."""
    runs: dict[str, dict[str, dict[str, list[dict[str, Any]]]]] = {
        s.label: {v: {"create": [], "destroy": []} for v in variants} for s in settings
    }
    load_before = load()
    for rep in range(ctx.repeat):
        with emulator_for(ctx, _everyone(n, variants)) as emulator:
            for i, setting in enumerate(settings):
                for variant in rotated(variants, rep + i):
                    stack, env = _stack_for(ctx, emulator, variant, n, setting)
                    for op, command in (("create", UP), ("destroy", DESTROY)):
                        run_label = f"run {rep + 1}/{ctx.repeat}"
                        progress(f"engine settings N={n} {run_label}: {setting.label}, {op} ({variant})")
                        result = run_counted(stack, env, emulator, (*command, *setting.args))
                        require_success(result, f"{setting.label} {variant} {op}")
                        runs[setting.label][variant][op].append(result)
    rows = []
    baseline = settings[0].label
    for setting in settings:
        row: dict[str, Any] = {
            "key": setting.key,
            "label": setting.label,
            "safe": setting.safe,
            "note": setting.note,
            "variants": {},
        }
        for variant in variants:
            figures = {op: median_of(runs[setting.label][variant][op]) for op in ("create", "destroy")}
            for op in figures:
                base = median_of(runs[baseline][variant][op])
                figures[op]["ratio_to_shipped"] = ratio(figures[op]["seconds"], base["seconds"])
            row["variants"][variant] = figures
        rows.append(row)
    return {
        "n": n,
        "repeat": ctx.repeat,
        "variants": list(variants),
        "rows": rows,
        "load_before": load_before,
        "load_after": load(),
    }


# -- the report ------------------------------------------------------------------------------------


def _cpu_split(figures: dict[str, Any]) -> str:
    host = figures.get("language_host_cpu_seconds") or 0.0
    engine = (figures.get("engine_cpu_seconds") or 0.0) - host
    parts = (
        engine,
        host,
        figures.get("program_cpu_seconds") or 0.0,
        figures.get("provider_cpu_seconds") or 0.0,
    )
    return " / ".join(f"{p:.1f}" for p in parts)


def growth_table(data: dict[str, Any]) -> str:
    variants = data["variants"]
    lines = [
        "`pulumi up` (create) and `destroy` by N, interleaved; CPU s split engine / language host / "
        "program / provider",
        "",
        "| N | load | variant | up s | up / floor | up s per 100 "
        "| up CPU s (engine / host / program / provider) | state KiB | destroy s | destroy / floor |",
        "|---:|---|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for row in data["rows"]:
        loads = " -> ".join(f"{x:.1f}" for x in (row["load"][0], row["load"][-1]))
        for variant in (*variants, "floor_no_checkpoints"):
            figures = row["variants"][variant]
            up, down = figures["create"], figures["destroy"]
            label = LABELS.get(variant, "floor, PULUMI_SKIP_CHECKPOINTS (diagnostic)")
            state = f"{up['state_bytes'] / 1024:.0f}" if "state_bytes" in up else "-"
            lines.append(
                f"| {row['n']} | {loads} | {label} | {up['seconds']:.2f} | {up['ratio_to_floor']:.2f}x "
                f"| {up['seconds'] / row['n'] * 100:.2f} | {_cpu_split(up)} | {state} "
                f"| {down['seconds']:.2f} | {down['ratio_to_floor']:.2f}x |"
            )
    return "\n".join(lines)


def profile_table(data: dict[str, Any]) -> str:
    if not data.get("available"):
        return f"Engine profile: not measured ({data.get('reason', 'unavailable')})."
    buckets = list(PROFILE_BUCKETS)
    header = " | ".join(buckets)
    lines = [
        "The engine's CPU in a profiled `pulumi up` (`pulumi --profiling`, `go tool pprof`): seconds of "
        "samples, share of the engine's total",
        "",
        f"| N | variant | engine CPU s | {header} |",
        "|---:|---|---:|" + "---:|" * len(buckets),
    ]
    for row in data["rows"]:
        for variant, figures in row["variants"].items():
            b = figures["breakdown"]
            if b is None:
                continue
            cells = " | ".join(f"{b['seconds'][k]:.2f} ({b['share'][k]:.0%})" for k in buckets)
            lines.append(
                f"| {row['n']} | {LABELS.get(variant, variant)} | {b['total_seconds']:.2f} | {cells} |"
            )
    return "\n".join(lines)


def _setting_cell(figures: dict[str, Any]) -> str:
    return (
        f"{figures['seconds']:.2f} ({figures['engine_cpu_seconds']:.1f}) | {figures['ratio_to_shipped']:.2f}x"
    )


def settings_table(data: dict[str, Any]) -> str:
    variants = data["variants"]
    cols = " | ".join(f"up s {LABELS[v]} | ratio" for v in variants)
    dcols = " | ".join(f"destroy s {LABELS[v]} | ratio" for v in variants)
    lines = [
        f"Engine settings, `up` and `destroy` of {data['n']} contacts, each against the shipped defaults "
        f"in the same run, median of {data.get('repeat', '?')} (load average {data['load_before']} -> "
        f"{data['load_after']}); the engine's CPU s in brackets",
        "",
        f"| setting | safe | {cols} | {dcols} | note |",
        "|---|:-:|" + "---:|---:|" * (2 * len(variants)) + "---|",
    ]
    for row in data["rows"]:
        ups, downs = (
            " | ".join(_setting_cell(row["variants"][v][op]) for v in variants)
            for op in ("create", "destroy")
        )
        lines.append(
            f"| {row['label']} | {'yes' if row['safe'] else '**no**'} | {ups} | {downs} | {row['note']} |"
        )
    return "\n".join(lines)


def markdown(results: dict[str, Any]) -> list[str]:
    """The engine-floor tables of ``results`` (none when the floor sections did not run)."""
    parts = []
    if results.get("floor_growth"):
        parts.append(growth_table(results["floor_growth"]))
    if results.get("floor_profile"):
        parts.append(profile_table(results["floor_profile"]))
    if results.get("floor_settings"):
        parts.append(settings_table(results["floor_settings"]))
    if results.get("provider_calls"):
        parts.append(calls_table(results["provider_calls"]))
    return parts


# -- one provider call, without the engine ---------------------------------------------------------

CALL_FACES = ("floor", "dynamic", "plugin")


def provider_calls(ctx: Context, count: int = 200) -> dict[str, Any]:
    """Start-up and per-call cost of each face's provider server (``provider_calls``), the faces
    in rotating order, ``ctx.repeat`` rounds; per figure the median over the rounds."""
    import statistics

    import provider_calls as calls

    token = "bench-calls-token"
    users = {face: 7001 + i for i, face in enumerate(CALL_FACES)}
    rounds: dict[str, list[dict[str, Any]]] = {face: [] for face in CALL_FACES}
    load_before = load()
    with EmulatorProcess(token, list(users.values()), ctx.fresh_dir("calls") / "emulator.log") as emulator:
        for rep in range(ctx.repeat):
            for face in rotated(CALL_FACES, rep):
                progress(f"provider calls run {rep + 1}/{ctx.repeat}: {face}")
                log = ctx.fresh_dir(f"calls-{face}") / "server.log"
                rounds[face].append(calls.measure_face(face, emulator.url, token, users[face], count, log))
    result: dict[str, Any] = {"count": count, "in_flight": calls.IN_FLIGHT, "faces": {}}
    for face, figures in rounds.items():
        merged: dict[str, Any] = {"startup_ms": statistics.median(f["startup_ms"] for f in figures)}
        for mode in ("serial", f"{calls.IN_FLIGHT}_in_flight"):
            merged[mode] = {
                call: {
                    key: round(statistics.median(f[mode][call][key] for f in figures), 2)
                    for key in figures[0][mode][call]
                }
                for call in figures[0][mode]
            }
        result["faces"][face] = merged
    result["load_before"], result["load_after"] = load_before, load()
    return result


def calls_table(data: dict[str, Any]) -> str:
    faces = list(data["faces"])
    in_flight = f"{data['in_flight']}_in_flight"
    lines = [
        f"One provider call without the engine: each face's server in its own process, {data['count']} "
        f"contacts per call kind, median of the rounds (load average {data['load_before']} -> "
        f"{data['load_after']}); ms",
        "",
        "| face | start-up | "
        + " | ".join(f"{c} latency / server CPU" for c in ("check", "diff", "create", "delete"))
        + f" | create with {data['in_flight']} in flight: wall per call / server CPU |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for face in faces:
        f = data["faces"][face]
        serial = " | ".join(
            f"{f['serial'][c]['median_ms']:.2f} / {f['serial'][c]['server_cpu_ms_per_call']:.2f}"
            for c in ("check", "diff", "create", "delete")
        )
        wide = f[in_flight]["create"]
        lines.append(
            f"| {face} | {f['startup_ms']:.0f} | {serial} "
            f"| {wide['wall_ms_per_call']:.2f} / {wide['server_cpu_ms_per_call']:.2f} |"
        )
    return "\n".join(lines)
