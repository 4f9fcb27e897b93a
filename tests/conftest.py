"""Fixtures every test gets."""

from __future__ import annotations

from typing import Iterator

import pytest

from gitdesk.site import i18n


@pytest.fixture(autouse=True)
def _english_catalog() -> Iterator[None]:
    """The site's catalog is process-wide (set by each render): a test that builds a Spanish site must not
    leave Spanish behind for the next test in the same worker."""
    i18n.activate("en")
    yield
    i18n.activate("en")
