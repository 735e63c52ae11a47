"""The plugin face: the SDK's ``pulumi.provider.experimental`` ``Provider`` over ``core.lifecycle``.

One instance serves one Pulumi provider resource (the engine starts a plugin process for each,
default or explicit), so the account it talks to - token and endpoint from ``configure`` - lives on
the instance. Each handler translates names and types (``properties.py``), runs the core in a
worker thread (the core is blocking I/O; the gRPC server is one event loop) and wraps the result.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import grpc
import grpc.aio
from pulumi.provider.experimental.provider import (
    CheckFailure,
    CheckRequest,
    CheckResponse,
    ConfigureRequest,
    ConfigureResponse,
    CreateRequest,
    CreateResponse,
    DeleteRequest,
    DiffRequest,
    DiffResponse,
    GetSchemaRequest,
    GetSchemaResponse,
    InvokeRequest,
    InvokeResponse,
    PropertyDiff,
    PropertyDiffKind,
    Provider,
    ReadRequest,
    ReadResponse,
    UpdateRequest,
    UpdateResponse,
)
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

from ..core import config, lifecycle
from ..core.client import IlertClient
from ..core.errors import IlertError, IlertNotFoundError
from ..core.kinds import ADOPT, TARGET, USER_ID, ContactKind, camel_name
from ..core.ratelimit import check_store, redact_store
from ..core.validation import UNKNOWN, check_contact
from . import user_contacts
from .properties import check_failures, inbound, plain, to_python, to_wire
from .schema import (
    ADOPT_CONFIG,
    ENDPOINT_CONFIG,
    KIND_BY_FUNCTION,
    KIND_BY_RESOURCE,
    PACKAGE,
    RATE_STORE_CONFIG,
    TOKEN_CONFIG,
    function_name,
    schema_json,
)

T = TypeVar("T")

WORKERS = 16
"""Threads for core calls: the engine drives a provider from up to --parallel operations at once."""


class PluginError(IlertError):
    """A request the plugin cannot serve (an unknown type token)."""


class ProviderConfigureRequest(ConfigureRequest):
    """The SDK's ``ConfigureRequest`` with the provider's URN, which the SDK drops: an explicit
    provider is told from the default one (configured from the stack config) by its name."""

    def __init__(
        self,
        variables: dict[str, str],
        args: dict[str, Any],
        accept_secrets: bool,
        accept_resources: bool,
        urn: str = "",
    ) -> None:
        super().__init__(variables, args, accept_secrets, accept_resources)
        self.urn = urn


class ContactsProvider(Provider):
    """The ``ilert-contacts`` provider: two contact resources and the contact set (``UserContacts``,
    served by ``user_contacts.py``), two functions, one account per instance."""

    def __init__(self, engine_address: str | None = None) -> None:
        self.engine_address = engine_address
        """The engine's gRPC address, for warnings in its output (``_warn``)."""
        self._executor = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="ilert")
        self._lock = threading.Lock()
        self._resolved = config.resolve({}, {}, os.environ, namespace=PACKAGE)
        self._client: IlertClient | None = None

    # -- provider configuration --------------------------------------------------------------

    async def get_schema(self, request: GetSchemaRequest) -> GetSchemaResponse:
        """The package schema, derived from the property table."""
        return GetSchemaResponse(schema=schema_json())

    async def check_config(self, request: CheckRequest) -> CheckResponse:
        """Refuse an endpoint that would send the token in the clear, at preview; keep the token secret."""
        news = dict(request.new_inputs)
        failures = []
        if plain(news.get(ENDPOINT_CONFIG)) != UNKNOWN:
            given = {name: plain(value) for name, value in news.items()}
            resolved = config.resolve(given, {}, os.environ, namespace=PACKAGE)
            try:
                config.normalise_endpoint(resolved.endpoint)
            except IlertError as exc:
                failures.append(CheckFailure(ENDPOINT_CONFIG, f"{PACKAGE}:{ENDPOINT_CONFIG}: {exc}"))
        token = news.get(TOKEN_CONFIG)
        if token is not None:
            news[TOKEN_CONFIG] = token.with_secret(True)
        store = plain(news.get(RATE_STORE_CONFIG))
        if store not in (None, "", UNKNOWN):
            key = f"{PACKAGE}:{RATE_STORE_CONFIG}"
            try:
                check_store(str(store), key)
            except IlertError as exc:
                # No property named: the engine would print its value, password and all.
                failures.append(CheckFailure("", f"{key}: {exc}"))
            if redact_store(str(store)) != str(store):  # it holds a password
                news[RATE_STORE_CONFIG] = news[RATE_STORE_CONFIG].with_secret(True)
        return CheckResponse(inputs=news, failures=failures)

    async def diff_config(self, request: DiffRequest) -> DiffResponse:
        """A new token or endpoint updates the provider in place; it never replaces the contacts."""
        olds, news = request.old_state, request.new_inputs
        keys = (TOKEN_CONFIG, ENDPOINT_CONFIG, ADOPT_CONFIG, RATE_STORE_CONFIG)
        changed = [key for key in keys if olds.get(key) != news.get(key)]
        return DiffResponse(
            changes=bool(changed),
            diffs=changed,
            detailed_diff={key: PropertyDiff(PropertyDiffKind.UPDATE, True) for key in changed},
        )

    async def configure(self, request: ConfigureRequest) -> ConfigureResponse:
        """Take the account from the provider's inputs: an explicit provider's own, or the default
        provider's (the stack config), falling back to ``ILERT_API_TOKEN`` / ``ILERT_ENDPOINT``."""
        given = {
            name: plain(request.args.get(name)) or request.variables.get(f"{PACKAGE}:config:{name}")
            for name in (TOKEN_CONFIG, ENDPOINT_CONFIG, ADOPT_CONFIG, RATE_STORE_CONFIG)
        }
        explicit = explicit_provider_name(getattr(request, "urn", ""))
        resolved = config.resolve(
            given if explicit else {},
            {} if explicit else given,
            os.environ,
            namespace=PACKAGE,
            explicit=explicit,
        )
        config.normalise_endpoint(resolved.endpoint)
        with self._lock:
            self._resolved = resolved
            self._client = None
        return ConfigureResponse(accept_secrets=True, supports_preview=True)

    async def _warn(self, urn: str, message: str) -> None:
        """A warning on the resource ``urn`` in the engine's output (its log service); nothing when
        the plugin was not told the engine's address (in-process tests)."""
        if not self.engine_address:
            return
        channel = grpc.aio.insecure_channel(self.engine_address)
        try:
            request = engine_pb2.LogRequest(severity=engine_pb2.WARNING, message=message, urn=urn)
            await engine_pb2_grpc.EngineStub(channel).Log(request)
        finally:
            await channel.close()

    @property
    def _adopt_existing(self) -> bool:
        return self._resolved.adopt_existing

    def _ilert(self) -> IlertClient:
        """The client of this provider's account, made on first use (a no-op preview needs none)."""
        with self._lock:
            if self._client is None:
                self._client = IlertClient(self._resolved.settings())
            return self._client

    async def _run(self, call: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, call)

    # -- resources ---------------------------------------------------------------------------

    async def check(self, request: CheckRequest) -> CheckResponse:
        """Validate and normalise the inputs before any API call; failures name the property."""
        if user_contacts.is_set(request.type):
            return user_contacts.check(request)
        kind = _resource_kind(request.type)
        news = inbound(kind, request.new_inputs)
        outcome = check_contact(kind, news.props, naming=lambda _kind, prop: news.spell(kind, prop))
        return CheckResponse(
            inputs=to_wire(kind, outcome.inputs, secrets=news.secrets),
            failures=check_failures(news, kind, outcome.failures),
        )

    async def diff(self, request: DiffRequest) -> DiffResponse:
        """The plan, computed without calling ilert."""
        if user_contacts.is_set(request.type):
            return user_contacts.diff(request)
        kind = _resource_kind(request.type)
        plan = lifecycle.diff(kind, to_python(kind, request.old_state), to_python(kind, request.new_inputs))
        return DiffResponse(
            changes=bool(plan.changed),
            replaces=[camel_name(kind, p) for p in plan.replaces],
            stables=[camel_name(kind, p) for p in plan.stables],
            delete_before_replace=False,
            diffs=[camel_name(kind, p) for p in plan.changed],
            detailed_diff={
                camel_name(kind, p): PropertyDiff(
                    PropertyDiffKind.UPDATE_REPLACE if p in plan.replaces else PropertyDiffKind.UPDATE, True
                )
                for p in plan.changed
            },
        )

    async def create(self, request: CreateRequest) -> CreateResponse:
        """Create the contact (or take over an existing one with ``adopt``); in preview, what the
        core says a create reports."""
        if user_contacts.is_set(request.type):
            return await user_contacts.create(request, self._ilert, self._run, self._warn)
        kind = _resource_kind(request.type)
        props = inbound(kind, request.properties)
        if request.preview:
            preview = lifecycle.preview_create(props.props)
            return CreateResponse("", to_wire(kind, preview, secrets=props.secrets))
        client = self._ilert()
        created = await self._run(
            lambda: lifecycle.create(client, kind, props.props, adopt_existing=self._adopt_existing)
        )
        return CreateResponse(created.id, to_wire(kind, created.outputs, secrets=props.secrets))

    async def read(self, request: ReadRequest) -> ReadResponse:
        """The live contact (refresh, import, ``get``); an empty id when it is gone."""
        if user_contacts.is_set(request.type):
            return await user_contacts.read(request, self._ilert, self._run)
        kind = _resource_kind(request.type)
        state = inbound(kind, request.properties)
        props = {**to_python(kind, request.inputs), **state.props}
        client = self._ilert()
        observed = await self._run(lambda: lifecycle.observe(client, kind, request.resource_id, props))
        if observed is None:
            return ReadResponse("", {}, {})
        return ReadResponse(
            observed.id,
            to_wire(kind, observed.outputs, secrets=state.secrets),
            to_wire(kind, observed.inputs, secrets=state.secrets),
        )

    async def update(self, request: UpdateRequest) -> UpdateResponse:
        """Full-replace PUT of the contact; a change of ``adopt`` alone calls nothing."""
        if user_contacts.is_set(request.type):
            return await user_contacts.update(request, self._ilert, self._run)
        kind = _resource_kind(request.type)
        olds, news = to_python(kind, request.olds), inbound(kind, request.news)
        if request.preview:
            preview = lifecycle.preview_update(kind, olds, news.props)
            return UpdateResponse(to_wire(kind, preview, secrets=news.secrets))
        client = self._ilert()
        outputs = await self._run(
            lambda: lifecycle.update(client, kind, request.resource_id, olds, news.props)
        )
        return UpdateResponse(to_wire(kind, outputs, secrets=news.secrets))

    async def delete(self, request: DeleteRequest) -> None:
        """DELETE the contact; one that is already gone counts as deleted, one that a contact set of
        this run lists now is kept (a warning on the resource says so)."""
        if user_contacts.is_set(request.type):
            return await user_contacts.delete(request, self._ilert, self._run)
        kind = _resource_kind(request.type)
        client = self._ilert()
        kept = await self._run(lambda: lifecycle.delete(client, kind, request.resource_id))
        if kept:
            await self._warn(request.urn, kept)

    # -- functions ---------------------------------------------------------------------------

    async def invoke(self, request: InvokeRequest) -> InvokeResponse:
        """``getContactEmail`` / ``getContactPhoneNumber``: a user's contact by its target."""
        kind = KIND_BY_FUNCTION.get(request.tok)
        if kind is None:
            known = ", ".join(KIND_BY_FUNCTION)
            raise PluginError(f"unknown function {request.tok!r}; this provider has {known}")
        name = function_name(kind)
        args = inbound(kind, request.args)
        outcome = check_contact(
            kind, args.props, naming=lambda _kind, prop: args.spell(kind, prop), subject=name, lookup=True
        )
        if outcome.failures:
            return InvokeResponse(failures=check_failures(args, kind, outcome.failures))
        client = self._ilert()
        user_id, target = outcome.inputs[USER_ID], outcome.inputs[TARGET]
        try:
            found = await self._run(lambda: lifecycle.lookup(client, kind, user_id, target))
        except IlertNotFoundError as exc:
            return InvokeResponse(failures=[CheckFailure(camel_name(kind, TARGET), f"{name}: {exc}")])
        outputs = {k: v for k, v in found.outputs.items() if k != ADOPT}
        return InvokeResponse(return_value=to_wire(kind, outputs))


def explicit_provider_name(urn: str) -> str | None:
    """The name of an explicit provider from its URN; ``None`` for a default provider (named
    ``default`` or ``default_<version>`` by the engine, configured from the stack config) or when
    the engine sent no URN."""
    name = urn.rpartition("::")[2] if urn else ""
    if not name or name == "default" or name.startswith("default_"):
        return None
    return name


def _resource_kind(qualified_type: str) -> ContactKind:
    # The SDK takes the type from the URN, where a resource with a parent carries the parent's
    # type in front (``acme:index:Team$ilert-contacts:index:ContactEmail``); ours is the last.
    type_token = qualified_type.rpartition("$")[2]
    kind = KIND_BY_RESOURCE.get(type_token)
    if kind is None:
        known = ", ".join(KIND_BY_RESOURCE)
        raise PluginError(f"unknown resource type {type_token!r}; this provider has {known}")
    return kind
