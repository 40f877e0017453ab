"""Fixtures shared by the whole suite: settings, a fresh database per test, an app and a client.

Every database test runs on a fresh SQLite file; when ``TEST_DATABASE_URL`` names a PostgreSQL
database, it runs there too, in a schema of its own that is dropped afterwards.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app import migrate
from app.config import PROJECT_DIR, Settings
from app.db import normalise_url
from app.main import create_app

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
DATABASES = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])

if os.environ.get("CI") and not POSTGRES_URL:
    raise RuntimeError(
        "En CI, TEST_DATABASE_URL doit être défini : les tests PostgreSQL ne sautent pas."
    )


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, or a new PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    assert POSTGRES_URL
    with postgres_schema(POSTGRES_URL) as url:
        yield url


class postgres_schema:  # noqa: N801 - used as a context manager, reads like a function
    """Create a throwaway schema in the test database and point the URL's search_path at it."""

    def __init__(self, base_url: str) -> None:
        self.base_url = normalise_url(base_url)
        self.schema = f"test_{uuid.uuid4().hex[:12]}"
        self.engine = create_engine(self.base_url)

    def __enter__(self) -> str:
        with self.engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        url = make_url(self.base_url).update_query_dict(
            {"options": f"-csearch_path={self.schema},public"}
        )
        return url.render_as_string(hide_password=False)

    def __exit__(self, *_exc: object) -> None:
        with self.engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
        self.engine.dispose()


def make_settings(tmp_path: Path, database_url: str, **overrides: object) -> Settings:
    """Settings for a test: its own database, var folder, and the real content."""
    values: dict[str, object] = {
        "env": "test",
        "database_url": database_url,
        "var_dir": tmp_path / "var",
        "content_dir": PROJECT_DIR / "content",
        "base_url": "http://testserver",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url)


@pytest.fixture
def app(settings: Settings) -> FastAPI:
    migrate.upgrade(settings.database_url)
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token of the first form in a page."""
    match = CSRF_FIELD.search(html)
    assert match, "la page n'a pas de formulaire protégé"
    return match.group(1)
