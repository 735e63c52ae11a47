"""Resource and variable names: readable, stable and unique (no server needed)."""

from __future__ import annotations

from pulumi_ilert_contacts.core.kinds import EMAIL, PHONE
from pulumi_ilert_contacts.generate.inventory import LiveContact
from pulumi_ilert_contacts.generate.naming import SLUG_LIMIT, assign_names, slug, variable_name


def email(user: str, contact_id: int, target: str) -> LiveContact:
    return LiveContact(EMAIL, user, contact_id, {"target": target}, "OK")


def test_slug_is_readable_ascii() -> None:
    assert slug("Jane.Doe@Example.com") == "jane-doe-example-com"
    assert slug("+4915123456789") == "4915123456789"
    assert slug("Jürgen.Müller@bäckerei.de") == "jurgen-muller-backerei-de"
    assert slug("测试@例子.cn") == "cn"


def test_long_targets_are_shortened_at_a_word_boundary() -> None:
    result = slug("a" * 30 + "." + "b" * 30 + "@example.com")
    assert len(result) <= SLUG_LIMIT
    assert not result.endswith("-")


def test_names_do_not_depend_on_the_order_contacts_are_listed() -> None:
    contacts = [email("1", 7, "jane.doe@x.io"), email("1", 3, "jane-doe@x.io"), email("1", 5, "bob@x.io")]
    assert assign_names(contacts) == assign_names(list(reversed(contacts)))
    assert sorted(assign_names(contacts).values()) == [
        "u1-email-bob-x-io",
        "u1-email-jane-doe-x-io-c3",
        "u1-email-jane-doe-x-io-c7",
    ]


def test_a_target_with_nothing_to_slug_still_gets_a_unique_name() -> None:
    contacts = [email("1", 1, "测试@例子"), email("1", 2, "例@子")]
    names = assign_names(contacts)
    assert sorted(names.values()) == ["u1-email-contact-c1", "u1-email-contact-c2"]


def test_disambiguated_names_never_take_another_contacts_plain_name() -> None:
    # "a@b.c" and "a.b@c" both slug to "a-b-c"; a third target slugs to what the first's
    # disambiguated name would be.
    contacts = [email("1", 1, "a@b.c"), email("1", 2, "a.b@c"), email("1", 3, "a-b-c-c1")]
    names = list(assign_names(contacts).values())
    assert len(set(names)) == len(names) == 3


def test_same_target_of_two_users_or_kinds_gets_distinct_names() -> None:
    phone = LiveContact(PHONE, "1", 9, {"target": "+4915123456789", "region_code": "DE"}, "OK")
    contacts = [email("1", 1, "x@y.z"), email("2", 1, "x@y.z"), phone]
    assert sorted(assign_names(contacts).values()) == [
        "u1-email-x-y-z",
        "u1-phone-4915123456789",
        "u2-email-x-y-z",
    ]


def test_variable_names_are_identifiers() -> None:
    assert variable_name("u1001-email-jane-doe-example-com-c3") == "u1001_email_jane_doe_example_com_c3"
