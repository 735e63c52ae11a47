"""Property bags across the plugin's wire: schema names and ``PropertyValue`` in, Python names and
plain values out (and back). The only translation the plugin face does, done once at its boundary;
the names come from ``core.kinds``, at every depth (an object property's fields, the objects of a
list), and a secret anywhere in a bag stays secret on the way back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi.provider.experimental.property_value import Computed, PropertyValue
from pulumi.provider.experimental.provider import CheckFailure

from ..core.kinds import ContactKind, Property, camel_name
from ..core.validation import UNKNOWN, is_unknown, redact

Path = tuple[str | int, ...]
"""Where a value sits in a bag of Python names: ``("phone_numbers", 0, "target")``."""


def plain(value: PropertyValue | None) -> Any:
    """The Python value of one property: an unknown one becomes the SDK's marker string, which
    the core's validation passes through (the engine checks again once it is known)."""
    if value is None:
        return None
    inner = value.value
    if isinstance(inner, Computed):
        return UNKNOWN
    if isinstance(inner, Mapping):
        return {k: plain(v) for k, v in inner.items()}
    if isinstance(inner, tuple):
        return [plain(v) for v in inner]
    return inner


@dataclass(frozen=True)
class Bag:
    """A bag as the core sees it: Python names and plain values, and where its secrets were."""

    props: dict[str, Any]
    secrets: frozenset[Path] = field(default_factory=frozenset)
    written: dict[str, str] = field(default_factory=dict)
    """Keys the schema does not have that read as a property's Python name (``region_code``),
    under the name they are kept by (so the core cannot take them for the property), and as the
    user wrote them."""

    def spell(self, kind: ContactKind, name: str) -> str:
        """A property as the user of the plugin spells it: its schema name, or a key as written."""
        return self.written.get(name) or camel_name(kind, name)


def _fields(prop: Property | None) -> tuple[Property, ...]:
    """The named fields inside a property's value: an object's, or its list's objects'."""
    if prop is None:
        return ()
    if prop.type == "array":
        return _fields(prop.items)
    return prop.properties


def _inbound(fields: tuple[Property, ...], value: PropertyValue, path: Path, secrets: set[Path]) -> Any:
    if value.is_secret:
        secrets.add(path)
    inner = value.value
    if isinstance(inner, Mapping):
        by_camel = {p.camel: p for p in fields}
        result = {}
        for key, item in inner.items():
            prop = by_camel.get(key)
            name = prop.name if prop else key
            result[name] = _inbound(_fields(prop), item, (*path, name), secrets)
        return result
    if isinstance(inner, tuple):
        return [_inbound(fields, item, (*path, i), secrets) for i, item in enumerate(inner)]
    return plain(value)


def inbound(kind: ContactKind, props: Mapping[str, PropertyValue]) -> Bag:
    """A bag of schema-named ``PropertyValue`` as Python names and plain values, with the paths of
    its secrets; names the kind does not have are kept as they are, so check names them as the
    user wrote them."""
    secrets: set[Path] = set()
    python_only = {p.name for p in kind.properties} - {p.camel for p in kind.properties}
    written = {f"<{key}>": key for key in props if key in python_only}
    renamed = {(f"<{key}>" if key in python_only else key): value for key, value in props.items()}
    result = _inbound(kind.properties, PropertyValue(renamed), (), secrets)
    return Bag(result, frozenset(secrets), written)


def to_python(kind: ContactKind, props: Mapping[str, PropertyValue]) -> dict[str, Any]:
    """``inbound`` without the secrets."""
    return inbound(kind, props).props


def wire(value: Any, *, secret: bool = False) -> PropertyValue:
    """One plain value as a ``PropertyValue`` (numbers cross the wire as doubles)."""
    return _outbound((), value, (), frozenset({()}) if secret else frozenset())


def _object(
    fields: tuple[Property, ...], value: Mapping[str, Any], path: Path, secrets: frozenset[Path]
) -> dict[str, PropertyValue]:
    by_name = {p.name: p for p in fields}
    return {
        (by_name[k].camel if k in by_name else k): _outbound(_fields(by_name.get(k)), v, (*path, k), secrets)
        for k, v in value.items()
    }


def _outbound(
    fields: tuple[Property, ...], value: Any, path: Path, secrets: frozenset[Path]
) -> PropertyValue:
    secret = path in secrets
    if is_unknown(value):
        # The wire form of an unknown is the sentinel string: the pinned SDK cannot marshal its
        # own PropertyValue.computed() ("Unsupported value type: Computed").
        return PropertyValue(UNKNOWN)
    if isinstance(value, Mapping):
        return PropertyValue(_object(fields, value, path, secrets), is_secret=secret)
    if isinstance(value, Sequence) and not isinstance(value, str):
        return PropertyValue(
            [_outbound(fields, v, (*path, i), secrets) for i, v in enumerate(value)], is_secret=secret
        )
    if isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    return PropertyValue(value, is_secret=secret)


def to_wire(
    kind: ContactKind, props: Mapping[str, Any], *, secrets: Iterable[Path] = ()
) -> dict[str, PropertyValue]:
    """A dict of Python names as schema-named ``PropertyValue``, at every depth; ``secrets`` (the
    paths ``inbound`` found) keep the secretness they had on the way in."""
    return _object(kind.properties, props, (), frozenset(secrets))


def check_failures(bag: Bag, kind: ContactKind, failures: Iterable[tuple[str, str]]) -> list[CheckFailure]:
    """The core's ``(Python name, reason)`` failures as the engine is told them: named as the user of
    the plugin spells the property, without repeating a value given as a secret.

    The engine prints a failing property's input value beside the reason, a secret in the clear
    among it; so a failure of a property that is or holds a secret is reported on the resource
    (``property=""``), its reason (which starts with the property's name) standing alone.
    """
    hidden = secret_values(bag.props, bag.secrets)
    return [
        CheckFailure(
            "" if any(path and path[0] == prop for path in bag.secrets) else bag.spell(kind, prop),
            redact(reason, hidden),
        )
        for prop, reason in failures
    ]


def secret_values(props: dict[str, Any], secrets: Iterable[Path]) -> list[str]:
    """The strings given as secrets anywhere in a bag (a secret property, element or field)."""
    found: list[str] = []

    def collect(value: Any) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for inner in value.values():
                collect(inner)
        elif isinstance(value, list):
            for inner in value:
                collect(inner)

    for path in secrets:
        value: Any = props
        for step in path:
            try:
                value = value[step]
            except (KeyError, IndexError, TypeError):
                value = None
                break
        collect(value)
    return found

