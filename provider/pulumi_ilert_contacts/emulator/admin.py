"""The admin client's former module path, kept for code that imports it from here.

The client of ``/_emulator`` is :mod:`.admin_client`; the admin surface it talks to is
:mod:`.admin_surface`.
"""

from .admin_client import (
    AdminContacts,
    AdminEmail,
    AdminPhoneNumber,
    EmulatorAdmin,
    EmulatorAdminError,
    FaultAction,
    RequestLogEntry,
    RequestStats,
)

__all__ = [
    "AdminContacts",
    "AdminEmail",
    "AdminPhoneNumber",
    "EmulatorAdmin",
    "EmulatorAdminError",
    "FaultAction",
    "RequestLogEntry",
    "RequestStats",
]
