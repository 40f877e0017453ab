"""Search latency with 100,000 published questions indexed besides the fiches.

Builds a fresh database (SQLite by default, or the PostgreSQL URL given), indexes the fiches as
the site does at start, adds generated questions made of the fiches' own words, then times the
search of the results page (fiches and questions) for typical queries and prints p50 and p95.

    python bench/search.py [--questions 100000] [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import insert, text
from sqlmodel import Session

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from app import migrate  # noqa: E402
from app.db import is_sqlite, make_engine  # noqa: E402
from app.fiches.library import load_library  # noqa: E402
from app.fiches.live import fiche_documents, today  # noqa: E402
from app.search.index import replace_fiches, search  # noqa: E402
from app.search.models import EntryKind, SearchEntry  # noqa: E402
from app.search.synonyms import load_synonyms  # noqa: E402
from app.search.text import WORD, parse_query, stems  # noqa: E402
from bench.schemas import fresh_schema  # noqa: E402

QUERIES = [
    "contrat integration",
    "etudiant cpas",
    "combien ris",
    "piis",
    "cpas",
    "revenu",
    "sans logement adresse",
    "recours tribunal",
    "job etudiant",
    "cohabitant parents",
    "aide medicale urgente",
    "erasmus etranger",
]


def generate_questions(words: list[str], count: int) -> list[dict[str, object]]:
    rng = random.Random(1)
    rows = []
    for number in range(count):
        title = " ".join(rng.choices(words, k=rng.randint(4, 9))).capitalize() + " ?"
        body = " ".join(rng.choices(words, k=rng.randint(30, 120))) + "."
        rows.append(
            {
                "kind": EntryKind.question.value,
                "key": f"message:{number}",
                "url": f"/questions/{number}",
                "title": title,
                "heading": "Question de Pseudo",
                "body": body,
            }
        )
    return rows


def load(url: str, count: int) -> None:
    migrate.upgrade(url)
    engine = make_engine(url)
    library, _ = load_library(PROJECT / "content", day=today())
    with Session(engine) as session:
        replace_fiches(session, fiche_documents(library))
    words = [w for f in library.fiches.values() for w in WORD.findall(f.plain_text) if len(w) > 2]
    rows = generate_questions(words, count)
    started = time.perf_counter()
    with engine.begin() as connection:
        for start in range(0, len(rows), 5000):
            batch = rows[start : start + 5000]
            connection.execute(insert(SearchEntry), batch)
        if is_sqlite(url):
            ids = dict(
                connection.execute(
                    text("SELECT key, id FROM search_entry WHERE kind = 'question'")
                ).all()
            )
            connection.execute(
                text(
                    "INSERT INTO search_fts(rowid, kind, title, heading, body) "
                    "VALUES (:id, 'question', :title, :heading, :body)"
                ),
                [
                    {
                        "id": ids[row["key"]],
                        "title": " ".join(stems(str(row["title"]))),
                        "heading": " ".join(stems(str(row["heading"]))),
                        "body": " ".join(stems(str(row["body"]))),
                    }
                    for row in rows
                ],
            )
    if not is_sqlite(url):
        # What autovacuum does soon after a bulk load: without statistics, the planner filters
        # every question instead of walking the newest ones.
        with engine.begin() as connection:
            connection.execute(text("ANALYZE search_entry"))
    print(f"{count} questions indexées en {time.perf_counter() - started:.1f} s")
    engine.dispose()


def measure(url: str, rounds: int) -> None:
    engine = make_engine(url)
    synonyms, _ = load_synonyms(PROJECT / "content")
    timings: dict[str, list[float]] = {q: [] for q in QUERIES}
    with Session(engine) as session:
        for _ in range(rounds):
            for raw in QUERIES:
                started = time.perf_counter()
                query = parse_query(raw, synonyms)
                search(session, query, kind=EntryKind.fiche, limit=10)
                search(session, query, kind=EntryKind.question, limit=10)
                timings[raw].append((time.perf_counter() - started) * 1000)
    every = sorted(t for values in timings.values() for t in values)
    print(f"{'requête':<26} {'p50 ms':>8} {'p95 ms':>8}")
    for raw, values in timings.items():
        values.sort()
        p95 = values[int(len(values) * 0.95) - 1]
        print(f"{raw:<26} {statistics.median(values):>8.1f} {p95:>8.1f}")
    p95_all = every[int(len(every) * 0.95) - 1]
    print(f"{'toutes':<26} {statistics.median(every):>8.1f} {p95_all:>8.1f}")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--database-url")
    parser.add_argument("--reuse", help="a database loaded by an earlier run: measure only")
    args = parser.parse_args()
    if args.reuse:
        measure(args.reuse, args.rounds)
        return
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as cleanup:
        if args.database_url:
            url = cleanup.enter_context(fresh_schema(args.database_url))
        else:
            url = f"sqlite:///{tmp}/search.sqlite3"
        load(url, args.questions)
        measure(url, args.rounds)


if __name__ == "__main__":
    main()
