"""Fixtures of the fiche tests: a content folder of their own."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fiches.fiche_content import ContentFolder


@pytest.fixture
def content(tmp_path: Path) -> ContentFolder:
    return ContentFolder(tmp_path / "content")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "content: reads the real content folder (meaningful once the fiches are written)"
    )
