"""Example programs of each native resource, in Python and Pulumi YAML: the schema's resource
descriptions carry them (the Pulumi registry renders its reference pages from there), and so do the
reference pages in ``docs/`` (``reference.py``). ``tests/unit/test_reference_docs.py`` checks every
property they name against the table in ``core/kinds.py``.
"""

from __future__ import annotations

EXAMPLES: dict[str, dict[str, str]] = {
    "ContactEmail": {
        "python": """\
import pulumi
from pulumi_ilert_contacts import native

email = native.ContactEmail("jane-email", user_id="1234", target="jane@example.com")
pulumi.export("status", email.status)
""",
        "yaml": """\
resources:
  jane-email:
    type: ilert-contacts:index:ContactEmail
    properties:
      userId: "1234"
      target: jane@example.com
outputs:
  status: ${jane-email.status}
""",
    },
    "ContactPhoneNumber": {
        "python": """\
import pulumi
from pulumi_ilert_contacts import native

mobile = native.ContactPhoneNumber(
    "jane-mobile", user_id="1234", region_code="DE", target="0151 23456789", primary=True
)
pulumi.export("number", mobile.target)  # +4915123456789
""",
        "yaml": """\
resources:
  jane-mobile:
    type: ilert-contacts:index:ContactPhoneNumber
    properties:
      userId: "1234"
      regionCode: DE
      target: 0151 23456789
      primary: true
outputs:
  number: ${jane-mobile.target}
""",
    },
    "UserContacts": {
        "python": """\
import pulumi
from pulumi_ilert_contacts import native

jane = native.UserContacts(
    "jane",
    user_id="1234",
    emails=["jane@example.com", "user1234@example.com"],
    phone_numbers=[{"target": "0151 23456789", "region_code": "DE", "primary": True}],
)
pulumi.export("email_contacts", jane.email_contacts)
""",
        "yaml": """\
resources:
  jane:
    type: ilert-contacts:index:UserContacts
    properties:
      userId: "1234"
      emails: [jane@example.com, user1234@example.com]
      phoneNumbers:
        - { target: "0151 23456789", regionCode: DE, primary: true }
outputs:
  emailContacts: ${jane.emailContacts}
""",
    },
}
"""Resource name -> language -> a whole program (YAML: the part after the project header)."""

LANGUAGES = {"python": "Python", "yaml": "YAML"}


def registry_examples(resource: str) -> str:
    """The examples of ``resource`` in the registry's shortcode form, for its schema description
    (empty for a resource without examples)."""
    programs = EXAMPLES.get(resource)
    if not programs:
        return ""
    blocks = "\n".join(f"```{language}\n{code}```" for language, code in programs.items())
    return (
        "\n\n{{% examples %}}\n## Example Usage\n\n{{% example %}}\n"
        f"### Basic usage\n\n{blocks}\n{{{{% /example %}}}}\n{{{{% /examples %}}}}"
    )
