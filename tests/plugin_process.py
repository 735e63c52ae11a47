"""What the gRPC suites share: reading the port a Pulumi plugin process prints when it is ready, and
property maps as protobuf Structs."""

from __future__ import annotations

import os
import selectors
import subprocess
import time
from typing import Any

from google.protobuf import struct_pb2


def read_port(process: subprocess.Popen[bytes], timeout: float, what: str) -> int:
    """The port on the first line of ``process``'s stdout (how Pulumi plugins announce themselves)."""
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    line = b""
    while not line.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not selector.select(remaining):
            raise TimeoutError(f"{what} printed no port")
        chunk = os.read(process.stdout.fileno(), 64)
        if not chunk:
            raise RuntimeError(f"{what} exited ({process.poll()})")
        line += chunk
    return int(line.split(b"\n", 1)[0])


def struct(values: dict[str, Any]) -> struct_pb2.Struct:
    """A property map as the protocol carries it (numbers become doubles)."""
    message = struct_pb2.Struct()
    message.update(values)
    return message
