"""Fixtures of the questionnaire tests: the real content, read once, and its scenarios."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.amounts import Amounts, load_amounts
from app.config import PROJECT_DIR
from app.questionnaire import Questionnaire, load_questionnaire

CONTENT_DIR = PROJECT_DIR / "content"
SCENARIOS_FILE = Path(__file__).parent / "scenarios.yaml"


@pytest.fixture(scope="session")
def amounts() -> Amounts:
    found, problems = load_amounts(CONTENT_DIR)
    assert found is not None, problems
    return found


@pytest.fixture(scope="session")
def questionnaire(amounts: Amounts) -> Questionnaire:
    found, problems = load_questionnaire(CONTENT_DIR, amounts)
    assert found is not None, "\n".join(map(str, problems))
    return found


@pytest.fixture(scope="session")
def scenarios() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = yaml.safe_load(SCENARIOS_FILE.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def content_copy(tmp_path: Path) -> Callable[..., Path]:
    """A copy of the questionnaire's content in ``tmp_path``, to break on purpose."""

    def copy(with_fiches: bool = False) -> Path:
        target = tmp_path / "content"
        (target / "questionnaire").mkdir(parents=True)
        (target / "fiches").mkdir()
        (target / "montants.yaml").write_bytes((CONTENT_DIR / "montants.yaml").read_bytes())
        for source in (CONTENT_DIR / "questionnaire").glob("*.yaml"):
            (target / "questionnaire" / source.name).write_bytes(source.read_bytes())
        if with_fiches:
            for source in (CONTENT_DIR / "fiches").glob("*.md"):
                (target / "fiches" / source.name).write_bytes(source.read_bytes())
        return target

    return copy
