"""Upgrade baseline: the dynamic resources (the default for Python programs), with adoption."""

import pulumi
from pulumi_ilert_contacts import ContactEmail, ContactPhoneNumber

config = pulumi.Config()

email = ContactEmail("jane-email", user_id="1001", target=config.get("email") or "jane@example.com")
mobile = ContactPhoneNumber(
    "jane-mobile",
    user_id=1001,
    region_code="de",
    target=config.get("phone") or "0151 23456789",
    primary=True,
)
# ilert's login email of user 1002, taken over rather than created.
login = ContactEmail("login-email", user_id="1002", target="user1002@example.com", adopt=True)

pulumi.export("email_id", email.id)
pulumi.export("phone_target", mobile.target)
pulumi.export("login_status", login.status)
