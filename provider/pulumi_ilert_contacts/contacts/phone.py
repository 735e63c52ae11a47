"""``ContactPhoneNumber``'s module before the reshape (0.1.0 and earlier), pickled in old states."""

from ..dynamic.phone import ContactPhoneNumber, ContactPhoneNumberArgs, ContactPhoneNumberProvider

__all__ = ["ContactPhoneNumber", "ContactPhoneNumberArgs", "ContactPhoneNumberProvider"]
