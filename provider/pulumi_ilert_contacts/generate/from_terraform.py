"""``generate --from-terraform``: the contacts a Terraform state manages, as ilert holds them now.

The state says which contacts Terraform manages (the contact id, the user, the target) but not
everything a Pulumi program must declare to plan no change: ``primary`` is not in ilert's
Terraform schema, and the state is as old as the last ``terraform apply`` or ``refresh``. So each
contact is looked up in ilert, one list per (account, user, kind) through the core's directory,
and declared with the values ilert holds, normalised as ``generate --user`` does:

- a contact ilert no longer has is reported (address, user, contact id) and left out;
- one whose target or region differs from the state is declared as ilert has it, and reported;
- a contact two addresses manage is declared once, under the first address, and reported.

With ``--sets`` each user with a contact the program declares becomes one ``UserContacts`` built from
ilert's full lists of that user (one per kind), not from the state alone: Terraform may manage only
some of the user's contacts. The others are listed in the set too (so the set keeps them), marked
in the program and reported, so the user sees what the set now owns before the first ``up``.

Names come from the Terraform address, so a reader can match them and they stay the same from
run to run: ``ilert_user_email_contact.oncall["jane"]`` is ``email-oncall-jane``, module
instances are prefixed (``module.team["sre"]`` → ``team-sre-…``), and addresses that would come
out alike get a short hash of their address. Data sources of the contact types become look-ups;
every other type is listed as left in Terraform. Nothing is written to ilert.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from ..core.client import IlertClient
from ..core.config import Settings, current, normalise_endpoint
from ..core.directory import ContactDirectory
from ..core.errors import IlertConfigError
from ..core.kinds import EMAIL, KINDS, PHONE, ContactKind, camel_name
from .document import PROGRAM, SecretText, user_summary, yaml_scalar
from .inventory import LiveContact, UserContacts, normalise_contact
from .naming import ContactKey, contact_key, kind_word, set_name, slug
from .tfstate import TerraformInputError, TfContact, TfObject, TfState, contact_of

_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NO_LIMIT = 1 << 20


@dataclass(frozen=True)
class Account:
    """Where the contacts of one provider alias live: ``--alias staging=ENDPOINT,TOKEN_VAR``."""

    alias: str
    endpoint: str
    token_env: str

    @property
    def config_key(self) -> str:
        """The stack config key the YAML program reads the alias's token from (``stagingApiToken``)."""
        words = slug(self.alias, _NO_LIMIT).split("-")
        return words[0] + "".join(w.capitalize() for w in words[1:]) + "ApiToken"


def parse_alias(text: str) -> Account:
    """``staging=https://api.ilert.com,ILERT_STAGING_TOKEN``; ``ValueError`` if it is not one."""
    alias, sep, rest = text.partition("=")
    endpoint, comma, env = rest.rpartition(",")
    if not sep or not comma or not alias.strip() or not endpoint.strip():
        raise ValueError(
            "expected ALIAS=ENDPOINT,TOKEN_VARIABLE "
            f"(e.g. staging=https://api.ilert.com,ILERT_STAGING_TOKEN), got {text!r}"
        )
    if not _ENV_NAME.fullmatch(env.strip()):
        raise ValueError(f"expected the name of an environment variable after the comma, got {env!r}")
    try:
        normalised = normalise_endpoint(endpoint.strip())
    except IlertConfigError as exc:
        raise ValueError(str(exc)) from None
    if not slug(alias.strip(), _NO_LIMIT):
        raise ValueError(f"expected a provider alias before '=', got {alias!r}")
    return Account(alias=alias.strip(), endpoint=normalised, token_env=env.strip())


@dataclass(frozen=True)
class Declared:
    """A contact of the state that the program declares."""

    address: str
    name: str
    account: str | None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lookup:
    """A data source of a contact type: a look-up in the program."""

    address: str
    name: str
    contact: TfContact
    account: str | None


