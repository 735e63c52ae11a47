"""One version everywhere it shows: the package, the plugin's schema, the User-Agent, the policy
pack, and the changelog's newest release."""

from __future__ import annotations

import importlib.metadata
import json
import re
from pathlib import Path

import pulumi_ilert_contacts
import yaml
from pulumi_ilert_contacts.core.client import USER_AGENT
from pulumi_ilert_contacts.plugin.schema import schema_json

REPO = Path(__file__).resolve().parents[2]
VERSION = pulumi_ilert_contacts.__version__


def test_the_installed_distribution_has_the_package_version() -> None:
    assert importlib.metadata.version("pulumi-ilert-contacts") == VERSION


def test_the_plugin_schema_and_the_user_agent_carry_the_package_version() -> None:
    assert json.loads(schema_json())["version"] == VERSION
    assert f"pulumi-ilert-contacts/{VERSION}" == USER_AGENT


def test_the_policy_pack_has_the_package_version() -> None:
    pack = yaml.safe_load((REPO / "policy" / "PulumiPolicy.yaml").read_text())
    assert str(pack["version"]) == VERSION


def test_the_changelog_describes_this_version() -> None:
    releases = re.findall(r"^## (\d+\.\d+\.\d+)", (REPO / "CHANGELOG.md").read_text(), flags=re.M)
    assert releases and releases[0] == VERSION
