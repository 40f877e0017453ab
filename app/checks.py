"""``check-content``: every content check of every part of the site, in one list."""

from __future__ import annotations

from pathlib import Path

from app.content import Problem
from app.fiches.library import check_fiches
from app.fiches.live import today
from app.questionnaire import check_questionnaire
from app.search.synonyms import load_synonyms


def check_content(content_dir: Path) -> list[Problem]:
    """All the problems of the content folder, sorted by file and line."""
    problems = check_fiches(content_dir, day=today())  # amounts, themes, glossary included
    problems += load_synonyms(content_dir)[1]
    problems += check_questionnaire(content_dir)
    return sorted(set(problems))
