"""The plugin's ``ilert-contacts:index:UserContacts``: the requests of a contact set, over
``core.contact_set``.

``ContactsProvider`` hands a request here when its type is the set's; the translation (schema names,
``PropertyValue``, secrets) is the same as for the single contacts (``properties.py``). An address or
number given as a secret makes its whole list, and the list of contacts that repeats it, secret.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeVar

from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    PropertyDiff,
    PropertyDiffKind,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)

from ..core import contact_set
from ..core.client import IlertClient
from ..core.errors import IlertError
from ..core.kinds import SET_BY_TYPE, USER_CONTACTS, camel_name
from .properties import Path, check_failures, inbound, to_python, to_wire

T = TypeVar("T")
Run = Callable[[Callable[[], T]], Awaitable[T]]

KIND = USER_CONTACTS
_NUMBER = USER_CONTACTS.prop("phone_numbers").items
_CAMEL_FIELDS = tuple(p.camel for p in _NUMBER.properties) if _NUMBER else ()
_PYTHON_ONLY = frozenset(p.name for p in _NUMBER.properties if p.name != p.camel) if _NUMBER else frozenset()


def is_set(qualified_type: str) -> bool:
    """Whether a request's type (the last of a URN's ``$``-joined types) is the set's."""
    return qualified_type.rpartition("$")[2] in SET_BY_TYPE


def _secrets(paths: Iterable[Path]) -> frozenset[Path]:
    """The secret paths of a set's bag, widened: a secret element makes its list and the contacts
    output that repeats its targets secret."""
    widened: set[Path] = set()
    for path in paths:
        widened.add(path)
        member = next((m for m in contact_set.MEMBERS if path and path[0] == m.name), None)
        if member is not None:
            widened.update({(member.name,), (member.contacts,)})
    return frozenset(widened)


def check(request: CheckRequest) -> CheckResponse:
    """Validate and normalise the set's inputs before any API call; failures name the property."""
    news = inbound(KIND, request.new_inputs)
    outcome = contact_set.check(
        news.props,
        naming=lambda kind, prop: news.spell(kind, prop) if kind is KIND else camel_name(kind, prop),
    )
    return CheckResponse(
        inputs=to_wire(KIND, outcome.inputs, secrets=_secrets(news.secrets)),
        failures=_python_spelled(request.new_inputs) + check_failures(news, KIND, outcome.failures),
    )


def _python_spelled(inputs: Mapping[str, PropertyValue]) -> list[CheckFailure]:
    """A number's field written with its Python name (``region_code``) is not read as the field,
    as at the top level: the schema name is ``regionCode``."""
    numbers = inputs.get("phoneNumbers")
    items = numbers.value if numbers is not None else None
    if not isinstance(items, tuple):
        return []
    failures = []
    for i, item in enumerate(items):
        fields = item.value
        if not isinstance(fields, Mapping):
            continue
        for key in fields:
            if key in _PYTHON_ONLY:
                failures.append(
                    CheckFailure(
                        "phoneNumbers",
                        f"{KIND.resource}.phoneNumbers[{i}].{key} is not a field of a number; "
                        f"expected {', '.join(_CAMEL_FIELDS)}",
                    )
                )
    return failures


def diff(request: DiffRequest) -> DiffResponse:
    """The plan, without calling ilert: lists compare as sets."""
    plan = contact_set.diff(to_python(KIND, request.old_state), to_python(KIND, request.new_inputs))
    return DiffResponse(
        changes=bool(plan.changed),
        replaces=[camel_name(KIND, p) for p in plan.replaces],
        stables=[camel_name(KIND, p) for p in plan.stables],
        delete_before_replace=False,
        diffs=[camel_name(KIND, p) for p in plan.changed],
        detailed_diff={
            camel_name(KIND, p): PropertyDiff(
                PropertyDiffKind.UPDATE_REPLACE if p in plan.replaces else PropertyDiffKind.UPDATE, True
            )
            for p in plan.changed
        },
    )


async def create(
    request: CreateRequest,
    client: Callable[[], IlertClient],
    run: Run[Any],
    warn: Callable[[str, str], Awaitable[None]] | None = None,
) -> CreateResponse:
    """Make the user's contacts of each managed kind the listed ones. In preview, the inputs, and
    (given ``warn``: the engine's log) a warning naming every existing contact the set would delete."""
    props = inbound(KIND, request.properties)
    secrets = _secrets(props.secrets)
    if request.preview:
        if warn is not None:
            try:
                ilert = client()
                warning = await run(lambda: contact_set.deletion_warning(ilert, props.props))
            except IlertError as exc:
                # The preview goes on (the create reports a failure that remains); it says why
                # it cannot name what the set deletes.
                warning = f"cannot say which existing contacts this new set deletes: {exc}"
            if warning:
                await warn(request.urn, warning)
        return CreateResponse("", to_wire(KIND, contact_set.preview_create(props.props), secrets=secrets))
    ilert = client()
    created = await run(lambda: contact_set.create(ilert, props.props))
    return CreateResponse(created.id, to_wire(KIND, created.outputs, secrets=secrets))


async def read(request: ReadRequest, client: Callable[[], IlertClient], run: Run[Any]) -> ReadResponse:
    """What ilert holds (refresh: one list per managed kind; import by user id: both kinds)."""
    state = inbound(KIND, request.properties)
    secrets = _secrets(state.secrets)
    props = {**to_python(KIND, request.inputs), **state.props}
    ilert = client()
    observed = await run(lambda: contact_set.observe(ilert, request.resource_id, props))
    if observed is None:
        return ReadResponse("", {}, {})
    return ReadResponse(
        observed.id,
        to_wire(KIND, observed.outputs, secrets=secrets),
        to_wire(KIND, observed.inputs, secrets=secrets),
    )


async def update(request: UpdateRequest, client: Callable[[], IlertClient], run: Run[Any]) -> UpdateResponse:
    """Write only the difference (converged on ilert's live list of each changed kind)."""
    olds, news = to_python(KIND, request.olds), inbound(KIND, request.news)
    secrets = _secrets(news.secrets)
    if request.preview:
        return UpdateResponse(to_wire(KIND, contact_set.preview_update(olds, news.props), secrets=secrets))
    ilert = client()
    outputs = await run(lambda: contact_set.update(ilert, olds, news.props))
    return UpdateResponse(to_wire(KIND, outputs, secrets=secrets))


async def delete(request: DeleteRequest, client: Callable[[], IlertClient], run: Run[Any]) -> None:
    """Forget the set; with ``deleteOnDestroy``, delete the contacts it lists."""
    props = to_python(KIND, request.properties)
    if not props.get("delete_on_destroy"):
        return
    ilert = client()
    await run(lambda: contact_set.delete(ilert, request.resource_id, props))
