"""The emulator's admin surface under ``/_emulator``: what tests turn and read.

Seed users, list every contact, force a contact's status, read and reset the request counts,
add and clear fault rules, set the per-key rate limit. It has no authentication, so it answers
loopback clients only, and its calls are never counted as API requests. Each route is one row of
:data:`ROUTES`: path, method and handler. The client of this surface is
:class:`~.admin_client.EmulatorAdmin`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, cast

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from ..core.config import is_loopback_host
from . import bodies
from .faults import FaultInjector, FaultSpecError, KeyRateLimit, RequestCounter
from .responses import ApiError, json_response, method_not_allowed, no_content
from .store import CONTACT_STATUSES, ContactStatus, ContactStore


class AdminSurface:
    """The ``/_emulator`` routes over the emulator's store and knobs."""

    def __init__(
        self, store: ContactStore, faults: FaultInjector, counter: RequestCounter, limiter: KeyRateLimit
    ) -> None:
        self.store = store
        self.faults = faults
        self.counter = counter
        self.limiter = limiter

    def serve(self, request: Request) -> Response:
        """Answer one admin request (errors in the API's format)."""
        # The admin surface has no authentication, so it must never be reachable from
        # another machine even when the API is served on a public interface.
        if not is_loopback_host(request.remote_addr):
            return ApiError(
                403, "The emulator admin surface only answers loopback clients", "FORBIDDEN"
            ).response()
        try:
            handler, args = _ADMIN_MAP.bind("emulator").match(request.path, method=request.method)
        except MethodNotAllowed as exc:
            return method_not_allowed(request.method, exc).response()
        except HTTPException:
            return ApiError(404, f"No such admin endpoint: {request.path}", "NOT_FOUND").response()
        try:
            return cast(Handler, handler)(self, request, args)
        except ApiError as exc:
            return exc.response()

    # -- the handlers, one per route -----------------------------------------------------------

    def health(self, request: Request, args: Mapping[str, Any]) -> Response:
        """``GET /health``: the emulator is serving."""
        return json_response(200, {"ok": True})

    def seed_user(self, request: Request, args: Mapping[str, Any]) -> Response:
        """``POST /users``: a user (``id``) with its login email contact (``email``, optional)."""
        body = bodies.json_object(request)
        raw_id = body.get("id")
        user_id = bodies.numeric(raw_id) if isinstance(raw_id, str) else raw_id
        if isinstance(user_id, bool) or not isinstance(user_id, int) or user_id < 1:
            raise bodies.bad_request("id must be a positive integer")
        email = body.get("email")
        if email is not None:
            bodies.target({"target": email}, "email")
        created = self.store.seed_user(user_id, email)
        return json_response(201, {"id": user_id, "created": created})

    def contacts(self, request: Request, args: Mapping[str, Any]) -> Response:
        """``GET /contacts``: every stored contact, by kind."""
        contacts = self.store.all_contacts()
        return json_response(
            200,
            {
                "emails": [c.to_admin() for c in contacts if c.kind == "email"],
                "phone_numbers": [c.to_admin() for c in contacts if c.kind == "phone"],
            },
        )

    def set_status(self, request: Request, args: Mapping[str, Any]) -> Response:
        """``PUT /contacts/<id>/status``: force a contact's status."""
        status = bodies.json_object(request).get("status")
        if status not in CONTACT_STATUSES:
            raise bodies.bad_request(f"status must be one of {', '.join(CONTACT_STATUSES)}")
        contact = self.store.set_status(args["contact_id"], cast(ContactStatus, status))
        if contact is None:
            raise ApiError(404, f"Contact {args['contact_id']} not found", "NOT_FOUND")
        return json_response(200, contact.to_admin())

    def requests(self, request: Request, args: Mapping[str, Any]) -> Response:
        """``GET /requests``: the API requests counted since the last reset."""
        return json_response(200, self.counter.snapshot())

    def reset_requests(self, request: Request, args: Mapping[str, Any]) -> Response:
        """``DELETE /requests``: forget the requests counted so far."""
        self.counter.reset()
        return no_content()

    def list_faults(self, request: Request, args: Mapping[str, Any]) -> Response:
        """``GET /faults``: the fault rules still in force."""
        return json_response(200, {"faults": [rule.describe() for rule in self.faults.rules()]})

    def add_fault(self, request: Request, args: Mapping[str, Any]) -> Response:
        """``POST /faults``: a fault rule for API requests."""
        try:
            rule = self.faults.add(bodies.json_object(request))
        except FaultSpecError as exc:
            raise bodies.bad_request(str(exc)) from None
        return json_response(201, {"id": rule.id})

    def clear_faults(self, request: Request, args: Mapping[str, Any]) -> Response:
        """``DELETE /faults``: remove every fault rule."""
        self.faults.clear()
        return no_content()

    def rate_limit(self, request: Request, args: Mapping[str, Any]) -> Response:
        """``GET /rate-limit``: the limit and window in force."""
        return json_response(200, self.limiter.settings)

    def set_rate_limit(self, request: Request, args: Mapping[str, Any]) -> Response:
        """``PUT /rate-limit``: a new limit (``null`` for none) and window; answers the settings."""
        body = bodies.json_object(request)
        limit = body.get("limit")
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
            raise bodies.bad_request("limit must be a non-negative integer or null")
        window = body.get("window", self.limiter.settings["window"])
        if isinstance(window, bool) or not isinstance(window, int | float) or not window > 0:
            raise bodies.bad_request("window must be a positive number of seconds")
        self.limiter.configure(limit, float(window))
        return json_response(200, self.limiter.settings)


Handler = Callable[[AdminSurface, Request, Mapping[str, Any]], Response]

ROUTES: tuple[tuple[str, str, Handler], ...] = (
    ("/_emulator/health", "GET", AdminSurface.health),
    ("/_emulator/users", "POST", AdminSurface.seed_user),
    ("/_emulator/contacts", "GET", AdminSurface.contacts),
    ("/_emulator/contacts/<int:contact_id>/status", "PUT", AdminSurface.set_status),
    ("/_emulator/requests", "GET", AdminSurface.requests),
    ("/_emulator/requests", "DELETE", AdminSurface.reset_requests),
    ("/_emulator/faults", "GET", AdminSurface.list_faults),
    ("/_emulator/faults", "POST", AdminSurface.add_fault),
    ("/_emulator/faults", "DELETE", AdminSurface.clear_faults),
    ("/_emulator/rate-limit", "GET", AdminSurface.rate_limit),
    ("/_emulator/rate-limit", "PUT", AdminSurface.set_rate_limit),
)
"""The admin surface: (path, method, handler); a new admin call is one row and its handler."""

_ADMIN_MAP = Map(
    [Rule(path, methods=[method], endpoint=handler) for path, method, handler in ROUTES],
    strict_slashes=False,
    merge_slashes=False,
)
