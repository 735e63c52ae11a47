"""The Pulumi package schema of the ``ilert-contacts`` plugin, derived from ``core.kinds``.

Every resource, function, property and config key comes from the one property table, with its
description, so the schema, the plugin's name translation and the dynamic resources cannot drift
apart. ``python -m pulumi_ilert_contacts.plugin.schema`` prints it (as does
``pulumi package get-schema pulumi-resource-ilert-contacts``).
"""

from __future__ import annotations

import json
from typing import Any

from .._version import __version__
from ..core import config
from ..core.kinds import (
    EMAIL,
    KIND_BY_FUNCTION,
    KIND_BY_RESOURCE,
    KINDS,
    MODULE,
    PACKAGE,
    PHONE,
    ContactKind,
    Property,
    function_name,
    function_token,
    resource_token,
)

__all__ = [
    "ADOPT_CONFIG",
    "CONFIG",
    "ENDPOINT_CONFIG",
    "KIND_BY_FUNCTION",
    "KIND_BY_RESOURCE",
    "MODULE",
    "PACKAGE",
    "TOKEN_CONFIG",
    "function_name",
    "function_token",
    "resource_token",
    "schema",
    "schema_json",
]

TOKEN_CONFIG = config.TOKEN_NAME
ENDPOINT_CONFIG = config.ENDPOINT_NAME
ADOPT_CONFIG = config.ADOPT_NAME


LOOKUP_INPUTS = ("user_id", "target", "region_code")
"""The arguments of the look-up functions (a phone's region only as a hint for national numbers)."""

CONFIG: dict[str, dict[str, Any]] = {
    TOKEN_CONFIG: {
        "type": "string",
        "secret": True,
        "description": "The ilert API key (Bearer token). Falls back to the ILERT_API_TOKEN environment "
        "variable. Kept secret in the state; never logged.",
    },
    ENDPOINT_CONFIG: {
        "type": "string",
        "description": "The ilert API's base URL. Falls back to ILERT_ENDPOINT, then "
        "https://api.ilert.com. Plain http:// is refused except for loopback addresses: the token would "
        "cross the network unencrypted.",
    },
    ADOPT_CONFIG: {
        "type": "boolean",
        "description": "Recovery switch (or ILERT_ADOPT_EXISTING): every create takes over an existing "
        "contact with the same target, for after a `pulumi up` killed between ilert creating a contact "
        "and Pulumi recording it.",
    },
}


def _spec(prop: Property, *, as_input: bool = False) -> dict[str, Any]:
    spec: dict[str, Any] = {"type": prop.type, "description": prop.description}
    if as_input and prop.default is not None:
        spec["default"] = prop.default
    if prop.replaces:
        spec["willReplaceOnChanges"] = True
    return spec


def _resource(kind: ContactKind) -> dict[str, Any]:
    return {
        "description": f"{kind.description}\n\nThe resource id is `<userId>:<contactId>`; import an "
        f"existing contact with `pulumi import {resource_token(kind)} <name> <userId>:<contactId>`.",
        "properties": {p.camel: _spec(p) for p in kind.properties},
        "required": [p.camel for p in kind.properties],
        "inputProperties": {p.camel: _spec(p, as_input=True) for p in kind.inputs},
        "requiredInputs": [p.camel for p in kind.inputs if p.required],
    }


def _function(kind: ContactKind) -> dict[str, Any]:
    by_name = {p.name: p for p in kind.properties}
    inputs = {name: by_name[name] for name in LOOKUP_INPUTS if name in by_name}
    outputs = [p for p in kind.properties if p.name != "adopt"]
    input_specs = {p.camel: _spec(p) for p in inputs.values()}
    input_specs["target"]["description"] = (
        "The target to look for, compared as the resource normalises it"
        + (" (case-insensitively)." if kind is EMAIL else " (in E.164).")
    )
    if kind is PHONE:
        input_specs["regionCode"]["description"] = (
            "The region of a number given in national form; not needed for an international number."
        )
    return {
        "description": f"Look up a user's existing {kind.label} by its target (for example the login "
        "email ilert creates for every user). Fails when the user has no such contact.",
        "inputs": {
            "description": f"The arguments of {function_name(kind)}: the user and the target to look for.",
            "properties": input_specs,
            "required": ["userId", "target"],
        },
        "outputs": {
            "description": f"The {kind.label} found: its contactId and status, and its fields.",
            "properties": {p.camel: _spec(p) for p in outputs},
            "required": [p.camel for p in outputs],
        },
    }


def schema() -> dict[str, Any]:
    """The package schema as a dict."""
    config = {name: dict(spec) for name, spec in CONFIG.items()}
    return {
        "name": PACKAGE,
        "displayName": "ilert contacts",
        "version": __version__,
        "description": "Manage the contact methods of ilert users (email addresses and phone numbers).",
        "keywords": ["pulumi", "ilert", "category/monitoring", "kind/native"],
        "license": "Apache-2.0",
        "publisher": "pulumi-ilert-contacts",
        "config": {"variables": config},
        "provider": {
            "description": "The ilert-contacts provider: one ilert account (API key and endpoint) per "
            "provider instance.",
            "inputProperties": {
                name: spec for name, spec in config.items() if name in (TOKEN_CONFIG, ENDPOINT_CONFIG)
            },
        },
        "resources": {resource_token(kind): _resource(kind) for kind in KINDS},
        "functions": {function_token(kind): _function(kind) for kind in KINDS},
        "language": {
            "nodejs": {"packageName": "@pulumi-ilert-contacts/ilert-contacts", "respectSchemaVersion": True},
            "go": {
                "importBasePath": "github.com/pulumi-ilert-contacts/sdk/go/ilertcontacts",
                "respectSchemaVersion": True,
            },
            "python": {"packageName": "pulumi_ilert_contacts_sdk", "respectSchemaVersion": True},
        },
    }


def schema_json() -> str:
    """The schema as the JSON text ``GetSchema`` serves."""
    return json.dumps(schema(), indent=2, sort_keys=False)


if __name__ == "__main__":
    print(schema_json())
