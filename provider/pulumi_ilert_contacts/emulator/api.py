"""The emulated contacts API under ``/api``: authentication, the rate limit and the routes.

It behaves like the live ilert contacts API (authentication, validation, the error format,
status codes). Fault injection and request counting wrap it in :mod:`.app`.
"""

from __future__ import annotations

import hmac

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from . import bodies
from .faults import KeyRateLimit
from .responses import ApiError, json_response, method_not_allowed, no_content
from .store import ContactKind, ContactStore, DuplicateTargetError

# URL segment -> stored kind. The live API spells phone numbers with a hyphen.
_KIND_BY_SEGMENT: dict[str, ContactKind] = {"emails": "email", "phone-numbers": "phone"}
_KIND_NAMES: dict[ContactKind, str] = {"email": "email", "phone": "phone number"}
_ARTICLES: dict[ContactKind, str] = {"email": "an", "phone": "a"}

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


class ContactsApi:
    """The ``/api`` routes over a store, for one API key.

    :param store: where users and contacts live.
    :param token: the one API key accepted as ``Authorization: Bearer <token>``.
    :param limiter: the per-key request limit.
    """

    def __init__(self, store: ContactStore, token: str, limiter: KeyRateLimit) -> None:
        self.store = store
        self.token = token
        self.limiter = limiter

    def serve(self, request: Request) -> Response:
        """Answer one API request.

        :raises ApiError: the request is refused, in the API's error format.
        """
        key = self._authenticate(request)
        if not self.limiter.allow(key):
            # Like the live API: no Retry-After, the client has to back off on its own.
            raise ApiError(
                429, "Too many requests: the rate limit for this API key was exceeded", "RATE_LIMIT"
            )
        try:
            endpoint, args = _API_MAP.bind("emulator").match(request.path, method=request.method)
        except MethodNotAllowed as exc:
            raise method_not_allowed(request.method, exc) from None
        except HTTPException:
            raise ApiError(404, f"No such API endpoint: {request.path}", "NOT_FOUND") from None
        kind = _KIND_BY_SEGMENT[args["kind"]]
        user_id = self._user(args["user"])
        if endpoint == "collection":
            if request.method == "POST":
                return self._create(request, user_id, kind)
            return json_response(200, [c.to_api() for c in self.store.list_contacts(user_id, kind)])
        contact_id = self._contact_id(args["contact_id"], kind)
        if request.method == "GET":
            contact = self.store.get_contact(user_id, kind, contact_id)
            if contact is None:
                raise _contact_not_found(kind, contact_id)
            return json_response(200, contact.to_api())
        if request.method == "PUT":
            return self._update(request, user_id, kind, contact_id)
        if not self.store.delete_contact(user_id, kind, contact_id):
            raise _contact_not_found(kind, contact_id)
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
        user_id = bodies.numeric(text)
        if user_id is None or not self.store.user_exists(user_id):
            raise ApiError(404, f"User {text} not found", "NOT_FOUND")
        return user_id

    @staticmethod
    def _contact_id(text: str, kind: ContactKind) -> int:
        contact_id = bodies.numeric(text)
        if contact_id is None:
            raise ApiError(404, f"{_KIND_NAMES[kind].capitalize()} {text} not found", "NOT_FOUND")
        return contact_id

    def _create(self, request: Request, user_id: int, kind: ContactKind) -> Response:
        body = bodies.json_object(request)
        target = bodies.target(body, kind)
        try:
            if kind == "email":
                contact = self.store.create_contact(user_id, kind, target)
            else:
                contact = self.store.create_contact(
                    user_id, kind, target, bodies.region_code(body), bodies.primary(body)
                )
        except DuplicateTargetError as exc:
            raise _duplicate(exc) from None
        return json_response(201, contact.to_api())

    def _update(self, request: Request, user_id: int, kind: ContactKind, contact_id: int) -> Response:
        # A missing contact is a 404 whatever the body says, as on the live API.
        if self.store.get_contact(user_id, kind, contact_id) is None:
            raise _contact_not_found(kind, contact_id)
        body = bodies.json_object(request)
        target = bodies.target(body, kind)
        try:
            if kind == "email":
                contact = self.store.update_contact(user_id, kind, contact_id, target)
            else:
                contact = self.store.update_contact(
                    user_id, kind, contact_id, target, bodies.region_code(body), bodies.primary(body)
                )
        except DuplicateTargetError as exc:
            raise _duplicate(exc) from None
        if contact is None:
            # Deleted by a concurrent request between the check above and the update.
            raise _contact_not_found(kind, contact_id)
        return json_response(200, contact.to_api())


def _contact_not_found(kind: ContactKind, contact_id: int) -> ApiError:
    return ApiError(404, f"{_KIND_NAMES[kind].capitalize()} {contact_id} not found", "NOT_FOUND")


def _duplicate(exc: DuplicateTargetError) -> ApiError:
    return ApiError(
        400,
        f"The user already has {_ARTICLES[exc.kind]} {_KIND_NAMES[exc.kind]} {exc.target}",
        "DUPLICATE_CONTACT",
    )
