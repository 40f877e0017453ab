"""Keeping the search index up to date, and querying it, on SQLite (FTS5) or PostgreSQL."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import bindparam, column, delete, table, text
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.search.models import EntryKind, SearchEntry
from app.search.text import Query, snippet, stem, stems

# Column weights: a word in a title counts more than in a heading, more than in the text.
WEIGHTS = (("title", 10.0), ("heading", 3.0), ("body", 1.0))
FIELDS = ("title", "heading", "body")
# How many entries the database hands over for the final ranking. Fiches: every matching
# section (a few hundred at most). Questions: the newest that hold every word, since there may be
# a hundred thousand of them and ranking them all would take far too long.
CANDIDATES = {EntryKind.fiche: 1000, EntryKind.question: 40}
# Only the start of a long message counts in its score: enough to rank, cheap to compute.
SCORED_WORDS = 200
SECTION_BONUS = 0.3


def page_of(entry: SearchEntry) -> str:
    return entry.url.split("#", 1)[0]


Stems = dict[str, tuple[str, ...]]


def entry_stems(session: Session, entries: Sequence[SearchEntry]) -> dict[int, Stems]:
    """The stems of each entry's fields: read back from FTS5 on SQLite, computed otherwise."""
    if _is_sqlite(session) and entries:
        rows = session.execute(
            text(
                "SELECT rowid, title, heading, body FROM search_fts WHERE rowid IN :ids"
            ).bindparams(bindparam("ids", expanding=True)),
            {"ids": [entry.id for entry in entries]},
        ).all()
        return {
            row[0]: {"title": tuple(row[1].split()), "heading": tuple(row[2].split()),
                     "body": tuple(row[3].split()[:SCORED_WORDS])}
            for row in rows
        }  # fmt: skip
    return {
        entry.id: {
            "title": stems(entry.title),
            "heading": stems(entry.heading),
            "body": stems(entry.body)[:SCORED_WORDS],
        }
        for entry in entries
        if entry.id is not None
    }


def score(fields_stems: Stems, query: Query, *, fields: tuple[str, ...] = FIELDS) -> float:
    """How well an entry answers the query: every word found counts, in a title the most."""
    total = 0.0
    for name, weight in WEIGHTS:
        if name not in fields:
            continue
        words = fields_stems[name]
        if not words:
            continue
        for group in query.groups:
            alternatives = {stem(word) for word in group}
            count = sum(1 for word in words if word in alternatives)
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
                    "INSERT INTO search_fts(rowid, kind, title, heading, body) "
                    "VALUES (:id, :kind, :title, :heading, :body)"
                ),
                {
                    "id": entry.id,
                    "kind": entry.kind,
                    "title": " ".join(stems(document.title)),
                    "heading": " ".join(stems(document.heading)),
                    "body": " ".join(stems(document.body)),
                },
            )


SEARCH_FTS = table("search_fts", column("rowid"))


def _remove(session: Session, condition: ColumnElement[bool]) -> None:
    if _is_sqlite(session):
        # One statement: it takes SQLite's write lock before it reads which rows go, so two
        # workers re-indexing at once cannot each read the other's rows before they commit.
        entry_ids = select(col(SearchEntry.id)).where(condition)
        session.execute(delete(SEARCH_FTS).where(SEARCH_FTS.c.rowid.in_(entry_ids)))
    session.execute(delete(SearchEntry).where(condition))


def replace_fiches(session: Session, documents: Iterable[Document]) -> None:
    """Index the fiches anew (at start, and when the content changes); one transaction."""
    if not _is_sqlite(session):
        # Several workers start at once: one rebuilds, the others wait, then rebuild the same.
        session.execute(text("SELECT pg_advisory_xact_lock(4242)"))
    _remove(session, col(SearchEntry.kind) == EntryKind.fiche)
    _add(session, documents)
    session.commit()


def add_messages(session: Session, documents: Sequence[Document]) -> None:
    """Index published messages (the caller removed their old entries and commits)."""
    _add(session, documents)


def remove_messages(session: Session, keys: Sequence[str]) -> None:
    """Take messages out of search: before indexing them anew, or once no longer public."""
    _remove(session, col(SearchEntry.key).in_(keys))


def search(
    session: Session, query: Query, *, kind: EntryKind, limit: int = 20, any_word: bool = False
) -> list[Hit]:
    """The best entries of one kind for ``query``, best first. Candidates hold every word, or
    any word when none does (or when ``any_word``: similar questions, ranked the same way)."""
    if query.empty:
        return []
    ids = [] if any_word else _candidate_ids(session, query, kind=kind, every_word=True)
    if not ids:
        ids = _candidate_ids(session, query, kind=kind, every_word=False)
    found = session.exec(select(SearchEntry).where(col(SearchEntry.id).in_(ids))).all()
    # The databases rank differently (bm25, ts_rank): the final order is computed here, the
    # same way for both, over the candidates they found.
    found_stems = entry_stems(session, found)
    scores = {entry.id: score(found_stems[entry.id], query) for entry in found if entry.id}
    if kind is EntryKind.fiche:
        # A fiche that answers in many of its sections is about the subject, not just near it.
        sections: dict[str, int] = {}
        for entry in found:
            if entry.id and score(found_stems[entry.id], query, fields=("heading", "body")) > 0:
                sections[page_of(entry)] = sections.get(page_of(entry), 0) + 1
        for entry_id, page in ((e.id, page_of(e)) for e in found if e.id):
            scores[entry_id] += SECTION_BONUS * min(sections.get(page, 0), 10)
    ranked = sorted(found, key=lambda entry: (-scores.get(entry.id or 0, 0.0), entry.url))
    hits: list[Hit] = []
    seen_urls: set[str] = set()
    for entry in ranked:
        page = page_of(entry)
        if page in seen_urls:
            continue  # one hit per fiche or per thread: its best section or message
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


def _candidate_ids(
    session: Session, query: Query, *, kind: EntryKind, every_word: bool
) -> list[int]:
    """Entries of ``kind`` holding every word (or, as a fallback, any); newest first."""
    limit = CANDIDATES[kind]
    if _is_sqlite(session):
        alternatives = [
            "(" + " OR ".join(f'"{stem(word)}"' for word in group) + ")" for group in query.groups
        ]
        words = (" AND " if every_word else " OR ").join(alternatives)
        rows = session.execute(
            text(
                "SELECT rowid FROM search_fts WHERE search_fts MATCH :match "
                "ORDER BY rowid DESC LIMIT :limit"
            ),
            {"match": f'kind : "{kind.value}" AND ({words})', "limit": limit},
        ).all()
    else:
        alternatives = ["(" + " | ".join(word for word in group) + ")" for group in query.groups]
        tsquery = (" & " if every_word else " | ").join(alternatives)
        rows = session.execute(
            text(
                "SELECT e.id FROM search_entry e "
                "WHERE e.kind = :kind AND e.tsv @@ to_tsquery('fr_unaccent', :tsquery) "
                "ORDER BY e.id DESC LIMIT :limit"
            ),
            {"tsquery": tsquery, "kind": kind.value, "limit": limit},
        ).all()
    return [row[0] for row in rows]
