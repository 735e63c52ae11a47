"""What one provider call costs in each face, without the engine: the provider servers as the engine
starts them, each in its own process, driven over gRPC by this process.

- ``floor``: the SDK's dynamic-provider server (``python -m pulumi.dynamic``) with the floor's
  do-nothing provider (``floor_provider``);
- ``dynamic``: the same server with our ``ContactEmailProvider``;
- ``plugin``: ``pulumi-resource-ilert-contacts``.

Measured: the start-up (spawn to the port on stdout: the interpreter, the imports, the gRPC server),
and per call of Check, Diff, Create and Delete the client-side latency (one call at a time) and the
server process's CPU time per call (``/proc``), plus the throughput with 8 calls in flight (the
engine's default ``--parallel``). Check and Diff make no API call in any face, so they compare the
faces' own overhead directly; Create and Delete reach the emulator on loopback (its own process).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
PLUGIN = Path(sys.executable).parent / "pulumi-resource-ilert-contacts"
TICKS = os.sysconf("SC_CLK_TCK")
CALL_TIMEOUT = 60.0
IN_FLIGHT = 8

FLOOR_TYPE = "pulumi-python:dynamic/floor:ContactEmail"
DYNAMIC_TYPE = "pulumi-python:dynamic/ilert:ContactEmail"
PLUGIN_TYPE = "ilert-contacts:index:ContactEmail"


def _cpu(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    rest = stat[stat.rfind(")") + 2 :].split()
    return (int(rest[11]) + int(rest[12])) / TICKS


class Server:
    """One provider server process and a stub connected to it."""

    def __init__(self, face: str, user: int, log: Path) -> None:
        import grpc
        from plugin_process import read_port  # tests/, on sys.path under run.py
        from pulumi.runtime.proto import provider_pb2_grpc

        self.face = face
        self.user = user
        env = {k: v for k, v in os.environ.items() if not k.startswith("ILERT_")}
        env.update(PYTHONUNBUFFERED="1", PYTHONPATH=str(BENCH_DIR), ILERT_RATE_LIMIT="0")
        if face == "plugin":
            cmd = [str(PLUGIN), "127.0.0.1:1"]  # an engine address it never dials
        else:
            cmd = [sys.executable, "-u", "-m", "pulumi.dynamic", "127.0.0.1:1"]
        self._log = log.open("wb")
        started = time.perf_counter()
        self.process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._log, env=env)
        port = read_port(self.process, 60.0, f"the {face} provider server")
        self.startup_seconds = time.perf_counter() - started
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(self.channel).result(timeout=CALL_TIMEOUT)
        self.stub = provider_pb2_grpc.ResourceProviderStub(self.channel)
        self.type = {"floor": FLOOR_TYPE, "dynamic": DYNAMIC_TYPE, "plugin": PLUGIN_TYPE}[face]
        self._blob: str | None = None
        if face != "plugin":
            from pulumi.dynamic.dynamic import serialize_provider

            if face == "floor":
                from floor_provider import FloorEmailProvider

                self._blob = serialize_provider(FloorEmailProvider())
            else:
                from pulumi_ilert_contacts.dynamic.email import ContactEmailProvider

                self._blob = serialize_provider(ContactEmailProvider())

    def cpu_seconds(self) -> float:
        return _cpu(self.process.pid)

    def configure(self, endpoint: str, token: str) -> None:
        from pulumi.runtime.proto import provider_pb2

        if self.face == "plugin":
            args = {"apiToken": token, "endpoint": endpoint}
        else:
            args = {"ilert:apiToken": token, "ilert:endpoint": endpoint}
        self.stub.Configure(
            provider_pb2.ConfigureRequest(args=_struct(args), acceptSecrets=True), timeout=CALL_TIMEOUT
        )

    # -- the calls, with the property names of each face -----------------------------------------

    def _names(self, i: int) -> dict[str, Any]:
        user = "userId" if self.face == "plugin" else "user_id"
        props: dict[str, Any] = {user: str(self.user), "target": f"call-{i}@example.com"}
        if self._blob is not None:
            props["__provider"] = self._blob
        return props

    def urn(self, i: int) -> str:
        return f"urn:pulumi:bench::calls::{self.type}::email-{i}"

    def check(self, i: int) -> Any:
        from pulumi.runtime.proto import provider_pb2

        request = provider_pb2.CheckRequest(
            urn=self.urn(i), type=self.type, olds=_struct({}), news=_struct(self._names(i))
        )
        return self.stub.Check(request, timeout=CALL_TIMEOUT)

    def diff(self, i: int, olds: Any) -> Any:
        from pulumi.runtime.proto import provider_pb2

        request = provider_pb2.DiffRequest(
            id=f"{self.user}:{i}", urn=self.urn(i), type=self.type, olds=olds, news=olds
        )
        return self.stub.Diff(request, timeout=CALL_TIMEOUT)

    def create(self, i: int, inputs: Any) -> Any:
        from pulumi.runtime.proto import provider_pb2

        request = provider_pb2.CreateRequest(urn=self.urn(i), type=self.type, properties=inputs)
        return self.stub.Create(request, timeout=CALL_TIMEOUT)

    def delete(self, i: int, created: Any) -> Any:
        from pulumi.runtime.proto import provider_pb2

        request = provider_pb2.DeleteRequest(
            id=created.id, urn=self.urn(i), type=self.type, properties=created.properties
        )
        return self.stub.Delete(request, timeout=CALL_TIMEOUT)

    def stop(self) -> None:
        self.channel.close()
        self.process.kill()
        self.process.wait(timeout=10)
        self._log.close()


def _struct(values: dict[str, Any]) -> Any:
    from google.protobuf import struct_pb2

    message = struct_pb2.Struct()
    message.update(values)
    return message


def _timed(server: Server, calls: list[Callable[[], Any]], in_flight: int) -> dict[str, float]:
    """Run ``calls`` (one at a time, or ``in_flight`` at once): per call ms and server CPU ms."""
    cpu = server.cpu_seconds()
    latencies: list[float] = []

    def one(call: Callable[[], Any]) -> None:
        started = time.perf_counter()
        call()
        latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    if in_flight == 1:
        for call in calls:
            one(call)
    else:
        with ThreadPoolExecutor(in_flight) as pool:
            list(pool.map(one, calls))
    wall = time.perf_counter() - started
    cpu = server.cpu_seconds() - cpu
    return {
        "median_ms": round(statistics.median(latencies) * 1000, 2),
        "wall_ms_per_call": round(wall / len(calls) * 1000, 2),
        "server_cpu_ms_per_call": round(cpu / len(calls) * 1000, 2),
    }


def _round_of_calls(server: Server, ids: range, in_flight: int) -> dict[str, dict[str, float]]:
    """Check, then Diff, Create and Delete each of ``ids`` (``in_flight`` calls at a time)."""
    checked: dict[int, Any] = {}
    created: dict[int, Any] = {}

    def check(i: int) -> None:
        checked[i] = server.check(i).inputs

    def create(i: int) -> None:
        created[i] = server.create(i, checked[i])

    figures = {"check": _timed(server, [lambda i=i: check(i) for i in ids], in_flight)}
    figures["diff"] = _timed(server, [lambda i=i: server.diff(i, checked[i]) for i in ids], in_flight)
    figures["create"] = _timed(server, [lambda i=i: create(i) for i in ids], in_flight)
    figures["delete"] = _timed(server, [lambda i=i: server.delete(i, created[i]) for i in ids], in_flight)
    return figures


def measure_face(face: str, endpoint: str, token: str, user: int, count: int, log: Path) -> dict[str, Any]:
    """Start-up and per-call figures of one face: ``count`` contacts checked, diffed, created and
    deleted one call at a time, then again with ``IN_FLIGHT`` calls at once."""
    server = Server(face, user, log)
    try:
        server.configure(endpoint, token)
        result: dict[str, Any] = {"startup_ms": round(server.startup_seconds * 1000, 1)}
        result["serial"] = _round_of_calls(server, range(count), 1)
        result[f"{IN_FLIGHT}_in_flight"] = _round_of_calls(server, range(count, 2 * count), IN_FLIGHT)
        return result
    finally:
        server.stop()


def startup_best(face: str, user: int, log: Path, repeat: int) -> float:
    """The fastest of ``repeat`` start-ups of a face's server, in ms."""
    best = float("inf")
    for _ in range(repeat):
        server = Server(face, user, log)
        best = min(best, server.startup_seconds)
        server.stop()
    return round(best * 1000, 1)
