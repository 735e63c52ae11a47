"""0.1.0's module of ``ContactEmail``; its provider is pickled under this name in old states."""

from ..dynamic.email import ContactEmail, ContactEmailArgs, ContactEmailProvider

__all__ = ["ContactEmail", "ContactEmailArgs", "ContactEmailProvider"]
