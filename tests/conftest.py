"""Suite-wide: the real-engine fixtures, and marks by folder so `-m "not e2e"` selects the fast tests."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pulumi_fixtures"]

_MARKS = {"e2e": "e2e", "reliability": "reliability", "upgrade": "e2e"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        folder = Path(str(item.fspath)).parent.name
        mark = _MARKS.get(folder)
        if mark:
            item.add_marker(getattr(pytest.mark, mark))