@dataclass(frozen=True)
class Migration:
    """What a state turns into: the contacts to declare, the look-ups and everything reported."""

    source: str
    form: str
    declared: dict[ContactKey, Declared]
    lookups: tuple[Lookup, ...]
    accounts: tuple[Account, ...]
    gone: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()
    foreign: tuple[str, ...] = ()
    forget: tuple[str, ...] = ()
    """Every contact address, in the state's order: what Terraform must forget."""
    removed_from: tuple[str, ...] = ()
    """The configuration addresses of those, for ``removed`` blocks."""
    aliases: tuple[str, ...] = field(default=())
    """The ``--alias`` arguments, for the regenerating command line."""
    sets: bool = False
    """``--sets``: each user's contacts are one set built from ilert's full lists."""
    unmanaged: dict[ContactKey, str] = field(default_factory=dict)
    """With ``--sets``: the contacts a set lists that Terraform did not manage, each with the
    report line naming it."""

    def provider_name(self, alias: str) -> str:
        """The YAML resource name of the explicit provider of ``alias``."""
        return provider_name(alias)


def provider_name(alias: str) -> str:
    """``provider-staging``: the YAML resource name of the explicit provider of ``alias``."""
    return "provider-" + slug(alias, _NO_LIMIT)


class MigrationError(Exception):
    """The state cannot be moved as asked (unmapped provider aliases, Python with aliases, ...)."""


# -- from the state to the contacts --------------------------------------------------------------


@dataclass(frozen=True)
class Inventory:
    """The objects of a state sorted into contacts, look-ups and everything else."""

    contacts: tuple[TfContact, ...]
    lookups: tuple[TfContact, ...]
    foreign: tuple[TfObject, ...]


def sort_state(state: TfState) -> Inventory:
    """Checked contacts and look-ups, and the objects of other types; ``TerraformInputError``."""
    contacts: list[TfContact] = []
    lookups: list[TfContact] = []
    foreign: list[TfObject] = []
    for obj in state.objects:
        if obj.kind is None:
            foreign.append(obj)
        elif obj.mode == "data":
            lookups.append(contact_of(obj, state.source))
        elif obj.mode == "managed":
            contacts.append(contact_of(obj, state.source))
        else:
            raise TerraformInputError(state.source, obj.json_path, 'mode "managed" or "data"', repr(obj.mode))
    return Inventory(tuple(contacts), tuple(lookups), tuple(foreign))


def check_aliases(inventory: Inventory, accounts: Iterable[Account], format_name: str) -> None:
    """Every provider configuration in use is mapped; ``MigrationError`` naming those that are not."""
    used = sorted({c.obj.provider for c in (*inventory.contacts, *inventory.lookups) if c.obj.provider})
    mapped = {account.alias for account in accounts}
    missing = [alias for alias in used if alias not in mapped]
    if missing:
        names = ", ".join(missing)
        raise MigrationError(
            f"contacts of the state belong to the provider configuration{'s' if len(missing) > 1 else ''} "
            f"{names}, another ilert account the state does not name: map each with "
            f"--alias {missing[0]}=ENDPOINT,TOKEN_VARIABLE (its API endpoint and the environment "
            f"variable holding its API key)"
        )
    if used and format_name != "pulumi-yaml":
        raise MigrationError(
            f"contacts of the state belong to the provider configuration{'s' if len(used) > 1 else ''} "
            f"{', '.join(used)}: the Python output's resources manage one account per program; use "
            "--format pulumi-yaml, which declares an explicit provider per alias"
        )
    unused = sorted(mapped - set(used))
    if unused:
        raise MigrationError(f"--alias {unused[0]}: no contact of the state uses this provider configuration")


def client_for(account: Account | None) -> IlertClient:
    """The client of the default account (``ILERT_API_TOKEN``, ``ILERT_ENDPOINT``) or of an alias."""
    if account is None:
        return IlertClient(current())
    token = os.environ.get(account.token_env)
    if not token:
        raise IlertConfigError(
            f"no API key for provider alias {account.alias}: set the environment variable {account.token_env}"
        )
    source = f"{account.token_env} (provider alias {account.alias})"
    return IlertClient(Settings(endpoint=account.endpoint, token=token, token_source=source))


