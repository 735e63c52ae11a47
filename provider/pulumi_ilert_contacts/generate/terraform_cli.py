"""``generate --from-terraform PATH``: read the state, look the contacts up in ilert, write the program.

Every check of the input and of the command line (the state's shape, provider aliases that are
not mapped) comes before the first call to ilert, and the program is written only once every list
has been read: any failure is a message on stderr, a non-zero exit and no file. The report (what
was left out and why) and the rest of the move follow the program, on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys

from .cli import EXIT_ERROR, EXIT_USAGE, _say, _without, written
from .document import STDIN


def read_input(path: str) -> tuple[str, str]:
    """(text, source name) of ``path`` (``-``: standard input); ``OSError`` or ``ValueError``."""
    if path == "-":
        data = sys.stdin.buffer.read()
        source = STDIN
    else:
        with open(path, "rb") as handle:
            data = handle.read()
        source = path
    try:
        return data.decode("utf-8-sig"), source
    except UnicodeDecodeError:
        raise ValueError(
            f"{source}: expected a Terraform state (JSON text), found bytes that are not UTF-8 text"
        ) from None


def run_from_terraform(args: argparse.Namespace, timestamp: str | None) -> int:
    """Carry out ``generate --from-terraform``; returns the exit status."""
    from ..core.config import DEFAULT_ENDPOINT, ENDPOINT_ENV, current, normalise_endpoint
    from ..core.errors import IlertError
    from .document import Generation
    from .from_terraform import (
        MigrationError,
        check_aliases,
        next_steps,
        parse_alias,
        reconcile,
        report_lines,
        sort_state,
    )
    from .output import emit
    from .pulumi_yaml import render_pulumi_yaml
    from .python_source import render_python
    from .tfstate import TerraformInputError, parse_text

    if args.format == "yaml-roster":
        _say("error: --from-terraform writes --format python or pulumi-yaml")
        return EXIT_USAGE
    try:
        accounts = tuple(parse_alias(text) for text in args.aliases)
    except ValueError as exc:
        _say(f"error: --alias: {exc}")
        return EXIT_USAGE
    if len({a.alias for a in accounts}) != len(accounts):
        _say("error: --alias: an alias is mapped twice")
        return EXIT_USAGE

    try:
        text, source = read_input(args.from_terraform)
    except OSError as exc:
        _say(f"error: cannot read {args.from_terraform}: {exc.strerror or exc}")
        _say("nothing was written")
        return EXIT_ERROR
    except ValueError as exc:
        _say(f"error: {exc}")
        _say("nothing was written")
        return EXIT_ERROR
    try:
        state = parse_text(text, source)
        inventory = sort_state(state)
        check_aliases(inventory, accounts, args.format)
    except (TerraformInputError, MigrationError) as exc:
        _say(f"error: {exc}")
        _say("nothing was written")
        return EXIT_ERROR

    secrets = [a.token_env for a in accounts]
    token: str | None = None
    try:
        if any(contact.obj.provider is None for contact in inventory.contacts):
            settings = current()
            token = settings.token
            endpoint = settings.endpoint
        else:  # every contact is another account's: the default one is not called, its key not needed
            endpoint = normalise_endpoint(os.environ.get(ENDPOINT_ENV) or DEFAULT_ENDPOINT)
        found = len(inventory.contacts)
        _say(
            f"{source}: {found} contact{'' if found == 1 else 's'}, {len(inventory.lookups)} "
            f"look-up{'' if len(inventory.lookups) == 1 else 's'}, {len(inventory.foreign)} other "
            f"object{'' if len(inventory.foreign) == 1 else 's'}; reading the contacts from ilert"
        )
        users, migration = reconcile(
            state, inventory, accounts, _say, aliases=tuple(args.aliases), sets=args.sets
        )
    except (IlertError, MigrationError) as exc:
        message = str(exc)
        for secret in [token, *(os.environ.get(name) for name in secrets)]:
            message = _without(message, secret)
        _say(f"error: {message}")
        _say("nothing was written")
        return EXIT_ERROR

    generation = Generation(
        endpoint=endpoint,
        users=users,
        timestamp=timestamp,
        retain_on_delete=args.retain_on_delete,
        format_name=args.format,
        project=args.project,
        migration=migration,
        sets=args.sets,
    )
    render = render_pulumi_yaml if args.format == "pulumi-yaml" else render_python
    output = render(generation)
    where = "standard output" if args.out in (None, "-") else args.out
    try:
        emit(output, args.out)
    except OSError as exc:
        _say(f"error: cannot write to {where}: {exc.strerror or exc}")
        return EXIT_ERROR
    _say(f"wrote {written(generation)} to {where}")
    for line in report_lines(migration):
        if line.startswith("  "):
            print(line, file=sys.stderr)
        else:
            _say(line)
    for line in next_steps(migration, args.out, args.format):
        print(line, file=sys.stderr)
    sys.stderr.flush()
    return 0
