"""Quickstart: one ilert user with an email address and a primary mobile number."""

import pulumi
from pulumi_ilert_contacts import ContactEmail, ContactPhoneNumber

config = pulumi.Config()
user_id = config.get("userId") or "1001"

email = ContactEmail(
    "jane-email",
    user_id=user_id,
    target=config.get("email") or "jane.doe@example.com",
)

mobile = ContactPhoneNumber(
    "jane-mobile",
    user_id=user_id,
    region_code="DE",
    target=config.get("phone") or "0151 23456789",  # national form; stored as +4915123456789
    primary=True,
)

pulumi.export("email_id", email.id)
pulumi.export("email_status", email.status)
pulumi.export("phone_id", mobile.id)
pulumi.export("phone_target", mobile.target)
pulumi.export("phone_status", mobile.status)