def reconcile(
    state: TfState,
    inventory: Inventory,
    accounts: tuple[Account, ...],
    say: Callable[[str], None],
    aliases: tuple[str, ...] = (),
    sets: bool = False,
) -> tuple[tuple[UserContacts, ...], Migration]:
    """The contacts as ilert holds them, grouped by user, and the migration around them.

    Lists each (account, user, kind) of the state's contacts once; raises ``IlertError``. With
    ``sets`` also the kinds of those users the state has no contact of, and every contact of those
    lists is declared (``unmanaged`` names those Terraform did not manage).
    """
    by_alias = {account.alias: account for account in accounts}
    directory = ContactDirectory()
    clients: dict[str | None, IlertClient] = {}
    listed: dict[tuple[str | None, str, str], dict[int, dict[str, Any]] | None] = {}

    def list_of(account: str | None, user_id: str, kind: ContactKind) -> dict[int, dict[str, Any]] | None:
        key = (account, user_id, kind.path)
        if key not in listed:
            if account not in clients:
                clients[account] = client_for(by_alias[account] if account else None)
            listed[key] = directory.contacts(clients[account], kind, user_id)
        return listed[key]

    def listing(contact: TfContact) -> dict[int, dict[str, Any]] | None:
        return list_of(contact.obj.provider, contact.user_id, contact.kind)

    names = assign_address_names(
        [c.obj for c in inventory.contacts] + [c.obj for c in inventory.lookups],
        reserved=[provider_name(a.alias) for a in accounts],
    )
    live: dict[tuple[str | None, str], list[LiveContact]] = {}
    declared: dict[ContactKey, Declared] = {}
    seen: dict[tuple[str | None, str, str, int], str] = {}
    gone: list[str] = []
    changed: list[str] = []
    duplicates: list[str] = []
    for contact in inventory.contacts:
        assert contact.contact_id is not None
        where = contact.obj.provider
        found = listing(contact)
        label = f"{contact.obj.address} ({contact.kind.label} {contact.contact_id} of user {contact.user_id}"
        label += f", provider alias {where})" if where else ")"
        if found is None or contact.contact_id not in found:
            why = f"ilert has no user {contact.user_id}" if found is None else "ilert no longer has it"
            gone.append(f"{label}: {why}; left out")
            continue
        identity = (where, contact.user_id, contact.kind.path, contact.contact_id)
        if identity in seen:
            duplicates.append(f"{label}: also managed as {seen[identity]}; declared once, under that address")
            continue
        seen[identity] = contact.obj.address
        ilert = found[contact.contact_id]
        notes = _differences(contact, ilert)
        changed.extend(f"{contact.obj.address}: {note}" for note in notes)
        adopted = normalise_contact(contact.kind, contact.user_id, ilert)
        for problem in adopted.problems:
            say(f"{contact.obj.address}: warning: the value in ilert fails validation: {problem}")
        secret_values = {
            prop: SecretText(value) if prop in contact.secrets and isinstance(value, str) else value
            for prop, value in adopted.values.items()
        }
        adopted = replace(adopted, values=secret_values)
        key = contact_key(adopted)
        if key in declared:  # the same ids in two accounts: only an emulator does that
            raise MigrationError(f"{contact.obj.address}: contact {key} is in two accounts")
        declared[key] = Declared(contact.obj.address, names[contact.obj.address], where, tuple(notes))
        live.setdefault((where, contact.user_id), []).append(adopted)

    unmanaged: dict[ContactKey, str] = {}
    if sets:
        for (where, user_id), contacts in live.items():
            contacts.extend(_unmanaged(where, user_id, contacts, list_of, unmanaged, say))
    users: list[UserContacts] = []
    for (where, user_id), contacts in sorted(
        live.items(), key=lambda item: (item[0][0] or "", int(item[0][1]))
    ):
        ordered = sorted(contacts, key=lambda c: (c.kind is not EMAIL, c.contact_id))
        users.append(UserContacts(user_id=user_id, contacts=tuple(ordered), account=where))
        say(user_summary(users[-1]))
    lookups = tuple(Lookup(c.obj.address, names[c.obj.address], c, c.obj.provider) for c in inventory.lookups)
    forget = tuple(c.obj.address for c in inventory.contacts)
    removed_from = tuple(dict.fromkeys(c.obj.config_address for c in inventory.contacts))
    migration = Migration(
        source=state.source,
        form=state.form,
        declared=declared,
        lookups=lookups,
        accounts=accounts,
        gone=tuple(gone),
        changed=tuple(changed),
        duplicates=tuple(duplicates),
        foreign=tuple(obj.address for obj in inventory.foreign),
        forget=forget,
        removed_from=removed_from,
        aliases=aliases,
        sets=sets,
        unmanaged=unmanaged,
    )
    return tuple(users), migration


