"""The emulator's WSGI application.

``/api/...`` behaves like the live ilert contacts API (authentication, validation, the
error format, status codes). ``/_emulator/...`` is an unauthenticated admin surface,
answered only to loopback clients, that tests use to seed users, inspect state, inject
faults and read request counts. Admin calls are never counted as API requests.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import re
import socket
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NoReturn, cast

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from ..core.config import is_loopback_host
from .faults import FaultInjector, FaultRule, FaultSpecError, RateLimiter, RequestCounter
from .store import CONTACT_STATUSES, ContactKind, ContactStatus, ContactStore, DuplicateTargetError

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

logger = logging.getLogger(__name__)

# URL segment -> stored kind. The live API spells phone numbers with a hyphen.
_KINDS: dict[str, ContactKind] = {"emails": "email", "phone-numbers": "phone"}
_KIND_NAMES: dict[ContactKind, str] = {"email": "email", "phone": "phone number"}
_ARTICLES: dict[ContactKind, str] = {"email": "an", "phone": "a"}

MAX_TARGET_LENGTH = 255
# E.164: a plus, a non-zero country code digit, at most 15 digits in all. re.ASCII keeps
# \d from accepting other scripts' digits, which the live API rejects.
_E164 = re.compile(r"\+[1-9]\d{6,14}", re.ASCII)
_REGION_CODE = re.compile(r"[A-Z]{2}")
_NUMERIC_ID = re.compile(r"[0-9]{1,18}")

_API_MAP = Map(
    [
        Rule(
            '/api/users/<user>/contacts/<any(emails, "phone-numbers"):kind>',
            methods=["GET", "POST"],
            endpoint="collection",
        ),
        Rule(
            '/api/users/<user>/contacts/<any(emails, "phone-numbers"):kind>/<contact_id>',
            methods=["GET", "PUT", "DELETE"],
            endpoint="item",
        ),
    ],
    # An API client gets an answer, never a redirect to a canonical URL.
    strict_slashes=False,
    merge_slashes=False,
)

_ADMIN_MAP = Map(
    [
        Rule("/_emulator/health", methods=["GET"], endpoint="health"),
        Rule("/_emulator/users", methods=["POST"], endpoint="users"),
        Rule("/_emulator/contacts", methods=["GET"], endpoint="contacts"),
        Rule("/_emulator/contacts/<int:contact_id>/status", methods=["PUT"], endpoint="status"),
        Rule("/_emulator/requests", methods=["GET", "DELETE"], endpoint="requests"),
        Rule("/_emulator/faults", methods=["GET", "POST", "DELETE"], endpoint="faults"),
        Rule("/_emulator/rate-limit", methods=["GET", "PUT"], endpoint="rate_limit"),
    ],
    strict_slashes=False,
    merge_slashes=False,
)


class ApiError(Exception):
    """An error answer in the live API's format: ``{"status", "message", "code"}``."""

    def __init__(self, status: int, message: str, code: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = headers or {}

    def response(self) -> Response:
        """The HTTP response carrying this error."""
        return json_response(
            self.status, {"status": self.status, "message": self.message, "code": self.code}, self.headers
        )


class ConnectionDropped(ConnectionError):
    """Raised after the emulator closed a client connection on purpose.

    It subclasses ConnectionError because Werkzeug's request handler treats exactly that
    as "the connection went away": it then writes nothing, logs nothing and moves on.
    """


class _DropConnection(Exception):
    """Internal signal: a fault says this request's connection must be dropped."""


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    """A JSON response with the given status."""
    return Response(json.dumps(payload), status=status, headers=headers, mimetype="application/json")


def no_content() -> Response:
    """A 204 with neither body nor content type, as the live API sends after a delete."""
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response


def error_code_for(status: int) -> str:
    """The ``code`` the emulator puts in an error body it makes up for a status."""
    if status == 429:
        return "RATE_LIMIT"
    phrase = HTTP_STATUS_CODES.get(status)
    return re.sub(r"[^A-Z0-9]+", "_", phrase.upper()).strip("_") if phrase else "ERROR"


def _drop_connection(environ: WSGIEnvironment) -> NoReturn:
    """Close the client's TCP connection without answering, then unwind the request.

    Shutting the socket down sends a FIN right away, before Werkzeug could write
    anything, so the client sees the server hang up ("Remote end closed connection
    without response"). The ConnectionDropped raised afterwards tells Werkzeug's handler
    the connection is gone, which it accepts silently.
    """
    sock = environ.get("werkzeug.socket")
    if isinstance(sock, socket.socket):
        # The client may have gone already; gone is what we wanted.
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    raise ConnectionDropped("connection dropped by an emulator fault")


def _json_object(request: Request) -> dict[str, Any]:
    raw = request.get_data(cache=True)
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "Request body must be valid JSON", "BAD_REQUEST") from None
    if not isinstance(body, dict):
        raise ApiError(400, "Request body must be a JSON object", "BAD_REQUEST")
    return body


