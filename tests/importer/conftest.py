"""Fixtures for import and export tests."""

from __future__ import annotations

import pytest
from tests.importer.helpers import Jobs


@pytest.fixture
def jobs(db_url: str) -> Jobs:
    return Jobs(db_url)
