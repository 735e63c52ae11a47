"""0.1.0's module of ``ContactPhoneNumber``; its provider is pickled under this name in old states."""

from ..dynamic.phone import ContactPhoneNumber, ContactPhoneNumberArgs, ContactPhoneNumberProvider

__all__ = ["ContactPhoneNumber", "ContactPhoneNumberArgs", "ContactPhoneNumberProvider"]
