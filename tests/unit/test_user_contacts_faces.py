"""``UserContacts`` through both faces in-process: the plugin's handlers (schema names at every
depth, secrets kept) and the dynamic provider (Python names), against the emulator.

The core's behaviour is ``test_contact_set.py``'s; here what each face adds, and the set's life
through both faces alike (the ``face`` fixture, ``faces.py``: the same test, the same answers and
requests). Bad sets through both faces are in test_bad_input.py.
"""

from __future__ import annotations

import asyncio
from typing import Any

import emulator_support
from google.protobuf import struct_pb2
from pulumi.dynamic import Config, ConfigureRequest
from pulumi.provider.experimental import provider as sdk
from pulumi.provider.experimental.property_value import PropertyValue
from pulumi_ilert_contacts import UserContactsPhoneNumberArgs, UserContactsProvider
from pulumi_ilert_contacts.core.directory import DIRECTORY
from pulumi_ilert_contacts.core.kinds import USER_CONTACTS
from pulumi_ilert_contacts.declarations import phone_number_dicts
from pulumi_ilert_contacts.dynamic.user_contacts import OUTPUT_ITEMS
from pulumi_ilert_contacts.emulator import EmulatorServer
from pulumi_ilert_contacts.plugin.provider import ContactsProvider

from .faces import Face
from .support import TOKEN, USER, emails_of, phones_of

URN = "urn:pulumi:test::faces::ilert-contacts:index:UserContacts::jane"
SECRET_EMAIL = "private.person@example.com"


def _run(coroutine: Any) -> Any:
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


def _over_the_wire(props: dict[str, PropertyValue]) -> dict[str, PropertyValue]:
    message = struct_pb2.Struct()
    for key, value in props.items():
        message.fields[key].CopyFrom(value.marshal())
    return PropertyValue.unmarshal_map(message)


def _plugin(emulator: EmulatorServer) -> ContactsProvider:
    provider = ContactsProvider()
    args = {"endpoint": PropertyValue(emulator.url), "apiToken": PropertyValue(TOKEN, is_secret=True)}
    _run(provider.configure(sdk.ConfigureRequest({}, args, True, False)))
    return provider


def test_the_plugin_takes_schema_names_at_every_depth_and_keeps_a_secret_address_secret(
    emulator: EmulatorServer,
) -> None:
    provider = _plugin(emulator)
    news = _over_the_wire(
        {
            "userId": PropertyValue("1234"),
            "emails": PropertyValue([PropertyValue(SECRET_EMAIL, is_secret=True)]),
            "phoneNumbers": PropertyValue(
                [
                    PropertyValue(
                        {
                            "target": PropertyValue("0151 23456789"),
                            "regionCode": PropertyValue("DE"),
                            "primary": PropertyValue(True),
                        }
                    )
                ]
            ),
        }
    )

    checked = _run(provider.check(sdk.CheckRequest(URN, {}, news, b"")))
    assert checked.failures == []
    created = _run(provider.create(sdk.CreateRequest(URN, checked.inputs, 60.0, False)))

    assert created.resource_id == USER
    assert [c["target"] for c in emails_of(emulator.admin, USER)] == [SECRET_EMAIL]
    assert [(p["target"], p["primary"]) for p in phones_of(emulator.admin, USER)] == [
        ("+4915123456789", True)
    ]
    outs = created.properties
    assert outs["emails"].is_secret and outs["emailContacts"].is_secret
    assert not outs["phoneNumberContacts"].is_secret
    [number] = outs["phoneNumberContacts"].value
    assert {k: v.value for k, v in number.value.items() if k != "contactId"} == {
        "target": "+4915123456789",
        "regionCode": "DE",
        "primary": True,
        "status": "OK",
    }


