"""What every benchmark scenario is built of: the run's context (where throwaway projects go, how
many repeats), a stack of a variant against the emulator, one pulumi command with the emulator's
requests counted around it, and the figures of repeated runs (median, ratio).

The variants: ``http`` is the real ``pulumi_ilert_contacts`` resources (the dynamic face),
``plugin`` the same program through the ``ilert-contacts`` plugin (``pulumi_ilert_contacts.native``),
``floor`` the stand-ins of ``floor_provider`` (no HTTP, no validation).
"""

from __future__ import annotations

import os
import statistics
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
LIFECYCLE_VARIANTS = ("http", "plugin", "floor")
"""The lifecycle of ``make bench``: both faces and the floor (the live-limit run keeps ``VARIANTS``)."""
HTTP_VARIANTS = ("http", "plugin")
"""The variants that call the emulator: the dynamic face and the plugin face."""
PLUGIN_NAMESPACE = "ilert-contacts"
"""The plugin's config namespace (``ilert-contacts:endpoint``, ``ilert-contacts:apiToken``)."""
STACK = "bench"
UP = ("up", "--yes", "--non-interactive", "--skip-preview")


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
