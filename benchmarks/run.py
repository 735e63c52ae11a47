"""Bulk-deployment benchmark: the ilert contacts provider against the Pulumi engine's own floor.

    python benchmarks/run.py                      # the full run (make bench): N = 50, 200, 500
    python benchmarks/run.py --quick              # a smoke run in well under a minute
    python benchmarks/run.py --sizes 50 --repeat 1 --only lifecycle,imports
    python benchmarks/run.py --live-limit         # at ilert's real limit: 120 / 60 s, N = 500; many stacks
    python benchmarks/run.py --floor              # the engine floor: growth with N, profile, settings, calls
    python benchmarks/run.py --only sets          # 20 UserContacts sets against 200 single resources
    python benchmarks/run.py --only sets-live     # the same at ilert's real limit (120 / 60 s)

Writes ``results.json``, ``results.md`` and ``time_vs_n.png`` to ``--out`` (and, with
``--publish``, copies them to ``benchmarks/report/``); prints the tables. ``--live-limit`` names its
files ``live-limit.json`` and ``live-limit.md`` instead (``--name``), so it never overwrites the main
run's. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path[:0] = [str(BENCH_DIR), str(REPO / "tests")]  # our modules, and the shared pulumi harness

import engine_floor  # noqa: E402
import report  # noqa: E402
import scenario_sets  # noqa: E402
import scenarios  # noqa: E402
from pulumi_harness import pulumi_binary, tool_path  # noqa: E402


def _sizes(text: str) -> list[int]:
    sizes = [int(part) for part in text.split(",") if part.strip()]
    if not sizes or any(n < 2 for n in sizes):
        raise argparse.ArgumentTypeError("sizes are comma-separated numbers of contacts, each at least 2")
    return sizes


SECTIONS = (
    "lifecycle",
    "parallel",
    "rate-limit",
    "live-limit",
    "many-stacks",
    "fleet",
    "sets",
    "sets-live",
    "imports",
    "floor-growth",
    "floor-profile",
    "floor-settings",
    "calls",
)
FLOOR_SECTIONS = ["floor-growth", "floor-profile", "floor-settings", "calls"]
"""The engine-floor study (issue 11, item 3): ``--floor`` runs only these, into floor.json / floor.md."""


def _phases(text: str) -> list[str]:
    phases = [part.strip() for part in text.split(",") if part.strip()]
    known = [p.name for p in scenarios.PHASES]
    unknown = set(phases) - set(known)
    if not phases or unknown:
        raise argparse.ArgumentTypeError(f"unknown phases {sorted(unknown)}; choose from {', '.join(known)}")
    return phases


def _setting_keys(text: str) -> list[str]:
    keys = [part.strip() for part in text.split(",") if part.strip()]
    unknown = set(keys) - set(engine_floor.SETTING_KEYS)
    if not keys or unknown:
        raise argparse.ArgumentTypeError(
            f"unknown settings {sorted(unknown)}; choose from {', '.join(engine_floor.SETTING_KEYS)}"
        )
    return keys


def _sections(text: str) -> list[str]:
    sections = [part.strip() for part in text.split(",") if part.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown sections {sorted(unknown)}; choose from {', '.join(SECTIONS)}"
        )
    return sections


def _windows(text: str) -> list[float]:
    windows = [float(part) for part in text.split(",") if part.strip()]
    if not windows or any(w <= 0 for w in windows):
        raise argparse.ArgumentTypeError("windows are comma-separated positive numbers of seconds")
    return windows


def _counts(text: str) -> list[int]:
    counts = [int(part) for part in text.split(",") if part.strip()]
    if not counts or any(c < 1 for c in counts):
        raise argparse.ArgumentTypeError("stack counts are comma-separated positive numbers")
    return counts


def _some_of(what: str, choices: tuple[str, ...]) -> Callable[[str], list[str]]:
    """An argument type: a comma-separated, non-empty list of some of ``choices``."""

    def parse(text: str) -> list[str]:
        picked = [part.strip() for part in text.split(",") if part.strip()]
        unknown = set(picked) - set(choices)
        if not picked or unknown:
            known = ",".join(choices)
            raise argparse.ArgumentTypeError(f"unknown {what} {sorted(unknown)}; choose from {known}")
        return picked

    return parse


def _rate(text: str) -> tuple[int, float]:
    limit, sep, window = text.partition("/")
    try:
        parsed = (int(limit), float(window.rstrip("s")))
    except ValueError:
        parsed = (0, 0.0)
    if not sep or parsed[0] < 1 or parsed[1] <= 0:
        raise argparse.ArgumentTypeError("a rate is LIMIT/WINDOW, e.g. 120/60 (requests per seconds)")
    return parsed


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", type=_sizes, default=[50, 200, 500], help="numbers of contacts (50,200,500)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the median is kept")
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "results", help="where results go")
    parser.add_argument(
        "--only",
        type=_sections,
        default=list(SECTIONS),
        help=f"sections to run (default {','.join(SECTIONS)})",
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: N=10, one run, lifecycle and imports"
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="only the engine-floor study (floor-growth, floor-profile, floor-settings, calls)",
    )
    parser.add_argument(
        "--floor-sizes",
        type=_sizes,
        default=[100, 200, 500, 1000],
        help="N of floor-growth (100,200,500,1000)",
    )
    parser.add_argument("--settings-n", type=int, default=200, help="contacts of floor-settings (200)")
    parser.add_argument(
        "--settings",
        type=_setting_keys,
        default=engine_floor.SETTING_KEYS,
        help=f"the settings of floor-settings (default all: {','.join(engine_floor.SETTING_KEYS)})",
    )
    parser.add_argument("--calls-n", type=int, default=200, help="calls of each kind per face in calls (200)")
    parser.add_argument(
        "--without-plugin",
        action="store_true",
        help="the lifecycle without the plugin face (the dynamic face and the floor only)",
    )
    parser.add_argument("--parallel-n", type=int, default=200, help="contacts of the --parallel sweep")
    parser.add_argument("--rate-n", type=int, default=300, help="contacts of the rate-limited create")
    parser.add_argument("--rate-limit", type=int, default=120, help="emulator limit per window")
    parser.add_argument(
        "--rate-windows", type=_windows, default=[6.0, 30.0], help="windows in seconds (live API: 60); 6,30"
    )
    parser.add_argument(
        "--live-limit",
        action="store_true",
        help="only the phases at ilert's real limit (live-limit, N=--live-n) and many-stacks, one run",
    )
    parser.add_argument(
        "--live-rate", type=_rate, default=(120, 60.0), help="the live limit, LIMIT/WINDOW (120/60)"
    )
    parser.add_argument("--live-n", type=int, default=500, help="contacts of the live-limit lifecycle")
    parser.add_argument(
        "--phases",
        type=_phases,
        default=None,
        help="lifecycle phases to measure (default all; the contacts they need are created first, "
        "unmeasured): " + ",".join(p.name for p in scenarios.PHASES),
    )
    parser.add_argument("--stacks", type=_counts, default=[2, 4], help="concurrent stacks of many-stacks")
    parser.add_argument("--stack-n", type=int, default=40, help="contacts per stack of many-stacks")
    parser.add_argument("--machines", type=int, default=4, help="machines (providers) of the fleet case (4)")
    parser.add_argument("--machine-n", type=int, default=40, help="contacts per machine of the fleet case")
    parser.add_argument(
        "--fleet-rate",
        type=_rate,
        default=None,
        help="the fleet case's limit, LIMIT/WINDOW (default --live-rate: 120/60)",
    )
    parser.add_argument("--sets-users", type=int, default=20, help="users of the sets scenario (20)")
    parser.add_argument(
        "--sets-faces",
        type=_some_of("faces", scenario_sets.FACES),
        default=list(scenario_sets.FACES),
        help=f"faces of the sets scenario (default {','.join(scenario_sets.FACES)}; sets-live: plugin,floor)",
    )
    parser.add_argument(
        "--sets-live-shapes",
        type=_some_of("shapes", scenario_sets.SHAPES),
        default=["sets"],
        help="shapes of sets-live (default sets: the singles at the live limit are live-limit's; "
        "sets,singles for both)",
    )
    parser.add_argument(
        "--name",
        default=None,
        help="file name of the results, without extension (results; with --live-limit: live-limit)",
    )
    parser.add_argument("--publish", action="store_true", help="copy the results to benchmarks/report/")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway projects (printed)")
    return parser


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{model}, {os.cpu_count()} CPUs, {mem_gib:.0f} GiB RAM, {platform.system()} {platform.release()}"


def _commit() -> str:
    """The checkout's commit (``+`` when it has uncommitted changes), for the report."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                           text=True, cwd=REPO)  # fmt: skip
    return (head.stdout.strip() or "unknown") + ("+" if dirty.stdout.strip() else "")


