"""The import-time scenario: what importing the package costs the program, the dynamic provider's
process and the plugin's process (``python -X importtime`` in fresh interpreters)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from typing import Any

from bench_harness import BENCH_DIR

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