def _unmanaged(
    where: str | None,
    user_id: str,
    declared: list[LiveContact],
    list_of: Callable[[str | None, str, ContactKind], dict[int, dict[str, Any]] | None],
    unmanaged: dict[ContactKey, str],
    say: Callable[[str], None],
) -> list[LiveContact]:
    """The contacts of a user's full lists that Terraform does not manage (``--sets``), each
    recorded in ``unmanaged`` with the line reporting it."""
    known = {contact_key(contact) for contact in declared}
    found: list[LiveContact] = []
    for kind in KINDS:
        for contact_id, body in sorted((list_of(where, user_id, kind) or {}).items()):
            contact = normalise_contact(kind, user_id, body)
            key = contact_key(contact)
            if key in known:
                continue
            for problem in contact.problems:
                say(
                    f"user {user_id}: warning: {kind.label} {contact_id}: the value in ilert fails "
                    f"validation: {problem}"
                )
            alias = f", provider alias {where}" if where else ""
            unmanaged[key] = (
                f"{kind.label} {contact.values.get('target')} ({contact_id} of user {user_id}{alias}): "
                f"listed in the set {set_name(user_id, where)}, which keeps it and owns it from now on"
            )
            found.append(contact)
    return found


def _differences(contact: TfContact, ilert: dict[str, Any]) -> list[str]:
    notes = []
    live_target = str(ilert.get("target", ""))
    if not contact.kind.same_target(contact.target, live_target):
        shown = "(sensitive)" if "target" in contact.secrets else f"{contact.target!r}"
        now = "(sensitive)" if "target" in contact.secrets else f"{live_target!r}"
        notes.append(f"target is {now} in ilert, {shown} in the state: declared as ilert has it")
    if contact.kind is PHONE:
        live_region = str(ilert.get("regionCode", ""))
        if contact.region_code and contact.region_code.upper() != live_region.upper():
            notes.append(
                f"region is {live_region!r} in ilert, {contact.region_code!r} in the state: "
                "declared as ilert has it"
            )
    return notes


# -- names ---------------------------------------------------------------------------------------


def base_address_name(obj: TfObject) -> str:
    """``email-oncall-jane`` for ``ilert_user_email_contact.oncall["jane"]``, modules first."""
    kind = obj.kind
    assert kind is not None
    parts = [slug(part.removeprefix("module."), _NO_LIMIT) for part in obj.modules]
    if obj.mode == "data":
        parts.append("data")
    parts.append(kind_word(kind))
    parts.append(slug(obj.name, _NO_LIMIT))
    if obj.index is not None:
        parts.append(slug(str(obj.index), _NO_LIMIT) or "x")
    return "-".join(part for part in parts if part)


def assign_address_names(objects: Iterable[TfObject], reserved: Iterable[str] = ()) -> dict[str, str]:
    """A unique resource name for every address; each depends on the addresses alone."""
    groups: dict[str, list[str]] = {}
    for obj in sorted(objects, key=lambda o: o.address):
        groups.setdefault(base_address_name(obj), []).append(obj.address)
    taken = set(reserved)
    names: dict[str, str] = {}
    for base, addresses in groups.items():
        if len(addresses) == 1 and base not in taken:
            names[addresses[0]] = base
            taken.add(base)
    for base, addresses in groups.items():
        if len(addresses) == 1 and names.get(addresses[0]) == base:
            continue
        for address in addresses:
            name = f"{base}-{hashlib.sha256(address.encode()).hexdigest()[:6]}"
            while name in taken:
                name += "-x"
            names[address] = name
            taken.add(name)
    return names


