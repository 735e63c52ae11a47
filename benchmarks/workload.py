"""The contacts a benchmark declares, and the one Pulumi program that declares them.

N contacts over N/10 users, each user with five email addresses and five phone numbers. The
program reads the list from ``contacts.json`` beside it, so an update is a rewrite of that file,
and the same program serves the real resources (dynamic or through the plugin) and the floor's
stand-ins.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

FIRST_USER = 2001
CONTACTS_PER_USER = 10

PROGRAM = """\
import json

{imports}

for c in json.load(open("contacts.json")):
    if c["kind"] == "email":
        {email}(c["name"], user_id=c["user_id"], target=c["target"])
    else:
        {phone}(c["name"], user_id=c["user_id"], region_code=c["region_code"], target=c["target"])
"""

VARIANTS = {
    "http": {
        "imports": "from pulumi_ilert_contacts import ContactEmail, ContactPhoneNumber",
        "email": "ContactEmail",
        "phone": "ContactPhoneNumber",
    },
    "floor": {
        "imports": "from floor_provider import FloorEmail, FloorPhoneNumber",
        "email": "FloorEmail",
        "phone": "FloorPhoneNumber",
    },
    # The plugin face: the same program with the native classes (same argument names).
    "plugin": {
        "imports": "from pulumi_ilert_contacts.native import ContactEmail, ContactPhoneNumber",
        "email": "ContactEmail",
        "phone": "ContactPhoneNumber",
    },
}
PLUGIN_DIR = Path(sys.executable).parent
"""Where ``pip install`` put ``pulumi-resource-ilert-contacts``: the plugin variant's ``Pulumi.yaml``
names it in a ``plugins:`` entry (no PATH look-up, no warning per resource)."""
PLUGIN_USER_OFFSET = 50_000
"""The plugin variant's users are ``FIRST_USER + PLUGIN_USER_OFFSET`` on, so that it and the dynamic
variant can share one emulator in a run without meeting each other's contacts."""


def users_for(n: int, first_user: int = FIRST_USER) -> list[int]:
    """The ilert user ids of an N-contact workload (at least one), from ``first_user`` on."""
    return [first_user + i for i in range(max(1, n // CONTACTS_PER_USER))]


def contacts(n: int, version: int = 0, first_user: int = FIRST_USER) -> list[dict[str, Any]]:
    """N contacts, alternating email and phone, spread evenly over ``users_for(n, first_user)``.

    ``version`` > 0 changes the target of every tenth contact (10 %), which is an in-place update.
    """
    users = users_for(n, first_user)
    result: list[dict[str, Any]] = []
    for i in range(n):
        # Consecutive pairs (one email, one phone) go to the same user, round robin.
        user = users[(i // 2) % len(users)]
        changed = version > 0 and i % 10 == 0
        suffix = f"v{version}" if changed else "v0"
        if i % 2 == 0:
            result.append(
                {"kind": "email", "name": f"email-{i}", "user_id": str(user),
                 "target": f"oncall-{i}-{suffix}@example.com"}
            )  # fmt: skip
        else:
            # German mobile numbers: 0151 and eight digits, unique per contact and version.
            number = f"+49151{(i * 10 + (version if changed else 0)) % 10**8:08d}"
            result.append(
                {"kind": "phone", "name": f"phone-{i}", "user_id": str(user), "region_code": "DE",
                 "target": number}
            )  # fmt: skip
    return result


def changed_count(n: int) -> int:
    """How many contacts ``contacts(n, version>0)`` changes."""
    return len(range(0, n, 10))


def write_program(workdir: Path, variant: str, project: str) -> None:
    """``Pulumi.yaml`` and ``__main__.py`` of the variant (``http``, ``floor`` or ``plugin``)."""
    workdir.mkdir(parents=True, exist_ok=True)
    header = f"name: {project}\nruntime: python\n"
    if variant == "plugin":
        header += f"plugins:\n  providers:\n    - name: ilert-contacts\n      path: {PLUGIN_DIR}\n"
    (workdir / "Pulumi.yaml").write_text(header)
    (workdir / "__main__.py").write_text(PROGRAM.format(**VARIANTS[variant]))


def write_contacts(workdir: Path, n: int, version: int = 0, first_user: int = FIRST_USER) -> None:
    """The program's ``contacts.json``."""
    (workdir / "contacts.json").write_text(json.dumps(contacts(n, version, first_user)))


def plugin_source(generated: str) -> str:
    """A program written by ``generate``, with the plugin's native classes for the dynamic ones."""
    real = "from pulumi_ilert_contacts import "
    if real not in generated:
        raise ValueError("the generated program does not import from pulumi_ilert_contacts")
    return generated.replace(real, "from pulumi_ilert_contacts.native import ", 1)


def floor_source(generated: str) -> str:
    """A program written by ``generate``, with the floor's stand-ins for the real resources."""
    real = "from pulumi_ilert_contacts import ContactEmail, ContactPhoneNumber"
    if real not in generated:
        raise ValueError("the generated program does not import ContactEmail and ContactPhoneNumber")
    return generated.replace(
        real, "from floor_provider import FloorEmail as ContactEmail, FloorPhoneNumber as ContactPhoneNumber"
    )
