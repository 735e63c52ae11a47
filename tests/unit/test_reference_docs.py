"""The reference pages in docs/reference/ and the examples the schema carries: written from the
schema and the property table, so they are regenerated, never edited; and every property an
example names is one the table declares."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi_ilert_contacts.core.kinds import RESOURCE_KINDS, ContactKind, Property
from pulumi_ilert_contacts.plugin.examples import EXAMPLES
from pulumi_ilert_contacts.plugin.reference import pages
from pulumi_ilert_contacts.plugin.schema import schema_json

DOCS = Path(__file__).resolve().parents[2] / "docs" / "reference"


def test_the_committed_reference_pages_are_what_the_generator_writes() -> None:
    """Fails after a change to the table, the schema or the examples until the pages are
    regenerated: python -m pulumi_ilert_contacts.plugin.reference docs/reference"""
    written = pages()
    assert sorted(p.name for p in DOCS.glob("*.md")) == sorted(written)
    for name, text in written.items():
        assert (DOCS / name).read_text() == text, f"docs/reference/{name} is stale: regenerate it"


@pytest.mark.parametrize("kind", RESOURCE_KINDS, ids=lambda k: k.resource)
def test_every_native_resource_carries_python_and_yaml_examples_in_the_schema(kind: ContactKind) -> None:
    description = json.loads(schema_json())["resources"][f"ilert-contacts:index:{kind.resource}"][
        "description"
    ]
    assert "{{% examples %}}" in description
    assert "```python" in description and "```yaml" in description


def _names(props: tuple[Property, ...], attr: str) -> set[str]:
    return {getattr(p, attr) for p in props if p.input}


def _nested(kind: ContactKind, name: str, attr: str) -> set[str]:
    prop = next(p for p in kind.properties if getattr(p, attr) == name)
    if prop.items is not None and prop.items.type == "object":
        return {getattr(p, attr) for p in prop.items.properties}
    return set()


@pytest.mark.parametrize("kind", RESOURCE_KINDS, ids=lambda k: k.resource)
def test_the_yaml_example_names_only_the_tables_properties(kind: ContactKind) -> None:
    program = yaml.safe_load(EXAMPLES[kind.resource]["yaml"])
    (resource,) = [r for r in program["resources"].values() if r["type"].endswith(f":{kind.resource}")]
    props: dict[str, Any] = resource["properties"]
    assert set(props) <= _names(kind.properties, "camel")
    for name, value in props.items():
        for element in value if isinstance(value, list) else []:
            if isinstance(element, dict):
                assert set(element) <= _nested(kind, name, "camel")


@pytest.mark.parametrize("kind", RESOURCE_KINDS, ids=lambda k: k.resource)
def test_the_python_example_names_only_the_tables_properties(kind: ContactKind) -> None:
    tree = ast.parse(EXAMPLES[kind.resource]["python"])
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == kind.resource
    ]
    assert calls, f"the Python example declares no {kind.resource}"
    for call in calls:
        keywords = {k.arg for k in call.keywords if k.arg}
        assert keywords <= _names(kind.properties, "name")
        for keyword in call.keywords:
            if isinstance(keyword.value, ast.List):
                for element in keyword.value.elts:
                    if isinstance(element, ast.Dict):
                        keys = {k.value for k in element.keys if isinstance(k, ast.Constant)}
                        assert keys <= _nested(kind, str(keyword.arg), "name")
