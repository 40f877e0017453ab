"""Several workers start at once and each re-indexes the fiches: the index must come out whole."""

from __future__ import annotations

import threading

from fastapi import FastAPI
from sqlalchemy import text
from sqlmodel import Session, func, select

from app.fiches.live import fiche_documents
from app.search.index import replace_fiches
from app.search.models import EntryKind, SearchEntry


def test_concurrent_reindexing_leaves_one_copy_of_each_section(app: FastAPI) -> None:
    engine = app.state.engine
    documents = fiche_documents(app.state.library.library)
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def worker() -> None:
        try:
            start.wait()
            for _ in range(3):
                with Session(engine) as session:
                    replace_fiches(session, documents)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        with Session(engine) as session:
            count = select(func.count()).select_from(SearchEntry)
            fiches = session.exec(count.where(SearchEntry.kind == EntryKind.fiche)).one()
            assert fiches == len(documents)
            if engine.dialect.name == "sqlite":
                in_fts = session.execute(text("SELECT count(*) FROM search_fts")).scalar_one()
                assert in_fts == session.exec(count).one()
    finally:
        engine.dispose()
