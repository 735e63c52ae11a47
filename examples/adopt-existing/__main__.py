"""Take over the login email contact every ilert user already has, and add a phone number.

Stack config:
  userId      the ilert user's numeric id (default 1001)
  loginEmail  the user's login email (default user<userId>@example.com, the emulator's)
  phone       an international phone number (default +4915123456789)
  region      its region (default DE)
"""

import pulumi
from pulumi_ilert_contacts import ContactEmail, ContactPhoneNumber

config = pulumi.Config()
user_id = config.get("userId") or "1001"

# adopt=True: the contact exists already, so take it over instead of creating a duplicate.
# retain_on_delete: it was not made by this stack, so removing the resource (or `pulumi destroy`)
# leaves it in ilert: the user still needs to log in.
login_email = ContactEmail(
    "login-email",
    user_id=user_id,
    target=config.get("loginEmail") or f"user{user_id}@example.com",
    adopt=True,
    opts=pulumi.ResourceOptions(retain_on_delete=True),
)

mobile = ContactPhoneNumber(
    "mobile",
    user_id=user_id,
    region_code=config.get("region") or "DE",
    target=config.get("phone") or "+4915123456789",
    primary=True,
)

pulumi.export("login_email_id", login_email.id)
pulumi.export("mobile_id", mobile.id)
