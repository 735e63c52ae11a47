"""Manage ilert user contacts (email addresses and phone numbers) with Pulumi.

The public names are loaded on first use (PEP 562): importing a submodule such as the emulator or
the error classes does not pay for importing the Pulumi SDK.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__

if TYPE_CHECKING:
    from .core.errors import (
        IlertApiError,
        IlertAuthError,
        IlertConfigError,
        IlertConnectionError,
        IlertError,
        IlertNotFoundError,
        IlertPlanLimitError,
        IlertRateLimitError,
        IlertServerError,
        IlertValidationError,
    )
    from .dynamic.email import ContactEmail, ContactEmailArgs, ContactEmailProvider
    from .dynamic.phone import ContactPhoneNumber, ContactPhoneNumberArgs, ContactPhoneNumberProvider
    from .dynamic.user_contacts import (
        UserContacts,
        UserContactsArgs,
        UserContactsPhoneNumberArgs,
        UserContactsProvider,
    )

__all__ = [
    "ContactEmail",
    "ContactEmailArgs",
    "ContactEmailProvider",
    "ContactPhoneNumber",
    "ContactPhoneNumberArgs",
    "ContactPhoneNumberProvider",
    "IlertApiError",
    "IlertAuthError",
    "IlertConfigError",
    "IlertConnectionError",
    "IlertError",
    "IlertNotFoundError",
    "IlertPlanLimitError",
    "IlertRateLimitError",
    "IlertServerError",
    "IlertValidationError",
    "UserContacts",
    "UserContactsArgs",
    "UserContactsPhoneNumberArgs",
    "UserContactsProvider",
    "__version__",
]

# Where each public name lives: the resources pull in the Pulumi SDK, the errors do not.
_EXPORTS = {
    name: ".dynamic.user_contacts"
    if name.startswith("UserContacts")
    else ".dynamic.email"
    if "Email" in name
    else ".dynamic.phone"
    if "Phone" in name
    else ".core.errors"
    for name in __all__
    if name != "__version__"
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