def test_the_plugin_names_a_bad_element_by_its_schema_name(emulator: EmulatorServer) -> None:
    provider = _plugin(emulator)
    news = _over_the_wire(
        {
            "userId": PropertyValue("1234"),
            "phoneNumbers": PropertyValue([PropertyValue({"target": PropertyValue("+4915123456789")})]),
        }
    )

    checked = _run(provider.check(sdk.CheckRequest(URN, {}, news, b"")))

    assert [(f.property, f.reason) for f in checked.failures] == [
        (
            "phoneNumbers",
            "UserContacts.phoneNumbers[0].regionCode is required: the ISO 3166-1 alpha-2 "
            'region of the number, e.g. "DE"',
        )
    ]


def test_the_dynamic_provider_takes_typed_args_and_plain_dicts(emulator: EmulatorServer) -> None:
    provider = UserContactsProvider()
    raw = {"ilert:apiToken": TOKEN, "ilert:endpoint": emulator.url}
    provider.configure(ConfigureRequest(Config(raw_config=raw, project_name="faces")))
    numbers = phone_number_dicts(
        [
            UserContactsPhoneNumberArgs(target="+4915123456789", region_code="DE", primary=True),
            {"target": "030 123456", "region_code": "DE"},
        ]
    )

    checked = provider.check({}, {"user_id": 1234, "emails": [], "phone_numbers": numbers})
    assert checked.failures == []
    created = provider.create(checked.inputs)

    assert created.id == USER
    assert emails_of(emulator.admin, USER) == []  # the login email too: the set lists none
    assert sorted(p["target"] for p in phones_of(emulator.admin, USER)) == ["+4915123456789", "+4930123456"]
    assert created.outs["phone_numbers"][1] == {
        "target": "+4930123456",
        "region_code": "DE",
        "primary": False,
    }


def test_the_plugin_refuses_a_numbers_field_written_with_its_python_name(emulator: EmulatorServer) -> None:
    provider = _plugin(emulator)
    number = {"target": PropertyValue("+4915123456789"), "region_code": PropertyValue("DE")}
    news = _over_the_wire(
        {"userId": PropertyValue("1234"), "phoneNumbers": PropertyValue([PropertyValue(number)])}
    )

    checked = _run(provider.check(sdk.CheckRequest(URN, {}, news, b"")))

    reasons = [f.reason for f in checked.failures]
    assert reasons[0] == (
        "UserContacts.phoneNumbers[0].region_code is not a field of a number; "
        "expected target, regionCode, primary"
    )
    assert all(f.property == "phoneNumbers" for f in checked.failures)


def test_a_check_failure_of_a_secret_address_does_not_repeat_it(emulator: EmulatorServer) -> None:
    provider = _plugin(emulator)
    news = _over_the_wire(
        {
            "userId": PropertyValue("1234"),
            "emails": PropertyValue([PropertyValue("not-an-address-secret", is_secret=True)]),
        }
    )

    checked = _run(provider.check(sdk.CheckRequest(URN, {}, news, b"")))

    [failure] = checked.failures
    assert failure.reason.startswith("UserContacts.emails[0] [secret] is not a valid email address")
    assert "not-an-address-secret" not in failure.reason
    # Reported on the resource: the engine prints a failing property's value beside the reason.
    assert failure.property == ""


def test_a_check_failure_of_a_secret_target_of_a_single_contact_does_not_repeat_it(
    emulator: EmulatorServer,
) -> None:
    provider = _plugin(emulator)
    news = _over_the_wire(
        {"userId": PropertyValue("1234"), "target": PropertyValue("not-an-address-secret", is_secret=True)}
    )
    urn = "urn:pulumi:test::faces::ilert-contacts:index:ContactEmail::jane"

    checked = _run(provider.check(sdk.CheckRequest(urn, {}, news, b"")))

    [failure] = checked.failures
    assert failure.property == ""
    assert failure.reason.startswith("ContactEmail.target [secret] is not a valid email address"), failure


