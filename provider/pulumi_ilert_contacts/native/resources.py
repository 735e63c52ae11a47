"""Typed Python classes over the ``ilert-contacts`` plugin, shaped like a generated Pulumi SDK.

The classes only declare: names cross to the plugin through ``core.kinds`` (snake case here,
camelCase on the wire), and the plugin checks and does everything else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi

from .._version import __version__
from ..core.kinds import (
    EMAIL,
    PACKAGE,
    PHONE,
    USER_CONTACTS,
    ContactKind,
    Property,
    camel_name,
    declared_props,
    python_name,
    resource_token,
)
from ..declarations import (
    ContactEmailArgs,
    ContactOutputs,
    ContactPhoneNumberArgs,
    ContactPhoneNumberOutputs,
    PhoneNumberInput,
    UserContactsArgs,
    UserContactsOutputs,
    get_options,
    phone_number_dicts,
)


def _options(opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
    # The version makes the engine load this package's plugin even when several are installed.
    return pulumi.ResourceOptions.merge(pulumi.ResourceOptions(version=__version__), opts)


class _Contact(pulumi.CustomResource):
    """What both native contact resources share: the name translation and ``get``."""

    _kind: ContactKind

    def __init__(
        self,
        resource_name: str,
        props: dict[str, Any],
        opts: pulumi.ResourceOptions | None,
    ) -> None:
        super().__init__(resource_token(self._kind), resource_name, props, _options(opts))

    def translate_input_property(self, prop: str) -> str:
        """``user_id`` → ``userId``: the schema's names on the wire."""
        return camel_name(self._kind, prop)

    def translate_output_property(self, prop: str) -> str:
        """``userId`` → ``user_id``: Python names on the object."""
        return python_name(self._kind, prop)


class ContactEmail(ContactOutputs, _Contact):
    """An email contact of an ilert user, through the ``ilert-contacts`` plugin.

    Example::

        from pulumi_ilert_contacts import native

        email = native.ContactEmail("jane-email", user_id="1234", target="jane@example.com")

    The resource id is ``"<user_id>:<contact_id>"``; ``pulumi import
    ilert-contacts:index:ContactEmail <name> <user_id>:<contact_id>`` adopts an existing contact.
    """

    _kind = EMAIL

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
        :param opts: Resource options (``provider=`` an explicit ``Provider`` for another account).
        """
        props = declared_props(EMAIL, args, {"user_id": user_id, "target": target, "adopt": adopt})
        super().__init__(resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str, id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ) -> ContactEmail:
        """Read an existing email contact by ``"<user_id>:<contact_id>"`` without managing it."""
        return ContactEmail(resource_name, opts=get_options(EMAIL, resource_name, id, opts))


class ContactPhoneNumber(ContactPhoneNumberOutputs, _Contact):
    """A phone number contact of an ilert user, through the ``ilert-contacts`` plugin.

    Example::

        from pulumi_ilert_contacts import native

        phone = native.ContactPhoneNumber(
            "jane-mobile", user_id="1234", region_code="DE", target="+4915123456789", primary=True
        )
    """

    _kind = PHONE

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
        :param opts: Resource options (``provider=`` an explicit ``Provider`` for another account).
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
        super().__init__(resource_name, props, opts)

    @staticmethod
    def get(
        resource_name: str, id: pulumi.Input[str], opts: pulumi.ResourceOptions | None = None
    ) -> ContactPhoneNumber:
        """Read an existing phone number contact by ``"<user_id>:<contact_id>"`` without managing it."""
        return ContactPhoneNumber(resource_name, opts=get_options(PHONE, resource_name, id, opts))


def _names(props: tuple[Property, ...]) -> dict[str, str]:
    """Python name → schema name of every property of ``props``, at every depth."""
    names: dict[str, str] = {}
    for prop in props:
        names[prop.name] = prop.camel
        inner = prop.items if prop.items is not None else prop
        names.update(_names(inner.properties))
    return names


_SET_CAMEL = _names(USER_CONTACTS.properties)
_SET_PYTHON = {camel: name for name, camel in _SET_CAMEL.items()}


class UserContacts(UserContactsOutputs, pulumi.CustomResource):
    """A user's contacts of each managed kind, exactly, through the ``ilert-contacts`` plugin: after
    ``pulumi up`` the user has the listed contacts and no others of that kind (the login email ilert
    makes included: a set that does not list it deletes it).

    Example::

        from pulumi_ilert_contacts import native

        jane = native.UserContacts(
            "jane",
            user_id="1001",
            emails=["jane@example.com", "user1001@example.com"],
            phone_numbers=[{"target": "0151 23456789", "region_code": "DE", "primary": True}],
        )

    The resource id is the user id; ``pulumi import ilert-contacts:index:UserContacts <name>
    <user_id>`` reads the user's contacts. Destroying the set forgets them unless
    ``delete_on_destroy=True``.
    """

    def __init__(
        self,
        resource_name: str,
        args: UserContactsArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
        *,
        user_id: pulumi.Input[str | int] | None = None,
        emails: pulumi.Input[Sequence[pulumi.Input[str]]] | None = None,
        phone_numbers: pulumi.Input[Sequence[PhoneNumberInput]] | None = None,
        delete_on_destroy: pulumi.Input[bool] | None = None,
    ) -> None:
        """
        :param resource_name: The Pulumi name of the resource.
        :param args: The arguments, as a ``UserContactsArgs`` (keyword arguments override them).
        :param opts: Resource options (``provider=`` an explicit ``Provider`` for another account).
        """
        props = declared_props(
            USER_CONTACTS,
            args,
            {
                "user_id": user_id,
                "emails": emails,
                "phone_numbers": phone_numbers,
                "delete_on_destroy": delete_on_destroy,
            },
        )
        props["phone_numbers"] = phone_number_dicts(props["phone_numbers"])
        super().__init__(resource_token(USER_CONTACTS), resource_name, props, _options(opts))

    def translate_input_property(self, prop: str) -> str:
        """``phone_numbers`` → ``phoneNumbers``, ``region_code`` → ``regionCode`` (at any depth)."""
        return _SET_CAMEL.get(prop, prop)

    def translate_output_property(self, prop: str) -> str:
        """Schema names back to Python names, at any depth."""
        return _SET_PYTHON.get(prop, prop)


class Provider(pulumi.ProviderResource):
    """An explicit ``ilert-contacts`` provider: one ilert account, for resources given
    ``opts=pulumi.ResourceOptions(provider=...)``. Without one, resources use the default provider
    configured by ``ilert-contacts:apiToken`` / ``ilert-contacts:endpoint`` (or ``ILERT_*``).

    :param resource_name: The Pulumi name of the provider.
    :param api_token: The ilert API key; made a secret.
    :param endpoint: The API's base URL (default ``https://api.ilert.com``).
    """

    def __init__(
        self,
        resource_name: str,
        opts: pulumi.ResourceOptions | None = None,
        *,
        api_token: pulumi.Input[str] | None = None,
        endpoint: pulumi.Input[str] | None = None,
    ) -> None:
        props = {
            "apiToken": None if api_token is None else pulumi.Output.secret(api_token),
            "endpoint": endpoint,
        }
        super().__init__(PACKAGE, resource_name, props, _options(opts))
