"""The staff's work queue (``/staff``) with 10 000 waiting items: p95 of the page.

Bulk-loads 5 000 questions to moderate and 5 000 published questions awaiting an answer (a fifth
of them follow-ups), signs in as a moderator-professional and times 60 requests of ``/staff``
in-process (TestClient), after 5 warm-up requests. Target: p95 under 200 ms, on both databases.

    python bench/work_queue.py [--database-url postgresql://…] [--items 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from schemas import fresh_schema  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from app import migrate  # noqa: E402
from app.config import PROJECT_DIR, Settings  # noqa: E402
from app.db import utcnow  # noqa: E402
from app.main import create_app  # noqa: E402
from app.questions.models import Message, Thread  # noqa: E402
from app.staff.accounts import create_staff  # noqa: E402
from app.staff.models import Role  # noqa: E402

PASSWORD = "un mot de passe de banc d'essai"  # noqa: S105 - a throwaway database
BODY = "Bonjour, le CPAS peut-il suspendre mon revenu d'intégration si je rate un rendez-vous ?"


def load(session: Session, items: int) -> None:
    """``items`` waiting items, half to moderate, half to answer, in a few bulk inserts."""
    now = utcnow()
    threads, messages = [], []
    for number in range(items):
        moment = now - dt.timedelta(minutes=7 * number)
        public = number % 2 == 1
        threads.append(
            {
                "id": number + 1,
                "fiche_slug": "piis-contrat-integration" if number % 3 == 0 else None,
                "state": "awaiting_answer",
                "is_public": public,
                "subscribed": False,
                "token_seed": f"seed{number}",
                "token_hash": f"hash{number}",
                "created_at": moment,
                "last_activity_at": moment,
                "waiting_since": moment if public else None,
            }
        )
        messages.append(
            {
                "id": number + 1,
                "thread_id": number + 1,
                "parent_id": None,
                "depth": 0,
                "author": "asker",
                "author_name": f"Jeune{number}",
                "body": f"{BODY} ({number})",
                "body_hash": f"h{number}",
                "state": "published" if public else "pending",
                "version": 1,
                "created_at": moment,
                "state_changed_at": moment,
                "published_at": moment if public else None,
            }
        )
    bulk_insert(session, threads, messages)


def bulk_insert(
    session: Session, threads: list[dict[str, object]], messages: list[dict[str, object]]
) -> None:
    """Rows of ``question_thread`` and ``question_message`` with their ids, in two inserts;
    on PostgreSQL the id sequences follow and the planner gets statistics."""
    session.exec(insert(Thread), params=threads)  # type: ignore[call-overload]
    session.exec(insert(Message), params=messages)  # type: ignore[call-overload]
    if session.get_bind().dialect.name == "postgresql":
        for table in ("question_thread", "question_message"):
            session.exec(  # type: ignore[call-overload]
                text(f"SELECT setval('{table}_id_seq', (SELECT MAX(id) FROM {table}))")
            )
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        session.exec(text("ANALYZE"))  # type: ignore[call-overload]


def bench_app(database_url: str, var_dir: Path) -> FastAPI:
    """The site on a migrated, empty database, as the tests build it."""
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        env="test",
        database_url=database_url,
        var_dir=var_dir,
        content_dir=PROJECT_DIR / "content",
        base_url="http://testserver",
    )
    migrate.upgrade(database_url)
    return create_app(settings)


@contextmanager
def staff_client(app: FastAPI) -> Iterator[TestClient]:
    """A client signed in as a moderator who also answers."""
    with Session(app.state.engine) as session:
        create_staff(
            session,
            email="banc@example.be",
            display_name="Banc",
            password=PASSWORD,
            roles=[Role.moderator, Role.professional],
        )
    with TestClient(app) as client:
        page = client.get("/staff/connexion")
        token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        client.post(
            "/staff/connexion",
            data={"csrf_token": token, "email": "banc@example.be", "mot_de_passe": PASSWORD},
        )
        yield client


def timed(
    client: TestClient,
    path: str,
    marker: str,
    rounds: int = 60,
    before: Callable[[], object] | None = None,
) -> list[float]:
    """Milliseconds of ``rounds`` requests of ``path`` after 5 warm-up ones; each page must be
    a 200 that contains ``marker``. ``before`` runs ahead of each request, untimed."""
    timings = []
    for round_ in range(rounds + 5):
        if before is not None:
            before()
        start = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - start
        assert response.status_code == 200 and marker in response.text, response.status_code
        if round_ >= 5:
            timings.append(elapsed * 1000)
    return timings


@contextmanager
def database(postgres: str | None) -> Iterator[tuple[str, Path, str]]:
    """(URL, var folder, name) of a throwaway database: SQLite, or a fresh PostgreSQL schema."""
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        if postgres:
            with fresh_schema(postgres) as url:
                yield url, tmp / "var", "postgresql"
        else:
            yield f"sqlite:///{tmp / 'bench.sqlite3'}", tmp / "var", "sqlite"


def p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20)[-1]


def measure(database_url: str, var_dir: Path, items: int) -> list[float]:
    app = bench_app(database_url, var_dir)
    with Session(app.state.engine) as session:
        load(session, items)
    with staff_client(app) as client:
        timings = timed(client, "/staff", "File de travail")
    app.state.engine.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", help="PostgreSQL (a fresh schema is used)")
    parser.add_argument("--items", type=int, default=10_000)
    args = parser.parse_args()
    with database(args.database_url) as (url, var_dir, kind):
        timings = measure(url, var_dir, args.items)
    slowest = p95(timings)
    print(
        f"/staff, {args.items} éléments en attente ({kind}) : médiane "
        f"{statistics.median(timings):.1f} ms, p95 {slowest:.1f} ms"
        + ("" if slowest < 200 else "  AU-DELÀ DE 200 ms")
    )


if __name__ == "__main__":
    main()