def pulumi_version() -> str:
    proc = subprocess.run(
        ["pulumi", "version"], capture_output=True, text=True, env={**os.environ, "PATH": tool_path()}
    )
    return proc.stdout.strip() or "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # A plain SIGTERM would skip the `with` blocks that stop the emulators: make it an exit.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # Started with SIGINT ignored (a background job of a non-interactive shell, nohup, some CI
    # runners), every pulumi command would inherit that: the engine stops its language host with
    # SIGINT and, when it is ignored, waits 5 s before killing it - once per command that runs the
    # program. A handler (unlike SIG_IGN) is not inherited across exec.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if pulumi_binary() is None:
        print("the pulumi CLI is not installed: run `make pulumi-cli`", file=sys.stderr)
        return 2
    if args.quick:
        args.sizes, args.repeat, args.only = [10], 1, ["lifecycle", "imports"]
    elif args.live_limit:
        args.repeat, args.only = 1, ["live-limit", "many-stacks", "fleet"]
    elif args.only == ["sets-live"]:
        args.repeat = 1  # once: its phases are bound by the rate (those sending none run 5 times)
    elif args.floor and args.only == list(SECTIONS):  # --floor --only ...: those of the study
        args.only = FLOOR_SECTIONS
    # The live-limit run's files are its own, the floor study's too: the main run (make bench)
    # writes results.*.
    own = {"sets": "sets", "sets-live": "sets-live"}.get(",".join(args.only))  # its own files
    name = args.name or ("live-limit" if args.live_limit else "floor" if args.floor else own or "results")
    # The lifecycle measures both faces against the floor, interleaved (--without-plugin: the
    # dynamic face and the floor only). The smoke run leaves the plugin out: its eight more
    # commands took the run from ~35 s to ~55 s (the plugin face has end-to-end tests of its own).
    without_plugin = args.without_plugin or args.quick
    variants = scenarios.VARIANTS if without_plugin else scenarios.LIFECYCLE_VARIANTS
    tmp = Path(tempfile.mkdtemp(prefix="ilert-bench-"))
    ctx = scenarios.Context(tmp=tmp, repeat=max(1, args.repeat))
    started = time.monotonic()
    results: dict[str, Any] = {
        "meta": {
            "date": time.strftime("%Y-%m-%d %H:%M %Z"),
            "machine": machine(),
            "python": platform.python_version(),
            "pulumi": pulumi_version(),
            "commit": _commit(),
            "repeat": ctx.repeat,
            "quick": args.quick,
            "load_start": scenarios.load(),
        },
        "lifecycle": [],
        "parallelism": None,
        "rate_limited": None,
        "live_limit": None,
        "many_stacks": None,
        "fleet": None,
        "sets": None,
        "sets_live": None,
        "import_time": None,
        "floor_growth": None,
        "floor_profile": None,
        "floor_settings": None,
        "provider_calls": None,
    }
    try:
        if "lifecycle" in args.only:
            for n in args.sizes:
                results["lifecycle"].append(scenarios.lifecycle(ctx, n, variants=variants, only=args.phases))
        if "parallel" in args.only:
            results["parallelism"] = scenarios.parallelism(ctx, args.parallel_n)
        if "rate-limit" in args.only:
            results["rate_limited"] = scenarios.rate_limited(
                ctx, args.rate_n, args.rate_limit, args.rate_windows
            )
        if "live-limit" in args.only:
            results["live_limit"] = scenarios.lifecycle(
                ctx, args.live_n, live=args.live_rate, only=args.phases
            )
        if "many-stacks" in args.only:
            limit, window = args.live_rate
            results["many_stacks"] = scenarios.many_stacks(ctx, args.stacks, args.stack_n, limit, window)
        if "fleet" in args.only:
            limit, window = args.fleet_rate or args.live_rate
            results["fleet"] = scenarios.fleet(ctx, args.machines, args.machine_n, limit, window)
        if "sets" in args.only:
            results["sets"] = scenario_sets.sets(ctx, args.sets_users, args.sets_faces)
        if "sets-live" in args.only:
            # The plugin face and the floor: the dynamic face calls the same core at the same rate.
            faces = [f for f in args.sets_faces if f != "dynamic"] or ["plugin", "floor"]
            results["sets_live"] = scenario_sets.sets(
                ctx, args.sets_users, faces, live=args.live_rate, shapes=args.sets_live_shapes
            )
        if "imports" in args.only:
            results["import_time"] = scenarios.import_time(repeat=1 if args.quick else 5)
        if "calls" in args.only:
            results["provider_calls"] = engine_floor.provider_calls(ctx, args.calls_n)
        if "floor-growth" in args.only:
            results["floor_growth"] = engine_floor.growth(ctx, args.floor_sizes)
        if "floor-profile" in args.only:
            results["floor_profile"] = engine_floor.engine_profiles(ctx, args.floor_sizes)
        if "floor-settings" in args.only:
            results["floor_settings"] = engine_floor.engine_settings(
                ctx, args.settings_n, settings=engine_floor.settings_named(args.settings)
            )
    except scenarios.BenchmarkFailed as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"projects kept in {tmp}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    results["meta"]["load_end"] = scenarios.load()
    results["meta"]["duration_s"] = round(time.monotonic() - started, 1)

    args.out.mkdir(parents=True, exist_ok=True)
    written = [f"{name}.json", f"{name}.md"]
    (args.out / written[0]).write_text(json.dumps(results, indent=2) + "\n")
    text = report.markdown(results)
    (args.out / written[1]).write_text(text)
    if results["lifecycle"]:
        written.append("time_vs_n.png" if name == "results" else f"{name}-time_vs_n.png")
        report.plot(results, args.out / written[2])
    print(text)
    print(f"wrote {', '.join(str(args.out / w) for w in written)}", file=sys.stderr)
    if args.publish:
        published = BENCH_DIR / "report"
        published.mkdir(exist_ok=True)
        for file_name in written:
            shutil.copy2(args.out / file_name, published / file_name)
        print(f"copied to {published}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
