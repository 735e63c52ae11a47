"""``ContactPhoneNumber``: a phone number ilert calls or texts a user at."""

from __future__ import annotations

from typing import ClassVar

import pulumi
import pulumi.dynamic

from ..core.kinds import PHONE, ContactKind, declared_props
from ..declarations import ContactPhoneNumberArgs, ContactPhoneNumberOutputs, get_options
from .provider import ContactProvider

__all__ = ["ContactPhoneNumber", "ContactPhoneNumberArgs", "ContactPhoneNumberProvider"]


class ContactPhoneNumberProvider(ContactProvider):
    """The dynamic provider behind ``ContactPhoneNumber``."""

    kind: ClassVar[ContactKind] = PHONE


class ContactPhoneNumber(
    ContactPhoneNumberOutputs, pulumi.dynamic.Resource, module="ilert", name="ContactPhoneNumber"
):
    """A phone number contact of an ilert user.

    Example::

        from pulumi_ilert_contacts import ContactPhoneNumber

        phone = ContactPhoneNumber(
            "jane-mobile", user_id="1234", region_code="DE", target="+4915123456789", primary=True
        )
        pulumi.export("phone_status", phone.status)

    The resource id is ``"<user_id>:<contact_id>"``.
    """

    def __init__(
        self,
        resource_name: str,
        args: ContactPhoneNumberArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        user_id: pulumi.Input[str | int] | None = None,
        region_code: pulumi.Input[str] | None = None,
        target: pulumi.Input[str] | None = None,
        primary: pulumi.Input[bool] | None = None,
        adopt: pulumi.Input[bool] | None = None,
    ) -> None:
        """
        :param resource_name: The Pulumi name of the resource.
        :param args: The arguments, as a ``ContactPhoneNumberArgs`` (keyword arguments override them).
        :param opts: Resource options.
        """
        props = declared_props(
            PHONE,
            args,
            {
                "user_id": user_id,
                "region_code": region_code,
                "target": target,
                "primary": primary,
                "adopt": adopt,
            },
        )
        super().__init__(ContactPhoneNumberProvider(), resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],  # shadows the builtin, as in Pulumi's generated SDKs
        opts: pulumi.ResourceOptions | None = None,
    ) -> ContactPhoneNumber:
        """Read an existing ilert phone number contact without managing it.

        The engine reads the contact at every ``pulumi preview``/``up``; it never changes or
        deletes it. Every output attribute is set from ilert. Example::

            mobile = ContactPhoneNumber.get("mobile", "1001:18")
            pulumi.export("mobile_target", mobile.target)

        :param resource_name: The Pulumi name of the resource (unique among the program's resources).
        :param id: The contact's id, ``"<user_id>:<contact_id>"``.
        :param opts: Resource options (``id`` is set from ``id``).
        :raises IlertError: ``id`` is not of the form ``"<user_id>:<contact_id>"``. A contact ilert
            does not have fails the ``pulumi`` command.
        """
        return ContactPhoneNumber(resource_name, opts=get_options(PHONE, resource_name, id, opts))