def _bad(message: str) -> ApiError:
    return ApiError(400, message, "BAD_REQUEST")


def _target(body: dict[str, Any], kind: ContactKind) -> str:
    if "target" not in body or body["target"] is None:
        raise _bad("target is required")
    target = body["target"]
    if not isinstance(target, str):
        raise _bad("target must be a string")
    if not target.strip():
        raise _bad("target must not be empty")
    if len(target) > MAX_TARGET_LENGTH:
        raise _bad(f"target must be at most {MAX_TARGET_LENGTH} characters long")
    if kind == "email":
        local, at, domain = target.partition("@")
        if not at or not local or not domain or "@" in domain:
            raise _bad(f"target {target!r} is not a valid email address")
    elif not _E164.fullmatch(target):
        raise _bad(f"target {target!r} is not a phone number in E.164 format, e.g. +4915112345678")
    return target


def _region_code(body: dict[str, Any]) -> str:
    region = body.get("regionCode")
    if region is None:
        raise _bad("regionCode is required")
    if not isinstance(region, str) or not _REGION_CODE.fullmatch(region):
        raise _bad("regionCode must be a two-letter uppercase ISO 3166 region code, e.g. DE")
    return region


def _primary(body: dict[str, Any]) -> bool:
    # Optional on POST and PUT alike: ilert's own clients (ilert-go, the Terraform provider) never
    # send it. A PUT replaces every field, so a PUT without it makes the number non-primary.
    if body.get("primary") is None:
        return False
    primary = body["primary"]
    if not isinstance(primary, bool):
        raise _bad("primary must be a boolean")
    return primary


def _numeric(text: str) -> int | None:
    return int(text) if _NUMERIC_ID.fullmatch(text) else None


