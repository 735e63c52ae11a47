"""Upgrade baseline: the native provider's Python classes on the default provider, whose name
carries the package version."""

import pulumi
from pulumi_ilert_contacts.native import ContactEmail, ContactPhoneNumber

config = pulumi.Config()

email = ContactEmail("ops-email", user_id="1004", target=config.get("email") or "ops@example.com")
mobile = ContactPhoneNumber(
    "ops-mobile", user_id="1004", region_code="GB", target="+447400123456", primary=False
)

pulumi.export("email_id", email.id)
pulumi.export("phone_status", mobile.status)
