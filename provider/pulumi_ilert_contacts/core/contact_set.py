"""The life of a contact set (``UserContacts``), written once for both faces.

A set says "this user's contacts of each managed kind are exactly these": its ``emails`` and
``phone_numbers`` lists hold contacts of the two contact kinds (``EMAIL``, ``PHONE``). A list that
is omitted (``None``) leaves that kind unmanaged; an empty list means "none of that kind".

Every write goes through the single contacts' core (``lifecycle``): a listed target is created with
``lifecycle.create(..., adopt)``, so the process's list of the user's contacts (``DIRECTORY``), the
claim on the target and the lost-answer recovery are the ones a single contact has (a lost POST
answer never duplicates); an unlisted contact is removed with ``lifecycle.remove`` (one already
gone counts as deleted). Lists compare as sets: emails case-insensitively, numbers in E.164; the
outputs keep the declared order.

The set's resource id is the user id. Destroying a set forgets its contacts unless
``delete_on_destroy`` is set (ilert cannot tell which contacts a set made).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from . import lifecycle
from .client import IlertClient
from .directory import DIRECTORY
from .errors import IlertError, IlertNotFoundError
from .kinds import EMAIL, PHONE, TARGET, USER_CONTACTS, ContactKind, Property, camel_name
from .validation import PROVIDER_KEY, UNKNOWN, CheckOutcome, Naming, check_contact, is_unknown, python_naming

SET = USER_CONTACTS

WRITERS = 4
"""Requests of one set in flight at once (the shared rate budget still paces them)."""
POOL_SIZE = 16
"""Threads of the process's pool that runs the sets' requests: started once and shared by every
set the engine creates at once (each with at most ``WRITERS`` in flight). A pool per set started
and joined its threads for every list of every set, which on a busy interpreter cost more than
the requests (each start waits for the new thread to get the GIL)."""


@dataclass(frozen=True)
class Member:
    """One contact kind a set holds: its list input and its contacts output."""

    kind: ContactKind
    name: str
    """The list input (``emails``)."""
    contacts: str
    """The output with each managed contact (``email_contacts``)."""
    fields: tuple[str, ...]
    """The Python names of one element's fields besides the target (phone numbers only)."""

    @property
    def item_fields(self) -> tuple[Property, ...]:
        """The fields of one element, the target first, as the table describes the list's items
        (none for a list of scalars: the element is the target)."""
        shape = SET.prop(self.name).items
        return shape.properties if shape is not None else ()


def _member(kind: ContactKind, name: str, contacts: str) -> Member:
    shape = SET.prop(name).items
    fields = tuple(p.name for p in shape.properties if p.name != TARGET) if shape is not None else ()
    return Member(kind, name, contacts, fields)


MEMBERS = (
    _member(EMAIL, "emails", "email_contacts"),
    _member(PHONE, "phone_numbers", "phone_number_contacts"),
)

_PHONE_FIELDS = (TARGET, *MEMBERS[1].fields)


def managed(props: dict[str, Any]) -> tuple[Member, ...]:
    """The members whose list is given (``None`` leaves that kind unmanaged)."""
    return tuple(m for m in MEMBERS if props.get(m.name) is not None)


# -- check: never calls the API ----------------------------------------------------------------


def check(
    news: dict[str, Any], *, naming: Naming = python_naming, subject: str | None = None
) -> CheckOutcome:
    """Validate and normalise a set's inputs (Python names): the set's own properties by the table,
    then each target as the single resources check it, then duplicates and primaries.

    Failures are ``(Python name of the set's property, reason)``.
    """
    subject = subject or SET.resource
    out = check_contact(SET, news, naming=naming, subject=subject)
    for member in MEMBERS:
        items = out.inputs.get(member.name)
        if items is None or is_unknown(items):
            continue
        where = f"{subject}.{naming(SET, member.name)}"
        normalised = [_check_item(member, item, f"{where}[{i}]", naming, out) for i, item in enumerate(items)]
        out.inputs[member.name] = normalised
        _check_duplicates(member, normalised, where, out)
    return out


