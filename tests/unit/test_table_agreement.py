"""Every place that spells a contact's properties agrees with the one table, ``core.kinds``.

The typed Python classes of both faces are written out (IDEs and type checkers need them), and the
schema, the plan and both generators are derived from the table: these tests compare each of them
with it, so a property added to a kind in ``kinds.py`` alone fails here, naming what lacks it.
"""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import pytest
from pulumi_ilert_contacts import declarations, native
from pulumi_ilert_contacts.core import contact_set, lifecycle
from pulumi_ilert_contacts.core.kinds import (
    ADOPT,
    EMAIL,
    KINDS,
    PHONE,
    RESOURCE_KINDS,
    USER_CONTACTS,
    ContactKind,
    Property,
)
from pulumi_ilert_contacts.dynamic.email import ContactEmail
from pulumi_ilert_contacts.dynamic.phone import ContactPhoneNumber
from pulumi_ilert_contacts.dynamic.user_contacts import UserContacts as DynamicUserContacts
from pulumi_ilert_contacts.generate.document import Generation
from pulumi_ilert_contacts.generate.inventory import LiveContact, UserContacts
from pulumi_ilert_contacts.generate.pulumi_yaml import render_pulumi_yaml
from pulumi_ilert_contacts.generate.python_source import render_python
from pulumi_ilert_contacts.native import functions
from pulumi_ilert_contacts.plugin.schema import schema

ARGS = {
    EMAIL: declarations.ContactEmailArgs,
    PHONE: declarations.ContactPhoneNumberArgs,
    USER_CONTACTS: declarations.UserContactsArgs,
}
RESOURCES = {
    "dynamic": {EMAIL: ContactEmail, PHONE: ContactPhoneNumber, USER_CONTACTS: DynamicUserContacts},
    "native": {
        EMAIL: native.ContactEmail,
        PHONE: native.ContactPhoneNumber,
        USER_CONTACTS: native.UserContacts,
    },
}
LOOKUPS = {
    EMAIL: (functions.get_contact_email, functions.get_contact_email_output, functions.GetContactEmailResult),
    PHONE: (
        functions.get_contact_phone_number,
        functions.get_contact_phone_number_output,
        functions.GetContactPhoneNumberResult,
    ),
}
PYTHON_TYPES = {"string": "str", "boolean": "bool", "integer": "int", "number": "float", "array": "list"}
KIND_IDS = {"ids": lambda kind: kind.resource}


def _python_type(prop: Property, *, as_input: bool = False) -> str:
    """The type a class spells for ``prop``: an input list is any ``Sequence``, an output a ``list``."""
    if as_input and prop.type == "array":
        return "Sequence"
    return PYTHON_TYPES.get(prop.type, "")


def _annotations(cls: type[Any]) -> dict[str, str]:
    """The attribute annotations a class declares itself or inherits from this package."""
    found: dict[str, str] = {}
    for base in reversed(cls.__mro__):
        if base.__module__.startswith("pulumi_ilert_contacts"):
            found.update({k: str(v) for k, v in vars(base).get("__annotations__", {}).items()})
    return {k: v for k, v in found.items() if not k.startswith("_")}


def _keywords(function: Any) -> list[str]:
    """The keyword-only parameters of a function."""
    return [p.name for p in inspect.signature(function).parameters.values() if p.kind is p.KEYWORD_ONLY]


@pytest.mark.parametrize("kind", RESOURCE_KINDS, **KIND_IDS)
def test_each_args_class_has_the_inputs_of_the_table(kind: ContactKind) -> None:
    fields = dataclasses.fields(ARGS[kind])

    assert [f.name for f in fields] == list(kind.input_names)
    for f in fields:
        prop = kind.prop(f.name)
        assert _python_type(prop, as_input=True) in str(f.type), f"{ARGS[kind].__name__}.{f.name}: {f.type}"
        assert (f.default is dataclasses.MISSING) == prop.required, f"{ARGS[kind].__name__}.{f.name}"


@pytest.mark.parametrize("face", RESOURCES)
@pytest.mark.parametrize("kind", RESOURCE_KINDS, **KIND_IDS)
def test_each_resource_class_has_an_output_annotation_for_every_property(
    kind: ContactKind, face: str
) -> None:
    annotations = _annotations(RESOURCES[face][kind])

    assert sorted(annotations) == sorted(p.name for p in kind.properties)
    for prop in kind.properties:
        assert f"Output[{_python_type(prop)}" in annotations[prop.name], f"{face} {prop.name}"


@pytest.mark.parametrize("face", RESOURCES)
@pytest.mark.parametrize("kind", RESOURCE_KINDS, **KIND_IDS)
def test_each_constructor_takes_every_input_as_a_keyword(kind: ContactKind, face: str) -> None:
    assert _keywords(RESOURCES[face][kind].__init__) == list(kind.input_names)


