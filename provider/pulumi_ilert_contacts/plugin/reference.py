"""The reference pages in ``docs/reference/``, written from the plugin's schema (the native
resources and functions: what the Pulumi registry renders) and from the property table (the
dynamic resources, which are in no schema). Terraform's page layout: example, arguments,
attributes, import.

    python -m pulumi_ilert_contacts.plugin.reference docs/reference     # regenerate

``tests/unit/test_reference_docs.py`` fails while the committed pages differ from what this writes.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from ..core.kinds import RESOURCE_KINDS, ContactKind, Property
from .examples import EXAMPLES, LANGUAGES
from .schema import schema

HEADER = (
    "<!-- Written by `python -m pulumi_ilert_contacts.plugin.reference docs/reference`; do not edit. -->\n"
)


def _type(spec: dict[str, Any]) -> str:
    if "$ref" in spec:
        name = spec["$ref"].rsplit(":", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if spec.get("type") == "array":
        return f"list of {_type(spec['items'])}"
    return str(spec.get("type", ""))


def _one_line(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _need(required: bool, default: Any) -> str:
    if required:
        return "required"
    return "optional" if default is None else f"default `{str(default).lower()}`"


def _table(props: dict[str, Any], required: list[str]) -> str:
    rows = ["| name | type | | description |", "|---|---|---|---|"]
    for name, spec in props.items():
        need = _need(name in required, spec.get("default"))
        replaces = (
            " Changing it replaces the resource."
            if spec.get("willReplaceOnChanges") and "replaces" not in spec["description"]
            else ""
        )
        rows.append(f"| `{name}` | {_type(spec)} | {need} | {_one_line(spec['description'])}{replaces} |")
    return "\n".join(rows)


def _examples(resource: str) -> str:
    programs = EXAMPLES.get(resource, {})
    return "\n".join(f"### {LANGUAGES[lang]}\n\n```{lang}\n{code}```\n" for lang, code in programs.items())


def _types_used(props: dict[str, Any], types: dict[str, Any]) -> list[str]:
    found: list[str] = []
    for spec in props.values():
        inner = spec.get("items", spec)
        ref = inner.get("$ref")
        if ref:
            token = ref.removeprefix("#/types/")
            found.append(token)
            found += [t for t in _types_used(types[token]["properties"], types) if t not in found]
    return found


def resource_page(token: str, spec: dict[str, Any], types: dict[str, Any]) -> str:
    """One native resource: description, example, arguments, attributes, nested types."""
    name = token.rsplit(":", 1)[-1]
    description = re.sub(r"\n\n\{\{% examples %\}\}.*", "", spec["description"], flags=re.S)
    inputs = spec["inputProperties"]
    outputs = {k: v for k, v in spec["properties"].items() if k not in inputs}
    parts = [
        HEADER,
        f"# {name}\n",
        f"Type token: `{token}`\n",
        f"{description}\n",
        f"## Example Usage\n\n{_examples(name)}",
        f"## Argument Reference\n\n{_table(inputs, spec.get('requiredInputs', []))}\n",
        "## Attribute Reference\n\nEvery argument is also an output (normalised), and:\n\n"
        f"{_table(outputs, spec.get('required', []))}\n",
    ]
    kind = next(k for k in RESOURCE_KINDS if k.resource == name)
    id_form = "<userId>:<contactId>" if kind.path else "<userId>"
    parts.append(
        f"## Import\n\nThe resource id is `{id_form}`; `pulumi import` reads it from ilert and writes "
        f"nothing:\n\n```bash\npulumi import {token} <name> {id_form}\n```\n"
    )
    for type_token in _types_used(spec["properties"], types):
        object_type = types[type_token]
        type_name = type_token.rsplit(":", 1)[-1]
        parts.append(
            f"### {type_name}\n\n{_one_line(object_type['description'])}\n\n"
            f"{_table(object_type['properties'], object_type.get('required', []))}\n"
        )
    return "\n".join(parts)


def function_page(token: str, spec: dict[str, Any]) -> str:
    """One look-up function: arguments and result."""
    name = token.rsplit(":", 1)[-1]
    inputs, outputs = spec["inputs"], spec["outputs"]
    return "\n".join(
        [
            HEADER,
            f"# {name}\n",
            f"Function token: `{token}`\n",
            f"{spec['description']}\n",
            f"## Arguments\n\n{_table(inputs['properties'], inputs.get('required', []))}\n",
            f"## Result\n\n{_table(outputs['properties'], outputs.get('required', []))}\n",
        ]
    )


def _python_type(prop: Property) -> str:
    if prop.type == "array":
        assert prop.items is not None
        return f"list of {_python_type(prop.items)}"
    if prop.type == "object":
        return "dict / Args object"
    return {"string": "str", "boolean": "bool", "integer": "int"}.get(prop.type, prop.type)


def dynamic_kinds() -> tuple[ContactKind, ...]:
    """The kinds the dynamic face serves: those the package exports at its top level."""
    import pulumi_ilert_contacts

    return tuple(kind for kind in RESOURCE_KINDS if kind.resource in pulumi_ilert_contacts.__all__)


def dynamic_page(kinds: tuple[ContactKind, ...] | None = None) -> str:
    """The dynamic resources (``pulumi_ilert_contacts.ContactEmail``, …): Python names and types."""
    kinds = dynamic_kinds() if kinds is None else kinds
    parts = [
        HEADER,
        "# Dynamic resources (Python)\n",
        "The default face for Python programs: Pulumi dynamic resources, served by the Python SDK's "
        "dynamic provider (no plugin to install). They are not in the plugin's schema; their arguments "
        "are the native resources' in Python spelling. Stack config: `ilert:apiToken`, `ilert:endpoint`.\n",
    ]
    for kind in kinds:
        inputs = [p for p in kind.properties if p.input]
        outputs = [p for p in kind.properties if not p.input]
        rows = ["| argument | type | | description |", "|---|---|---|---|"]
        for p in inputs:
            need = _need(p.required, p.default)
            rows.append(f"| `{p.name}` | {_python_type(p)} | {need} | {_one_line(p.description)} |")
        out_rows = ["| attribute | type | description |", "|---|---|---|"]
        out_rows += [f"| `{p.name}` | {_python_type(p)} | {_one_line(p.description)} |" for p in outputs]
        parts.append(
            f"## {kind.resource}\n\n`from pulumi_ilert_contacts import {kind.resource}` — type token "
            f"`{kind.type_token}`.\n\n{_one_line(kind.description)}\n\n"
            + "\n".join(rows)
            + "\n\nOutputs: every argument, and\n\n"
            + "\n".join(out_rows)
            + "\n"
        )
    return "\n".join(parts)


def pages() -> dict[str, str]:
    """File name -> content of every reference page."""
    package = schema()
    types = package.get("types", {})
    written = {
        f"{token.rsplit(':', 1)[-1]}.md": resource_page(token, spec, types)
        for token, spec in package["resources"].items()
    }
    written.update(
        {
            f"{token.rsplit(':', 1)[-1]}.md": function_page(token, spec)
            for token, spec in package["functions"].items()
        }
    )
    written["dynamic-resources.md"] = dynamic_page()
    return written


def main(argv: list[str] | None = None) -> int:
    """Write every page into the folder given (default ``docs/reference``)."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0] if args else "docs/reference")
    out.mkdir(parents=True, exist_ok=True)
    written = pages()
    for name, text in written.items():
        (out / name).write_text(text)
    print(f"wrote {len(written)} pages to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
