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
    ADOPT,
    KIND_BY_FUNCTION,
    KIND_BY_RESOURCE,
    MODULE,
    PACKAGE,
    RESOURCE_KINDS,
    ContactKind,
    Property,
    function_name,
    function_token,
    resource_token,
)
from .examples import registry_examples

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
RATE_STORE_CONFIG = config.RATE_STORE_NAME


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
    RATE_STORE_CONFIG: {
        "type": "string",
        "description": "A Redis (redis:// or rediss://) that holds the rate budget of the API key for every "
        "machine that names it (or ILERT_RATE_STORE; the password in the URL or ILERT_RATE_STORE_PASSWORD). "
        "Kept secret in the state when it holds a password; never logged.",
    },
}


def object_token(prop: Property) -> str:
    """The schema type of an ``object`` property or element (``ilert-contacts:index:<objectType>``)."""
    if not prop.object_type:
        raise ValueError(f"the object property {prop.name!r} has no object_type")
    return f"{PACKAGE}:{MODULE}:{prop.object_type}"


def _type(prop: Property) -> dict[str, Any]:
    """The type part of a property's spec: a scalar, an array of its ``items``, an object type."""
    if prop.type == "array":
        if prop.items is None:
            raise ValueError(f"the array property {prop.name!r} has no items")
        return {"type": "array", "items": _type(prop.items)}
    if prop.type == "object":
        return {"$ref": f"#/types/{object_token(prop)}"}
    return {"type": prop.type}


def _spec(prop: Property, *, as_input: bool = False, description: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {**_type(prop), "description": description or prop.description}
    if as_input and prop.default is not None:
        spec["default"] = prop.default
    if prop.replaces:
        spec["willReplaceOnChanges"] = True
    return spec


def _object_types(props: tuple[Property, ...]) -> dict[str, Any]:
    """The schema's ``types``: every object property or element among ``props``, at any depth."""
    types: dict[str, Any] = {}
    for prop in props:
        inner = prop.items if prop.type == "array" else prop
        if inner is None:
            continue
        if inner.type == "object":
            types[object_token(inner)] = {
                "type": "object",
                "description": inner.description or prop.description,
                "properties": {p.camel: _spec(p) for p in inner.properties},
            }
            required = [p.camel for p in inner.properties if p.required]
            if required:  # the engine drops an empty list: keep `pulumi package get-schema`'s shape
                types[object_token(inner)]["required"] = required
        types.update(_object_types(inner.properties))
    return types


def _resource(kind: ContactKind) -> dict[str, Any]:
    if kind.path:
        identity = (
            "The resource id is `<userId>:<contactId>`; import an existing contact with "
            f"`pulumi import {resource_token(kind)} <name> <userId>:<contactId>`."
        )
        required = [p.camel for p in kind.properties]
    else:  # a contact set: the lists of a kind it does not manage are not set
        identity = (
            "The resource id is the user id; import a user's contacts with "
            f"`pulumi import {resource_token(kind)} <name> <userId>`."
        )
        required = [p.camel for p in kind.properties if p.type != "array"]
    return {
        "description": f"{kind.description}\n\n{identity}{registry_examples(kind.resource)}",
        "properties": {p.camel: _spec(p) for p in kind.properties},
        "required": required,
        "inputProperties": {p.camel: _spec(p, as_input=True) for p in kind.inputs},
        "requiredInputs": [p.camel for p in kind.inputs if p.required],
    }


def _function(kind: ContactKind) -> dict[str, Any]:
    outputs = [p for p in kind.properties if p.name != ADOPT]
    return {
        "description": f"Look up a user's existing {kind.label} by its target (for example the login "
        "email ilert creates for every user). Fails when the user has no such contact.",
        "inputs": {
            "description": f"The arguments of {function_name(kind)}: the user and the target to look for.",
            "properties": {p.camel: _spec(p, description=p.lookup_description) for p in kind.lookup_inputs},
            "required": [p.camel for p in kind.lookup_inputs if p.lookup == "required"],
        },
        "outputs": {
            "description": f"The {kind.label} found: its contactId and status, and its fields.",
            "properties": {p.camel: _spec(p) for p in outputs},
            "required": [p.camel for p in outputs],
        },
    }


def schema(kinds: tuple[ContactKind, ...] = RESOURCE_KINDS) -> dict[str, Any]:
    """The package schema as a dict (of ``kinds``: tests pass a scratch kind). A kind that is an API
    collection (the contact kinds) has a look-up function; the set has none."""
    config = {name: dict(spec) for name, spec in CONFIG.items()}
    types = _object_types(tuple(p for kind in kinds for p in kind.properties))
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
        **({"types": types} if types else {}),
        "resources": {resource_token(kind): _resource(kind) for kind in kinds},
        "functions": {function_token(kind): _function(kind) for kind in kinds if kind.path},
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
