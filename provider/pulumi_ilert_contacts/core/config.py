"""Where the ilert endpoint and API token come from, and the one rule for accepting an endpoint.

Order: the stack config handed to ``configure()`` (``ilert:apiToken``, ``ilert:endpoint``), then the
environment (``ILERT_API_TOKEN``, ``ILERT_ENDPOINT``). The values live in this module, per process,
and never on a provider instance: a provider instance is pickled into the Pulumi state, a module
is pickled by reference.
"""

from __future__ import annotations

import ipaddress
import os
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .errors import IlertConfigError

DEFAULT_ENDPOINT = "https://api.ilert.com"
TOKEN_NAME = "apiToken"
ENDPOINT_NAME = "endpoint"
ADOPT_NAME = "adoptExisting"
"""The settings' names: stack config keys in a face's namespace, and the plugin provider's inputs."""
DYNAMIC_NAMESPACE = "ilert"
"""The stack config namespace of the dynamic resources (``ilert:apiToken``)."""
TOKEN_KEY = f"{DYNAMIC_NAMESPACE}:{TOKEN_NAME}"
ENDPOINT_KEY = f"{DYNAMIC_NAMESPACE}:{ENDPOINT_NAME}"
ADOPT_KEY = f"{DYNAMIC_NAMESPACE}:{ADOPT_NAME}"
TOKEN_ENV = "ILERT_API_TOKEN"
ENDPOINT_ENV = "ILERT_ENDPOINT"
ADOPT_ENV = "ILERT_ADOPT_EXISTING"


@dataclass(frozen=True)
class Settings:
    """A resolved endpoint (no trailing slash) and token. ``repr`` never shows the token."""

    endpoint: str
    token: str = field(repr=False)

    def __reduce__(self) -> Any:
        # Refuse to be pickled: the only thing that could carry a Settings into Pulumi state is
        # a mistake, and it would carry the token with it.
        raise TypeError("ilert Settings hold the API token and must not be pickled")


_lock = threading.Lock()
_configured: tuple[str | None, str | None] | None = None
_adopt_configured: bool | None = None


def set_from_stack_config(raw: Any) -> None:
    """Record ``ilert:apiToken`` / ``ilert:endpoint`` from a ``pulumi.dynamic.Config`` (or a dict).

    The endpoint that will be in force (the stack config's, else ``ILERT_ENDPOINT``, else the
    default) is judged here, so a bad one fails ``pulumi preview`` rather than the first write of
    ``pulumi up``; nothing is recorded then. A missing token is not an error yet: a preview with
    nothing to do needs none, and the first API call says what is missing.

    :raises IlertConfigError: the endpoint is not a URL, or is plain http off loopback.
    """
    get = raw.get if hasattr(raw, "get") else (lambda _key: None)
    token = get(TOKEN_KEY)
    endpoint = get(ENDPOINT_KEY)
    adopt = get(ADOPT_KEY)
    configured = (
        str(token) if token not in (None, "") else None,
        str(endpoint) if endpoint not in (None, "") else None,
    )
    normalise_endpoint(_endpoint_in_force(configured[1]))
    global _configured, _adopt_configured
    with _lock:
        _configured = configured
        _adopt_configured = _truthy(adopt) if adopt not in (None, "") else None


def reset() -> None:
    """Forget what ``configure()`` recorded (tests use this to go back to the environment)."""
    global _configured, _adopt_configured
    with _lock:
        _configured = None
        _adopt_configured = None


def adopt_existing() -> bool:
    """Whether every create may take over an existing contact with the same target.

    A recovery switch (``ilert:adoptExisting`` or ``ILERT_ADOPT_EXISTING``) for after an ``up``
    that was killed between ilert creating a contact and Pulumi recording it: with the pending
    create cleared, the next ``up`` takes the contact over instead of failing on the duplicate.
    """
    with _lock:
        configured = _adopt_configured
    if configured is not None:
        return configured
    return _truthy(os.environ.get(ADOPT_ENV))


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def current() -> Settings:
    """The settings in force now: stack config where given, else the environment, else defaults."""
    with _lock:
        token, endpoint = _configured or (None, None)
    token = token or os.environ.get(TOKEN_ENV) or None
    endpoint = _endpoint_in_force(endpoint)
    if not token:
        raise IlertConfigError(
            "no ilert API token: set it with `pulumi config set --secret ilert:apiToken <token>` "
            f"or the {TOKEN_ENV} environment variable"
        )
    return Settings(endpoint=normalise_endpoint(endpoint), token=token)


def _endpoint_in_force(configured: str | None) -> str:
    return configured or os.environ.get(ENDPOINT_ENV) or DEFAULT_ENDPOINT


def normalise_endpoint(endpoint: str) -> str:
    """Strip a trailing slash and refuse endpoints that would send the token in the clear.

    Plain ``http://`` is only accepted for loopback addresses (the local emulator); anywhere else
    the ``Authorization`` header would cross the network unencrypted.
    """
    url = endpoint.strip().rstrip("/")
    if url.endswith("/api"):
        url = url[: -len("/api")]
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise IlertConfigError(
            f"invalid ilert endpoint {endpoint!r}: expected a URL such as {DEFAULT_ENDPOINT}"
        )
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise IlertConfigError(
            f"refusing plain-http ilert endpoint {endpoint!r}: the API token would cross the network "
            "unencrypted; use https:// (plain http is only allowed for loopback addresses)"
        )
    return url


def is_loopback_host(host: str | None) -> bool:
    """Whether a host name or address (``localhost``, ``127.0.0.1``, ``::1``) is this machine."""
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def truthy(value: Any) -> bool:
    """Whether a config or environment value means "on" (``true``, ``1``, ``yes``, ``on``)."""
    return _truthy(value)


def missing_token_error(how: str) -> IlertConfigError:
    """The error for a call without a token; ``how`` names the face's own way to set one."""
    return IlertConfigError(f"no ilert API token: set it with {how} or the {TOKEN_ENV} environment variable")
