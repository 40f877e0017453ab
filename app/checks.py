"""``check-content``: every content check of every part of the site, in one list."""

from __future__ import annotations

from pathlib import Path

from app.content import Problem
from app.fiches.changes import load_changes, questionnaire_data, questionnaire_problems
from app.fiches.fingerprints import fingerprint_problems
from app.fiches.library import FICHES_DIR, Library, load_library
from app.fiches.live import today
from app.fiches.meta import FicheMeta
from app.questionnaire import check_questionnaire
from app.search.synonyms import load_synonyms


def check_content(content_dir: Path) -> list[Problem]:
    """All the problems of the content folder, sorted by file and line."""
    library, problems = load_library(content_dir, day=today())  # amounts, glossary, changes
    problems += fingerprint_problems(content_dir / FICHES_DIR, fiches_and_paths(library))
    problems += load_synonyms(content_dir)[1]
    problems += check_questionnaire(content_dir)
    changes, _problems = load_changes(content_dir)  # its own problems come with the fiches'
    problems += questionnaire_problems(changes, questionnaire_data(content_dir))
    return sorted(set(problems))


def fiches_and_paths(library: Library) -> dict[str, tuple[FicheMeta, Path]]:
    return {slug: (fiche.meta, fiche.source_path) for slug, fiche in library.fiches.items()}