def test_the_native_class_translates_names_at_every_depth() -> None:
    from pulumi_ilert_contacts import native

    into = native.UserContacts.translate_input_property
    back = native.UserContacts.translate_output_property
    for python, camel in [
        ("user_id", "userId"),
        ("phone_numbers", "phoneNumbers"),
        ("region_code", "regionCode"),
        ("delete_on_destroy", "deleteOnDestroy"),
        ("phone_number_contacts", "phoneNumberContacts"),
        ("contact_id", "contactId"),
        ("target", "target"),
    ]:
        assert into(None, python) == camel  # type: ignore[arg-type]
        assert back(None, camel) == python  # type: ignore[arg-type]


class _Recording(ContactsProvider):
    """The plugin with the engine's log replaced by a list (the warnings it would send)."""

    def __init__(self) -> None:
        super().__init__()
        self.warnings: list[tuple[str, str]] = []

    async def _warn(self, urn: str, message: str) -> None:
        self.warnings.append((urn, message))


def _preview(provider: ContactsProvider, emulator: EmulatorServer, token: str) -> sdk.CreateResponse:
    args = {"endpoint": PropertyValue(emulator.url), "apiToken": PropertyValue(token, is_secret=True)}
    _run(provider.configure(sdk.ConfigureRequest({}, args, True, False)))
    news = _over_the_wire(
        {"userId": PropertyValue("1234"), "emails": PropertyValue([PropertyValue("a@example.com")])}
    )
    checked = _run(provider.check(sdk.CheckRequest(URN, {}, news, b"")))
    response: sdk.CreateResponse = _run(provider.create(sdk.CreateRequest(URN, checked.inputs, 60.0, True)))
    return response


def test_the_preview_of_a_new_set_warns_on_the_resource_and_goes_on_when_ilert_cannot_say(
    emulator: EmulatorServer,
) -> None:
    [login] = emails_of(emulator.admin, USER)
    provider = _Recording()
    _preview(provider, emulator, TOKEN)
    refused = _Recording()
    answer = _preview(refused, emulator, "not-the-key-0000")

    assert provider.warnings == [
        (
            URN,
            "this new UserContacts set of user 1234 deletes 1 existing contact(s) it does not list: "
            f"email contact {login['target']} (id {login['id']})",
        )
    ]
    [(_, message)] = refused.warnings
    assert message.startswith("cannot say which existing contacts this new set deletes: ")
    assert "not-the-key-0000" not in message
    assert answer.resource_id == ""


# -- the set through both faces (the ``face`` fixture: dynamic, then plugin) ----------------------


def _next_command(emulator: EmulatorServer) -> None:
    """The next engine command: a new provider process (no list remembered), requests at zero."""
    DIRECTORY.clear()
    emulator.admin.reset_requests()