def _check_item(member: Member, item: Any, where: str, naming: Naming, out: CheckOutcome) -> Any:
    """One element, normalised as the single resource normalises it (kept as given when bad)."""
    if is_unknown(item):
        return item
    if member.kind is EMAIL:
        props: dict[str, Any] = {"user_id": "1", "target": item}
    elif not isinstance(item, dict):
        out.failures.append(
            (
                member.name,
                f"{where} must be an object with target, {naming(PHONE, 'region_code')} and primary",
            )
        )
        return item
    else:
        extra = sorted(k for k in item if k not in _PHONE_FIELDS)
        for name in extra:
            expected = ", ".join(naming(PHONE, f) for f in _PHONE_FIELDS)
            out.failures.append(
                (member.name, f"{where}.{name} is not a field of a number; expected {expected}")
            )
        props = {"user_id": "1", **{k: v for k, v in item.items() if k in _PHONE_FIELDS}}
    single = check_contact(member.kind, props, naming=naming, subject=where)
    for _, reason in single.failures:
        # An email is the element itself: "UserContacts.emails[0] 'x' is not ..."
        text = reason.replace(f"{where}.target ", f"{where} ", 1) if member.kind is EMAIL else reason
        out.failures.append((member.name, text))
    if single.failures:
        return item
    if member.kind is EMAIL:
        return single.inputs["target"]
    return {name: single.inputs[name] for name in _PHONE_FIELDS}


def _target(member: Member, item: Any) -> Any:
    return item.get("target") if isinstance(item, dict) else item


def _check_duplicates(member: Member, items: list[Any], where: str, out: CheckOutcome) -> None:
    seen: dict[str, int] = {}
    for i, item in enumerate(items):
        target = _target(member, item)
        if not isinstance(target, str) or is_unknown(target):
            continue
        key = member.kind.comparable_target(target)
        if key in seen:
            how = "case-insensitively" if member.kind.target_case_insensitive else "in E.164"
            out.failures.append(
                (
                    member.name,
                    f"{where} lists {target!r} twice (items {seen[key]} and {i}, compared {how}); "
                    "list each contact once",
                )
            )
        else:
            seen[key] = i
    if member.kind is PHONE:
        primaries = [
            i for i, item in enumerate(items) if isinstance(item, dict) and item.get("primary") is True
        ]
        if len(primaries) > 1:
            out.failures.append(
                (
                    member.name,
                    f"{where} marks {len(primaries)} numbers primary (items "
                    f"{', '.join(map(str, primaries))}); ilert allows one primary number per user",
                )
            )


def checked_inputs(props: dict[str, Any]) -> dict[str, Any]:
    """The checked inputs (re-checked: create and update may be called without a check)."""
    outcome = check({k: v for k, v in props.items() if k != PROVIDER_KEY})
    if outcome.failures:
        raise IlertError("; ".join(reason for _, reason in outcome.failures))
    return outcome.inputs


# -- planning ----------------------------------------------------------------------------------


def _as_set(member: Member, items: Any) -> Any:
    """A list as compared: a frozenset of its comparable elements (``None`` stays ``None``)."""
    if items is None:
        return None
    if is_unknown(items) or any(is_unknown(i) or is_unknown(_target(member, i)) for i in items):
        return UNKNOWN
    if member.kind is EMAIL:
        return frozenset(EMAIL.comparable_target(str(i)) for i in items)
    return frozenset(
        (str(i.get("target")), i.get("region_code"), bool(i.get("primary", False))) for i in items
    )


def list_changed(member: Member, olds: dict[str, Any], news: dict[str, Any]) -> bool:
    """Whether a list differs as a set (an unknown one counts as a change)."""
    old, new = _as_set(member, olds.get(member.name)), _as_set(member, news.get(member.name))
    return bool(new == UNKNOWN or old != new)


def diff(olds: dict[str, Any], news: dict[str, Any]) -> lifecycle.Plan:
    """The plan: lists compare as sets, a new ``user_id`` means a new set."""
    changed = []
    for prop in SET.inputs:
        member = next((m for m in MEMBERS if m.name == prop.name), None)
        if member is not None:
            differs = list_changed(member, olds, news)
        else:
            default = prop.default
            differs = olds.get(prop.name, default) != news.get(prop.name, default)
        if differs:
            changed.append(prop.name)
    return lifecycle.Plan(changed, [n for n in changed if SET.prop(n).replaces], SET.stables)


def preview_create(props: dict[str, Any]) -> dict[str, Any]:
    """What a create reports before it runs: the inputs, the contacts unknown."""
    return {**props, **{m.contacts: UNKNOWN for m in managed(props)}}


