"""The benchmark's scenarios, as ``run.py`` runs them: the lifecycle at several sizes, the parallelism
sweep, the rate-limited create, many stacks on one key and the import cost. Each returns plain data
for ``results.json``; each lives in a module of its own:

- ``scenario_lifecycle``: every phase of a stack's life, and the live-limit run;
- ``scenario_parallelism``: the engine's ``--parallel`` and the provider's pool;
- ``scenario_rate_limits``: the per-key rate limit, one stack or many;
- ``scenario_import_time``: what importing the package costs each process;
- ``bench_harness``: what they are built of (stacks, counted runs, medians).

Every scenario runs the real ``pulumi`` CLI on a local backend against the emulator on loopback.
The HTTP variant uses the real ``pulumi_ilert_contacts`` resources (the dynamic face); the plugin
variant the same program through the ``ilert-contacts`` plugin (``pulumi_ilert_contacts.native``);
the floor variant the stand-ins of ``floor_provider`` (no HTTP, no validation). Wherever several
are measured they run interleaved, command by command, so background load on the machine falls on
all alike.
"""

from __future__ import annotations

from bench_harness import LIFECYCLE_VARIANTS, VARIANTS, BenchmarkFailed, Context, load
from scenario_import_time import import_time
from scenario_lifecycle import PHASES, lifecycle
from scenario_parallelism import parallelism
from scenario_rate_limits import fleet, many_stacks, rate_limited

__all__ = [
    "LIFECYCLE_VARIANTS",
    "PHASES",
    "VARIANTS",
    "BenchmarkFailed",
    "Context",
    "fleet",
    "import_time",
    "lifecycle",
    "load",
    "many_stacks",
    "parallelism",
    "rate_limited",
]
