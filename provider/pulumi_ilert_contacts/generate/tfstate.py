"""Read a Terraform or OpenTofu state: the ilert contacts it manages, its look-ups, everything else.

Two inputs carry the same objects:

- the state file itself, format version 4 (``terraform.tfstate``, ``terraform state pull``):
  ``resources[]`` with ``module``, ``mode``, ``type``, ``name``, ``provider`` and
  ``instances[]`` (``index_key``, ``attributes``, ``sensitive_attributes``);
- the JSON of ``terraform show -json`` / ``tofu show -json`` (``format_version`` 1.x):
  ``values.root_module.resources[]`` and ``child_modules[]`` nested, each resource with its
  ``address``, ``values`` and ``sensitive_values``.

The contacts are those of ilert's provider (iLert/terraform-provider-ilert v2.x):
``ilert_user_email_contact`` (``id``, ``target``, ``status``, ``user { id }``) and
``ilert_user_phone_number_contact`` (the same plus ``region_code``); ``id`` is the bare contact id
and ``user[0].id`` the user. Anything that does not have that shape is an error naming the file,
the JSON path and what was expected, before any call to ilert.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..core.kinds import EMAIL, PHONE, ContactKind

TF_TYPES: dict[str, ContactKind] = {
    "ilert_user_email_contact": EMAIL,
    "ilert_user_phone_number_contact": PHONE,
}
"""The Terraform type of each contact kind (resources and data sources share the names)."""

STATE_VERSION = 4
SHOW_FORMAT = re.compile(r"1\.\d+")
_PROVIDER = re.compile(
    r'^(?P<module>(?:module\.[^\[.]+(?:\[[^\]]*\])?\.)*)provider\["(?P<source>[^"]+)"\](?:\.(?P<alias>.+))?$'
)
_SENSITIVE_PROPS = ("target", "region_code")
"""The attributes declared as secrets when Terraform marks them sensitive (the user id never is:
it is part of the resource id ``<userId>:<contactId>``, which Pulumi does not encrypt)."""


class TerraformInputError(Exception):
    """The input is not what ``--from-terraform`` reads: which file, where in it, what was expected."""

    def __init__(self, source: str, path: str, expected: str, found: str | None = None) -> None:
        where = f"{source}: at {path}: " if path else f"{source}: "
        message = f"{where}expected {expected}"
        if found:
            message += f", found {found}"
        super().__init__(message)
        self.source = source
        self.path = path


@dataclass(frozen=True)
class TfObject:
    """One instance of a resource or data source in the state."""

    address: str
    """Terraform's address: ``module.team["sre"].ilert_user_email_contact.oncall["jane"]``."""
    mode: str
    """``managed`` (a resource) or ``data`` (a data source)."""
    type: str
    name: str
    modules: tuple[str, ...]
    """The module path (``module.team["sre"]``, ...) as address parts, outermost first."""
    index: int | str | None
    provider: str | None
    """The provider configuration other than the root module's default one: ``staging`` for
    ``provider["…/ilert/ilert"].staging``, ``module.team`` for one configured in a module; None for
    the default one (and always None from ``terraform show -json``, which does not say)."""
    attributes: dict[str, Any]
    sensitive: frozenset[str]
    """The top-level attributes Terraform marks sensitive."""
    json_path: str
    """Where the attributes are in the input, for error messages."""

    @property
    def kind(self) -> ContactKind | None:
        """The contact kind of this object's type; None for any other type."""
        return TF_TYPES.get(self.type)

    @property
    def config_address(self) -> str:
        """The address without instance keys, as a ``removed { from = … }`` block names it."""
        modules = ".".join(re.sub(r"\[.*\]$", "", part) for part in self.modules)
        own = f"{'data.' if self.mode == 'data' else ''}{self.type}.{self.name}"
        return f"{modules}.{own}" if modules else own


@dataclass(frozen=True)
class TfState:
    """What one input holds."""

    source: str
    form: str
    """``state`` (format version 4) or ``show`` (``terraform show -json``)."""
    objects: tuple[TfObject, ...]


@dataclass(frozen=True)
class TfContact:
    """A contact resource or data source of the state, checked."""

    obj: TfObject
    kind: ContactKind
    user_id: str
    contact_id: int | None
    """ilert's id; None for a data source that was never read."""
    target: str
    region_code: str | None
    secrets: frozenset[str]
    """The Python property names to declare as secrets (``target``, ``region_code``)."""


