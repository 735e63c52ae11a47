"""``pulumi-resource-ilert-contacts``: the plugin's gRPC server, as the engine starts it.

The SDK's servicer does the wire work. Ours only changes how a failure reads: the SDK lets an
exception escape to grpc, which shows the user ``Unexpected <class '...'>: ...``; here a failure
is answered with its own message (``Unable to create email contact for user 1001: ...``), which the
engine prints as the resource's error.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import grpc
import grpc.aio
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi.provider.experimental.provider import DiffRequest, DiffResponse, PropertyDiffKind
from pulumi.provider.experimental.server import ProviderServicer
from pulumi.runtime import proto
from pulumi.runtime._grpc_settings import _GRPC_CHANNEL_OPTIONS
from pulumi.runtime.proto import provider_pb2_grpc

from .._version import __version__
from ..core.errors import IlertError
from .provider import ContactsProvider, ProviderConfigureRequest

log = logging.getLogger("pulumi_ilert_contacts.plugin")


async def _answer(call: Awaitable[Any], context: grpc.aio.ServicerContext) -> Any:
    """Await a handler; a failure becomes an error answer that carries its message."""
    try:
        return await call
    except IlertError as exc:
        await context.abort(grpc.StatusCode.UNKNOWN, str(exc))
    except (grpc.aio.AbortError, asyncio.CancelledError):
        raise
    except Exception as exc:  # a bug: say what it was, and keep the traceback in the plugin's log
        log.exception("ilert-contacts plugin failed")
        await context.abort(grpc.StatusCode.UNKNOWN, f"ilert-contacts plugin: {type(exc).__name__}: {exc}")


def _diff_answer(response: DiffResponse) -> Any:
    """``response`` as the protocol's ``DiffResponse``, translated as the SDK's ``Diff`` does."""
    if response.changes is None:
        changes = proto.DiffResponse.DIFF_UNKNOWN
    else:
        changes = proto.DiffResponse.DIFF_SOME if response.changes else proto.DiffResponse.DIFF_NONE
    return proto.DiffResponse(
        replaces=response.replaces,
        stables=response.stables,
        deleteBeforeReplace=response.delete_before_replace,
        changes=changes,
        diffs=response.diffs,
        detailedDiff={
            key: proto.PropertyDiff(kind=_DIFF_KINDS[diff.kind], inputDiff=diff.input_diff)
            for key, diff in (response.detailed_diff or {}).items()
        },
        hasDetailedDiff=True,
    )


_DIFF_KINDS = {
    PropertyDiffKind.ADD: proto.PropertyDiff.ADD,
    PropertyDiffKind.ADD_REPLACE: proto.PropertyDiff.ADD_REPLACE,
    PropertyDiffKind.DELETE: proto.PropertyDiff.DELETE,
    PropertyDiffKind.DELETE_REPLACE: proto.PropertyDiff.DELETE_REPLACE,
    PropertyDiffKind.UPDATE: proto.PropertyDiff.UPDATE,
    PropertyDiffKind.UPDATE_REPLACE: proto.PropertyDiff.UPDATE_REPLACE,
}


class ContactsServicer(ProviderServicer):
    """The SDK's servicer, with every handler's failure answered by its own message (see
    ``_HANDLERS``: each is registered once, by ``_answered``)."""

    async def _diff_config(self, request: Any) -> Any:
        # Not the SDK's: its DiffConfig (v3.259.0) reads ``PropertyDiff.inputDiff`` (the attribute
        # is ``input_diff``) and sends the kind and ``changes`` untranslated, so any change of the
        # provider's inputs (a new endpoint or token) failed the update with an AttributeError.
        response = await self._provider.diff_config(
            DiffRequest(
                request.urn,
                request.id,
                PropertyValue.unmarshal_map(request.olds),
                PropertyValue.unmarshal_map(request.news),
                list(request.ignoreChanges),
            )
        )
        return _diff_answer(response)

    async def _configure(self, request: Any) -> Any:
        # Not the SDK's: its ConfigureRequest drops the provider's URN, which tells an explicit
        # provider (whose token is its own input) from the default one (the stack config's).
        response = await self._provider.configure(
            ProviderConfigureRequest(
                dict(request.variables),
                PropertyValue.unmarshal_map(request.args),
                request.acceptSecrets,
                request.acceptResources,
                urn=request.urn,
            )
        )
        return proto.ConfigureResponse(
            acceptSecrets=response.accept_secrets,
            acceptResources=response.accept_resources,
            acceptOutputs=response.accept_outputs,
            supportsPreview=response.supports_preview,
        )


_Handler = Callable[[ContactsServicer, Any, Any], Awaitable[Any]]


def _sdk(name: str) -> _Handler:
    """The SDK servicer's own handler ``name``, without the SDK's failure wrapper.

    Newer SDKs (3.27x) wrap each handler in ``_raise_with_traceback``, which re-raises every
    failure as a bare ``Exception`` whose message carries the plugin's traceback: our errors would
    lose their type (so ``_answer`` could not tell them from a bug) and users would read a stack
    trace. The wrapper is a closure over the handler it wraps; take that handler. Like the other
    uses of the SDK's internals, this lives here alone, and the newest-SDK run of ``make compat``
    is what catches a change.
    """
    handler: Any = getattr(ProviderServicer, name)
    while getattr(handler, "__name__", name) != name:
        inner = [
            cell.cell_contents
            for cell in handler.__closure__ or ()
            if callable(cell.cell_contents) and getattr(cell.cell_contents, "__name__", None) == name
        ]
        if len(inner) != 1:
            break
        handler = inner[0]
    wrapped: _Handler = handler
    return wrapped


_HANDLERS: dict[str, _Handler] = {
    "DiffConfig": lambda servicer, request, _context: servicer._diff_config(request),
    "Configure": lambda servicer, request, _context: servicer._configure(request),
    **{
        name: _sdk(name)
        for name in ("CheckConfig", "Check", "Diff", "Create", "Read", "Update", "Delete", "Invoke")
    },
}
"""The gRPC handlers the plugin serves, each answered through ``_answer``."""


def _answered(name: str, handler: _Handler) -> Callable[[ContactsServicer, Any, Any], Awaitable[Any]]:
    async def answered(self: ContactsServicer, request: Any, context: Any) -> Any:
        return await _answer(handler(self, request, context), context)

    answered.__name__ = answered.__qualname__ = name
    return answered


for _name, _handler in _HANDLERS.items():
    setattr(ContactsServicer, _name, _answered(_name, _handler))


def main(argv: Sequence[str] | None = None) -> None:
    """Serve the plugin: print the port for the engine, then answer until it hangs up."""
    args = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="pulumi-resource-ilert-contacts", description=__doc__)
    parser.add_argument("engine", nargs="?", help="the engine's address (given by the Pulumi CLI)")
    parser.add_argument("--logflow", action="store_true", help="ignored")
    parser.add_argument("--logtostderr", action="store_true", help="ignored")
    parser.add_argument("-v", type=int, default=0, help="ignored")
    parser.add_argument("--tracing", default=None, help="ignored")
    known, _ = parser.parse_known_args(args)
    if not known.engine:
        parser.error(
            "this is a Pulumi resource plugin: the Pulumi CLI starts it; "
            "`pulumi package get-schema pulumi-resource-ilert-contacts` prints its schema"
        )

    async def serve() -> None:
        server = grpc.aio.server(options=_GRPC_CHANNEL_OPTIONS)
        servicer = ContactsServicer(
            args, __version__, ContactsProvider(known.engine), engine_address=known.engine
        )
        provider_pb2_grpc.add_ResourceProviderServicer_to_server(servicer, server)
        port = server.add_insecure_port("127.0.0.1:0")
        await server.start()
        sys.stdout.write(f"{port}\n")
        sys.stdout.flush()
        await server.wait_for_termination()

    with contextlib.suppress(KeyboardInterrupt):  # the engine stops plugins with SIGINT
        asyncio.run(serve())
