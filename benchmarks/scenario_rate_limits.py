"""The rate-limited scenarios: a create against the emulator's per-key limit (how long the budget
makes it, and that no 429 fails it), many stacks of one key deployed at once, and a fleet: stacks
of one key on separate machines (budget folders of their own) sharing one Redis."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import workload
from bench_harness import (
    UP,
    Context,
    emulator_for,
    load,
    make_stack,
    progress,
    ratio,
    require_success,
    run_counted,
)
from measure import Measured, run_pulumi
from redis_server import RedisServer
from scenario_lifecycle import live_env

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
    ctx: Context,
    stacks: int,
    n: int,
    variant: str,
    live: tuple[int, float] | None,
    shared: bool,
    store: str | None = None,
) -> dict[str, Any]:
    """``stacks`` separate ``pulumi up`` commands at once, each of ``n`` contacts of its own users,
    all with the same API key against one emulator. ``shared``: the provider processes share the
    machine's rate budget (as shipped); otherwise each gets a budget folder of its own, which is
    each process budgeting the key alone (as before), or a machine of a fleet. ``store``: the
    fleet's Redis (``ILERT_RATE_STORE``) for every process."""
    firsts = [workload.FIRST_USER + k * MANY_STACKS_USER_STRIDE for k in range(stacks)]
    users = [u for first in firsts for u in workload.users_for(n, first)]
    with emulator_for(ctx, users, rate_limit=live) as emulator:
        common = live_env(ctx, live)
        made = []
        for first in firsts:
            extra = common if shared else live_env(ctx, live)
            if store is not None:
                extra = extra | {"ILERT_RATE_STORE": store}
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
        "store": store is not None,
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
            rows.append(_against_floor(run, engine, rate))
    return {"n": n, "limit": limit, "window": window, "rows": rows}


def _against_floor(run: dict[str, Any], engine: dict[str, Any], rate: float) -> dict[str, Any]:
    """``run`` with its floor, max(the engines alone, all requests / rate), and its ratio to it."""
    floor_seconds = max(engine["seconds"], run["requests"]["total"] / rate)
    run |= {
        "engine_seconds": engine["seconds"],
        "requests_seconds": round(run["requests"]["total"] / rate, 3),
        "floor_seconds": round(floor_seconds, 3),
        "ratio_to_floor": ratio(run["seconds"], floor_seconds),
    }
    progress(
        f"  {run['seconds']:.1f} s (floor {floor_seconds:.1f} s), exits {run['codes']}, "
        f"{run['status_429']} x 429, {run['failed_operations']} failed, {run['duplicates']} duplicates"
    )
    return run


# -- a fleet: machines of one key, one Redis -------------------------------------------------------


def fleet(ctx: Context, machines: int, n: int, limit: int, window: float) -> dict[str, Any]:
    """``machines`` stacks of ``n`` contacts deploying at once with one key, each provider with a
    budget folder of its own (standing in for separate machines), against an emulator enforcing
    ``limit`` requests per ``window`` seconds: with one Redis as the store (``ILERT_RATE_STORE``),
    and without it. The floor is max(the engines alone, all requests / rate)."""
    rate = limit / window
    progress(f"fleet: {machines} x {n} contacts, the engines alone (floor provider)")
    engine = concurrent_ups(ctx, machines, n, "floor", None, shared=True)
    rows = []
    with RedisServer() as redis:
        for store in (redis.url, None):
            label = "one Redis" if store else "no store"
            progress(f"fleet: {machines} x {n} contacts, own folders, {label}, {limit}/{window:g}s")
            run = concurrent_ups(ctx, machines, n, "http", (limit, window), shared=False, store=store)
            rows.append(_against_floor(run, engine, rate))
    return {"machines": machines, "n": n, "limit": limit, "window": window, "rows": rows}