# -- what the renderers add ----------------------------------------------------------------------


def address_comment(migration: Migration, contact: LiveContact) -> list[str]:
    """The address line (and any difference from the state) above a declared contact."""
    declared = migration.declared.get(contact_key(contact))
    if declared is None:
        if contact_key(contact) in migration.unmanaged:
            return [
                "Not managed by Terraform: listed, so the set keeps it, and owns it from now on "
                "(take it out of the list and ilert deletes it)"
            ]
        return []
    lines = [f"Terraform: {declared.address}"]
    lines.extend(f"NOTE: {note}" for note in declared.notes)
    return lines


def yaml_config_lines(migration: Migration) -> list[str]:
    """The ``config:`` section declaring each alias's API key (empty without aliases)."""
    if not migration.accounts:
        return []
    lines = ["config:"]
    for account in migration.accounts:
        lines.append(f'  # pulumi config set --secret {account.config_key} "${account.token_env}"')
        lines.append(f"  {account.config_key}:")
        lines.append("    type: string")
    lines.append("")
    return lines


def yaml_provider_lines(migration: Migration, package: str) -> list[str]:
    """An explicit provider resource per alias (indented as ``resources:`` entries)."""
    lines: list[str] = []
    for account in migration.accounts:
        lines.append("")
        lines.append(f"  # the ilert account of Terraform's provider alias {account.alias}")
        lines.append(f"  {migration.provider_name(account.alias)}:")
        lines.append(f"    type: pulumi:providers:{package}")
        lines.append("    properties:")
        lines.append(f"      endpoint: {yaml_scalar(account.endpoint)}")
        lines.append(f"      apiToken: ${{{account.config_key}}}")
    return lines


def yaml_provider_option(migration: Migration, contact: LiveContact) -> list[str]:
    """``provider: ${provider-staging}`` for a contact of an alias (indented as an option)."""
    declared = migration.declared.get(contact_key(contact))
    if declared is None or declared.account is None:
        return []
    return [f"      provider: ${{{migration.provider_name(declared.account)}}}"]


def yaml_set_provider_option(migration: Migration, user: UserContacts) -> list[str]:
    """``provider: ${provider-staging}`` for the set of a user of an alias (indented as an option)."""
    if user.account is None:
        return []
    return [f"      provider: ${{{migration.provider_name(user.account)}}}"]


def _lookup_arguments(lookup: Lookup) -> list[tuple[str, Any]]:
    contact = lookup.contact
    args: list[tuple[str, Any]] = [("user_id", contact.user_id), ("target", _maybe_secret(contact, "target"))]
    if contact.kind is PHONE and contact.region_code:
        args.append(("region_code", _maybe_secret(contact, "region_code")))
    return args


def _maybe_secret(contact: TfContact, prop: str) -> Any:
    value = contact.target if prop == "target" else contact.region_code
    return SecretText(value) if prop in contact.secrets and value is not None else value


def yaml_lookup_lines(migration: Migration, function_token: Callable[[ContactKind], str]) -> list[str]:
    """A ``variables:`` section with an ``fn::invoke`` per data source (empty without any)."""
    if not migration.lookups:
        return []
    lines = ["", "variables:"]
    for lookup in migration.lookups:
        lines.append(f"  # Terraform: {lookup.address}")
        lines.append(f"  {lookup.name}:")
        lines.append("    fn::invoke:")
        lines.append(f"      function: {function_token(lookup.contact.kind)}")
        lines.append("      arguments:")
        for prop, value in _lookup_arguments(lookup):
            lines.append(f"        {camel_name(lookup.contact.kind, prop)}: {yaml_scalar(value)}")
        if lookup.account:
            lines.append("      options:")
            lines.append(f"        provider: ${{{migration.provider_name(lookup.account)}}}")
    return lines


