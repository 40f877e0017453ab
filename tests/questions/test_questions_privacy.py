"""No e-mail address on any public page, in any API answer, in any log line."""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urlsplit

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.demo import seed_demo
from app.staff.models import Role
from tests.questions.thread_helpers import form_data, published_question, signed_in

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
SKIP = (".pdf", "/static/", "/staff")


def crawl(client: TestClient, start: str = "/", limit: int = 600) -> dict[str, str]:
    """Every page reachable from ``start`` by following the site's own links."""
    seen: dict[str, str] = {}
    queue = [start, "/questions", "/api/openapi.json"]
    while queue and len(seen) < limit:
        path = queue.pop(0)
        if path in seen or any(part in path for part in SKIP):
            continue
        response = client.get(path)
        seen[path] = response.text
        if "html" not in response.headers.get("content-type", ""):
            continue
        for link in BeautifulSoup(response.text, "html.parser").find_all("a", href=True):
            href = urldefrag(str(link["href"]))[0]
            if href.startswith("?"):
                href = urlsplit(path).path + href
            if href.startswith("/") and not href.startswith("//") and href not in seen:
                queue.append(href)
    return seen


def test_no_email_address_on_any_public_page(
    app: FastAPI, client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    with Session(app.state.engine) as session:
        list(seed_demo(session, app.state.settings))
    # One more thread, asked, published, answered through the pages, with a memorable address.
    asker = TestClient(app, client=("198.51.100.30", 5000))
    thread_id, private = published_question(
        app, asker, pseudo="Discrète", email="tres.secrete@example.be"
    )
    staff = TestClient(app)
    signed_in(staff, app, Role.professional)
    page = staff.get(f"/staff/fils/{thread_id}")
    staff.post(f"/staff/fils/{thread_id}/repondre", data=form_data(page, 1, reponse="Réponse."))

    pages = crawl(asker)
    assert len(pages) > 30, sorted(pages)
    assert f"/questions/{thread_id}" in pages
    assert any(path.startswith("/fiches/") for path in pages)
    found = {path: EMAIL.findall(text) for path, text in pages.items() if EMAIL.search(text)}
    assert found == {}
    # The asker's own private page does not show it either.
    assert "tres.secrete" not in asker.get(private).text
    # Nor does any log line, the access log included.
    leaked = [r.getMessage() for r in caplog.records if EMAIL.search(r.getMessage())]
    assert leaked == []
    assert any(r.name == "app.access" for r in caplog.records)
