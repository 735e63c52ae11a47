"""The one exception hierarchy of the package, and the one place that maps an API answer to it.

Every failure a user can see (bad configuration, an ilert API error, a network fault) is an
``IlertError``. Messages name the operation, the user and the contact, never the API token:
``Unable to create email contact for user 1234: ilert API returned 400: target is not valid``.
"""

from __future__ import annotations

import json
from typing import Any


class IlertError(Exception):
    """Base class of every error raised by this package.

    ``context`` is what was being attempted ("Unable to create email contact for user 1234"),
    ``status`` the HTTP status (``None`` when no answer came), ``code`` and ``api_message`` the
    ``code`` and ``message`` fields of ilert's JSON error body when it had one.
    """

    def __init__(
        self,
        message: str,
        *,
        context: str | None = None,
        status: int | None = None,
        code: str | None = None,
        api_message: str | None = None,
    ) -> None:
        self.context = context
        self.status = status
        self.code = code
        self.api_message = api_message
        self.detail = message
        super().__init__(f"{context}: {message}" if context else message)

    def with_hint(self, hint: str) -> IlertError:
        """The same error (same class, status and code) with advice appended to its message."""
        return type(self)(
            f"{self.detail}; {hint}",
            context=self.context,
            status=self.status,
            code=self.code,
            api_message=self.api_message,
        )


class IlertConfigError(IlertError):
    """The provider is not configured well enough to talk to ilert (no token, bad endpoint)."""


class IlertConnectionError(IlertError):
    """No usable answer came back: the connection failed, was dropped, or timed out."""


class IlertApiError(IlertError):
    """ilert answered with an error status. Subclasses narrow it down by status class."""


class IlertValidationError(IlertApiError):
    """400: ilert rejected the request body (its message says why)."""


class IlertAuthError(IlertApiError):
    """401 (no key, or a key refused) or 403 (invalid or revoked key, code ``KEY_ERROR``; or a key
    without the permission)."""


class IlertPlanLimitError(IlertApiError):
    """402: the ilert plan's limits do not allow this."""


class IlertNotFoundError(IlertApiError):
    """404: the user or contact does not exist, or the API key may not see it."""


class IlertRateLimitError(IlertApiError):
    """429 that outlasted the retry budget."""


class IlertServerError(IlertApiError):
    """5xx that outlasted the retry budget (or a POST whose outcome is unknown)."""


def auth_hint(status: int, code: str | None, key_source: str | None) -> str | None:
    """What a 401 or 403 means for the API key, naming where the key came from (``key_source``:
    ``the stack config 'ilert-contacts:apiToken'``, ``ILERT_API_TOKEN``, ...), never the key."""
    where = f" in {key_source}" if key_source else ""
    if status == 401:
        return f"ilert did not accept the API key (it was missing or refused); check the key{where}"
    if status == 403 and code == "KEY_ERROR":
        return f"the API key is invalid or revoked; check the key{where}"
    if status == 403:
        return (
            f"the API key{' from ' + key_source if key_source else ''} lacks the permission for this "
            "(ilert: editing another user's contacts needs admin rights)"
        )
    return None


def _error_class(status: int) -> type[IlertApiError]:
    if status == 400:
        return IlertValidationError
    if status in (401, 403):
        return IlertAuthError
    if status == 402:
        return IlertPlanLimitError
    if status == 404:
        return IlertNotFoundError
    if status == 429:
        return IlertRateLimitError
    if status >= 500:
        return IlertServerError
    return IlertApiError


def _parse_body(body: bytes | str) -> tuple[str | None, str | None]:
    """Return ilert's ``(code, message)`` from a JSON error body; ``(None, None)`` for anything else.

    A proxy in front of ilert can answer with HTML or plain text, so a body that is not the
    documented ``{status, message, code}`` object is not an error in itself.
    """
    try:
        data: Any = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None, None
    if not isinstance(data, dict):
        return None, None
    code = data.get("code")
    message = data.get("message")
    return (
        str(code) if code is not None else None,
        str(message) if message is not None else None,
    )


def error_from_response(
    status: int,
    body: bytes | str,
    context: str,
    *,
    redact: str | None = None,
    key_source: str | None = None,
) -> IlertApiError:
    """Build the exception for an error answer from ilert: the one status → exception mapping.

    ``redact`` (the API token) is masked wherever the body would have carried it into the message;
    ``key_source`` names where the token came from, for the hint of a 401 or 403.
    """
    if redact:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        body = text.replace(redact, "***")
    code, api_message = _parse_body(body)
    if api_message:
        detail = f"ilert API returned {status}: {api_message}"
    else:
        text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
        snippet = " ".join(text.split())[:200]
        detail = f"ilert API returned {status}" + (f" (non-JSON body: {snippet!r})" if snippet else "")
    if code:
        detail += f" [{code}]"
    hint = auth_hint(status, code, key_source)
    if hint:
        detail += f"; {hint}"
    return _error_class(status)(detail, context=context, status=status, code=code, api_message=api_message)
