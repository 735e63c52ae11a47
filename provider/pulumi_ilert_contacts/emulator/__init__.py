"""A local emulator of the ilert contacts REST API, for tests, demos and benchmarks.

``EmulatorServer`` serves the API over real HTTP from a thread; ``EmulatorAdmin``
(:mod:`.admin_client`) drives its ``/_emulator`` admin surface. Both are imported on first use,
so importing this package does not pull in Werkzeug or requests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .admin_client import EmulatorAdmin
    from .server import EmulatorServer

__all__ = ["EmulatorAdmin", "EmulatorServer"]


def __getattr__(name: str) -> Any:
    if name == "EmulatorServer":
        from .server import EmulatorServer

        return EmulatorServer
    if name == "EmulatorAdmin":
        from .admin_client import EmulatorAdmin

        return EmulatorAdmin
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
