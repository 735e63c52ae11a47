"""The benchmark's smoke run (``benchmarks/run.py --quick``), so its code cannot rot unnoticed.

It drives the real engine through every lifecycle phase for a handful of contacts, with the real
provider and the engine-floor stand-in, and the request counts it reports must keep the targets:
one request per changed contact, none for a no-op, one list per (user, kind) for a refresh and for
adopting (a generated program, or the recovery switch) with no write at all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pulumi_harness import REPO, pulumi_binary, tool_path

PHASES = {"create", "preview", "noop_up", "update", "refresh", "adopt", "recovery", "destroy"}


@pytest.fixture(scope="module")
def quick_results(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    if pulumi_binary() is None:
        pytest.fail("the pulumi CLI is not installed: run `make pulumi-cli` (make test does it)")
    out = tmp_path_factory.mktemp("bench")
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PATH": tool_path()},
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return out, json.loads((out / "results.json").read_text())


def test_quick_benchmark_counts_one_request_per_changed_contact(
    quick_results: tuple[Path, dict[str, Any]],
) -> None:
    _, results = quick_results
    [entry] = results["lifecycle"]
    n, users, phases = entry["n"], entry["users"], entry["phases"]
    assert set(phases) == PHASES

    def http(phase: str) -> dict[str, int]:
        requests: dict[str, int] = phases[phase]["http"]["requests"]
        return requests

    assert http("create") == {"POST": n, "total": n}
    assert http("preview") == {"total": 0}
    assert http("noop_up") == {"total": 0}
    assert http("update") == {"PUT": len(range(0, n, 10)), "total": len(range(0, n, 10))}
    assert 0 < http("refresh").get("GET", 0) <= 2 * users
    assert http("refresh")["total"] == http("refresh")["GET"]
    assert http("destroy") == {"DELETE": n, "total": n}
    for adopting in ("adopt", "recovery"):
        assert 0 < http(adopting).get("GET", 0) <= 2 * users
        assert http(adopting)["total"] == http(adopting)["GET"]
        assert phases[adopting]["failed_operations"] == 0
    assert all(phases[p]["meets_request_target"] for p in PHASES)
    assert phases["create"]["terraform"]["total"] == 2 * n  # POST and a read-back GET per contact


def test_quick_benchmark_measures_both_variants_and_writes_its_report(
    quick_results: tuple[Path, dict[str, Any]],
) -> None:
    out, results = quick_results
    [entry] = results["lifecycle"]
    for phase in entry["phases"].values():
        assert phase["ratio"] > 0
        for variant in ("http", "floor"):
            figures = phase[variant]
            assert figures["code"] == 0
            assert figures["seconds"] > 0
            assert figures["provider_peak_mib"] > 0
            assert figures["provider_cmdlines"], "the dynamic provider process was not found"
        assert phase["floor"]["requests"] == {"total": 0}, "the floor provider must make no HTTP call"
    imports = results["import_time"]
    assert imports["in_process_ms"]["program"]["third_party_loaded"] == []
    assert not imports["top_level_imports_pulumi_sdk"]
    assert results["meta"]["machine"] and results["meta"]["date"]
    assert (out / "time_vs_n.png").stat().st_size > 0
    assert "`up` (create)" in (out / "results.md").read_text()


def test_quick_sets_benchmark_keeps_the_request_targets(tmp_path: Path) -> None:
    # The contact-set scenario (benchmarks/scenario_sets.py) for one user through the plugin face:
    # 10 contacts as one UserContacts set and as 10 single resources, every phase.
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--only", "sets", "--sets-users", "1",
         "--sets-faces", "plugin", "--repeat", "1", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=300, env={**os.environ, "PATH": tool_path()},
        stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    data = json.loads((tmp_path / "sets.json").read_text())["sets"]
    phases = data["phases"]

    def requests(phase: str, shape: str) -> dict[str, int]:
        counted: dict[str, int] = phases[phase]["plugin"][shape]["requests"]
        return counted

    assert requests("create", "sets") == {"GET": 2, "POST": 10, "total": 12}
    assert requests("create", "singles") == {"POST": 10, "total": 10}
    assert requests("preview", "sets") == requests("preview", "singles") == {"total": 0}
    assert requests("update", "sets") == {"GET": 1, "POST": 1, "DELETE": 1, "total": 3}
    assert requests("update", "singles") == {"PUT": 1, "total": 1}
    assert requests("destroy", "sets") == {"GET": 2, "DELETE": 10, "total": 12}
    assert requests("destroy_forget", "sets") == {"total": 0}
    assert all(t["met"] for t in data["targets"] if "requests" in t["target"])
    assert "`up` (create)" in (tmp_path / "sets.md").read_text()
