"""The engine floor: dynamic resources shaped like the ilert contacts whose provider calls nothing.

``FloorEmail`` and ``FloorPhoneNumber`` take the same arguments and carry the same properties as
``ContactEmail`` and ``ContactPhoneNumber``, so the engine, the language host and the dynamic
provider server do the same work for them (the same property bags cross the same gRPC calls);
only the provider's methods are empty: no validation library, no HTTP. Whatever a benchmark
measures above this floor is ours.

The provider is pickled by reference, so this module must be importable in the program and in the
provider process: the benchmark puts ``benchmarks/`` on ``PYTHONPATH`` for every pulumi command.
"""

from __future__ import annotations

import itertools
import os
from typing import Any, ClassVar

import pulumi
import pulumi.dynamic
from pulumi.dynamic import CheckResult, CreateResult, DiffResult, ReadResult, ResourceProvider, UpdateResult

OUTPUT_NAMES = ("contact_id", "status")
# Unique across provider processes of one benchmark: a process-wide counter under the pid.
_ids = itertools.count(1)


class FloorProvider(ResourceProvider):
    """A provider with the ilert providers' property shapes and no work behind them."""

    fields: ClassVar[tuple[str, ...]]
    defaults: ClassVar[dict[str, Any]]
    serialize_as_secret_always = False

    def _inputs(self, props: dict[str, Any]) -> dict[str, Any]:
        inputs = {name: props.get(name, self.defaults.get(name)) for name in ("user_id", *self.fields)}
        for name, default in self.defaults.items():
            if inputs.get(name) is None:
                inputs[name] = default
        inputs["user_id"] = str(inputs["user_id"])
        return inputs

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult(self._inputs(news), [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [name for name in ("user_id", *self.fields) if olds.get(name) != news.get(name)]
        replaces = [name for name in changed if name == "user_id"]
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            stables=[] if replaces else ["user_id", "contact_id"],
            delete_before_replace=False,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self._inputs(props)
        contact_id = os.getpid() * 1_000_000 + next(_ids)
        return CreateResult(
            f"{inputs['user_id']}:{contact_id}", {**inputs, "contact_id": contact_id, "status": "OK"}
        )

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        inputs = self._inputs(props)
        return ReadResult(id_, {**inputs, "contact_id": props.get("contact_id"), "status": "OK"}, inputs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult({**self._inputs(news), "contact_id": olds.get("contact_id"), "status": "OK"})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


class FloorEmailProvider(FloorProvider):
    """Floor provider with the email contact's properties."""

    fields = ("target", "adopt")
    defaults = {"adopt": False}


class FloorPhoneNumberProvider(FloorProvider):
    """Floor provider with the phone number contact's properties."""

    fields = ("target", "region_code", "primary", "adopt")
    defaults = {"primary": False, "adopt": False}


def _props(names: tuple[str, ...], values: dict[str, Any]) -> dict[str, Any]:
    props = {name: values.get(name) for name in names}
    props.update({name: None for name in OUTPUT_NAMES})
    return props


class FloorEmail(pulumi.dynamic.Resource, module="floor", name="ContactEmail"):
    """Stands in for ``ContactEmail``."""

    user_id: pulumi.Output[str]
    target: pulumi.Output[str]
    adopt: pulumi.Output[bool]
    contact_id: pulumi.Output[int]
    status: pulumi.Output[str]

    def __init__(self, resource_name: str, opts: pulumi.ResourceOptions | None = None, **values: Any) -> None:
        props = _props(("user_id", "target", "adopt"), values)
        super().__init__(FloorEmailProvider(), resource_name, props, opts)


class FloorPhoneNumber(pulumi.dynamic.Resource, module="floor", name="ContactPhoneNumber"):
    """Stands in for ``ContactPhoneNumber``."""

    user_id: pulumi.Output[str]
    target: pulumi.Output[str]
    region_code: pulumi.Output[str]
    primary: pulumi.Output[bool]
    adopt: pulumi.Output[bool]
    contact_id: pulumi.Output[int]
    status: pulumi.Output[str]

    def __init__(self, resource_name: str, opts: pulumi.ResourceOptions | None = None, **values: Any) -> None:
        props = _props(("user_id", "target", "region_code", "primary", "adopt"), values)
        super().__init__(FloorPhoneNumberProvider(), resource_name, props, opts)


class FloorUserContactsProvider(ResourceProvider):
    """Floor provider with the contact set's properties (``UserContacts``): each listed contact
    gets an id and a status in the outputs, as the real set reports them; no validation, no HTTP."""

    serialize_as_secret_always = False
    fields = ("user_id", "emails", "phone_numbers", "delete_on_destroy")

    def _inputs(self, props: dict[str, Any]) -> dict[str, Any]:
        inputs = {name: props.get(name) for name in self.fields}
        inputs["user_id"] = str(inputs["user_id"])
        inputs["delete_on_destroy"] = bool(inputs["delete_on_destroy"])
        return inputs

    def _outputs(self, inputs: dict[str, Any]) -> dict[str, Any]:
        def contact(item: Any) -> dict[str, Any]:
            fields = {"target": item} if isinstance(item, str) else dict(item)
            return {**fields, "contact_id": os.getpid() * 1_000_000 + next(_ids), "status": "OK"}

        return {
            **inputs,
            "email_contacts": [contact(e) for e in inputs.get("emails") or []],
            "phone_number_contacts": [contact(p) for p in inputs.get("phone_numbers") or []],
        }

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        return CheckResult(self._inputs(news), [])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [name for name in self.fields if olds.get(name) != news.get(name)]
        replaces = [name for name in changed if name == "user_id"]
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            stables=[] if replaces else ["user_id"],
            delete_before_replace=False,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = self._inputs(props)
        return CreateResult(inputs["user_id"], self._outputs(inputs))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        inputs = self._inputs(props)
        return ReadResult(id_, {**props, **inputs}, inputs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._outputs(self._inputs(news)))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


class FloorUserContacts(pulumi.dynamic.Resource, module="floor", name="UserContacts"):
    """Stands in for ``UserContacts``."""

    user_id: pulumi.Output[str]
    emails: pulumi.Output[list[str]]
    phone_numbers: pulumi.Output[list[dict[str, Any]]]
    delete_on_destroy: pulumi.Output[bool]
    email_contacts: pulumi.Output[list[dict[str, Any]]]
    phone_number_contacts: pulumi.Output[list[dict[str, Any]]]

    def __init__(self, resource_name: str, opts: pulumi.ResourceOptions | None = None, **values: Any) -> None:
        props = {name: values.get(name) for name in FloorUserContactsProvider.fields}
        props.update(email_contacts=None, phone_number_contacts=None)
        super().__init__(FloorUserContactsProvider(), resource_name, props, opts)
