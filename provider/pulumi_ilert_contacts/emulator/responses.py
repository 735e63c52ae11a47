"""The answers every part of the emulator gives: the live API's error format, JSON, and 204s."""

from __future__ import annotations

import json
import re
from typing import Any

from werkzeug.exceptions import MethodNotAllowed
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Response


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


def json_response(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response:
    """A JSON response with the given status."""
    return Response(json.dumps(payload), status=status, headers=headers, mimetype="application/json")


def no_content() -> Response:
    """A 204 with neither body nor content type, as the live API sends after a delete."""
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response


def method_not_allowed(method: str, exc: MethodNotAllowed) -> ApiError:
    """The 405 for a known path asked with another method, with its ``Allow`` header."""
    allowed = ", ".join(sorted(exc.valid_methods or ()))
    return ApiError(405, f"Method {method} is not allowed here", "METHOD_NOT_ALLOWED", {"Allow": allowed})


def error_code_for(status: int) -> str:
    """The ``code`` the emulator puts in an error body it makes up for a status."""
    if status == 429:
        return "RATE_LIMIT"
    phrase = HTTP_STATUS_CODES.get(status)
    return re.sub(r"[^A-Z0-9]+", "_", phrase.upper()).strip("_") if phrase else "ERROR"
