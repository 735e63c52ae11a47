"""Where the ilert endpoint and API token come from, and the one rule for accepting an endpoint.

``resolve`` is the one order of sources, for both faces: an explicit provider's inputs (the plugin
face only), then the stack config of the face's namespace (``ilert:apiToken`` for the dynamic
resources, ``ilert-contacts:apiToken`` for the plugin), then the environment (``ILERT_API_TOKEN``,
``ILERT_ENDPOINT``), then the default endpoint. It is a pure function; each face hands it what
it was given. The resolved settings remember where the token came from, so an error that the key
was refused names the place to fix it, and never the token.

The dynamic face's values live in this module, per process, and never on a provider instance: a
provider instance is pickled into the Pulumi state, a module is pickled by reference.
"""

from __future__ import annotations

import ipaddress
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .errors import IlertConfigError
from .kinds import PACKAGE

DEFAULT_ENDPOINT = "https://api.ilert.com"
TOKEN_NAME = "apiToken"
ENDPOINT_NAME = "endpoint"
ADOPT_NAME = "adoptExisting"
RATE_STORE_NAME = "rateStore"
"""The settings' names: stack config keys in a face's namespace, and the plugin provider's inputs."""
DYNAMIC_NAMESPACE = "ilert"
"""The stack config namespace of the dynamic resources (``ilert:apiToken``)."""
PLUGIN_NAMESPACE = PACKAGE
"""The stack config namespace of the plugin (``ilert-contacts:apiToken``)."""
TOKEN_KEY = f"{DYNAMIC_NAMESPACE}:{TOKEN_NAME}"
ENDPOINT_KEY = f"{DYNAMIC_NAMESPACE}:{ENDPOINT_NAME}"
ADOPT_KEY = f"{DYNAMIC_NAMESPACE}:{ADOPT_NAME}"
TOKEN_ENV = "ILERT_API_TOKEN"
ENDPOINT_ENV = "ILERT_ENDPOINT"
ADOPT_ENV = "ILERT_ADOPT_EXISTING"
RATE_STORE_ENV = "ILERT_RATE_STORE"

_UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
"""The Pulumi SDK's marker of an unknown value (``validation.UNKNOWN``): an unset setting here."""


@dataclass(frozen=True)
class Settings:
    """A resolved endpoint (no trailing slash) and token. ``repr`` never shows the token.

    ``token_source`` says where the token came from (``the stack config 'ilert:apiToken'``), for
    the hint of an error that the key was refused; ``None`` when the caller made the settings."""

    endpoint: str
    token: str = field(repr=False)
    token_source: str | None = None
    rate_store: str | None = field(default=None, repr=False)
    """The shared rate budget's store URL from the config (``redis://...``; it may hold a password);
    else ``ILERT_RATE_STORE``, which ``ratelimit.limiter_for`` reads."""

    def __reduce__(self) -> Any:
        # Refuse to be pickled: the only thing that could carry a Settings into Pulumi state is
        # a mistake, and it would carry the token with it.
        raise TypeError("ilert Settings hold the API token and must not be pickled")


@dataclass(frozen=True)
class Resolved:
    """What ``resolve`` found: each setting in force and where the token came from."""

    namespace: str
    endpoint: str
    """The endpoint in force, as given (``normalise_endpoint`` judges it)."""
    token: str | None = field(repr=False)
    token_source: str | None
    adopt_existing: bool
    explicit: str | None = None
    rate_store: str | None = field(default=None, repr=False)
    """The name of the explicit provider (the plugin's) whose inputs these are, if one."""

    def settings(self) -> Settings:
        """The settings to call ilert with.

        :raises IlertConfigError: no token anywhere, or the endpoint is refused.
        """
        if not self.token:
            raise missing_token_error(self.how_to_set_token())
        return Settings(normalise_endpoint(self.endpoint), self.token, self.token_source, self.rate_store)

    def how_to_set_token(self) -> str:
        """The face's own ways to set a token, for the error that there is none."""
        how = f"`pulumi config set --secret {self.namespace}:{TOKEN_NAME} <token>`"
        return how if self.namespace == DYNAMIC_NAMESPACE else f"{how}, the provider's `{TOKEN_NAME}` input"


