"""``ContactEmail``: an email address ilert notifies a user at."""

from __future__ import annotations

from typing import ClassVar

import pulumi
import pulumi.dynamic

from ..core.kinds import EMAIL, ContactKind, declared_props
from ..declarations import ContactEmailArgs, ContactOutputs, get_options
from .provider import ContactProvider

__all__ = ["ContactEmail", "ContactEmailArgs", "ContactEmailProvider"]


class ContactEmailProvider(ContactProvider):
    """The dynamic provider behind ``ContactEmail``."""

    kind: ClassVar[ContactKind] = EMAIL


class ContactEmail(
    ContactOutputs, pulumi.dynamic.Resource, module="ilert", name="ContactEmail"
):
    """An email contact of an ilert user.

    Example::

        from pulumi_ilert_contacts import ContactEmail

        email = ContactEmail("jane-email", user_id="1234", target="jane@example.com")
        pulumi.export("email_status", email.status)

    The resource id is ``"<user_id>:<contact_id>"``.
    """

    def __init__(
        self,
        resource_name: str,
        args: ContactEmailArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        user_id: pulumi.Input[str | int] | None = None,
        target: pulumi.Input[str] | None = None,
        adopt: pulumi.Input[bool] | None = None,
    ) -> None:
        """
        :param resource_name: The Pulumi name of the resource.
        :param args: The arguments, as a ``ContactEmailArgs`` (keyword arguments override them).
        :param opts: Resource options.
        """
        props = declared_props(EMAIL, args, {"user_id": user_id, "target": target, "adopt": adopt})
        super().__init__(ContactEmailProvider(), resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],  # shadows the builtin, as in Pulumi's generated SDKs
        opts: pulumi.ResourceOptions | None = None,
    ) -> ContactEmail:
        """Read an existing ilert email contact without managing it.

        The engine reads the contact at every ``pulumi preview``/``up``; it never changes or
        deletes it. Every output attribute is set from ilert. Example::

            login = ContactEmail.get("login", "1001:17")
            pulumi.export("login_target", login.target)

        :param resource_name: The Pulumi name of the resource (unique among the program's resources).
        :param id: The contact's id, ``"<user_id>:<contact_id>"``.
        :param opts: Resource options (``id`` is set from ``id``).
        :raises IlertError: ``id`` is not of the form ``"<user_id>:<contact_id>"``. A contact ilert
            does not have fails the ``pulumi`` command.
        """
        return ContactEmail(resource_name, opts=get_options(EMAIL, resource_name, id, opts))
