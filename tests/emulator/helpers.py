"""What the emulator tests share: an API client whose every response is checked against the
project's copy of the ilert OpenAPI spec, and the paths and ids the tests use."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any, ClassVar

import jsonschema
import requests

TOKEN = "test-token"
USER = 1001
OTHER_USER = 1002
SPEC_PATH = Path(__file__).resolve().parents[2] / "spec" / "ilert-contacts-openapi.json"

# The live API's error body. The spec documents no error responses, so this is the
# shape every 4xx/5xx the emulator makes up must have.
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["status", "message", "code"],
    "properties": {
        "status": {"type": "integer"},
        "message": {"type": "string", "minLength": 1},
        "code": {"type": "string", "pattern": "^[A-Z][A-Z0-9_]*$"},
    },
    "additionalProperties": False,
}


def _resolve(node: Any, spec: dict[str, Any]) -> Any:
    """Inline every local ``$ref`` (the spec's schemas are not recursive)."""
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = spec
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return _resolve(target, spec)
        return {key: _resolve(value, spec) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolve(item, spec) for item in node]
    return node


def _exact(schema: Any) -> Any:
    """Tighten a schema: every declared property present, nothing undeclared.

    The spec marks no property required, so as written it would accept ``{}``; the
    emulator must return exactly the documented fields, no more, no fewer.
    """
    if isinstance(schema, dict):
        schema = {key: _exact(value) for key, value in schema.items()}
        if schema.get("type") == "object" and "properties" in schema:
            schema["required"] = sorted(schema["properties"])
            schema["additionalProperties"] = False
        return schema
    if isinstance(schema, list):
        return [_exact(item) for item in schema]
    return schema


# OpenAPI 3.0 schema objects are an extended subset of JSON Schema draft 4/5.
_SCHEMA_DIALECT = jsonschema.Draft4Validator
_ERROR_VALIDATOR = _SCHEMA_DIALECT(ERROR_SCHEMA)


class SpecValidator:
    """Checks API responses against ``spec/ilert-contacts-openapi.json``."""

    # Compiled response schemas, shared by every instance: the spec file does not change
    # during a run, and compiling per response would dominate the suite's run time.
    _compiled: ClassVar[dict[tuple[str, str, str], jsonschema.protocols.Validator]] = {}

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.base = spec["servers"][0]["url"]
        self.templates = [
            (template, re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", self.base + template) + "/?$"))
            for template in spec["paths"]
        ]
        self.covered: set[tuple[str, str, str]] = set()

    def operation(self, method: str, path: str) -> tuple[str, dict[str, Any]] | None:
        """The spec's path template and operation for a request, if it documents one."""
        for template, pattern in self.templates:
            if pattern.match(path):
                operation = self.spec["paths"][template].get(method.lower())
                return (template, operation) if operation is not None else None
        return None

    def check(self, method: str, path: str, response: requests.Response) -> None:
        """Assert the response is one the spec (or the live error format) allows."""
        status = str(response.status_code)
        found = self.operation(method, path)
        if response.status_code >= 400:
            assert response.headers["Content-Type"].startswith("application/json"), response.headers
            body = response.json()
            _ERROR_VALIDATOR.validate(body)
            assert body["status"] == response.status_code
            return
        assert found is not None, f"{method} {path} answered {status}, but the spec has no such operation"
        template, operation = found
        documented = operation["responses"].get(status)
        assert documented is not None, f"{method} {template} answered {status}, not documented"
        self.covered.add((template, method.lower(), status))
        content = documented.get("content") or {}
        if not content:
            assert response.content == b"", f"{method} {template} {status} must have no body"
            return
        assert response.headers["Content-Type"].startswith("application/json"), response.headers
        key = (template, method.lower(), status)
        if key not in self._compiled:
            schema = _exact(_resolve(copy.deepcopy(content["application/json"]["schema"]), self.spec))
            _SCHEMA_DIALECT.check_schema(schema)
            self._compiled[key] = _SCHEMA_DIALECT(schema)
        self._compiled[key].validate(response.json())

    def documented(self) -> set[tuple[str, str, str]]:
        """Every (path template, method, status) the spec documents."""
        return {
            (template, method, status)
            for template, operations in self.spec["paths"].items()
            for method, operation in operations.items()
            for status in operation["responses"]
        }


class Api:
    """HTTP calls to the emulator's API; every response is checked against the spec.

    Paths are relative to ``/api``. ``check=False`` skips the check, for answers a fault
    deliberately made non-conforming.
    """

    def __init__(self, url: str, validator: SpecValidator, token: str | None = TOKEN) -> None:
        self.url = url
        self.validator = validator
        self.token = token

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: str | bytes | None = None,
        headers: dict[str, str] | None = None,
        check: bool = True,
        timeout: float = 10.0,
    ) -> requests.Response:
        all_headers = {"Authorization": f"Bearer {self.token}"} if self.token is not None else {}
        all_headers.update(headers or {})
        response = requests.request(
            method, f"{self.url}/api{path}", json=json, data=data, headers=all_headers, timeout=timeout
        )
        if check:
            self.validator.check(method, f"/api{path}", response)
        return response

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    def with_token(self, token: str | None) -> Api:
        """The same client sending another key (None: no Authorization header)."""
        return Api(self.url, self.validator, token)


def emails(user: int | str = USER, contact_id: int | str | None = None) -> str:
    """The API path of a user's emails, or of one of them."""
    return f"/users/{user}/contacts/emails" + (f"/{contact_id}" if contact_id is not None else "")


def phones(user: int | str = USER, contact_id: int | str | None = None) -> str:
    """The API path of a user's phone numbers, or of one of them."""
    return f"/users/{user}/contacts/phone-numbers" + (f"/{contact_id}" if contact_id is not None else "")
