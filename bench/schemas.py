"""A fresh PostgreSQL schema for one bench run, dropped afterwards: the benches never touch
the database's own tables."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.db import normalise_url  # noqa: E402


@contextmanager
def fresh_schema(postgres: str) -> Iterator[str]:
    """The URL of a new schema of ``postgres``; the schema is dropped on the way out."""
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    engine = create_engine(normalise_url(postgres))
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(normalise_url(postgres)).update_query_dict(
        {"options": f"-csearch_path={schema},public"}
    )
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()
