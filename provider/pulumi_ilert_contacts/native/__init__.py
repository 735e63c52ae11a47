"""The native face for Python programs: typed classes over the ``ilert-contacts`` plugin.

Use these instead of the dynamic resources (``pulumi_ilert_contacts.ContactEmail``) when you need
``pulumi import``, several ilert accounts in one program (explicit ``Provider``), or the same
resources as programs in other languages. They need the plugin, which ``pip install
pulumi-ilert-contacts`` puts on PATH (``pulumi-resource-ilert-contacts``).
"""

from ..declarations import (
    ContactEmailArgs,
    ContactPhoneNumberArgs,
    UserContactsArgs,
    UserContactsPhoneNumberArgs,
)
from .functions import (
    GetContactEmailResult,
    GetContactPhoneNumberResult,
    get_contact_email,
    get_contact_email_output,
    get_contact_phone_number,
    get_contact_phone_number_output,
)
from .resources import ContactEmail, ContactPhoneNumber, Provider, UserContacts

__all__ = [
    "ContactEmail",
    "ContactEmailArgs",
    "ContactPhoneNumber",
    "ContactPhoneNumberArgs",
    "GetContactEmailResult",
    "GetContactPhoneNumberResult",
    "Provider",
    "UserContacts",
    "UserContactsArgs",
    "UserContactsPhoneNumberArgs",
    "get_contact_email",
    "get_contact_email_output",
    "get_contact_phone_number",
    "get_contact_phone_number_output",
]
