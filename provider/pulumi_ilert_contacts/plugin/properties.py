"""Property bags across the plugin's wire: schema names and ``PropertyValue`` in, Python names and
plain values out (and back). The only translation the plugin face does; the names come from
``core.kinds``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pulumi.provider.experimental.property_value import Computed, PropertyValue

from ..core.kinds import ContactKind, camel_name, python_name
from ..core.validation import UNKNOWN, is_unknown


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


def to_python(kind: ContactKind, props: Mapping[str, PropertyValue]) -> dict[str, Any]:
    """A bag of schema-named ``PropertyValue`` as a dict of Python names; unknown names are kept
    as they are, so check names them as the user wrote them."""
    return {python_name(kind, key): plain(value) for key, value in props.items()}


def wire(value: Any, *, secret: bool = False) -> PropertyValue:
    """One plain value as a ``PropertyValue`` (numbers cross the wire as doubles)."""
    if is_unknown(value):
        # The wire form of an unknown is the sentinel string: the pinned SDK cannot marshal its
        # own PropertyValue.computed() ("Unsupported value type: Computed").
        return PropertyValue(UNKNOWN)
    if isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    return PropertyValue(value, is_secret=secret)


def to_wire(
    kind: ContactKind, props: Mapping[str, Any], *, secrets: Iterable[str] = ()
) -> dict[str, PropertyValue]:
    """A dict of Python names as schema-named ``PropertyValue``; ``secrets`` (schema names) keep
    the secretness they had on the way in."""
    keep = set(secrets)
    result = {}
    for name, value in props.items():
        camel = camel_name(kind, name)
        result[camel] = wire(value, secret=camel in keep)
    return result


def secret_names(props: Mapping[str, PropertyValue]) -> set[str]:
    """The names of the properties that arrived as secrets."""
    return {key for key, value in props.items() if value.is_secret}
