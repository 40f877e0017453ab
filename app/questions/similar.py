"""The published questions and the fiches closest to a question's text (``app.search``): shown
to the young person before sending ("Ta question a peut-être déjà une réponse") and to the
professional beside the question."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlmodel import Session

from app.questions.indexing import thread_path
from app.search.index import Hit, search
from app.search.models import EntryKind
from app.search.text import parse_query


@dataclass(frozen=True)
class Similar:
    questions: list[Hit]
    fiches: list[Hit]

    @property
    def empty(self) -> bool:
        return not self.questions and not self.fiches


def similar_to(
    session: Session,
    *,
    text: str,
    synonyms: Mapping[str, Sequence[str]] | None = None,
    skip_thread: int | None = None,
    limit: int = 3,
) -> Similar:
    """At most ``limit`` published questions (not ``skip_thread``) and fiches, closest first."""
    query = parse_query(text, synonyms)
    own = f"{thread_path(skip_thread)}#" if skip_thread is not None else None
    questions = [
        hit
        for hit in search(session, query, kind=EntryKind.question, limit=limit + 1, any_word=True)
        if own is None or not hit.url.startswith(own)
    ][:limit]
    fiches = search(session, query, kind=EntryKind.fiche, limit=limit, any_word=True)
    return Similar(questions=questions, fiches=fiches)
