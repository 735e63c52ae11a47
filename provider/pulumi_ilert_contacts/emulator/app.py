"""The emulator's WSGI application: ``/api`` to the contacts API, ``/_emulator`` to the admin surface.

``/api/...`` (:mod:`.api`) behaves like the live ilert contacts API; every request to it is
counted and may draw an injected fault (:mod:`.fault_answers`). ``/_emulator/...``
(:mod:`.admin_surface`) is an unauthenticated admin surface, answered only to loopback clients,
that tests use to seed users, inspect state, inject faults and read request counts. Admin calls
are never counted as API requests.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from .admin_surface import AdminSurface
from .api import ContactsApi
from .fault_answers import DropConnection, answer_with_faults, drop_connection
from .faults import FaultInjector, KeyRateLimit, RequestCounter
from .responses import ApiError
from .store import ContactStore

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

logger = logging.getLogger(__name__)


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
        limiter: KeyRateLimit | None = None,
    ) -> None:
        self.store = store
        self.token = token
        self.faults = faults if faults is not None else FaultInjector()
        self.counter = counter if counter is not None else RequestCounter()
        self.limiter = limiter if limiter is not None else KeyRateLimit()
        self.api = ContactsApi(store, token, self.limiter)
        self.admin = AdminSurface(store, self.faults, self.counter, self.limiter)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Serve one request."""
        request = Request(environ)
        path = request.path
        if path == "/api" or path.startswith("/api/"):
            response = self._serve_api(request)
        elif path == "/_emulator" or path.startswith("/_emulator/"):
            response = self.admin.serve(request)
        else:
            response = ApiError(404, f"No such path: {path}", "NOT_FOUND").response()
        return response(environ, start_response)

    def _serve_api(self, request: Request) -> Response:
        entry = self.counter.record(request.method, request.path)
        try:
            response = answer_with_faults(self.faults, request, self.api.serve)
        except DropConnection:
            self.counter.complete(entry, None)
            drop_connection(request.environ)
        except Exception:
            # A bug must still give the client an answer in the API's format, and show up.
            logger.exception("emulator failed on %s %s", request.method, request.path)
            response = ApiError(500, "Internal emulator error", "INTERNAL_SERVER_ERROR").response()
        self.counter.complete(entry, response.status_code)
        return response
