"""The library the site serves: rendered once, again when the amounts change, and in
development again when a content file changes."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.content import ContentError
from app.fiches.library import Fiche, Library, load_library
from app.search.index import Document, replace_fiches
from app.search.models import EntryKind

log = logging.getLogger(__name__)


def today() -> dt.date:
    """Belgian date, which the amounts' dates follow (close enough to UTC+1 for a day)."""
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).date()


def fiche_documents(library: Library) -> list[Document]:
    """One search document per section of each fiche, so a hit can name its heading."""
    documents = []
    for fiche in library.fiches.values():
        for section in fiche.sections:
            fragment = f"#{section.anchor}" if section.anchor else ""
            documents.append(
                Document(
                    kind=EntryKind.fiche,
                    key=f"fiche:{fiche.slug}{fragment}",
                    url=f"/fiches/{fiche.slug}{fragment}",
                    title=fiche.meta.title,
                    heading=section.heading if section.anchor else "",
                    body=section.text,
                )
            )
    return documents


class LiveLibrary:
    """Holds the current library; cheap to ask on every request."""

    def __init__(self, content_dir: Path, *, watch_files: bool) -> None:
        self.content_dir = content_dir
        self.watch_files = watch_files
        self._lock = threading.Lock()
        self._stamp = self._files_stamp()
        self.library = self._load(today(), strict=True)

    def _files_stamp(self) -> tuple[tuple[str, int], ...]:
        if not self.watch_files:
            return ()
        files = sorted(p for p in self.content_dir.rglob("*") if p.is_file())
        return tuple((str(p), p.stat().st_mtime_ns) for p in files)

    def _load(self, day: dt.date, *, strict: bool) -> Library:
        library, problems = load_library(self.content_dir, day=day)
        if problems:
            if strict:
                raise ContentError(problems)
            for problem in problems:
                log.error("contenu : %s", problem)
        return library

    def current(self, engine: Engine | None = None) -> Library:
        """The library for today; rendered anew when the day brings new amounts or files changed."""
        day = today()
        library = self.library
        stale = library.next_amounts_change is not None and day >= library.next_amounts_change
        changed = self.watch_files and self._files_stamp() != self._stamp
        if not (stale or changed):
            return library
        with self._lock:
            if self.library is library:
                self._stamp = self._files_stamp()
                self.library = self._load(day, strict=False)
                if engine is not None:
                    self.reindex(engine)
        return self.library

    def reindex(self, engine: Engine) -> None:
        """Put the fiches' sections in the search index (at start and after a change)."""
        try:
            with Session(engine) as session:
                replace_fiches(session, fiche_documents(self.library))
        except Exception:  # noqa: BLE001 - search can wait; the fiches themselves still serve
            log.exception("l'index de recherche des fiches n'a pas pu être mis à jour")

    def get(self, slug: str) -> Fiche | None:
        return self.library.get(slug)
