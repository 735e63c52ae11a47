"""What one benchmark step measures: wall time of a pulumi command and the peak memory of the
provider process it starts; plus the emulator, run as its own process.

The provider process is found from outside (no hook in the product): while the command runs,
its process tree is scanned for ``python -m pulumi.dynamic`` (the dynamic face) or
``pulumi-resource-ilert-contacts`` (the plugin face) and each one found is polled for ``VmHWM``
(the kernel's own peak-RSS figure, so a short spike between two polls is not missed) and CPU time;
the program process and the Go language host are polled for CPU time too.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROVIDER_MARKERS = ("pulumi.dynamic", "wide_pool_dynamic", "pulumi-resource-ilert-contacts")
PROGRAM_MARKER = "pulumi-language-python-exec"  # the Python process running the user's program
LANGUAGE_HOST_MARKER = "pulumi-language-"  # the Go language host (python or yaml) that starts it
SCAN_INTERVAL = 0.2  # finding new processes: walks all of /proc
POLL_INTERVAL = 0.05  # reading the known providers' status: two small reads


def _read(path: str) -> str | None:
    try:
        with open(path, "rb") as fh:
            return fh.read().decode(errors="replace")
    except OSError:
        return None


def _parent_map() -> dict[int, int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        stat = _read(f"/proc/{entry}/stat")
        if stat is None:
            continue
        # The command name (field 2) may contain spaces and parentheses: split after the last ')'.
        rest = stat[stat.rfind(")") + 2 :].split()
        if len(rest) > 1:
            parents[int(entry)] = int(rest[1])
    return parents


def _descendants(root: int, parents: dict[int, int]) -> set[int]:
    children: dict[int, list[int]] = {}
    for pid, ppid in parents.items():
        children.setdefault(ppid, []).append(pid)
    found: set[int] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _status_kib(pid: int, key: str) -> int | None:
    status = _read(f"/proc/{pid}/status")
    if status is None:
        return None
    for line in status.splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return None


def _cpu_seconds(pid: int) -> float | None:
    stat = _read(f"/proc/{pid}/stat")
    if stat is None:
        return None
    rest = stat[stat.rfind(")") + 2 :].split()
    return (int(rest[11]) + int(rest[12])) / TICKS  # utime + stime


TICKS = os.sysconf("SC_CLK_TCK")


class ProviderMonitor:
    """Polls the dynamic provider processes below ``root`` until stopped: each one's peak RSS and
    CPU time (as last seen; a provider exits with its command, so up to one poll is missed)."""

    def __init__(self, root: int) -> None:
        self.root = root
        self.peaks: dict[int, int] = {}  # pid -> peak RSS in KiB
        self.cpu: dict[int, float] = {}  # pid -> CPU seconds
        self.cmdlines: dict[int, str] = {}
        self.program_cpu: dict[int, float] = {}
        self.language_host_cpu: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="provider-memory", daemon=True)

    def start(self) -> ProviderMonitor:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        next_scan = 0.0
        while True:
            now = time.monotonic()
            if now >= next_scan:
                next_scan = now + SCAN_INTERVAL
                for pid in _descendants(self.root, _parent_map()):
                    if pid in self.peaks or pid in self.program_cpu or pid in self.language_host_cpu:
                        continue
                    cmdline = (_read(f"/proc/{pid}/cmdline") or "").replace("\0", " ")
                    if any(marker in cmdline for marker in PROVIDER_MARKERS):
                        self.peaks[pid] = 0
                        self.cmdlines[pid] = cmdline.strip()
                    elif PROGRAM_MARKER in cmdline:
                        self.program_cpu[pid] = 0.0
                    elif LANGUAGE_HOST_MARKER in cmdline.split(" ", 1)[0]:
                        self.language_host_cpu[pid] = 0.0
            for polled in (self.program_cpu, self.language_host_cpu):
                for pid in list(polled):
                    cpu = _cpu_seconds(pid)
                    if cpu is not None:
                        polled[pid] = cpu
            for pid in list(self.peaks):
                peak = _status_kib(pid, "VmHWM")
                if peak is not None:
                    self.peaks[pid] = max(self.peaks[pid], peak)
                cpu = _cpu_seconds(pid)
                if cpu is not None:
                    self.cpu[pid] = cpu
            if self._stop.wait(POLL_INTERVAL):
                return

    @property
    def peak_mib(self) -> float | None:
        """The largest peak RSS of any provider process seen, in MiB."""
        return round(max(self.peaks.values()) / 1024, 1) if self.peaks and max(self.peaks.values()) else None

    @property
    def cpu_seconds(self) -> float | None:
        """CPU time of all provider processes seen."""
        return round(sum(self.cpu.values()), 2) if self.cpu else None

    @property
    def program_cpu_seconds(self) -> float | None:
        """CPU time of the Python program (the language host's child), if one ran."""
        return round(sum(self.program_cpu.values()), 2) if self.program_cpu else None

    @property
    def language_host_cpu_seconds(self) -> float | None:
        """CPU time of the Go language host (``pulumi-language-python``), if one ran."""
        return round(sum(self.language_host_cpu.values()), 2) if self.language_host_cpu else None


@dataclass
class Measured:
    """One pulumi command as the benchmark saw it."""

    args: list[str]
    code: int
    seconds: float
    cpu_seconds: float
    """CPU time of the whole command: the engine and every process it waited for."""
    provider_peak_mib: float | None
    provider_cpu_seconds: float | None
    program_cpu_seconds: float | None
    provider_cmdlines: list[str]
    output: str = field(repr=False)
    language_host_cpu_seconds: float | None = None


def run_pulumi(workdir: Path, env: dict[str, str], stack: str, *args: str, timeout: float = 1800) -> Measured:
    """Run ``pulumi ARGS --stack STACK`` in ``workdir``; time it and watch its provider's memory."""
    cmd = ["pulumi", *args, "--stack", stack]
    log_path = workdir / ".bench-command.log"
    with open(log_path, "w+b") as log:
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=workdir, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
        monitor = ProviderMonitor(proc.pid).start()
        killer = threading.Timer(timeout, proc.kill)
        killer.daemon = True
        killer.start()
        try:
            # wait4, not wait: its rusage is the CPU time of the command's whole process tree.
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - started
        except BaseException:
            # Interrupted (SIGTERM, Ctrl-C): do not leave the engine running behind us.
            proc.kill()
            proc.wait()
            raise
        finally:
            killer.cancel()
            monitor.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read().decode(errors="replace")
    return Measured(
        args=list(args),
        code=proc.returncode,
        seconds=round(seconds, 3),
        cpu_seconds=round(usage.ru_utime + usage.ru_stime, 2),
        provider_peak_mib=monitor.peak_mib,
        provider_cpu_seconds=monitor.cpu_seconds,
        program_cpu_seconds=monitor.program_cpu_seconds,
        provider_cmdlines=sorted(set(monitor.cmdlines.values())),
        output=output,
        language_host_cpu_seconds=monitor.language_host_cpu_seconds,
    )


class EmulatorProcess:
    """The ilert emulator as a child process (its CPU is its own, not the benchmark's)."""

    def __init__(self, token: str, users: list[int], log: Path) -> None:
        self.token = token
        self.users = users
        self.log = log
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""

    def __enter__(self) -> EmulatorProcess:
        cmd = [
            sys.executable, "-m", "pulumi_ilert_contacts.emulator", "--port", "0", "--token", self.token,
            "--users", ",".join(str(u) for u in self.users),
        ]  # fmt: skip
        self._log_file = open(self.log, "w")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._log_file, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if "listening on" not in line:
            self.__exit__()
            raise RuntimeError(f"the emulator did not start: {line!r} (see {self.log})")
        self.url = line.rsplit(" ", 1)[-1].strip()
        from pulumi_ilert_contacts.emulator.admin_client import EmulatorAdmin

        self.admin = EmulatorAdmin(self.url, timeout=60)
        self.admin.wait_ready()
        return self

    def cpu_seconds(self) -> float:
        """CPU time the emulator process has used so far (it shares the machine's cores)."""
        assert self.proc is not None
        return _cpu_seconds(self.proc.pid) or 0.0

    def __exit__(self, *_exc: Any) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        self._log_file.close()
