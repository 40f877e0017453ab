"""``check-content``: every content check of every part of the site, in one list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.amounts import load_amounts
from app.content import Problem
from app.cpas.directory import load_directory
from app.fiches.changes import questionnaire_data, questionnaire_problems
from app.fiches.fingerprints import fingerprint_problems
from app.fiches.freshness import behind_changes, known_since, past_review
from app.fiches.library import FICHES_DIR, Library, load_library
from app.fiches.live import today
from app.fiches.meta import FicheMeta
from app.probleme.logic import check_problem_path
from app.questionnaire import check_questionnaire, load_questionnaire
from app.questionnaire.estimation import load_estimation
from app.questionnaire.other_help import load_other_help
from app.search.synonyms import load_synonyms


def check_content(content_dir: Path) -> list[Problem]:
    """All the problems of the content folder, sorted by file and line."""
    return content_report(content_dir)[0]


def content_report(
    content_dir: Path, *, day: dt.date | None = None
) -> tuple[list[Problem], list[Problem]]:
    """(problems, warnings): problems fail ``check-content``; warnings are only printed."""
    day = day or today()
    library, problems = load_library(content_dir, day=day)  # amounts, glossary, changes
    problems += fingerprint_problems(content_dir / FICHES_DIR, fiches_and_paths(library))
    problems += load_synonyms(content_dir)[1]
    problems += check_questionnaire(content_dir)
    problems += questionnaire_problems(library.changes, questionnaire_data(content_dir))
    problems += check_problem_path(content_dir)
    amounts = load_amounts(content_dir)[0]
    problems += load_estimation(content_dir, amounts)[1]
    problems += load_other_help(content_dir, load_questionnaire(content_dir, amounts)[0])[1]
    problems += load_directory(content_dir)[1]
    return sorted(set(problems)), freshness_warnings(library, day=day)


def freshness_warnings(library: Library, *, day: dt.date) -> list[Problem]:
    """Fiches past their review date, and fiches updated before a change that touches them."""
    metas = [fiche.meta for fiche in library.fiches.values()]
    paths = {slug: fiche.source_path for slug, fiche in library.fiches.items()}
    warnings = [
        Problem(
            paths[meta.slug],
            field_line(paths[meta.slug], "relire_avant"),
            f"à relire : la date de relecture ({meta.relire_avant}) est passée",
        )
        for meta in past_review(metas, day=day)
    ]
    for item in behind_changes(metas, library.changes):
        path = paths[item.meta.slug]
        for change in item.changes:
            message = (
                f"actualisée le {item.meta.updated}, avant le changement « {change.id} » "
                f"(s'applique le {change.depuis}, connu le {known_since(change)}) : mets-la à "
                "jour (ou au moins updated), puis lance python -m app actualiser-fiches"
            )
            warnings.append(Problem(path, field_line(path, "updated"), message))
    return sorted(warnings)


def field_line(path: Path, name: str) -> int:
    """The line of a top-level field of a fiche's front matter (1 if not found)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(f"{name}:"):
            return number
    return 1


def fiches_and_paths(library: Library) -> dict[str, tuple[FicheMeta, Path]]:
    return {slug: (fiche.meta, fiche.source_path) for slug, fiche in library.fiches.items()}
