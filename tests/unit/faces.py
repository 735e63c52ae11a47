"""Both faces of the package behind one interface, so one test drives either.

The dynamic face is its providers (``ContactEmailProvider``, ``ContactPhoneNumberProvider`` and,
for the contact set ``USER_CONTACTS``, ``UserContactsProvider``) called in-process as the SDK's
dynamic-provider server calls them: Python names, plain values. The plugin face is
``ContactsProvider`` called in-process through its async handlers with the SDK's request objects,
its property bags made the way the gRPC server makes them from the wire
(``PropertyValue.unmarshal_map`` of a protobuf Struct: schema names, numbers as doubles, unknowns
as ``Computed``).

A test speaks Python names and plain values to either; the plugin's adapter translates names both
ways with ``core.kinds``, at every depth (a set's ``phone_numbers[].region_code``; the adapter is
test code: what it translates is what the engine would send and read). Failures come back spelled
as the face spells them (:meth:`Face.spell`), errors as the exceptions the face raises (the
servicer turns them into the gRPC error the engine prints).
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from google.protobuf import struct_pb2
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.provider.experimental import provider as sdk
from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi_ilert_contacts import ContactEmailProvider, ContactPhoneNumberProvider, UserContactsProvider
from pulumi_ilert_contacts.core.kinds import (
    EMAIL,
    PHONE,
    USER_CONTACTS,
    ContactKind,
    Property,
    camel_name,
    python_name,
    resource_token,
)
from pulumi_ilert_contacts.core.validation import UNKNOWN
from pulumi_ilert_contacts.dynamic.provider import ContactProvider
from pulumi_ilert_contacts.plugin.provider import ContactsProvider

FACES = ("dynamic", "plugin")
PROVIDER_BLOB = "opaque-serialized-provider"
"""Stands in for a dynamic resource's ``__provider``: the engine passes it with every property bag."""


@dataclass
class Checked:
    """What check made of some inputs: the checked inputs (Python names) and the reasons by
    property, spelled as the face spells it."""

    inputs: dict[str, Any]
    failures: dict[str, str]
    """The first reason of each failing property."""
    every: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    """Every failure, in order (a set's list may fail several times)."""


@dataclass
class Planned:
    """A diff's answer, in Python names."""

    changes: bool
    replaces: list[str]
    stables: list[str]


@dataclass
class Result:
    """A resource's id and properties (Python names) after create, read or update."""

    id: str
    outs: dict[str, Any]
    inputs: dict[str, Any] | None = None


