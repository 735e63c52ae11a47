"""The pack is built from one list (``policies.catalogue.POLICIES``): every rule is in it once, in
the scope of its module, and the pack says what the list says. A new policy is a validator in a rule
module and its row; a validator without a row fails here."""

from __future__ import annotations

from pulumi_ilert_contacts.policies import POLICIES, all_policies, resource_rules, stack_rules
from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy


def test_every_rule_is_listed_once_in_the_scope_of_its_module() -> None:
    rules = {
        function: scope
        for module, scope in ((resource_rules, "resource"), (stack_rules, "stack"))
        for name, function in vars(module).items()
        if name.startswith("validate_")
    }
    listed = [spec.validate for spec in POLICIES]

    assert len(listed) == len(set(listed)), "a rule is listed twice"
    assert set(listed) == set(rules), "a rule without its row in POLICIES, or a row without its rule"
    assert {spec.validate: spec.scope for spec in POLICIES} == rules
    assert len({spec.name for spec in POLICIES}) == len(POLICIES)


def test_the_pack_says_what_the_list_says() -> None:
    built = all_policies()

    assert [policy.name for policy in built] == [spec.name for spec in POLICIES]
    for policy, spec in zip(built, POLICIES, strict=True):
        kind = ResourceValidationPolicy if spec.scope == "resource" else StackValidationPolicy
        assert isinstance(policy, kind)
        assert (policy.description, policy.enforcement_level) == (spec.description, spec.enforcement)
        schema = policy.config_schema
        assert (schema.properties if schema is not None else None) == (
            dict(spec.config) if spec.config is not None else None
        )