def test_a_set_lives_alike_through_both_faces(face: Face, emulator: EmulatorServer) -> None:
    login = f"user{USER}@example.com"
    emulator_support.api_post(emulator, TOKEN, USER, "emails", {"target": "by-hand@example.org"})
    declared = {
        "user_id": 1234,
        "emails": ["Jane@EXAMPLE.com", login],
        "phone_numbers": [
            {"target": "0151 23456789", "region_code": "de", "primary": True},
            {"target": "030 123456", "region_code": "DE"},
        ],
    }
    _next_command(emulator)

    checked = face.check(USER_CONTACTS, declared)
    assert checked.every == []
    numbers = [
        {"target": "+4915123456789", "region_code": "DE", "primary": True},
        {"target": "+4930123456", "region_code": "DE", "primary": False},
    ]
    assert checked.inputs == {
        "user_id": USER,
        "emails": ["Jane@example.com", login],
        "phone_numbers": numbers,
        "delete_on_destroy": False,
    }
    created = face.create(USER_CONTACTS, checked.inputs)

    # One list per kind; the login email adopted; a POST per missing contact; the unlisted deleted.
    assert created.id == USER
    assert emulator_support.requests_made(emulator.admin) == {"GET": 2, "POST": 3, "DELETE": 1}
    assert sorted(c["target"] for c in emails_of(emulator.admin, USER)) == ["Jane@example.com", login]
    ids = {c["target"]: c["id"] for c in [*emails_of(emulator.admin, USER), *phones_of(emulator.admin, USER)]}
    assert created.outs["email_contacts"] == [
        {"target": "Jane@example.com", "contact_id": ids["Jane@example.com"], "status": "OK"},
        {"target": login, "contact_id": ids[login], "status": "OK"},
    ]
    assert created.outs["phone_number_contacts"] == [
        {**n, "contact_id": ids[n["target"]], "status": "OK"} for n in numbers
    ]

    # Order never makes a diff, and planning calls nothing.
    _next_command(emulator)
    reordered = face.check(USER_CONTACTS, {**declared, "emails": [login.upper(), "jane@example.com"]})
    assert face.diff(USER_CONTACTS, USER, created.outs, reordered.inputs).changes is False

    # An update: one address swapped, the primary moved: a list per changed kind, one write each.
    moved = [{**numbers[0], "primary": False}, {**numbers[1], "primary": True}]
    news = face.check(
        USER_CONTACTS, {**declared, "emails": [login, "joe@example.com"], "phone_numbers": moved}
    )
    plan = face.diff(USER_CONTACTS, USER, created.outs, news.inputs)
    assert (plan.changes, plan.replaces) == (True, [])
    updated = face.update(USER_CONTACTS, USER, created.outs, news.inputs)
    assert emulator_support.requests_made(emulator.admin) == {"GET": 2, "POST": 1, "DELETE": 1, "PUT": 1}
    assert [(p["target"], p["primary"]) for p in phones_of(emulator.admin, USER)] == [
        ("+4915123456789", False),
        ("+4930123456", True),
    ]
    assert [c["primary"] for c in updated.outs["phone_number_contacts"]] == [False, True]

    # A refresh reads one list per managed kind and plans no change; destroy forgets.
    _next_command(emulator)
    read = face.read(USER_CONTACTS, USER, updated.outs)
    assert emulator_support.requests_made(emulator.admin) == {"GET": 2}
    assert face.diff(USER_CONTACTS, USER, read.outs, news.inputs).changes is False
    _next_command(emulator)
    face.delete(USER_CONTACTS, USER, read.outs)
    assert emulator.admin.requests()["total"] == 0
    assert sorted(c["target"] for c in emails_of(emulator.admin, USER)) == ["joe@example.com", login]


def test_a_user_id_change_replaces_the_set_on_both_faces(face: Face) -> None:
    olds = face.check(USER_CONTACTS, {"user_id": USER, "emails": []}).inputs
    news = face.check(USER_CONTACTS, {"user_id": "5678", "emails": []}).inputs

    plan = face.diff(USER_CONTACTS, USER, {**olds, "email_contacts": []}, news)

    assert (plan.changes, plan.replaces) == (True, ["user_id"])


def test_the_dynamic_check_never_repeats_an_element_the_program_gave_as_an_output() -> None:
    # The engine hands a dynamic provider plain values; the class marks where the program gave an
    # Output (numbers cross the wire as doubles), and only check sees the mark.
    news = {
        "user_id": "1234",
        "emails": ["ok@example.com", "not-an-address-secret"],
        "phone_numbers": [{"target": "0000-secret", "region_code": "DE"}],
        OUTPUT_ITEMS: {"emails": [1.0], "phone_numbers": [[0.0, "target"]]},
    }

    checked = UserContactsProvider().check({}, news)

    assert [(f.property, f.reason.split(" is ")[0]) for f in checked.failures] == [
        ("", "UserContacts.emails[1] [secret]"),
        ("", "UserContacts.phone_numbers[0].target [secret]"),
    ]
    assert not any("secret" in f.reason.replace("[secret]", "") for f in checked.failures)
    assert OUTPUT_ITEMS not in checked.inputs
