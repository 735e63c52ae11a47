"""The parallelism scenario: the create of one size under the engine's ``--parallel`` settings and
the provider's pool, each setting against the floor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import workload
from bench_harness import (
    UP,
    VARIANTS,
    Context,
    emulator_for,
    make_stack,
    median_of,
    progress,
    ratio,
    require_success,
    run_counted,
)

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