@pytest.mark.parametrize("kind", KINDS, **KIND_IDS)
def test_the_native_look_up_functions_take_the_look_up_inputs_and_return_the_outputs(
    kind: ContactKind,
) -> None:
    call, output_call, result = LOOKUPS[kind]
    wanted = sorted(p.name for p in kind.lookup_inputs)

    for function in (call, output_call):
        parameters = [name for name in inspect.signature(function).parameters if name != "opts"]
        assert sorted(parameters) == wanted, function.__name__
    assert [f.name for f in dataclasses.fields(result)] == [
        p.name for p in kind.properties if p.name != ADOPT
    ]


@pytest.mark.parametrize("kind", KINDS, **KIND_IDS)
def test_the_schema_has_every_property_of_the_table(kind: ContactKind) -> None:
    package = schema()
    resource = package["resources"][kind.resource_token]
    function = package["functions"][kind.function_token]

    assert list(resource["properties"]) == [p.camel for p in kind.properties]
    assert list(resource["inputProperties"]) == [p.camel for p in kind.inputs]
    assert sorted(function["inputs"]["properties"]) == sorted(p.camel for p in kind.lookup_inputs)
    assert list(function["outputs"]["properties"]) == [p.camel for p in kind.properties if p.name != ADOPT]
    for prop in kind.properties:
        assert resource["properties"][prop.camel]["type"] == prop.type


def test_the_schema_has_every_property_of_the_set_and_its_object_types() -> None:
    package = schema()
    resource = package["resources"][USER_CONTACTS.resource_token]

    assert list(resource["properties"]) == [p.camel for p in USER_CONTACTS.properties]
    assert list(resource["inputProperties"]) == [p.camel for p in USER_CONTACTS.inputs]
    assert resource["requiredInputs"] == ["userId"]
    for prop in USER_CONTACTS.properties:
        spec = resource["properties"][prop.camel]
        assert spec["type"] == prop.type
        if prop.items is not None and prop.items.type == "object":
            token = spec["items"]["$ref"].removeprefix("#/types/")
            assert list(package["types"][token]["properties"]) == [p.camel for p in prop.items.properties]
    assert not any("UserContacts" in token for token in package["functions"])


def test_the_sets_plan_keeps_the_tables_stable_properties() -> None:
    in_place = contact_set.diff({"delete_on_destroy": False}, {"delete_on_destroy": True})
    replacing = contact_set.diff({"user_id": "1"}, {"user_id": "2"})

    assert in_place.stables == [p.name for p in USER_CONTACTS.properties if p.replaces or p.stable]
    assert replacing.stables == []


def test_the_sets_lists_are_its_members() -> None:
    assert [(m.kind, m.name, m.contacts) for m in contact_set.MEMBERS] == [
        (EMAIL, "emails", "email_contacts"),
        (PHONE, "phone_numbers", "phone_number_contacts"),
    ]
    for member in contact_set.MEMBERS:
        assert USER_CONTACTS.prop(member.name).input
        assert not USER_CONTACTS.prop(member.contacts).input


@pytest.mark.parametrize("kind", KINDS, **KIND_IDS)
def test_the_plan_keeps_the_tables_stable_properties(kind: ContactKind) -> None:
    user_ids = [p.name for p in kind.properties if p.replaces]
    in_place = lifecycle.diff(kind, {ADOPT: False}, {ADOPT: True})
    replacing = lifecycle.diff(kind, {user_ids[0]: "1"}, {user_ids[0]: "2"})

    assert in_place.stables == [p.name for p in kind.properties if p.replaces or p.stable]
    assert replacing.stables == []


def _sample(prop: Property) -> Any:
    """A value a contact could hold for ``prop``, never its default (so generators declare it)."""
    return {"string": f"{prop.name}-value", "boolean": True, "integer": 7, "number": 1.5}.get(prop.type, [])


def _generation(kind: ContactKind) -> Generation:
    values = {name: _sample(kind.prop(name)) for name, _ in kind.fields}
    contact = LiveContact(kind=kind, user_id="1001", contact_id=17, values=values, status="OK")
    return Generation(
        endpoint="https://api.ilert.com", users=(UserContacts("1001", (contact,)),), timestamp=None
    )


@pytest.mark.parametrize("kind", KINDS, **KIND_IDS)
def test_both_generators_declare_every_input_of_the_table(kind: ContactKind) -> None:
    python = render_python(_generation(kind))
    yaml = render_pulumi_yaml(_generation(kind))

    for prop in kind.inputs:
        assert f"    {prop.name}=" in python, f"python: {prop.name}"
        if prop.name != ADOPT:  # the YAML output imports instead of adopting
            assert f"      {prop.camel}: " in yaml, f"yaml: {prop.camel}"
