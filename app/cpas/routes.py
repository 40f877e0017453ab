"""``/trouver-mon-cpas``: a GET form (works without JavaScript), the postcode kept on error."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.cpas.directory import Directory, check_postcode, load_directory
from app.questionnaire.routes import read_once
from app.templating import render

router = APIRouter(include_in_schema=False)
FIELD = "code_postal"
MAX_LENGTH = 20


def directory_of(request: Request) -> Directory:
    """The directory of content/cpas.yaml, read once per app."""
    return read_once(request, "cpas_directory", load_directory)


@router.get("/trouver-mon-cpas", name="cpas_finder")
async def finder(request: Request, code_postal: str | None = None) -> Response:
    """Without a postcode: the form. With one: its communes and their CPAS, or why not."""
    directory = directory_of(request)
    typed = (code_postal or "")[:MAX_LENGTH]
    errors: dict[str, str] = {}
    found = None
    elsewhere = []
    postcode = None
    if code_postal is not None:
        postcode, error = check_postcode(typed)
        if error is not None:
            errors[FIELD] = error
        else:
            assert postcode is not None
            found = directory.lookup(postcode)
            elsewhere = directory.elsewhere(postcode)
    context = {
        "values": {FIELD: typed},
        "errors": errors,
        "postcode": postcode,
        "found": found,
        "elsewhere": elsewhere,
        "oshz_source": directory.oshz_source,
        "german_source": directory.german_source,
        "field": FIELD,
    }
    return render(request, "cpas/trouver.html", context, 400 if errors else 200)
