"""Warnings from inside the dynamic provider's process, in the engine's output.

The SDK's dynamic provider (``python -m pulumi.dynamic``) has no engine connection of its own:
``pulumi.log`` there only prints, and the engine shows a plugin's printed lines as anonymous
information. The engine does start every resource plugin with its own gRPC address as the first
argument, so a warning can go to its log service, as the native provider's do. The request being
served is not handed to a dynamic provider; its URN is taken from the SDK's handler frame when it is
there (so the warning sits on the resource), else the warning is the stack's.
"""

from __future__ import annotations

import sys
from types import FrameType

import grpc
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

_HANDLERS = ("Create", "Update", "Delete", "Read")
"""The SDK servicer's methods whose ``request`` names the resource being served."""


def engine_address() -> str | None:
    """The engine's address, when this process is the SDK's dynamic provider the engine started."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    if getattr(spec, "name", None) != "pulumi.dynamic.__main__" or len(sys.argv) < 2:
        return None
    candidate = sys.argv[1]
    host, _, port = candidate.rpartition(":")
    return candidate if host and port.isdigit() else None


def serving_urn(frame: FrameType | None = None) -> str:
    """The URN of the request the SDK's dynamic servicer is serving on this thread, or ``""``."""
    current: FrameType | None = frame if frame is not None else sys._getframe(1)
    while current is not None:
        request = current.f_locals.get("request") if current.f_code.co_name in _HANDLERS else None
        urn = getattr(request, "urn", None)
        if isinstance(urn, str) and urn:
            return urn
        current = current.f_back
    return ""


def warn(message: str) -> None:
    """Say ``message`` as a warning in the engine's output; nothing outside an engine-run plugin.
    A warning that cannot be delivered never fails the operation it describes."""
    address = engine_address()
    if address is None:
        return
    try:
        with grpc.insecure_channel(address, options=_GRPC_CHANNEL_OPTIONS) as channel:
            request = engine_pb2.LogRequest(severity=engine_pb2.WARNING, message=message, urn=serving_urn())
            engine_pb2_grpc.EngineStub(channel).Log(request, timeout=10)
    except grpc.RpcError:
        pass
