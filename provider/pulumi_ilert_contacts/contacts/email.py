"""``ContactEmail``'s module before the reshape (0.1.0 and earlier): old states pickle its provider here."""

from ..dynamic.email import ContactEmail, ContactEmailArgs, ContactEmailProvider

__all__ = ["ContactEmail", "ContactEmailArgs", "ContactEmailProvider"]
