"""Contacts for a whole on-call team, declared in a YAML roster file.

Stack config:
  rosterFile     path of the roster (default roster.yaml, next to this program)
  defaultRegion  region for phone entries without one (default DE)
"""

import re
from pathlib import Path

import pulumi
import yaml
from pulumi_ilert_contacts import ContactEmail, ContactPhoneNumber

config = pulumi.Config()
roster_path = Path(config.get("rosterFile") or Path(__file__).parent / "roster.yaml")
default_region = config.get("defaultRegion") or "DE"
roster = yaml.safe_load(roster_path.read_text())


def slug(text: str) -> str:
    """A stable, readable piece of a resource name (renaming a resource would replace it)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# A roster written by `pulumi-ilert-contacts generate --format yaml-roster` describes contacts that
# exist already: `adopt: true` takes them over instead of creating them, and `retain_on_delete: true`
# leaves them in ilert when they are removed from the roster.
adopt = bool(roster.get("adopt", False))
opts = pulumi.ResourceOptions(retain_on_delete=True) if roster.get("retain_on_delete") else None

summary = {}
for user in roster["users"]:
    user_id = str(user["user_id"])
    who = slug(str(user.get("name") or user_id))
    created = []
    for address in user.get("emails", []):
        created.append(
            ContactEmail(
                f"{who}-email-{slug(address)}", user_id=user_id, target=address, adopt=adopt, opts=opts
            )
        )
    for phone in user.get("phones", []):
        created.append(
            ContactPhoneNumber(
                f"{who}-phone-{slug(str(phone['number']))}",
                user_id=user_id,
                region_code=phone.get("region", default_region),
                target=str(phone["number"]),
                primary=bool(phone.get("primary", False)),
                adopt=adopt,
                opts=opts,
            )
        )
    summary[who] = [c.id for c in created]

pulumi.export("contacts", summary)