def resolve(
    inputs: Mapping[str, Any],
    stack: Mapping[str, Any],
    environ: Mapping[str, str],
    *,
    namespace: str,
    explicit: str | None = None,
) -> Resolved:
    """The settings in force, from the first source that has each: ``inputs`` (those of the
    explicit provider named ``explicit``, by setting name: ``apiToken``), ``stack`` (the stack
    config of ``namespace``, by setting name), ``environ`` (``ILERT_*``), the default endpoint.

    An empty or unknown value counts as not set. Nothing is judged here (see ``Resolved.settings``).
    """
    provider = f"the explicit provider '{explicit}'" if explicit else "the provider"

    def first(name: str) -> tuple[Any, str | None]:
        if _is_set(inputs.get(name)):
            return inputs[name], f"the `{name}` input of {provider}"
        if _is_set(stack.get(name)):
            return stack[name], f"the stack config '{namespace}:{name}'"
        return None, None

    token, token_source = first(TOKEN_NAME)
    if token is None and _is_set(environ.get(TOKEN_ENV)):
        token, token_source = environ[TOKEN_ENV], TOKEN_ENV
    endpoint, _ = first(ENDPOINT_NAME)
    if endpoint is None:
        endpoint = environ.get(ENDPOINT_ENV) or DEFAULT_ENDPOINT
    adopt, _ = first(ADOPT_NAME)
    store, _ = first(RATE_STORE_NAME)  # else ILERT_RATE_STORE, read where the budget is opened
    return Resolved(
        namespace=namespace,
        endpoint=str(endpoint),
        token=None if token is None else str(token),
        token_source=token_source,
        adopt_existing=truthy(adopt if adopt is not None else environ.get(ADOPT_ENV)),
        explicit=explicit,
        rate_store=None if store is None else str(store),
    )


def _is_set(value: Any) -> bool:
    return value not in (None, "", _UNKNOWN)


def in_namespace(raw: Any, namespace: str) -> dict[str, Any]:
    """The settings of ``namespace`` in a stack config (a ``pulumi.dynamic.Config``, or a dict of
    full keys such as ``ilert:apiToken``), by setting name."""
    get = raw.get if hasattr(raw, "get") else (lambda _key: None)
    return {name: get(f"{namespace}:{name}") for name in (TOKEN_NAME, ENDPOINT_NAME, ADOPT_NAME)}


_lock = threading.Lock()
_stack: Mapping[str, Any] = {}
"""The dynamic face's stack config (``ilert:*``, by setting name), as ``configure()`` recorded it."""


def set_from_stack_config(raw: Any) -> None:
    """Record ``ilert:apiToken`` / ``ilert:endpoint`` / ``ilert:adoptExisting`` from a
    ``pulumi.dynamic.Config`` (or a dict): the dynamic face's stack config, for this process.

    The endpoint that will be in force (the stack config's, else ``ILERT_ENDPOINT``, else the
    default) is judged here, so a bad one fails ``pulumi preview`` rather than the first write of
    ``pulumi up``; nothing is recorded then. A missing token is not an error yet: a preview with
    nothing to do needs none, and the first API call says what is missing.

    :raises IlertConfigError: the endpoint is not a URL, or is plain http off loopback.
    """
    stack = in_namespace(raw, DYNAMIC_NAMESPACE)
    normalise_endpoint(resolve({}, stack, os.environ, namespace=DYNAMIC_NAMESPACE).endpoint)
    global _stack
    with _lock:
        _stack = stack


def reset() -> None:
    """Forget what ``configure()`` recorded (tests use this to go back to the environment)."""
    global _stack
    with _lock:
        _stack = {}


def _resolved() -> Resolved:
    with _lock:
        stack = _stack
    return resolve({}, stack, os.environ, namespace=DYNAMIC_NAMESPACE)


def adopt_existing() -> bool:
    """Whether every create may take over an existing contact with the same target.

    A recovery switch (``ilert:adoptExisting`` or ``ILERT_ADOPT_EXISTING``) for after an ``up``
    that was killed between ilert creating a contact and Pulumi recording it: with the pending
    create cleared, the next ``up`` takes the contact over instead of failing on the duplicate.
    """
    return _resolved().adopt_existing


def current() -> Settings:
    """The dynamic face's settings in force now: stack config where given, else the environment,
    else defaults."""
    return _resolved().settings()


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
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def missing_token_error(how: str) -> IlertConfigError:
    """The error for a call without a token; ``how`` names the face's own way to set one."""
    return IlertConfigError(f"no ilert API token: set it with {how} or the {TOKEN_ENV} environment variable")
