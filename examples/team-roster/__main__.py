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


summary = {}
for user in roster["users"]:
    user_id = str(user["user_id"])
    who = slug(user.get("name") or user_id)
    created = []
    for address in user.get("emails", []):
        created.append(ContactEmail(f"{who}-email-{slug(address)}", user_id=user_id, target=address))
    for phone in user.get("phones", []):
        created.append(
            ContactPhoneNumber(
                f"{who}-phone-{slug(phone['number'])}",
                user_id=user_id,
                region_code=phone.get("region", default_region),
                target=phone["number"],
                primary=bool(phone.get("primary", False)),
            )
        )
    summary[who] = [c.id for c in created]

pulumi.export("contacts", summary)