def preview_update(olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
    """What an update reports before it runs: the contacts of a changed list unknown."""
    result = {**news}
    for member in MEMBERS:
        if news.get(member.name) is None:
            continue
        result[member.contacts] = (
            UNKNOWN if list_changed(member, olds, news) else olds.get(member.contacts, UNKNOWN)
        )
    return result


def deletion_warning(client: IlertClient, props: dict[str, Any]) -> str | None:
    """What the preview of a new set says it would delete: every existing contact of a managed kind
    that the set does not list (one list per managed kind, kept for the create that follows). With
    an element still unknown, what it *may* delete. ``None`` when it deletes nothing, or when the
    inputs or the user cannot be judged yet (the create reports that)."""
    user_id = props.get("user_id")
    if not isinstance(user_id, str) or is_unknown(user_id):
        return None
    doomed: list[str] = []
    unknown = False
    for member in managed(props):
        items = props[member.name]
        if is_unknown(items):
            unknown = True
            items = []
        listed = DIRECTORY.contacts(client, member.kind, user_id)
        if listed is None:
            return None
        known = set()
        for item in items:
            target = _target(member, item)
            if is_unknown(item) or is_unknown(target):
                unknown = True
            else:
                known.add(member.kind.comparable_target(str(target)))
        doomed += [
            f"{member.kind.label} {c.get('target')} (id {cid})"
            for cid, c in sorted(listed.items())
            if member.kind.comparable_target(str(c.get("target", ""))) not in known
        ]
    if not doomed:
        return None
    verb = "may delete (some targets are not known yet)" if unknown else "deletes"
    return (
        f"this new {SET.resource} set of user {user_id} {verb} {len(doomed)} existing contact(s) it "
        f"does not list: {', '.join(doomed)}"
    )


# -- lifecycle ---------------------------------------------------------------------------------


def parse_id(id_: str) -> str:
    """A set's id is its user id."""
    text = str(id_).strip()
    if not text.isascii() or not text.isdigit() or int(text) == 0:
        raise IlertError(f"malformed contact set id {id_!r}: expected the numeric ilert user id, e.g. '1001'")
    return str(int(text))


def create(client: IlertClient, props: dict[str, Any]) -> lifecycle.Created:
    """Make the user's contacts of each managed kind exactly the listed ones: adopt those that exist
    (a PUT only where a field differs), POST the missing, DELETE the unlisted. One list per kind."""
    inputs = checked_inputs(props)
    return lifecycle.Created(inputs["user_id"], _converge(client, inputs, managed(inputs)))


def update(client: IlertClient, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
    """Write only the difference. The lists that changed are converged on the user's live list (the
    state may be stale after an interrupted ``up``); a change of ``delete_on_destroy`` alone, or a
    list no longer managed, calls nothing."""
    inputs = checked_inputs(news)
    changed = tuple(m for m in managed(inputs) if list_changed(m, olds, inputs))
    outputs = _converge(client, inputs, changed)
    for member in managed(inputs):
        if member not in changed:
            outputs[member.contacts] = olds.get(member.contacts)
    return outputs


def read(client: IlertClient, id_: str, props: dict[str, Any]) -> lifecycle.Observed | None:
    """What ilert holds for the set: one list per managed kind (both for an import, given only the
    id). A refresh of a user ilert no longer has gets ``None``; an import of one fails."""
    user_id = parse_id(id_)
    importing = not any(props.get(m.name) is not None for m in MEMBERS)
    members = MEMBERS if importing else managed(props)
    inputs: dict[str, Any] = {
        "user_id": user_id,
        "delete_on_destroy": bool(props.get("delete_on_destroy") or False),
    }
    outputs: dict[str, Any] = {}
    for member in members:
        listed = DIRECTORY.contacts(client, member.kind, user_id)
        if listed is None:
            if importing:
                raise _no_user(user_id, f"Unable to import {SET.resource} {id_!r}")
            return None
        items, contacts = _observed(member, props.get(member.name) or [], listed, normalise=importing)
        inputs[member.name] = items
        outputs[member.contacts] = contacts
    return lifecycle.Observed(user_id, {**inputs, **outputs}, inputs)


def observe(client: IlertClient, id_: str, props: dict[str, Any]) -> lifecycle.Observed | None:
    """The read of both faces (refresh or import)."""
    try:
        return read(client, id_, props)
    except IlertError as exc:
        if exc.context:
            raise
        raise IlertError(exc.detail, context=f"Unable to read {SET.resource} {id_!r}") from None


def delete(client: IlertClient, id_: str, props: dict[str, Any]) -> None:
    """Forget the set; with ``delete_on_destroy``, DELETE every contact it lists (one gone already
    counts as deleted)."""
    if not props.get("delete_on_destroy"):
        return
    user_id = parse_id(id_)
    members = [m for m in managed(props) if props[m.name]]  # an empty list: nothing to delete
    jobs: list[Callable[[], None]] = []
    for member, listed in zip(members, _lists(client, members, user_id), strict=True):
        if not listed:
            continue
        wanted = {member.kind.comparable_target(str(_target(member, i))) for i in props[member.name]}
        for contact in listed.values():
            if member.kind.comparable_target(str(contact.get("target", ""))) in wanted:
                jobs.append(_deleter(client, member.kind, user_id, int(contact["id"])))
    _run_all(jobs)


# -- helpers -----------------------------------------------------------------------------------


def _no_user(user_id: str, context: str) -> IlertNotFoundError:
    return IlertNotFoundError(
        f"ilert has no user {user_id} (or the API key may not see it); give the id of an existing user",
        context=context,
        status=404,
    )


def _deleter(client: IlertClient, kind: ContactKind, user_id: str, contact_id: int) -> Callable[[], None]:
    return lambda: lifecycle.remove(client, kind, user_id, contact_id)


_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _shared_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=POOL_SIZE, thread_name_prefix="ilert-set")
        return _pool


def _run_all(
    jobs: Sequence[Callable[[], Any]], gated: Sequence[Callable[[], Any]] = (), gate: int = 0
) -> list[Any]:
    """Run ``jobs``, at most ``WRITERS`` at once, on the process's pool; then their results in order.

    ``gated`` jobs start once the first ``gate`` of ``jobs`` have succeeded (the primary number
    before the numbers that lose their primary to it), and do not run if one of those failed.
    Every job that starts runs to its end, then the first failure (in job order) is raised.
    """
    everything = [*jobs, *gated]
    if not everything:
        return []
    ready = deque(range(len(jobs)))
    held = deque(range(len(jobs), len(everything)))
    awaited = set(range(min(gate, len(jobs))))
    if not awaited:
        ready.extend(held)
        held.clear()
    results: list[Any] = [None] * len(everything)
    failures: list[tuple[int, BaseException]] = []
    running: dict[Future[Any], int] = {}
    pool = _shared_pool()
    while ready or running:
        while ready and len(running) < WRITERS:
            i = ready.popleft()
            running[pool.submit(everything[i])] = i
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            i = running.pop(future)
            failure = future.exception()
            if failure is None:
                results[i] = future.result()
            else:
                failures.append((i, failure))
            if i in awaited:
                awaited.discard(i)
                if failure is not None:
                    held.clear()  # the gate failed: its gated jobs do not run
                elif not awaited:
                    ready.extend(held)
                    held.clear()
    if failures:
        raise min(failures, key=lambda f: f[0])[1]
    return results


def _lists(
    client: IlertClient, members: Sequence[Member], user_id: str
) -> list[dict[int, dict[str, Any]] | None]:
    """The user's contacts of each member's kind (one list each, at once)."""
    return _run_all([_lister(client, m.kind, user_id) for m in members])


def _lister(client: IlertClient, kind: ContactKind, user_id: str) -> Callable[[], Any]:
    return lambda: DIRECTORY.contacts(client, kind, user_id)


def _converge(client: IlertClient, inputs: dict[str, Any], members: tuple[Member, ...]) -> dict[str, Any]:
    """Make each member's kind match its list; the outputs (the inputs and each contact).

    Both kinds are listed at once, then every write of the set runs on one window of ``WRITERS``:
    the unlisted contacts' DELETEs and the listed contacts' creates or adoptions, the primary
    number first (making it primary clears the others, in ilert and in the process's list, so a
    number that loses its primary to it needs no PUT of its own): the other numbers of its list
    wait for it, the emails do not.
    """
    user_id = inputs["user_id"]
    outputs = dict(inputs)
    lists = _lists(client, members, user_id)
    if any(listed is None for listed in lists):
        raise _no_user(user_id, f"Unable to manage the contacts of user {user_id}")
    primaries: list[tuple[Member, int]] = []
    free: list[tuple[Member, int]] = []
    waiting: list[tuple[Member, int]] = []
    deletes: list[Callable[[], None]] = []
    for member, listed in zip(members, lists, strict=True):
        assert listed is not None
        kind, items = member.kind, inputs[member.name]
        wanted = {kind.comparable_target(str(_target(member, i))) for i in items}
        deletes += [
            _deleter(client, kind, user_id, cid)
            for cid, contact in listed.items()
            if kind.comparable_target(str(contact.get("target", ""))) not in wanted
        ]
        first = [i for i, item in enumerate(items) if isinstance(item, dict) and item.get("primary")]
        primaries += [(member, i) for i in first]
        rest = [(member, i) for i in range(len(items)) if i not in first]
        (waiting if first else free).extend(rest)

    def ensure(member: Member, i: int) -> Callable[[], dict[str, Any]]:
        item = inputs[member.name][i]
        kind = member.kind
        single = {"user_id": user_id, "adopt": True, **({"target": item} if kind is EMAIL else item)}

        def run() -> dict[str, Any]:
            created = lifecycle.create(client, kind, single)
            DIRECTORY.hand_to_set(client, kind, user_id, int(created.outputs["contact_id"]))
            return _contact(member, item, created.outputs)

        return run

    ordered = [*primaries, *free, *waiting]
    done = _run_all(
        [*(ensure(*e) for e in primaries), *deletes, *(ensure(*e) for e in free)],
        [ensure(*e) for e in waiting],
        gate=len(primaries),
    )
    made = done[: len(primaries)] + done[len(primaries) + len(deletes) :]
    by_place = dict(zip(((m.name, i) for m, i in ordered), made, strict=True))
    for member in members:
        outputs[member.contacts] = [by_place[(member.name, i)] for i in range(len(inputs[member.name]))]
    return outputs


def _contact(member: Member, item: Any, outputs: dict[str, Any]) -> dict[str, Any]:
    """One managed contact as the set's output reports it."""
    fields = {"target": _target(member, item), **{f: outputs.get(f) for f in member.fields}}
    return {**fields, "contact_id": outputs["contact_id"], "status": outputs["status"]}


def _observed(
    member: Member, declared: list[Any], listed: dict[int, dict[str, Any]], *, normalise: bool
) -> tuple[list[Any], list[dict[str, Any]]]:
    """ilert's contacts of one kind as the set's list and contacts: those the state lists first, in
    its order and spelling, then any others (made by hand) in ilert's order."""
    kind = member.kind
    by_target = {kind.comparable_target(str(c.get("target", ""))): c for c in listed.values()}
    order: list[tuple[Any, dict[str, Any]]] = []
    taken: set[int] = set()
    for given in declared:
        if is_unknown(given):
            continue
        contact = by_target.get(kind.comparable_target(str(_target(member, given))))
        if contact is not None and int(contact["id"]) not in taken:
            taken.add(int(contact["id"]))
            order.append((_target(member, given), contact))
    for cid in sorted(listed):
        if cid not in taken:
            contact = listed[cid]
            target = str(contact.get("target", ""))
            order.append((_declared_target(kind, target) if normalise else target, contact))
    items: list[Any] = []
    contacts: list[dict[str, Any]] = []
    for target, contact in order:
        live = kind.from_api(contact)
        item: Any = (
            target
            if kind is EMAIL
            else {
                "target": target,
                "region_code": live.get("region_code"),
                "primary": bool(live.get("primary")),
            }
        )
        items.append(item)
        contacts.append(_contact(member, item, live))
    return items, contacts


def _declared_target(kind: ContactKind, target: str) -> str:
    """An imported target as a program declares it: an email normalised as check does (one that
    fails validation is kept as ilert holds it); ilert holds numbers in E.164 already."""
    if kind is not EMAIL:
        return target
    outcome = check_contact(kind, {"user_id": "1", "target": target})
    return str(outcome.inputs.get("target", target))


def camel(name: str) -> str:
    """The schema name of one of the set's properties."""
    return camel_name(SET, name)
