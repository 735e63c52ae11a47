"""The ``generate`` subcommand: read users' contacts, render them, write the result.

    pulumi-ilert-contacts generate --user 1001 --user 1002 [--out contacts.py]
        [--format python|pulumi-yaml|yaml-roster] [--project NAME] [--retain-on-delete]
        [--sets] [--timestamp WHEN]
    pulumi-ilert-contacts generate --from-terraform terraform.tfstate [--alias A=ENDPOINT,VAR] ...

Credentials and endpoint come from ``ILERT_API_TOKEN`` and ``ILERT_ENDPOINT``, as everywhere else.
Progress goes to stderr, one line per user. Any failure (no token, unknown user, refused key,
network) is reported on stderr with a non-zero exit, and nothing is written.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import TYPE_CHECKING, Any

from .stamp import parse_timestamp

if TYPE_CHECKING:
    from ..core.client import IlertClient
    from .document import Generation
    from .inventory import UserContacts

EXIT_ERROR = 1
EXIT_USAGE = 2
FORMATS = ("python", "pulumi-yaml", "yaml-roster")
PROJECT_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}")
"""What Pulumi accepts as a project name."""


def _user_id(text: str) -> str:
    """A ``--user`` value in canonical form (``"01001"`` is user ``"1001"``)."""
    stripped = text.strip()
    if not stripped.isascii() or not stripped.isdigit() or int(stripped) == 0:
        raise argparse.ArgumentTypeError(f"expected a positive numeric ilert user id, got {text!r}")
    return str(int(stripped))


def _project(text: str) -> str:
    if not PROJECT_NAME.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"expected a Pulumi project name (letters, digits, '-', '_', '.'; at most 100), got {text!r}"
        )
    return text


def _timestamp(text: str) -> str:
    try:
        parse_timestamp(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def add_parser(subcommands: Any) -> argparse.ArgumentParser:
    """Add ``generate`` to the ``subcommands`` of the top-level parser."""
    parser: argparse.ArgumentParser = subcommands.add_parser(
        "generate",
        help="write a program that adopts users' existing contacts",
        description=(
            "Read the email and phone number contacts of the given ilert users and write Pulumi "
            "code declaring each of them (with adopt=True in Python, with the import option in "
            "Pulumi YAML), so that `pulumi up` takes them over instead of creating them. Uses "
            "ILERT_API_TOKEN and ILERT_ENDPOINT."
        ),
    )
    parser.add_argument(
        "--user",
        dest="users",
        action="append",
        type=_user_id,
        metavar="ID",
        help="numeric ilert user id; repeat for several users",
    )
    parser.add_argument(
        "--from-terraform",
        metavar="PATH",
        help="instead of --user: the contacts a Terraform/OpenTofu state manages (a state file of "
        "format version 4, or the JSON of `terraform show -json`; - for standard input), "
        "declared as ilert holds them",
    )
    parser.add_argument(
        "--alias",
        dest="aliases",
        action="append",
        default=[],
        metavar="ALIAS=ENDPOINT,TOKEN_VARIABLE",
        help="with --from-terraform: the ilert account of a provider alias of the state (its API "
        "endpoint and the environment variable holding its API key); repeat per alias",
    )
    parser.add_argument("--out", metavar="FILE", help="file to write (default: standard output)")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="python",
        help="python: a Pulumi Python program (default); pulumi-yaml: a Pulumi YAML program "
        "(Pulumi.yaml) importing each contact by id; yaml-roster: a roster for examples/team-roster",
    )
    parser.add_argument(
        "--project",
        type=_project,
        metavar="NAME",
        help="the project name of the pulumi-yaml output (default: ilert-contacts)",
    )
    parser.add_argument(
        "--retain-on-delete",
        action="store_true",
        help="mark every resource retain_on_delete, so removing it or `pulumi destroy` leaves the "
        "contact in ilert (advised for contacts made by hand, such as the login email)",
    )
    parser.add_argument(
        "--sets",
        action="store_true",
        help="one UserContacts set per user, listing every contact ilert holds for the user (the "
        "login email included), instead of one resource per contact; the set then owns the user's "
        "contacts (python and pulumi-yaml)",
    )
    parser.add_argument(
        "--timestamp",
        type=_timestamp,
        metavar="WHEN",
        help="date for the header: an ISO 8601 date or date-time, epoch seconds, or 'none'; "
        "default SOURCE_DATE_EPOCH if set, else today's date (UTC)",
    )
    parser.set_defaults(handler=run)
    return parser


def _say(message: str) -> None:
    print(f"pulumi-ilert-contacts: {message}", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    """Carry out ``generate``; returns the exit status."""
    # The API client and validation pull in requests, phonenumbers and email-validator: only
    # load them once a command actually needs them.
    from ..core.client import IlertClient
    from ..core.config import current
    from ..core.errors import IlertError
    from .document import Generation, public_endpoint
    from .output import emit
    from .pulumi_yaml import render_pulumi_yaml
    from .python_source import render_python
    from .roster import render_roster
    from .stamp import resolve_timestamp

    if (args.from_terraform is None) == (not args.users):
        _say("error: give either --user (one or more) or --from-terraform")
        return EXIT_USAGE
    if args.aliases and args.from_terraform is None:
        _say("error: --alias applies to --from-terraform only")
        return EXIT_USAGE
    users: list[str] = list(dict.fromkeys(args.users or ()))
    if args.project is not None and args.format != "pulumi-yaml":
        _say("error: --project applies to --format pulumi-yaml only")
        return EXIT_USAGE
    if args.sets and args.format == "yaml-roster":
        _say(
            "error: --sets applies to --format python and pulumi-yaml (a roster is per person already: "
            "examples/team-roster reads it as sets with `pulumi config set contactSets true`)"
        )
        return EXIT_USAGE
    if args.sets and args.retain_on_delete:
        _say(
            "error: --retain-on-delete does not apply to --sets: destroying a set, or removing it from "
            "the program, already leaves its contacts in ilert"
        )
        return EXIT_USAGE
    try:
        timestamp = resolve_timestamp(args.timestamp, os.environ)
    except ValueError as exc:
        _say(f"error: {exc}")
        return EXIT_USAGE
    if args.from_terraform is not None:
        from .terraform_cli import run_from_terraform

        return run_from_terraform(args, timestamp)

    token: str | None = None
    try:
        settings = current()
        token = settings.token
        plural = "" if len(users) == 1 else "s"
        _say(f"reading the contacts of {len(users)} user{plural} from {public_endpoint(settings.endpoint)}")
        read = _read_users(IlertClient(settings), users)
    except IlertError as exc:
        _say(f"error: {_without(str(exc), token)}")
        _say("nothing was written")
        return EXIT_ERROR

    generation = Generation(
        endpoint=settings.endpoint,
        users=tuple(read),
        timestamp=timestamp,
        retain_on_delete=args.retain_on_delete,
        format_name=args.format,
        project=args.project,
        sets=args.sets,
    )
    renderers = {"python": render_python, "pulumi-yaml": render_pulumi_yaml, "yaml-roster": render_roster}
    text = renderers[args.format](generation)
    where = "standard output" if args.out in (None, "-") else args.out
    try:
        emit(text, args.out)
    except OSError as exc:
        _say(f"error: cannot write to {where}: {exc.strerror or exc}")
        return EXIT_ERROR
    _say(f"wrote {written(generation)} to {where}")
    return 0


def written(generation: Generation) -> str:
    """``7 contacts``, or with ``--sets`` ``2 sets (7 contacts)``: what the output declares."""
    count = len(generation.contacts)
    contacts = f"{count} contact{'' if count == 1 else 's'}"
    if not generation.sets:
        return contacts
    sets = len(generation.users)
    return f"{sets} set{'' if sets == 1 else 's'} ({contacts})"


def _read_users(client: IlertClient, users: list[str]) -> list[UserContacts]:
    """Every user's contacts, with a progress line per user; raises ``IlertError``."""
    from ..core.errors import IlertNotFoundError
    from .document import user_summary
    from .inventory import read_user

    read = []
    for user_id in users:
        try:
            user = read_user(client, user_id)
        except IlertNotFoundError as exc:
            raise IlertNotFoundError(
                f"{exc.detail}; is {user_id} the id of an ilert user this API key can see?",
                context=exc.context,
                status=exc.status,
                code=exc.code,
                api_message=exc.api_message,
            ) from None
        read.append(user)
        _say(user_summary(user))
        for contact in user.contacts:
            for problem in contact.problems:
                _say(f"user {user_id}: warning: {contact.kind.label} {contact.contact_id}: {problem}")
    return read


def _without(message: str, secret: str | None) -> str:
    """``message`` with ``secret`` masked (errors never carry it; this makes sure)."""
    return message.replace(secret, "***") if secret else message