def python_lookup_lines(migration: Migration, function_name: Callable[[ContactKind], str]) -> list[str]:
    """Comments describing each data source as a look-up of the native provider."""
    if not migration.lookups:
        return []
    lines = [
        "",
        "",
        "# --- Terraform data sources: look-ups, not resources ---",
        "# The dynamic resources have no look-up; the native provider's functions do it:",
        "#   from pulumi_ilert_contacts import native",
    ]
    for lookup in migration.lookups:
        args = ", ".join(f"{prop}={_py_literal(value)}" for prop, value in _lookup_arguments(lookup))
        python_function = re.sub(r"(?<!^)(?=[A-Z])", "_", function_name(lookup.contact.kind)).lower()
        lines.append(f"# {lookup.address}:")
        lines.append(f"#   {lookup.name.replace('-', '_')} = native.{python_function}({args})")
    return lines


def _py_literal(value: Any) -> str:
    if isinstance(value, SecretText):
        return f"pulumi.Output.secret({str(value)!r})"
    return repr(value)


# -- the report and the rest of the move ---------------------------------------------------------


def report_lines(migration: Migration) -> list[str]:
    """What the run found that the program does not say: gone, changed, duplicated, foreign."""
    lines: list[str] = []
    if migration.form == "show":
        lines.append(
            "note: the JSON of `terraform show` does not say which provider configuration each resource "
            "uses; if the configuration has aliases of the ilert provider, give the state itself "
            "(`terraform state pull`)"
        )
    for gone in migration.gone:
        lines.append(f"gone from ilert: {gone}")
    for changed in migration.changed:
        lines.append(f"differs from the state: {changed}")
    for duplicate in migration.duplicates:
        lines.append(f"managed twice: {duplicate}")
    if migration.unmanaged:
        count = len(migration.unmanaged)
        lines.append(
            f"not managed by Terraform, now owned by a set ({count}; kept, as the set lists "
            f"{'it' if count == 1 else 'them'}; take one out of its list before `pulumi up` and "
            "ilert deletes it):"
        )
        lines.extend(f"  {line}" for _, line in sorted(migration.unmanaged.items()))
    if migration.foreign:
        lines.append(f"not contacts, left in Terraform ({len(migration.foreign)}):")
        lines.extend(f"  {address}" for address in migration.foreign)
    return lines


def next_steps(migration: Migration, out: str | None, format_name: str) -> list[str]:
    """The rest of the move, in order, with the commands to run."""
    program = (
        out if out not in (None, "-") else ("Pulumi.yaml" if format_name == "pulumi-yaml" else "the program")
    )
    lines = [
        "the rest of the move, in order:",
        "  1. stop applying the Terraform configuration (CI jobs, people) until step 4 is done",
        f"  2. pulumi up with {program}: every contact is taken over, none created",
    ]
    for account in migration.accounts:
        lines.append(f'     (first: pulumi config set --secret {account.config_key} "${account.token_env}")')
    lines.append("  3. pulumi preview --expect-no-changes")
    if migration.forget:
        lines.append(
            "  4. make Terraform forget the contacts without deleting them, in its state and its "
            "configuration, or the next `terraform apply` creates them all again; either"
        )
        lines.append("     a. remove them from the state and delete their blocks from the configuration:")
        lines.extend(f"          terraform state rm {shlex.quote(address)}" for address in migration.forget)
        lines.append(
            "     b. or (Terraform >= 1.7, OpenTofu >= 1.7) replace their blocks with removed blocks "
            "and apply:"
        )
        for address in migration.removed_from:
            lines.extend(
                [
                    "          removed {",
                    f"            from = {address}",
                    "            lifecycle {",
                    "              destroy = false",
                    "            }",
                    "          }",
                ]
            )
        lines.append("     then `terraform plan` must show no ilert contact to create or destroy")
    else:
        lines.append("  4. nothing for Terraform to forget: the state manages no contact")
    if migration.lookups:
        lines.append("     the data sources can stay in Terraform; the program declares them as look-ups too")
    return [f"{PROGRAM}: {line}" if i == 0 else line for i, line in enumerate(lines)]