class Face(Protocol):
    """A face of the package, spoken to in Python names."""

    name: str

    def spell(self, kind: ContactKind, prop: str) -> str:
        """How this face's users write the property ``prop`` (a Python name, or any other key)."""
        ...

    def configure(self, endpoint: str, token: str) -> None: ...
    def check(
        self, kind: ContactKind, news: dict[str, Any], olds: dict[str, Any] | None = None
    ) -> Checked: ...
    def diff(self, kind: ContactKind, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> Planned: ...
    def create(self, kind: ContactKind, inputs: dict[str, Any]) -> Result: ...
    def read(self, kind: ContactKind, id_: str, state: dict[str, Any]) -> Result: ...
    def get(self, kind: ContactKind, id_: str) -> Result: ...
    def update(self, kind: ContactKind, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> Result: ...
    def delete(self, kind: ContactKind, id_: str, state: dict[str, Any]) -> None: ...


class DynamicFace:
    """The dynamic providers, in-process."""

    name = "dynamic"

    def __init__(self) -> None:
        self._providers: dict[ContactKind, ContactProvider] = {
            EMAIL: ContactEmailProvider(),
            PHONE: ContactPhoneNumberProvider(),
            USER_CONTACTS: UserContactsProvider(),
        }

    def spell(self, kind: ContactKind, prop: str) -> str:
        return prop

    def configure(self, endpoint: str, token: str) -> None:
        raw = {"ilert:apiToken": token, "ilert:endpoint": endpoint}
        for provider in self._providers.values():
            provider.configure(ConfigureRequest(Config(raw_config=raw, project_name="faces")))

    def check(self, kind: ContactKind, news: dict[str, Any], olds: dict[str, Any] | None = None) -> Checked:
        result = self._providers[kind].check(olds or {}, {**news, "__provider": PROVIDER_BLOB})
        every = [(failure.property, failure.reason) for failure in result.failures or []]
        inputs = {k: v for k, v in (result.inputs or {}).items() if k != "__provider"}
        return Checked(inputs, _first(every), every)

    def diff(self, kind: ContactKind, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> Planned:
        result = self._providers[kind].diff(id_, _bag(olds), _bag(news))
        return Planned(bool(result.changes), list(result.replaces or []), list(result.stables or []))

    def create(self, kind: ContactKind, inputs: dict[str, Any]) -> Result:
        result = self._providers[kind].create(_bag(inputs))
        return Result(str(result.id), _without_blob(result.outs))

    def read(self, kind: ContactKind, id_: str, state: dict[str, Any]) -> Result:
        result = self._providers[kind].read(id_, _bag(state))
        return Result(str(result.id or ""), _without_blob(result.outs or {}), result.inputs)

    def get(self, kind: ContactKind, id_: str) -> Result:
        # get() seeds every property as None (the program knows only the id).
        return self.read(kind, id_, dict.fromkeys((p.name for p in kind.properties), None))

    def update(self, kind: ContactKind, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> Result:
        result = self._providers[kind].update(id_, _bag(olds), _bag(news))
        return Result(id_, _without_blob(result.outs or {}))

    def delete(self, kind: ContactKind, id_: str, state: dict[str, Any]) -> None:
        self._providers[kind].delete(id_, _bag(state))


class PluginFace:
    """The plugin's ``ContactsProvider``, in-process through its async handlers."""

    name = "plugin"

    def __init__(self) -> None:
        self.provider = ContactsProvider()

    def spell(self, kind: ContactKind, prop: str) -> str:
        camel = camel_name(kind, prop)
        # The other face's spelling of a real property is this face's unknown key, and the
        # reverse: a row about `regionCode` on the dynamic face is a row about `region_code` here.
        return python_name(kind, prop) if camel == prop else camel

    def configure(self, endpoint: str, token: str) -> None:
        args = {"endpoint": PropertyValue(endpoint), "apiToken": PropertyValue(token, is_secret=True)}
        request = sdk.ConfigureRequest(variables={}, args=args, accept_secrets=True, accept_resources=False)
        _run(self.provider.configure(request))

    def check(self, kind: ContactKind, news: dict[str, Any], olds: dict[str, Any] | None = None) -> Checked:
        request = sdk.CheckRequest(_urn(kind), self._wire(kind, olds or {}), self._wire(kind, news), b"")
        response = _run(self.provider.check(request))
        every = [(failure.property, failure.reason) for failure in response.failures or []]
        return Checked(_python(kind, response.inputs or {}), _first(every), every)

    def diff(self, kind: ContactKind, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> Planned:
        request = sdk.DiffRequest(_urn(kind), id_, self._wire(kind, olds), self._wire(kind, news), [])
        response = _run(self.provider.diff(request))
        return Planned(
            bool(response.changes),
            [python_name(kind, p) for p in response.replaces],
            [python_name(kind, p) for p in response.stables],
        )

    def create(self, kind: ContactKind, inputs: dict[str, Any]) -> Result:
        request = sdk.CreateRequest(_urn(kind), self._wire(kind, inputs), 60.0, False)
        response = _run(self.provider.create(request))
        return Result(str(response.resource_id), _python(kind, response.properties))

    def read(self, kind: ContactKind, id_: str, state: dict[str, Any]) -> Result:
        inputs = {k: v for k, v in state.items() if k in kind.input_names}
        request = sdk.ReadRequest(_urn(kind), id_, self._wire(kind, state), self._wire(kind, inputs))
        response = _run(self.provider.read(request))
        return Result(
            str(response.resource_id or ""),
            _python(kind, response.properties),
            _python(kind, response.inputs),
        )

    def get(self, kind: ContactKind, id_: str) -> Result:
        # get() and import: the engine sends the id and no properties.
        return self.read(kind, id_, {})

    def update(self, kind: ContactKind, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> Result:
        request = sdk.UpdateRequest(
            _urn(kind), id_, self._wire(kind, olds), self._wire(kind, news), 60.0, [], False
        )
        response = _run(self.provider.update(request))
        return Result(id_, _python(kind, response.properties))

    def delete(self, kind: ContactKind, id_: str, state: dict[str, Any]) -> None:
        _run(self.provider.delete(sdk.DeleteRequest(_urn(kind), id_, self._wire(kind, state), 60.0)))

    def _wire(self, kind: ContactKind, props: Mapping[str, Any]) -> dict[str, PropertyValue]:
        """``props`` as the SDK's server hands them to the handlers, after they crossed the wire."""
        struct = struct_pb2.Struct()
        struct.update({self.spell(kind, k): _renamed(v, _names(kind.properties)) for k, v in props.items()})
        return PropertyValue.unmarshal_map(struct)


def make_face(name: str) -> Face:
    """A new face by name (``"dynamic"`` or ``"plugin"``)."""
    return DynamicFace() if name == "dynamic" else PluginFace()


def _bag(props: dict[str, Any]) -> dict[str, Any]:
    return {**props, "__provider": PROVIDER_BLOB}


def _without_blob(props: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if k != "__provider"}


def _urn(kind: ContactKind) -> str:
    return f"urn:pulumi:test::faces::{resource_token(kind)}::{kind.resource.lower()}"


def _first(every: list[tuple[str, str]]) -> dict[str, str]:
    failures: dict[str, str] = {}
    for prop, reason in every:
        failures.setdefault(prop, reason)
    return failures


def _names(props: tuple[Property, ...]) -> dict[str, str]:
    """Python name -> schema name of the fields inside ``props``' values, at every depth (a set's
    ``region_code`` of a number)."""
    names: dict[str, str] = {}
    for prop in props:
        inner = prop.items if prop.items is not None else prop
        for field in inner.properties:
            names[field.name] = field.camel
        names.update(_names(inner.properties))
    return names


def _renamed(value: Any, names: Mapping[str, str]) -> Any:
    """``value`` with the keys of every object inside it renamed by ``names``."""
    if isinstance(value, Mapping):
        return {names.get(k, k): _renamed(v, names) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_renamed(v, names) for v in value]
    return value


def _python(kind: ContactKind, props: Mapping[str, PropertyValue]) -> dict[str, Any]:
    """A handler's answer as plain values in Python names, at every depth (numbers that are whole
    back as ints)."""
    back = {camel: name for name, camel in _names(kind.properties).items()}
    return {python_name(kind, key): _renamed(_plain(value), back) for key, value in props.items()}


def _plain(value: PropertyValue) -> Any:
    inner = value.value
    if isinstance(inner, Computed):
        return UNKNOWN
    if isinstance(inner, float) and inner.is_integer():
        return int(inner)
    if isinstance(inner, Mapping):
        return {k: _plain(v) for k, v in inner.items()}
    if isinstance(inner, tuple | list):
        return [_plain(v) for v in inner]
    return inner


def _run(coroutine: Any) -> Any:
    # A loop of its own, not asyncio.run: that leaves the thread without a current event loop,
    # which code run later in the same test process (pulumi.Output) expects to find.
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()