class EmulatorApp:
    """The WSGI application: the contacts API plus the admin surface.

    :param store: where users and contacts live.
    :param token: the one API key accepted as ``Authorization: Bearer <token>``.
    """

    def __init__(
        self,
        store: ContactStore,
        token: str,
        faults: FaultInjector | None = None,
        counter: RequestCounter | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.store = store
        self.token = token
        self.faults = faults if faults is not None else FaultInjector()
        self.counter = counter if counter is not None else RequestCounter()
        self.limiter = limiter if limiter is not None else RateLimiter()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Serve one request."""
        request = Request(environ)
        path = request.path
        if path == "/api" or path.startswith("/api/"):
            response = self._serve_api(request)
        elif path == "/_emulator" or path.startswith("/_emulator/"):
            response = self._serve_admin(request)
        else:
            response = ApiError(404, f"No such path: {path}", "NOT_FOUND").response()
        return response(environ, start_response)

    # -- the API ---------------------------------------------------------------------------

    def _serve_api(self, request: Request) -> Response:
        entry = self.counter.record(request.method, request.path)
        try:
            response = self._api_with_faults(request)
        except _DropConnection:
            self.counter.complete(entry, None)
            _drop_connection(request.environ)
        except Exception:
            # A bug must still give the client an answer in the API's format, and show up.
            logger.exception("emulator failed on %s %s", request.method, request.path)
            response = ApiError(500, "Internal emulator error", "INTERNAL_SERVER_ERROR").response()
        self.counter.complete(entry, response.status_code)
        return response

    def _api_with_faults(self, request: Request) -> Response:
        rule = self.faults.take(request.method, request.path)
        if rule is not None:
            if rule.action == "drop_before":
                # Read the body first: closing with unread data makes the kernel send a
                # reset instead of a FIN, and the client should see the same hang-up
                # whatever the request carried.
                request.get_data()
                raise _DropConnection
            if rule.action == "status":
                return _fault_response(rule)
            if rule.action == "delay":
                time.sleep(rule.seconds or 0.0)
        try:
            response = self._api(request)
        except ApiError as exc:
            response = exc.response()
        if rule is not None and rule.action == "drop_after":
            raise _DropConnection
        return response

    def _api(self, request: Request) -> Response:
        key = self._authenticate(request)
        if not self.limiter.allow(key):
            # Like the live API: no Retry-After, the client has to back off on its own.
            raise ApiError(
                429, "Too many requests: the rate limit for this API key was exceeded", "RATE_LIMIT"
            )
        try:
            endpoint, args = _API_MAP.bind("emulator").match(request.path, method=request.method)
        except MethodNotAllowed as exc:
            allowed = ", ".join(sorted(exc.valid_methods or ()))
            raise ApiError(
                405, f"Method {request.method} is not allowed here", "METHOD_NOT_ALLOWED", {"Allow": allowed}
            ) from None
        except HTTPException:
            raise ApiError(404, f"No such API endpoint: {request.path}", "NOT_FOUND") from None
        kind = _KINDS[args["kind"]]
        user_id = self._user(args["user"])
        if endpoint == "collection":
            if request.method == "POST":
                return self._create(request, user_id, kind)
            return json_response(200, [c.to_api() for c in self.store.list_contacts(user_id, kind)])
        contact_id = self._contact_id(args["contact_id"], kind)
        if request.method == "GET":
            contact = self.store.get_contact(user_id, kind, contact_id)
            if contact is None:
                raise self._contact_not_found(kind, contact_id)
            return json_response(200, contact.to_api())
        if request.method == "PUT":
            return self._update(request, user_id, kind, contact_id)
        if not self.store.delete_contact(user_id, kind, contact_id):
            raise self._contact_not_found(kind, contact_id)
        return no_content()

    def _authenticate(self, request: Request) -> str:
        header = request.headers.get("Authorization")
        if header is None:
            raise ApiError(401, "Missing Authorization header: send 'Bearer <API key>'", "UNAUTHORIZED")
        scheme, _, key = header.strip().partition(" ")
        key = key.strip()
        if scheme.lower() != "bearer" or not key:
            raise ApiError(401, "Malformed Authorization header: send 'Bearer <API key>'", "UNAUTHORIZED")
        # compare_digest: the time taken must not tell an attacker how much of a key matched.
        if not hmac.compare_digest(key.encode(), self.token.encode()):
            raise ApiError(403, "The API key is not valid", "KEY_ERROR")
        return key

    def _user(self, text: str) -> int:
        user_id = _numeric(text)
        if user_id is None or not self.store.user_exists(user_id):
            raise ApiError(404, f"User {text} not found", "NOT_FOUND")
        return user_id

    def _contact_id(self, text: str, kind: ContactKind) -> int:
        contact_id = _numeric(text)
        if contact_id is None:
            raise ApiError(404, f"{_KIND_NAMES[kind].capitalize()} {text} not found", "NOT_FOUND")
        return contact_id

    @staticmethod
    def _contact_not_found(kind: ContactKind, contact_id: int) -> ApiError:
        return ApiError(404, f"{_KIND_NAMES[kind].capitalize()} {contact_id} not found", "NOT_FOUND")

    @staticmethod
    def _duplicate(exc: DuplicateTargetError) -> ApiError:
        return ApiError(
            400,
            f"The user already has {_ARTICLES[exc.kind]} {_KIND_NAMES[exc.kind]} {exc.target}",
            "DUPLICATE_CONTACT",
        )

    def _create(self, request: Request, user_id: int, kind: ContactKind) -> Response:
        body = _json_object(request)
        target = _target(body, kind)
        try:
            if kind == "email":
                contact = self.store.create_contact(user_id, kind, target)
            else:
                contact = self.store.create_contact(
                    user_id, kind, target, _region_code(body), _primary(body)
                )
        except DuplicateTargetError as exc:
            raise self._duplicate(exc) from None
        return json_response(201, contact.to_api())

    def _update(self, request: Request, user_id: int, kind: ContactKind, contact_id: int) -> Response:
        # A missing contact is a 404 whatever the body says, as on the live API.
        if self.store.get_contact(user_id, kind, contact_id) is None:
            raise self._contact_not_found(kind, contact_id)
        body = _json_object(request)
        target = _target(body, kind)
        try:
            if kind == "email":
                contact = self.store.update_contact(user_id, kind, contact_id, target)
            else:
                contact = self.store.update_contact(
                    user_id, kind, contact_id, target, _region_code(body), _primary(body)
                )
        except DuplicateTargetError as exc:
            raise self._duplicate(exc) from None
        if contact is None:
            # Deleted by a concurrent request between the check above and the update.
            raise self._contact_not_found(kind, contact_id)
        return json_response(200, contact.to_api())

    # -- the admin surface -----------------------------------------------------------------

    def _serve_admin(self, request: Request) -> Response:
        # The admin surface has no authentication, so it must never be reachable from
        # another machine even when the API is served on a public interface.
        if not is_loopback_host(request.remote_addr):
            return ApiError(
                403, "The emulator admin surface only answers loopback clients", "FORBIDDEN"
            ).response()
        try:
            endpoint, args = _ADMIN_MAP.bind("emulator").match(request.path, method=request.method)
        except MethodNotAllowed as exc:
            allowed = ", ".join(sorted(exc.valid_methods or ()))
            return ApiError(
                405, f"Method {request.method} is not allowed here", "METHOD_NOT_ALLOWED", {"Allow": allowed}
            ).response()
        except HTTPException:
            return ApiError(404, f"No such admin endpoint: {request.path}", "NOT_FOUND").response()
        try:
            return self._admin(request, endpoint, args)
        except ApiError as exc:
            return exc.response()

    def _admin(self, request: Request, endpoint: str, args: Mapping[str, Any]) -> Response:
        method = request.method
        if endpoint == "health":
            return json_response(200, {"ok": True})
        if endpoint == "users":
            return self._admin_seed_user(_json_object(request))
        if endpoint == "contacts":
            contacts = self.store.all_contacts()
            return json_response(
                200,
                {
                    "emails": [c.to_admin() for c in contacts if c.kind == "email"],
                    "phone_numbers": [c.to_admin() for c in contacts if c.kind == "phone"],
                },
            )
        if endpoint == "status":
            status = _json_object(request).get("status")
            if status not in CONTACT_STATUSES:
                raise _bad(f"status must be one of {', '.join(CONTACT_STATUSES)}")
            contact = self.store.set_status(args["contact_id"], cast(ContactStatus, status))
            if contact is None:
                raise ApiError(404, f"Contact {args['contact_id']} not found", "NOT_FOUND")
            return json_response(200, contact.to_admin())
        if endpoint == "requests":
            if method == "DELETE":
                self.counter.reset()
                return no_content()
            return json_response(200, self.counter.snapshot())
        if endpoint == "faults":
            if method == "DELETE":
                self.faults.clear()
                return no_content()
            if method == "GET":
                return json_response(200, {"faults": [rule.describe() for rule in self.faults.rules()]})
            try:
                rule = self.faults.add(_json_object(request))
            except FaultSpecError as exc:
                raise _bad(str(exc)) from None
            return json_response(201, {"id": rule.id})
        # The one endpoint left is rate_limit.
        if method == "PUT":
            self._admin_rate_limit(_json_object(request))
        return json_response(200, self.limiter.settings)

    def _admin_seed_user(self, body: dict[str, Any]) -> Response:
        raw_id = body.get("id")
        user_id = _numeric(raw_id) if isinstance(raw_id, str) else raw_id
        if isinstance(user_id, bool) or not isinstance(user_id, int) or user_id < 1:
            raise _bad("id must be a positive integer")
        email = body.get("email")
        if email is not None:
            _target({"target": email}, "email")
        created = self.store.seed_user(user_id, email)
        return json_response(201, {"id": user_id, "created": created})

    def _admin_rate_limit(self, body: dict[str, Any]) -> None:
        limit = body.get("limit")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
            raise _bad("limit must be a non-negative integer or null")
        window = body.get("window", self.limiter.settings["window"])
        if isinstance(window, bool) or not isinstance(window, int | float) or not window > 0:
            raise _bad("window must be a positive number of seconds")
        self.limiter.configure(limit, float(window))


def _fault_response(rule: FaultRule) -> Response:
    status = rule.status if rule.status is not None else 500
    headers: dict[str, str] = {}
    if rule.retry_after is not None:
        headers["Retry-After"] = str(rule.retry_after)
    if rule.body is not None:
        content_type = rule.content_type or _guess_content_type(rule.body)
        return Response(rule.body, status=status, headers=headers, content_type=content_type)
    message = f"Injected fault: {HTTP_STATUS_CODES.get(status, 'error')}"
    response = json_response(
        status, {"status": status, "message": message, "code": error_code_for(status)}, headers
    )
    if rule.content_type is not None:
        response.headers["Content-Type"] = rule.content_type
    return response


def _guess_content_type(body: str) -> str:
    try:
        json.loads(body)
    except ValueError:
        return "text/plain; charset=utf-8"
    return "application/json"
