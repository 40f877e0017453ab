"""Keeping the search index up to date, and querying it, on SQLite (FTS5) or PostgreSQL."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import delete, text
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.search.models import EntryKind, SearchEntry
from app.search.text import Query, snippet, stem, stems

# Column weights: a word in a title counts more than in a heading, more than in the text.
SQLITE_RANK = "bm25(search_fts, 10.0, 4.0, 1.0)"
WEIGHTS = (("title", 10.0), ("heading", 3.0), ("body", 1.0))
FIELDS = ("title", "heading", "body")
# How many entries the database hands over for the final ranking.
CANDIDATES = 300
SECTION_BONUS = 0.3


def page_of(entry: SearchEntry) -> str:
    return entry.url.split("#", 1)[0]


def score(entry: SearchEntry, query: Query, *, fields: tuple[str, ...] = FIELDS) -> float:
    """How well an entry answers the query: every word found counts, in a title the most."""
    total = 0.0
    for name, weight in WEIGHTS:
        if name not in fields:
            continue
        words = stems(getattr(entry, name))
        if not words:
            continue
        for group in query.groups:
            alternatives = tuple(stem(word) for word in group)
            count = sum(1 for word in words if word.startswith(alternatives))
            # A short title that holds the word is about it: titles are damped by their length.
            length = math.sqrt(len(words)) if name == "title" else 1 + 0.15 * math.log1p(len(words))
            total += weight * math.log1p(count) / length
    return total


@dataclass(frozen=True)
class Document:
    """Something to index: a fiche section or a published message."""

    kind: EntryKind
    key: str
    url: str
    title: str
    heading: str
    body: str


@dataclass(frozen=True)
class Hit:
    kind: EntryKind
    url: str
    title: str
    heading: str
    snippet: Markup


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _add(session: Session, documents: Iterable[Document]) -> None:
    sqlite = _is_sqlite(session)
    for document in documents:
        entry = SearchEntry(
            kind=document.kind.value,
            key=document.key,
            url=document.url,
            title=document.title,
            heading=document.heading,
            body=document.body,
        )
        session.add(entry)
        if sqlite:
            session.flush()
            session.execute(
                text(
                    "INSERT INTO search_fts(rowid, title, heading, body) "
                    "VALUES (:id, :title, :heading, :body)"
                ),
                {
                    "id": entry.id,
                    "title": " ".join(stems(document.title)),
                    "heading": " ".join(stems(document.heading)),
                    "body": " ".join(stems(document.body)),
                },
            )


def _remove(session: Session, condition: ColumnElement[bool]) -> None:
    if _is_sqlite(session):
        for entry_id in session.exec(select(SearchEntry.id).where(condition)).all():
            session.execute(text("DELETE FROM search_fts WHERE rowid = :id"), {"id": entry_id})
    session.execute(delete(SearchEntry).where(condition))


def replace_fiches(session: Session, documents: Iterable[Document]) -> None:
    """Index the fiches anew (at start, and when the content changes); one transaction."""
    if not _is_sqlite(session):
        # Several workers start at once: one rebuilds, the others wait, then rebuild the same.
        session.execute(text("SELECT pg_advisory_xact_lock(4242)"))
    _remove(session, col(SearchEntry.kind) == EntryKind.fiche)
    _add(session, documents)
    session.commit()


def index_message(session: Session, document: Document) -> None:
    """Add or refresh one published message (the caller commits)."""
    _remove(session, col(SearchEntry.key) == document.key)
    _add(session, [document])


def remove_message(session: Session, key: str) -> None:
    """Take a message out of search, once hidden, deleted or no longer published."""
    _remove(session, col(SearchEntry.key) == key)


def search(session: Session, query: Query, *, kind: EntryKind, limit: int = 20) -> list[Hit]:
    """The best entries of one kind for ``query``, best first."""
    if query.empty:
        return []
    rows = _ranked_ids(session, query, kind=kind, limit=CANDIDATES, every_word=True)
    if not rows:
        rows = _ranked_ids(session, query, kind=kind, limit=CANDIDATES, every_word=False)
    ids = [row[0] for row in rows]
    found = session.exec(select(SearchEntry).where(col(SearchEntry.id).in_(ids))).all()
    # The databases rank differently (bm25, ts_rank): the final order is computed here, the
    # same way for both, over the candidates they found.
    scores = {entry.id: score(entry, query) for entry in found}
    if kind is EntryKind.fiche:
        # A fiche that answers in many of its sections is about the subject, not just near it.
        sections: dict[str, int] = {}
        for entry in found:
            if score(entry, query, fields=("heading", "body")) > 0:
                sections[page_of(entry)] = sections.get(page_of(entry), 0) + 1
        for entry in found:
            scores[entry.id] += SECTION_BONUS * min(sections.get(page_of(entry), 0), 10)
    ranked = sorted(found, key=lambda entry: (-scores[entry.id], entry.url))
    hits: list[Hit] = []
    seen_urls: set[str] = set()
    for entry in ranked:
        page = page_of(entry)
        if kind is EntryKind.fiche and page in seen_urls:
            continue  # one hit per fiche: its best section
        seen_urls.add(page)
        hits.append(
            Hit(
                kind=EntryKind(entry.kind),
                url=entry.url,
                title=entry.title,
                heading=entry.heading,
                snippet=snippet(entry.body, query),
            )
        )
        if len(hits) == limit:
            break
    return hits


def _ranked_ids(
    session: Session, query: Query, *, kind: EntryKind, limit: int, every_word: bool
) -> list[tuple[int, float]]:
    """(entry id, rank) best first: every word present, or (as a fallback) any of them."""
    if _is_sqlite(session):
        alternatives = [
            "(" + " OR ".join(f'"{stem(word)}"*' for word in group) + ")" for group in query.groups
        ]
        match = (" AND " if every_word else " OR ").join(alternatives)
        rows = session.execute(
            text(
                f"SELECT e.id, {SQLITE_RANK} AS rank FROM search_fts "  # noqa: S608 - constant
                "JOIN search_entry e ON e.id = search_fts.rowid "
                "WHERE search_fts MATCH :match AND e.kind = :kind ORDER BY rank LIMIT :limit"
            ),
            {"match": match, "kind": kind.value, "limit": limit},
        ).all()
    else:
        alternatives = [
            "(" + " | ".join(f"{word}:*" for word in group) + ")" for group in query.groups
        ]
        tsquery = (" & " if every_word else " | ").join(alternatives)
        rows = session.execute(
            text(
                "SELECT e.id, ts_rank(e.tsv, q) AS rank FROM search_entry e, "
                "to_tsquery('fr_unaccent', :tsquery) AS q "
                "WHERE e.kind = :kind AND e.tsv @@ q ORDER BY rank DESC, e.id LIMIT :limit"
            ),
            {"tsquery": tsquery, "kind": kind.value, "limit": limit},
        ).all()
    return [(row[0], row[1]) for row in rows]
