"""The dynamic-provider face: ``pulumi.dynamic.ResourceProvider`` methods over ``core.lifecycle``.

The provider instance holds nothing: it is pickled into the Pulumi state by reference, and the
client, the token and the caches live in the core's modules, per process. Properties cross this
face under their Python names, so it only turns core results into ``pulumi.dynamic`` results.
"""

from __future__ import annotations

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

from ..core import config, lifecycle
from ..core.client import shared_client
from ..core.kinds import ContactKind
from ..core.validation import check_contact
from . import engine_log


class ContactProvider(ResourceProvider):
    """Dynamic provider for one ``ContactKind``; subclasses only name the kind."""

    kind: ClassVar[ContactKind]

    # The serialized provider is a reference to this importable class and captures no secret,
    # so it need not be encrypted in the state (and `pulumi stack export` stays readable).
    serialize_as_secret_always = False

    def configure(self, req: ConfigureRequest) -> None:
        """Take ``ilert:apiToken`` and ``ilert:endpoint`` from the stack config (per process)."""
        config.set_from_stack_config(req.config)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Validate and normalise the inputs; every problem names the property and the reason."""
        outcome = check_contact(self.kind, news)
        return CheckResult(
            outcome.inputs, [CheckFailure(prop, reason) for prop, reason in outcome.failures]
        )

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """The plan, computed without calling ilert."""
        plan = lifecycle.diff(self.kind, olds, news)
        return DiffResult(
            changes=bool(plan.changed),
            replaces=plan.replaces,
            stables=plan.stables,
            delete_before_replace=False,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        """Create the contact (or take over an existing one with ``adopt=True``)."""
        created = lifecycle.create(
            shared_client(), self.kind, props, adopt_existing=config.adopt_existing()
        )
        return CreateResult(created.id, created.outputs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """The live contact; an empty id when it is gone, so refresh drops it from the state."""
        observed = lifecycle.observe(shared_client(), self.kind, id_, props)
        if observed is None:
            return ReadResult("", {})
        return ReadResult(observed.id, observed.outputs, observed.inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Full-replace PUT of the contact; a change of ``adopt`` alone calls nothing."""
        return UpdateResult(lifecycle.update(shared_client(), self.kind, id_, olds, news))

    def delete(self, id_: str, _props: dict[str, Any]) -> None:
        """DELETE the contact; one that is already gone counts as deleted, one that a contact set of
        this run lists now is kept (a warning on the resource says so)."""
        kept = lifecycle.delete(shared_client(), self.kind, id_)
        if kept:
            engine_log.warn(kept)

