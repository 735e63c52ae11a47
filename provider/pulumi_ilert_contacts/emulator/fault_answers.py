"""What an injected fault does to an API request: answer in its place, hang up, or wait.

The rules themselves (which requests, how many times) are :class:`~.faults.FaultInjector`'s; this
module turns the rule a request drew into what the client sees on the wire.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn

from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Request, Response

from .faults import FaultInjector, FaultRule
from .responses import ApiError, error_code_for, json_response

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment


class ConnectionDropped(ConnectionError):
    """Raised after the emulator closed a client connection on purpose.

    It subclasses ConnectionError because Werkzeug's request handler treats exactly that
    as "the connection went away": it then writes nothing, logs nothing and moves on.
    """


class DropConnection(Exception):
    """Internal signal: a fault says this request's connection must be dropped."""


def answer_with_faults(
    faults: FaultInjector, request: Request, serve: Callable[[Request], Response]
) -> Response:
    """``serve(request)``, or what the fault rule the request draws makes of it.

    :raises DropConnection: the rule says the client gets no answer (before or after acting).
    """
    rule = faults.take(request.method, request.path)
    if rule is not None:
        if rule.action == "drop_before":
            # Read the body first: closing with unread data makes the kernel send a
            # reset instead of a FIN, and the client should see the same hang-up
            # whatever the request carried.
            request.get_data()
            raise DropConnection
        if rule.action == "status":
            return fault_response(rule)
        if rule.action == "delay":
            time.sleep(rule.seconds or 0.0)
    try:
        response = serve(request)
    except ApiError as exc:
        response = exc.response()
    if rule is not None and rule.action == "drop_after":
        raise DropConnection
    return response


def drop_connection(environ: WSGIEnvironment) -> NoReturn:
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


def fault_response(rule: FaultRule) -> Response:
    """The answer of a ``status`` fault: its body as given, or an error in the API's format."""
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
