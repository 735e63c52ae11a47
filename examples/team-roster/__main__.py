"""Contacts for a whole on-call team, declared in a YAML roster file.

Stack config:
  rosterFile     path of the roster (default roster.yaml, next to this program)
  defaultRegion  region for phone entries without one (default DE)
  contactSets    true: one UserContacts per person, which owns that person's contacts (default
                 false: one ContactEmail / ContactPhoneNumber per contact); see README.md
"""

import re
from pathlib import Path

import pulumi
import yaml
from pulumi_ilert_contacts import ContactEmail, ContactPhoneNumber, UserContacts

config = pulumi.Config()
roster_path = Path(config.get("rosterFile") or Path(__file__).parent / "roster.yaml")
default_region = config.get("defaultRegion") or "DE"
contact_sets = config.get_bool("contactSets") or False
roster = yaml.safe_load(roster_path.read_text())


def slug(text: str) -> str:
    """A stable, readable piece of a resource name (renaming a resource would replace it)."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# A roster written by `pulumi-ilert-contacts generate --format yaml-roster` describes contacts that
# exist already: `adopt: true` takes them over instead of creating them, and `retain_on_delete: true`
# leaves them in ilert when they are removed from the roster. (A set always adopts what it lists,
# and removing it never deletes a contact: it needs neither.)
adopt = bool(roster.get("adopt", False))
opts = pulumi.ResourceOptions(retain_on_delete=True) if roster.get("retain_on_delete") else None


def person_set(who: str, user_id: str, user: dict) -> UserContacts:
    """One UserContacts for a person: exactly the roster's addresses and numbers. A person without
    an `emails:` (or `phones:`) key leaves that kind unmanaged; an empty list means none."""
    phones = user.get("phones")
    return UserContacts(
        f"{who}-contacts",
        user_id=user_id,
        emails=user.get("emails"),
        phone_numbers=None
        if phones is None
        else [
            {
                "target": str(phone["number"]),
                "region_code": phone.get("region", default_region),
                "primary": bool(phone.get("primary", False)),
            }
            for phone in phones
        ],
    )


def person_contacts(who: str, user_id: str, user: dict) -> list[pulumi.CustomResource]:
    """One ContactEmail per address and one ContactPhoneNumber per number of a person."""
    created: list[pulumi.CustomResource] = []
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
    return created


summary = {}
for user in roster["users"]:
    user_id = str(user["user_id"])
    who = slug(str(user.get("name") or user_id))
    if contact_sets:
        summary[who] = [person_set(who, user_id, user).id]
    else:
        summary[who] = [c.id for c in person_contacts(who, user_id, user)]

pulumi.export("contacts", summary)
