"""``check-content``: every content check of every part of the site, in one list."""

from __future__ import annotations

from pathlib import Path

from app.amounts import load_amounts
from app.content import Problem


def check_content(content_dir: Path) -> list[Problem]:
    """All the problems of the content folder, sorted by file and line."""
    _amounts, problems = load_amounts(content_dir)
    return sorted(problems)
