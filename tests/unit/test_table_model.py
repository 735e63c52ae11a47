"""The table can describe list and object properties, as the next resource (``UserContacts``:
``emails: list[string]``, ``phoneNumbers: list[object{target, regionCode, primary}]``) needs: the
schema describes them, validation checks them by their type, and the plugin's translation carries
them (names at every depth, and a secret wherever it sits) across the wire and back.

A scratch kind stands in for that resource; it is not part of the package.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import struct_pb2
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi_ilert_contacts.core.kinds import ContactKind, Property, element
from pulumi_ilert_contacts.core.validation import UNKNOWN, check_contact
from pulumi_ilert_contacts.plugin.properties import inbound, plain, to_wire
from pulumi_ilert_contacts.plugin.schema import schema

PHONE_NUMBER = element(
    "object",
    Property("target", "target", "string", "The number.", required=True),
    Property("region_code", "regionCode", "string", "The number's region."),
    Property("primary", "primary", "boolean", "The user's primary number.", default=False),
    description="One phone number of a user.",
    object_type="UserContactsPhoneNumber",
)
SCRATCH = ContactKind(
    resource="UserContacts",
    path="contact-sets",
    label="contact set",
    description="Every contact of a user, as one resource.",
    properties=(
        Property("user_id", "userId", "string", "The user.", required=True, replaces=True),
        Property("emails", "emails", "array", "The email addresses.", items=element("string")),
        Property("phone_numbers", "phoneNumbers", "array", "The phone numbers.", items=PHONE_NUMBER),
        Property("adopt", "adopt", "boolean", "Take over existing contacts.", default=False),
    ),
)
TYPE = "ilert-contacts:index:UserContactsPhoneNumber"


def test_the_schema_describes_a_list_of_strings_and_a_list_of_objects() -> None:
    package = schema((SCRATCH,))
    resource = package["resources"]["ilert-contacts:index:UserContacts"]

    assert resource["inputProperties"]["emails"] == {
        "type": "array",
        "items": {"type": "string"},
        "description": "The email addresses.",
    }
    assert resource["inputProperties"]["phoneNumbers"] == {
        "type": "array",
        "items": {"$ref": f"#/types/{TYPE}"},
        "description": "The phone numbers.",
    }
    assert package["types"] == {
        TYPE: {
            "type": "object",
            "description": "One phone number of a user.",
            "properties": {
                "target": {"type": "string", "description": "The number."},
                "regionCode": {"type": "string", "description": "The number's region."},
                "primary": {"type": "boolean", "description": "The user's primary number."},
            },
            "required": ["target"],
        }
    }


def test_the_packages_schema_types_are_the_contact_sets_objects() -> None:
    assert sorted(schema()["types"]) == [
        "ilert-contacts:index:UserContactsEmailContact",
        "ilert-contacts:index:UserContactsPhoneNumber",
        "ilert-contacts:index:UserContactsPhoneNumberContact",
    ]


def test_validation_checks_list_properties_by_their_type() -> None:
    good = check_contact(SCRATCH, {"user_id": "1001", "emails": ("a@example.com",), "phone_numbers": []})
    bad = check_contact(SCRATCH, {"user_id": "1001", "emails": "a@example.com", "adopt": "yes"})

    assert good.failures == []
    assert good.inputs == {
        "user_id": "1001",
        "emails": ["a@example.com"],
        "phone_numbers": [],
        "adopt": False,
    }
    assert bad.failures == [
        ("emails", "UserContacts.emails must be a list, got 'a@example.com'"),
        ("adopt", "UserContacts.adopt must be true or false, got 'yes'"),
    ]


def _over_the_wire(props: dict[str, PropertyValue]) -> dict[str, PropertyValue]:
    """A bag as the engine would hand it over: marshalled to protobuf and back."""
    message = struct_pb2.Struct()
    for key, value in props.items():
        message.fields[key].CopyFrom(value.marshal())
    return PropertyValue.unmarshal_map(message)


def _secret(value: Any) -> PropertyValue:
    return PropertyValue(value, is_secret=True)


def test_the_plugin_carries_nested_names_unknowns_and_secrets_both_ways() -> None:
    sent = _over_the_wire(
        {
            "userId": PropertyValue("1001"),
            "emails": PropertyValue([PropertyValue("a@example.com"), _secret("private@example.com")]),
            "phoneNumbers": PropertyValue(
                [
                    PropertyValue(
                        {
                            "target": _secret("+4915123456789"),
                            "regionCode": PropertyValue("DE"),
                            "primary": PropertyValue(True),
                        }
                    ),
                    _secret(
                        {"target": PropertyValue("+4915100000000"), "regionCode": PropertyValue(UNKNOWN)}
                    ),
                ]
            ),
        }
    )

    bag = inbound(SCRATCH, sent)

    assert bag.props == {
        "user_id": "1001",
        "emails": ["a@example.com", "private@example.com"],
        "phone_numbers": [
            {"target": "+4915123456789", "region_code": "DE", "primary": True},
            {"target": "+4915100000000", "region_code": UNKNOWN},
        ],
    }
    assert bag.secrets == {("emails", 1), ("phone_numbers", 0, "target"), ("phone_numbers", 1)}

    back = _over_the_wire(to_wire(SCRATCH, bag.props, secrets=bag.secrets))

    assert back == sent
    numbers = back["phoneNumbers"].value
    assert isinstance(numbers, tuple)
    assert numbers[0].value["target"].is_secret and not numbers[0].value["regionCode"].is_secret
    assert numbers[1].is_secret and plain(numbers[1])["regionCode"] == UNKNOWN
    emails = back["emails"].value
    assert isinstance(emails, tuple)
    assert [e.is_secret for e in emails] == [False, True]
