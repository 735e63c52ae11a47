"""Suite-wide: mark tests by the folder they live in, so `-m "not e2e"` selects the fast ones."""

from __future__ import annotations

from pathlib import Path

import pytest

_MARKS = {"e2e": "e2e", "reliability": "reliability"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        folder = Path(str(item.fspath)).parent.name
        mark = _MARKS.get(folder)
        if mark:
            item.add_marker(getattr(pytest.mark, mark))
