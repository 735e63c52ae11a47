"""Validation of request bodies and path ids, with the live API's 400 messages.

Shared by the API routes and the admin surface (a seeded user's login email is checked like a
contact's target).
"""

from __future__ import annotations

import json
import re
from typing import Any

from werkzeug.wrappers import Request

from .responses import ApiError
from .store import ContactKind

MAX_TARGET_LENGTH = 255
# E.164: a plus, a non-zero country code digit, at most 15 digits in all. re.ASCII keeps
# \d from accepting other scripts' digits, which the live API rejects.
_E164 = re.compile(r"\+[1-9]\d{6,14}", re.ASCII)
_REGION_CODE = re.compile(r"[A-Z]{2}")
_NUMERIC_ID = re.compile(r"[0-9]{1,18}")


def bad_request(message: str) -> ApiError:
    """A 400 ``BAD_REQUEST`` with ``message``."""
    return ApiError(400, message, "BAD_REQUEST")


def json_object(request: Request) -> dict[str, Any]:
    """The request's body, which must be a JSON object."""
    raw = request.get_data(cache=True)
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise bad_request("Request body must be valid JSON") from None
    if not isinstance(body, dict):
        raise bad_request("Request body must be a JSON object")
    return body


def target(body: dict[str, Any], kind: ContactKind) -> str:
    """The body's ``target``: a plausible email address, or an E.164 number."""
    if "target" not in body or body["target"] is None:
        raise bad_request("target is required")
    value = body["target"]
    if not isinstance(value, str):
        raise bad_request("target must be a string")
    if not value.strip():
        raise bad_request("target must not be empty")
    if len(value) > MAX_TARGET_LENGTH:
        raise bad_request(f"target must be at most {MAX_TARGET_LENGTH} characters long")
    if kind == "email":
        local, at, domain = value.partition("@")
        if not at or not local or not domain or "@" in domain:
            raise bad_request(f"target {value!r} is not a valid email address")
    elif not _E164.fullmatch(value):
        raise bad_request(f"target {value!r} is not a phone number in E.164 format, e.g. +4915112345678")
    return value


def region_code(body: dict[str, Any]) -> str:
    """The body's ``regionCode``: two uppercase letters."""
    region = body.get("regionCode")
    if region is None:
        raise bad_request("regionCode is required")
    if not isinstance(region, str) or not _REGION_CODE.fullmatch(region):
        raise bad_request("regionCode must be a two-letter uppercase ISO 3166 region code, e.g. DE")
    return region


def primary(body: dict[str, Any]) -> bool:
    """The body's ``primary`` flag, False when absent."""
    # Optional on POST and PUT alike: ilert's own clients (ilert-go, the Terraform provider) never
    # send it. A PUT replaces every field, so a PUT without it makes the number non-primary.
    if body.get("primary") is None:
        return False
    value = body["primary"]
    if not isinstance(value, bool):
        raise bad_request("primary must be a boolean")
    return value


def numeric(text: str) -> int | None:
    """A path segment as an id, or None when it is not one (1 to 18 ASCII digits)."""
    return int(text) if _NUMERIC_ID.fullmatch(text) else None
