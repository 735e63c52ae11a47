"""Command line of pulumi-ilert-contacts: ``python -m pulumi_ilert_contacts <command>``.

    pulumi-ilert-contacts generate --user 1001 --user 1002 --out contacts.py

Commands:
  generate   write Pulumi code that adopts users' existing ilert contacts

Each command loads what it needs when it runs, so ``--help`` stays quick.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def build_parser() -> argparse.ArgumentParser:
    """The parser of the whole command line, one subparser per command."""
    from .generate import cli as generate_cli

    parser = argparse.ArgumentParser(
        prog="pulumi-ilert-contacts",
        description="Tools for managing ilert user contacts with Pulumi.",
    )
    subcommands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    generate_cli.add_parser(subcommands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        status: int = args.handler(args)
    except KeyboardInterrupt:
        print("pulumi-ilert-contacts: interrupted; nothing was written", file=sys.stderr)
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
