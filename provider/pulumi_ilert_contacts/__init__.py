"""Manage ilert user contacts (email addresses and phone numbers) with Pulumi."""

from ._version import __version__
from .contacts.email import ContactEmail, ContactEmailArgs, ContactEmailProvider
from .contacts.phone import ContactPhoneNumber, ContactPhoneNumberArgs, ContactPhoneNumberProvider
from .errors import (
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
    "__version__",
]
