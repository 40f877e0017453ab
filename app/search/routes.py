"""``/recherche``: the fiches and the published questions that match what was typed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.search.index import search
from app.search.models import EntryKind
from app.search.text import MAX_QUERY_LENGTH, parse_query
from app.templating import render

router = APIRouter()

# Shown when nothing was typed or nothing was found: searches that lead somewhere.
SUGGESTIONS = [
    "revenu d'intégration",
    "contrat PIIS",
    "étudiant",
    "montant",
    "sans logement",
    "recours",
    "cohabitant",
    "moins de 25 ans",
]


@router.get("/recherche", name="search")
def search_page(request: Request, session: SessionDep, q: str = "") -> Response:
    query = parse_query(q, request.app.state.search_synonyms)
    fiches = search(session, query, kind=EntryKind.fiche, limit=10)
    questions = search(session, query, kind=EntryKind.question, limit=10)
    context = {
        "section": "search",
        "q": q[:MAX_QUERY_LENGTH],
        "query": query,
        "fiches": fiches,
        "questions": questions,
        "suggestions": SUGGESTIONS,
        "themes": request.app.state.library.library.themes,
    }
    return render(request, "search/results.html", context)
