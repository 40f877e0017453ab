"""The database goes away in the middle of a run and comes back: every page that needs it
answers the French 503 (never a 500), what a person typed is kept, and the site recovers
without a restart.

The outage is real, not a stub: on PostgreSQL the test's schema is renamed (every table
disappears for every connection at once, as when a schema is dropped or a restore is under
way); on SQLite every table is renamed, which the open connections see just the same. The
machine's PostgreSQL server itself is never touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url

from app.db import normalise_url
from tests.questions.thread_helpers import QUESTION, ask, form_data, published_question

FICHE = "/fiches/piis-contrat-integration"
NEEDS_THE_DATABASE = [
    "/questions",  # page-cached
    FICHE,  # page-cached, lists the fiche's threads
    "/recherche?q=cpas",
]
WITHOUT_THE_DATABASE = ["/", "/fiches", "/ai-je-droit", "/glossaire", "/staff/connexion"]


def sqlite_tables(connection: Connection) -> list[str]:
    """The tables to rename: the plain ones and the virtual ones (FTS5), whose shadow tables
    follow their renaming by themselves."""
    rows = connection.execute(
        text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ).all()
    virtual = [name for name, sql in rows if sql.upper().startswith("CREATE VIRTUAL")]
    return [name for name, _ in rows if not any(name.startswith(f"{v}_") for v in virtual)]


@contextmanager
def database_away(database_url: str) -> Iterator[None]:
    """Take every table away from the running app, then give them back."""
    url = make_url(normalise_url(database_url))
    engine = create_engine(url)
    try:
        if url.get_backend_name() == "sqlite":
            with engine.begin() as connection:
                names = sqlite_tables(connection)
                for name in names:
                    connection.execute(text(f'ALTER TABLE "{name}" RENAME TO "hors_{name}"'))
            try:
                yield
            finally:
                with engine.begin() as connection:
                    for name in names:
                        connection.execute(text(f'ALTER TABLE "hors_{name}" RENAME TO "{name}"'))
            return
        schema = str(url.query["options"]).split("search_path=")[1].split(",")[0]
        with engine.begin() as connection:
            connection.execute(text(f'ALTER SCHEMA "{schema}" RENAME TO "{schema}_hors"'))
        try:
            yield
        finally:
            with engine.begin() as connection:
                connection.execute(text(f'ALTER SCHEMA "{schema}_hors" RENAME TO "{schema}"'))
    finally:
        engine.dispose()


def is_french_503(response_status: int, html: str) -> bool:
    page = BeautifulSoup(html, "html.parser")
    return (
        response_status == 503
        and page.h1 is not None
        and page.h1.get_text() == "Service momentanément indisponible"
    )


def test_the_database_goes_away_and_comes_back(
    app: FastAPI, client: TestClient, database_url: str
) -> None:
    thread_id, private = published_question(app, client)
    thread = f"/questions/{thread_id}"
    for path in [*NEEDS_THE_DATABASE, thread, *WITHOUT_THE_DATABASE]:
        assert client.get(path).status_code == 200, path  # and the cached pages are kept
    ask_page = client.get("/questions/poser")
    reply_page = client.get(private)

    with database_away(database_url):
        for path in [*NEEDS_THE_DATABASE, thread, private]:
            response = client.get(path)
            assert is_french_503(response.status_code, response.text), (path, response.status_code)
            assert response.headers["retry-after"] == "60"
            assert response.headers["cache-control"] == "no-store"
        # HEAD too, and the health check says so.
        assert client.head("/questions").status_code == 503
        health = client.get("/healthz")
        assert health.status_code == 503 and health.json()["status"] == "indisponible"
        # Pages made without the database still answer.
        for path in WITHOUT_THE_DATABASE:
            assert client.get(path).status_code == 200, path

        # A person's question is kept on the ask page, with a French message.
        typed = QUESTION + " Je vis seule depuis mars."
        sent = client.post(
            "/questions/poser",
            data=form_data(
                ask_page,
                pseudo="Lina",
                email="lina@example.be",
                question=typed,
                consentement="oui",
            ),
        )
        assert sent.status_code == 503
        form = BeautifulSoup(sent.text, "html.parser")
        assert form.find("textarea", attrs={"name": "question"}).get_text().strip() == typed
        assert "n'a pas pu être enregistrée" in form.get_text()
        # A reply too: the page cannot be drawn, but the text is shown back to be copied.
        reply = client.post(
            f"{private}/repondre", data=form_data(reply_page, message="Et pour le loyer ?")
        )
        assert is_french_503(reply.status_code, reply.text)
        kept = BeautifulSoup(reply.text, "html.parser").find("textarea", readonly=True)
        assert kept is not None and kept.get_text().strip() == "Et pour le loyer ?"

    # Back: the same app, no restart.
    for path in [*NEEDS_THE_DATABASE, thread, private, "/healthz"]:
        assert client.get(path).status_code == 200, path
    assert ask(client, question=QUESTION + " Je vis seule depuis mars.").status_code == 303


@pytest.mark.parametrize("path", ["/questions", FICHE])
def test_a_cached_page_is_a_503_when_the_database_is_away(
    app: FastAPI,
    client: TestClient,
    database_url: str,
    path: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The public version is read again at most every VERSION_TTL seconds (0.1 s); without this
    # the result would depend on how fast the machine runs the next request.
    monkeypatch.setattr("app.questions.views.VERSION_TTL", 0)
    published_question(app, client)
    assert client.get(path).status_code == 200
    assert app.user_middleware  # the page cache is the middleware's
    with database_away(database_url):
        response = client.get(path)
        assert is_french_503(response.status_code, response.text)
    assert client.get(path).status_code == 200
