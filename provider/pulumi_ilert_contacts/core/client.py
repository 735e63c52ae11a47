"""IlertClient: the one HTTP choke point to the ilert contacts API.

Every call goes through ``IlertClient.request``: it adds the Bearer header, takes a slot in the
rate limiter of its API key, applies the timeout, logs (opt-in, token masked) and turns every
failure into an ``IlertError`` with the operation in its message. The ``requests.Session`` (with
the retry layer mounted) is made once per process and API key, lazily, and shared by every client
of that key. requests and urllib3 are imported with it: a Pulumi program that only declares
resources never loads them.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

from .._version import __version__
from .config import Settings
from .config import current as current_settings
from .errors import IlertConnectionError, IlertError, IlertNotFoundError, error_from_response
from .kinds import ContactKind
from .ratelimit import RateLimiter, budget_name, limiter_for

if TYPE_CHECKING:
    import requests

USER_AGENT = f"pulumi-ilert-contacts/{__version__}"
TIMEOUT_ENV = "ILERT_HTTP_TIMEOUT"
DEBUG_ENV = "ILERT_DEBUG_HTTP"
CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 30.0
POOL_SIZE = 64  # the engine may drive the provider from dozens of threads (--parallel)

log = logging.getLogger("pulumi_ilert_contacts.http")

_session_lock = threading.Lock()
_sessions: dict[str, tuple[requests.Session, RateLimiter]] = {}
_client_lock = threading.Lock()
_client: IlertClient | None = None


def _shared(settings: Settings | None = None) -> tuple[requests.Session, RateLimiter]:
    """The Session and limiter of one API key (``settings``, else the settings in force now),
    made on first use (not at import time).

    Each (endpoint, token) has its own limiter, shared with the other processes on the machine
    that use the key (``ratelimit.limiter_for``), and so its own Session: the retry layer mounted
    on a Session waits out a 429 in that key's budget. Two accounts in one process (two explicit
    providers of the plugin) never share a budget.
    """
    if settings is None:
        settings = current_settings()
    name = budget_name(settings.endpoint, settings.token) + (settings.rate_store or "")
    shared = _sessions.get(name)  # every request asks: no lock once it is made
    if shared is not None:
        return shared
    with _session_lock:
        shared = _sessions.get(name)
        if shared is None:
            import requests
            from requests.adapters import HTTPAdapter

            from .retry import make_retry

            limiter = limiter_for(settings.endpoint, settings.token, settings.rate_store)
            session = requests.Session()
            adapter = HTTPAdapter(
                max_retries=make_retry(limiter), pool_connections=4, pool_maxsize=POOL_SIZE
            )
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            session.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
            # requests re-reads the environment on every request (``trust_env``): a scan of every
            # variable for proxies, a look for ~/.netrc, the CA bundle variables - about half a
            # millisecond per request with a CI runner's environment, a third of its client-side
            # CPU. Instead the proxies (HTTPS_PROXY, NO_PROXY, ... as requests reads them) are
            # resolved once here for this endpoint, the CA bundle per request (``_ca_bundle``),
            # and ~/.netrc not at all: its credentials would replace the Bearer header.
            session.proxies.update(requests.utils.get_environ_proxies(settings.endpoint))
            session.trust_env = False
            shared = _sessions[name] = (session, limiter)
            if os.environ.get(DEBUG_ENV):
                _enable_debug_log()
        return shared


def reset_session() -> None:
    """Drop the shared Sessions, limiters and client: the next call re-reads the environment."""
    global _client
    with _session_lock:
        for session, limiter in _sessions.values():
            session.close()
            limiter.close()
        _sessions.clear()
    with _client_lock:
        _client = None


def _ca_bundle() -> str | bool:
    """The CA bundle as requests would take it from the environment (``REQUESTS_CA_BUNDLE``, then
    ``CURL_CA_BUNDLE``), else verification against its default CAs: never off."""
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True


def _enable_debug_log() -> None:
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("ilert-http %(message)s"))
        log.addHandler(handler)
    log.setLevel(logging.DEBUG)


class IlertClient:
    """Typed calls to the contacts endpoints for one endpoint and token.

    The token is held only by this object (and never in its ``repr``); clients are never part of
    a provider instance, so they never reach the Pulumi state.
    """

    def __init__(self, settings: Settings, *, read_timeout: float | None = None) -> None:
        self.settings = settings
        self.base_url = settings.endpoint + "/api"
        self.read_timeout = read_timeout or float(os.environ.get(TIMEOUT_ENV) or DEFAULT_READ_TIMEOUT)

    def __repr__(self) -> str:
        return f"IlertClient(endpoint={self.settings.endpoint!r}, token=***)"

    def __reduce__(self) -> Any:
        raise TypeError("IlertClient holds the API token and must not be pickled")

    # -- the choke point --------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        context: str,
        body: dict[str, Any] | None = None,
        expect: tuple[int, ...] = (200,),
    ) -> Any:
        """Send one request (with retries) and return the decoded JSON, or raise ``IlertError``.

        ``context`` says what was being attempted, for the error message.
        """
        import requests  # loaded by _shared(); here only for its exception classes

        session, limiter = _shared(self.settings)
        limiter.acquire()
        started = time.monotonic()
        try:
            response = session.request(
                method,
                self.base_url + path,
                json=body,
                headers={"Authorization": f"Bearer {self.settings.token}"},
                timeout=(CONNECT_TIMEOUT, self.read_timeout),
                verify=_ca_bundle(),
            )
        except requests.RequestException as exc:
            reason = _reason(exc)
            # After its retries urllib3 reports a read timeout as a connection error; both read
            # the same to the user.
            if isinstance(exc, requests.Timeout) or reason.startswith(("ReadTimeout", "ConnectTimeout")):
                self._log(method, path, "timeout", started)
                within = f"within {self.read_timeout:g}s"
                detail = f"no answer from ilert at {self.settings.endpoint} {within} ({reason})"
            else:
                self._log(method, path, "connection error", started)
                detail = f"connection to ilert at {self.settings.endpoint} failed ({reason})"
            raise IlertConnectionError(detail, context=context) from None
        self._log(method, path, str(response.status_code), started)
        if response.status_code not in expect:
            # redact: a proxy's non-JSON error page could echo the request headers back.
            raise error_from_response(
                response.status_code,
                response.content,
                context,
                redact=self.settings.token,
                key_source=self.settings.token_source,
            )
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise IlertError(
                f"ilert API returned {response.status_code} with a body that is not JSON",
                context=context,
                status=response.status_code,
            ) from None

    def _log(self, method: str, path: str, outcome: str, started: float) -> None:
        if log.isEnabledFor(logging.DEBUG):
            elapsed = (time.monotonic() - started) * 1000
            log.debug(
                "%s %s -> %s in %.0f ms (Authorization: Bearer ***)", method, path, outcome, elapsed
            )

    # -- typed calls ------------------------------------------------------------------------

    def list_contacts(self, kind: ContactKind, user_id: str) -> list[dict[str, Any]]:
        """All contacts of ``kind`` of a user (the API has no paging)."""
        result = self.request(
            "GET",
            _collection(kind, user_id),
            context=f"Unable to list {kind.label}s of user {user_id}",
        )
        if not isinstance(result, list):
            raise IlertError(
                "ilert API returned something other than a list",
                context=f"Unable to list {kind.label}s of user {user_id}",
            )
        return result

    def get_contact(self, kind: ContactKind, user_id: str, contact_id: int) -> dict[str, Any]:
        """One contact; ``IlertNotFoundError`` if it (or the user) is gone."""
        return _as_object(
            self.request(
                "GET",
                f"{_collection(kind, user_id)}/{contact_id}",
                context=f"Unable to read {kind.label} {contact_id} of user {user_id}",
            )
        )

    def create_contact(self, kind: ContactKind, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """One POST. Callers that must not duplicate handle an ambiguous failure (core.lifecycle does)."""
        return _as_object(
            self.request(
                "POST",
                _collection(kind, user_id),
                body=body,
                expect=(200, 201),
                context=f"Unable to create {kind.label} for user {user_id}",
            )
        )

    def update_contact(
        self, kind: ContactKind, user_id: str, contact_id: int, body: dict[str, Any]
    ) -> dict[str, Any]:
        """A full-replace PUT."""
        return _as_object(
            self.request(
                "PUT",
                f"{_collection(kind, user_id)}/{contact_id}",
                body=body,
                context=f"Unable to update {kind.label} {contact_id} of user {user_id}",
            )
        )

    def delete_contact(self, kind: ContactKind, user_id: str, contact_id: int) -> None:
        """DELETE; a contact that is already gone counts as deleted."""
        try:
            self.request(
                "DELETE",
                f"{_collection(kind, user_id)}/{contact_id}",
                expect=(200, 202, 204),
                context=f"Unable to delete {kind.label} {contact_id} of user {user_id}",
            )
        except IlertNotFoundError:
            return


def _collection(kind: ContactKind, user_id: str) -> str:
    return f"/users/{user_id}/contacts/{kind.path}"


def _as_object(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or "id" not in value:
        raise IlertError("ilert API returned an unexpected body (no contact object)")
    return value


def _reason(exc: BaseException) -> str:
    """The innermost cause of a requests failure, in a few words (never headers or tokens)."""
    inner: BaseException = exc
    while True:
        nxt = inner.__cause__ or inner.__context__
        if nxt is None or nxt is inner:
            break
        inner = nxt
    for arg in getattr(exc, "args", ()):
        reason = getattr(arg, "reason", None)
        if reason is not None:
            inner = reason
    # urllib3 wraps a TLS failure as SSLError(<the ssl module's error>): name the TLS error itself,
    # and for a refused certificate say why (e.g. "self-signed certificate").
    while inner.args and isinstance(inner.args[0], BaseException):
        inner = inner.args[0]
    import ssl

    if isinstance(inner, ssl.SSLCertVerificationError):
        return f"{type(inner).__name__}: {inner.verify_message}"
    return type(inner).__name__



def shared_client() -> IlertClient:
    """The process's client for the settings in force now (``configure()``, else environment)."""
    global _client
    settings = current_settings()
    with _client_lock:
        if _client is None or _client.settings != settings:
            _client = IlertClient(settings)
        return _client