def index_text(index: int | str | None) -> str:
    """``[0]`` or ``["jane"]`` as Terraform writes an instance key; empty for none."""
    if index is None:
        return ""
    if isinstance(index, int):
        return f"[{index}]"
    return "[" + json.dumps(index, ensure_ascii=False) + "]"


def parse_text(text: str, source: str) -> TfState:
    """The objects of a state or ``show -json`` text; ``TerraformInputError`` if it is neither."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TerraformInputError(
            source,
            "",
            "a Terraform state (JSON, format version 4) or the JSON of `terraform show -json`",
            f"text that is not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})",
        ) from None
    if not isinstance(document, dict):
        raise TerraformInputError(source, "$", "a JSON object (a Terraform state)", _kind_of(document))
    if "encrypted_data" in document or "encryption_version" in document:
        raise TerraformInputError(
            source,
            "$.encrypted_data",
            "a plain state; this one is encrypted by OpenTofu: decrypt it first (`tofu state pull` "
            "or `tofu show -json` with the encryption configured print it in the clear)",
        )
    if "planned_values" in document or "resource_changes" in document or "prior_state" in document:
        raise TerraformInputError(
            source,
            "$.planned_values",
            "the state, not a plan: run `terraform show -json` without a plan file (or `terraform "
            "state pull`) and give that",
        )
    if "format_version" in document and "version" not in document:
        return _parse_show(document, source)
    if "version" in document:
        return _parse_state(document, source)
    raise TerraformInputError(
        source,
        "$",
        'a Terraform state ("version": 4 and "resources") or the JSON of `terraform show -json` '
        '("format_version" and "values")',
        f"an object with keys {', '.join(sorted(document)[:6]) or 'none'}",
    )


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {json.dumps(value)[:40]}"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if value is None:
        return "null"
    return "an object"


# -- the state file, format version 4 ------------------------------------------------------------


def _parse_state(document: dict[str, Any], source: str) -> TfState:
    version = document.get("version")
    if version != STATE_VERSION:
        hint = ""
        if isinstance(version, int) and version < STATE_VERSION:
            hint = (
                " (this one was written by Terraform before 0.12: `terraform refresh` with Terraform "
                "0.12 or newer upgrades it)"
            )
        raise TerraformInputError(source, "$.version", f"state format version 4{hint}", _kind_of(version))
    resources = document.get("resources", [])
    if not isinstance(resources, list):
        raise TerraformInputError(source, "$.resources", "a list of resources", _kind_of(resources))
    objects: list[TfObject] = []
    for r, resource in enumerate(resources):
        path = f"$.resources[{r}]"
        if not isinstance(resource, dict):
            raise TerraformInputError(source, path, "a resource object", _kind_of(resource))
        mode = _string(resource, "mode", path, source)
        rtype = _string(resource, "type", path, source)
        name = _string(resource, "name", path, source)
        module = resource.get("module", "")
        if not isinstance(module, str):
            raise TerraformInputError(source, f"{path}.module", "a module address", _kind_of(module))
        modules = tuple(_split_modules(module, f"{path}.module", source))
        provider = _provider_config(resource.get("provider"), f"{path}.provider", source)
        instances = resource.get("instances", [])
        if not isinstance(instances, list):
            raise TerraformInputError(source, f"{path}.instances", "a list of instances", _kind_of(instances))
        for i, instance in enumerate(instances):
            ipath = f"{path}.instances[{i}]"
            if not isinstance(instance, dict):
                raise TerraformInputError(source, ipath, "an instance object", _kind_of(instance))
            if instance.get("deposed"):
                continue  # an object Terraform is about to delete, not one it manages
            index = instance.get("index_key")
            if index is not None and (isinstance(index, bool) or not isinstance(index, int | str)):
                raise TerraformInputError(
                    source, f"{ipath}.index_key", "an integer (count) or a string (for_each)", _kind_of(index)
                )
            attributes = instance.get("attributes")
            if attributes is None and "attributes_flat" in instance:
                raise TerraformInputError(
                    source,
                    f"{ipath}.attributes_flat",
                    "attributes as an object (state written by Terraform 0.12 or newer)",
                )
            if not isinstance(attributes, dict):
                raise TerraformInputError(
                    source, f"{ipath}.attributes", "an object of attributes", _kind_of(attributes)
                )
            sensitive = _state_sensitive(
                instance.get("sensitive_attributes", []), f"{ipath}.sensitive_attributes", source
            )
            objects.append(
                TfObject(
                    address=_address(modules, mode, rtype, name, index),
                    mode=mode,
                    type=rtype,
                    name=name,
                    modules=modules,
                    index=index,
                    provider=provider,
                    attributes=attributes,
                    sensitive=sensitive,
                    json_path=f"{ipath}.attributes",
                )
            )
    return TfState(source=source, form="state", objects=tuple(objects))


def _string(obj: dict[str, Any], key: str, path: str, source: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise TerraformInputError(source, f"{path}.{key}", "a non-empty string", _kind_of(value))
    return value


_MODULE_PART = re.compile(r'module\.[A-Za-z_][A-Za-z0-9_-]*(?:\[(?:\d+|"(?:[^"\\]|\\.)*")\])?')


def _split_modules(module: str, path: str, source: str) -> Iterator[str]:
    rest = module
    while rest:
        match = _MODULE_PART.match(rest)
        if match is None:
            raise TerraformInputError(
                source, path, 'a module address such as module.team["sre"].module.x', json.dumps(module)
            )
        yield match.group(0)
        rest = rest[match.end() :]
        if rest.startswith("."):
            rest = rest[1:]
        elif rest:
            raise TerraformInputError(
                source, path, 'a module address such as module.team["sre"].module.x', json.dumps(module)
            )


def _provider_config(value: Any, path: str, source: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TerraformInputError(
            source,
            path,
            'a provider address such as provider["registry.terraform.io/ilert/ilert"]',
            _kind_of(value),
        )
    match = _PROVIDER.match(value)
    if match is None:
        raise TerraformInputError(
            source,
            path,
            'a provider address such as provider["registry.terraform.io/ilert/ilert"]',
            json.dumps(value),
        )
    module = match.group("module").rstrip(".")
    alias = match.group("alias")
    if module and alias:
        return f"{module}.{alias}"
    return module or alias or None


def _state_sensitive(value: Any, path: str, source: str) -> frozenset[str]:
    """The top-level attribute of each sensitive path: ``[[{"type": "get_attr", "value": "target"}]]``."""
    expected = 'a list of attribute paths such as [[{"type": "get_attr", "value": "target"}]]'
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        raise TerraformInputError(source, path, expected, _kind_of(value))
    names = set()
    for p, steps in enumerate(value):
        if (
            isinstance(steps, list)
            and steps
            and isinstance(steps[0], dict)
            and isinstance(steps[0].get("value"), str)
        ):
            names.add(steps[0]["value"])
        else:
            raise TerraformInputError(source, f"{path}[{p}]", expected, _kind_of(steps))
    return frozenset(names)


def _address(modules: tuple[str, ...], mode: str, rtype: str, name: str, index: int | str | None) -> str:
    own = f"{'data.' if mode == 'data' else ''}{rtype}.{name}{index_text(index)}"
    return ".".join((*modules, own))


# -- terraform show -json ------------------------------------------------------------------------


def _parse_show(document: dict[str, Any], source: str) -> TfState:
    version = document.get("format_version")
    if not isinstance(version, str) or not SHOW_FORMAT.fullmatch(version):
        raise TerraformInputError(source, "$.format_version", 'format_version "1.x"', _kind_of(version))
    values = document.get("values")
    if values is None:
        return TfState(source=source, form="show", objects=())  # `terraform show -json` of an empty state
    if not isinstance(values, dict):
        raise TerraformInputError(source, "$.values", "an object with root_module", _kind_of(values))
    root = values.get("root_module")
    if not isinstance(root, dict):
        raise TerraformInputError(
            source, "$.values.root_module", "an object with resources and child_modules", _kind_of(root)
        )
    objects: list[TfObject] = []
    _walk_module(root, "$.values.root_module", (), source, objects)
    return TfState(source=source, form="show", objects=tuple(objects))


def _walk_module(
    module: dict[str, Any], path: str, modules: tuple[str, ...], source: str, out: list[TfObject]
) -> None:
    resources = module.get("resources", [])
    if not isinstance(resources, list):
        raise TerraformInputError(source, f"{path}.resources", "a list of resources", _kind_of(resources))
    for r, resource in enumerate(resources):
        rpath = f"{path}.resources[{r}]"
        if not isinstance(resource, dict):
            raise TerraformInputError(source, rpath, "a resource object", _kind_of(resource))
        mode = _string(resource, "mode", rpath, source)
        rtype = _string(resource, "type", rpath, source)
        name = _string(resource, "name", rpath, source)
        index = resource.get("index")
        if index is not None and (isinstance(index, bool) or not isinstance(index, int | str)):
            raise TerraformInputError(
                source, f"{rpath}.index", "an integer (count) or a string (for_each)", _kind_of(index)
            )
        attributes = resource.get("values")
        if not isinstance(attributes, dict):
            raise TerraformInputError(
                source, f"{rpath}.values", "an object of attributes", _kind_of(attributes)
            )
        sensitive_values = resource.get("sensitive_values", {})
        if not isinstance(sensitive_values, dict):
            raise TerraformInputError(
                source, f"{rpath}.sensitive_values", "an object", _kind_of(sensitive_values)
            )
        sensitive = frozenset(key for key, flag in sensitive_values.items() if flag is True)
        address = resource.get("address")
        if not isinstance(address, str) or not address:
            address = _address(modules, mode, rtype, name, index)
        out.append(
            TfObject(
                address=address,
                mode=mode,
                type=rtype,
                name=name,
                modules=modules,
                index=index,
                provider=None,
                attributes=attributes,
                sensitive=sensitive,
                json_path=f"{rpath}.values",
            )
        )
    children = module.get("child_modules", [])
    if not isinstance(children, list):
        raise TerraformInputError(source, f"{path}.child_modules", "a list of modules", _kind_of(children))
    for c, child in enumerate(children):
        cpath = f"{path}.child_modules[{c}]"
        if not isinstance(child, dict):
            raise TerraformInputError(source, cpath, "a module object", _kind_of(child))
        address = child.get("address")
        if not isinstance(address, str) or not address.startswith("module."):
            raise TerraformInputError(
                source, f"{cpath}.address", 'a module address such as module.team["sre"]', _kind_of(address)
            )
        out_modules = tuple(_split_modules(address, f"{cpath}.address", source))
        _walk_module(child, cpath, out_modules, source, out)


# -- the contacts --------------------------------------------------------------------------------


def contact_of(obj: TfObject, source: str) -> TfContact:
    """The contact ``obj`` (of a contact type) declares, checked against the provider's schema."""
    kind = TF_TYPES[obj.type]
    attrs = obj.attributes
    path = obj.json_path
    user = attrs.get("user")
    expected_user = 'a user block: a list of one {"id": <numeric ilert user id>}'
    if not isinstance(user, list) or len(user) != 1 or not isinstance(user[0], dict):
        raise TerraformInputError(source, f"{path}.user", expected_user, _kind_of(user))
    raw_user = user[0].get("id")
    if isinstance(raw_user, str) and raw_user.isascii() and raw_user.isdigit():
        raw_user = int(raw_user)
    if isinstance(raw_user, bool) or not isinstance(raw_user, int) or raw_user <= 0:
        raise TerraformInputError(
            source, f"{path}.user[0].id", "a positive numeric ilert user id", _kind_of(raw_user)
        )
    raw_id = attrs.get("id")
    contact_id: int | None
    if raw_id in (None, "") and obj.mode == "data":
        contact_id = None
    elif isinstance(raw_id, str) and raw_id.isascii() and raw_id.isdigit() and int(raw_id) > 0:
        contact_id = int(raw_id)
    elif isinstance(raw_id, int) and not isinstance(raw_id, bool) and raw_id > 0:
        contact_id = raw_id
    else:
        raise TerraformInputError(
            source, f"{path}.id", "the ilert contact id (a string of digits)", _kind_of(raw_id)
        )
    target = attrs.get("target")
    if not isinstance(target, str) or not target:
        raise TerraformInputError(
            source, f"{path}.target", "the contact's target (a non-empty string)", _kind_of(target)
        )
    region: str | None = None
    if kind is PHONE:
        raw_region = attrs.get("region_code")
        if obj.mode == "data" and raw_region in (None, ""):
            region = None  # computed by the data source: absent if it was never read
        elif not isinstance(raw_region, str) or not raw_region:
            raise TerraformInputError(
                source, f"{path}.region_code", 'a region code such as "DE"', _kind_of(raw_region)
            )
        else:
            region = raw_region
    return TfContact(
        obj=obj,
        kind=kind,
        user_id=str(raw_user),
        contact_id=contact_id,
        target=target,
        region_code=region,
        secrets=frozenset(p for p in _SENSITIVE_PROPS if p in obj.sensitive),
    )
