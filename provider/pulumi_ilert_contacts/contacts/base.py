"""What both contact providers share: check, diff, create (with lost-response recovery and
adoption), read, update and delete, written once against a ``ContactKind``.

The provider instance holds nothing: it is pickled into the Pulumi state by reference, and the
client, the token and the caches live in their modules, per process.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from .. import config
from ..client import IlertClient, shared_client
from ..errors import (
    IlertConnectionError,
    IlertError,
    IlertNotFoundError,
    IlertServerError,
    IlertValidationError,
)
from ..kinds import OUTPUT_NAMES, ContactKind
from ..validation import PROVIDER_KEY, check_contact
from .directory import DIRECTORY, same_target

CREATE_ATTEMPTS = 3
"""POSTs tried at most for one create; each after a lost answer is preceded by a look-up."""

_DEFAULTS: dict[str, Any] = {"primary": False, "adopt": False}


def make_id(user_id: str, contact_id: int) -> str:
    """The Pulumi resource id: ``"<user_id>:<contact_id>"``."""
    return f"{user_id}:{contact_id}"


def parse_id(id_: str) -> tuple[str, int]:
    """Split a resource id into user id and contact id."""
    user_id, sep, contact_id = id_.partition(":")
    if not sep or not user_id.isdigit() or not contact_id.isdigit():
        raise IlertError(f"malformed ilert contact id {id_!r}: expected '<user_id>:<contact_id>'")
    return user_id, int(contact_id)


class ContactProvider(ResourceProvider):
    """Dynamic provider for one ``ContactKind``; subclasses only name the kind."""

    kind: ClassVar[ContactKind]

    # The serialized provider is a reference to this importable class and captures no secret,
    # so it need not be encrypted in the state (and `pulumi stack export` stays readable).
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        """Take ``ilert:apiToken`` and ``ilert:endpoint`` from the stack config (per process)."""
        config.set_from_stack_config(req.config)

    # -- planning: never calls the API -------------------------------------------------------

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate and normalise the inputs; every problem names the property and the reason."""
        outcome = check_contact(self.kind, news)
        return CheckResult(
            outcome.inputs, [CheckFailure(prop, reason) for prop, reason in outcome.failures]
        )

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """Compare the user's properties only; a new ``user_id`` means a new contact."""
        changed = [
            prop
            for prop in self.kind.input_names
            if olds.get(prop, _DEFAULTS.get(prop)) != news.get(prop, _DEFAULTS.get(prop))
        ]
        replaces = [prop for prop in changed if prop == "user_id"]
        return DiffResult(
            changes=bool(changed),
            replaces=replaces,
            stables=[] if replaces else ["user_id", "contact_id"],
            delete_before_replace=False,
        )

    # -- lifecycle --------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Create the contact (or take over an existing one with ``adopt=True``)."""
        inputs = self._inputs(props)
        client = shared_client()
        user_id = inputs["user_id"]
        try:
            if inputs["adopt"] or config.adopt_existing():
                existing = DIRECTORY.find_by_target(client, self.kind, user_id, inputs["target"])
                if existing is not None:
                    contact = self._reconcile(client, user_id, existing, inputs)
                    return CreateResult(make_id(user_id, int(contact["id"])), self._outputs(inputs, contact))
            contact = self._post(client, user_id, inputs)
        finally:
            DIRECTORY.invalidate(client, self.kind, user_id)
        return CreateResult(make_id(user_id, int(contact["id"])), self._outputs(inputs, contact))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """The live contact; an empty id when it is gone, so refresh drops it from the state."""
        user_id, contact_id = parse_id(id_)
        contact = DIRECTORY.find(shared_client(), self.kind, user_id, contact_id)
        if contact is None:
            return ReadResult("", {})
        live = self.kind.from_api(contact)
        if "target" in props and same_target(self.kind, str(live["target"]), str(props["target"])):
            # The same mailbox in another spelling is no drift.
            live["target"] = props["target"]
        inputs = {
            "user_id": user_id,
            **{prop: live[prop] for prop, _ in self.kind.fields},
            "adopt": bool(props.get("adopt", False)),
        }
        return ReadResult(id_, {**inputs, "contact_id": live["contact_id"], "status": live["status"]}, inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Full-replace PUT of the contact; a change of ``adopt`` alone calls nothing."""
        inputs = self._inputs(news)
        user_id, contact_id = parse_id(id_)
        if all(olds.get(prop) == inputs[prop] for prop, _ in self.kind.fields):
            return UpdateResult(
                {**inputs, "contact_id": olds.get("contact_id", contact_id), "status": olds.get("status")}
            )
        client = shared_client()
        try:
            contact = client.update_contact(self.kind, user_id, contact_id, self.kind.to_api(inputs))
        except IlertNotFoundError as exc:
            raise exc.with_hint(
                "it was deleted outside Pulumi: run `pulumi refresh` and `pulumi up` to create it again"
            ) from None
        finally:
            DIRECTORY.invalidate(client, self.kind, user_id)
        return UpdateResult(self._outputs(inputs, contact))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        """DELETE the contact; one that is already gone counts as deleted."""
        user_id, contact_id = parse_id(id_)
        client = shared_client()
        try:
            client.delete_contact(self.kind, user_id, contact_id)
        finally:
            DIRECTORY.invalidate(client, self.kind, user_id)

    # -- helpers ----------------------------------------------------------------------------

    def _inputs(self, props: dict[str, Any]) -> dict[str, Any]:
        """The checked user properties from a property bag (re-checked: create and update may be
        called without a preceding check, e.g. by tests or an old state)."""
        outcome = check_contact(self.kind, {k: v for k, v in props.items() if k != PROVIDER_KEY})
        if outcome.failures:
            raise IlertError("; ".join(reason for _, reason in outcome.failures))
        return outcome.inputs

    def _outputs(self, inputs: dict[str, Any], contact: dict[str, Any]) -> dict[str, Any]:
        # The user's spelling of the fields is kept (it is what diff compares against); ilert
        # supplies what only it knows.
        return {**inputs, "contact_id": int(contact["id"]), "status": contact.get("status")}

    def _post(self, client: IlertClient, user_id: str, inputs: dict[str, Any]) -> dict[str, Any]:
        """POST the contact without ever creating it twice.

        A POST whose answer is lost (connection dropped, timeout, 5xx from a proxy) may still have
        created the contact; resending it blindly would make a duplicate. So each such failure is
        followed by a fresh look-up by target: if the contact is there it is taken, else the POST
        is tried again.
        """
        body = self.kind.to_api(inputs)
        failure: IlertError | None = None
        for attempt in range(CREATE_ATTEMPTS):
            if attempt:
                assert failure is not None
                try:
                    existing = DIRECTORY.find_by_target(client, self.kind, user_id, inputs["target"])
                except IlertError as lookup:
                    # Report the create that failed, not the look-up that could not tell whether it
                    # landed, and say how to recover if it did.
                    raise failure.with_hint(
                        f"looking it up afterwards failed too ({lookup.detail}), so it may exist in "
                        "ilert: if the next `pulumi up` says so, run it with ILERT_ADOPT_EXISTING=true"
                    ) from None
                if existing is not None:
                    return self._reconcile(client, user_id, existing, inputs)
                time.sleep(0.5 * attempt)
            try:
                return client.create_contact(self.kind, user_id, body)
            except (IlertConnectionError, IlertServerError) as exc:
                failure = exc
            except IlertValidationError as exc:
                existing = DIRECTORY.find_by_target(client, self.kind, user_id, inputs["target"])
                if existing is None:
                    raise
                if failure is not None:
                    # Our own earlier POST landed after all (its answer was lost): take it.
                    return self._reconcile(client, user_id, existing, inputs)
                raise exc.with_hint(
                    f"ilert already has this {self.kind.label} (id {existing['id']}): set adopt=True to "
                    "manage the existing contact, or remove it in ilert (after an interrupted "
                    "`pulumi up` that created it, run `pulumi up` again with ILERT_ADOPT_EXISTING=true)"
                ) from None
        assert failure is not None
        raise failure

    def _reconcile(
        self, client: IlertClient, user_id: str, contact: dict[str, Any], inputs: dict[str, Any]
    ) -> dict[str, Any]:
        """Make an existing contact match the inputs (one PUT, only if something differs)."""
        wanted = self.kind.to_api(inputs)
        differs = any(
            not same_target(self.kind, str(contact.get(api)), str(value))
            if api == "target"
            else contact.get(api) != value
            for api, value in wanted.items()
        )
        if not differs:
            return contact
        return client.update_contact(self.kind, user_id, int(contact["id"]), wanted)


def resource_props(kind: ContactKind, args: Any, overrides: dict[str, Any]) -> dict[str, Any]:
    """The property bag of a resource: ``args`` fields, overridden by keyword arguments, plus the
    outputs seeded as ``None`` so that every ``pulumi.Output`` attribute resolves."""
    props: dict[str, Any] = {name: getattr(args, name, None) for name in kind.input_names}
    props.update({name: value for name, value in overrides.items() if value is not None})
    props.update({name: None for name in OUTPUT_NAMES})
    return props
