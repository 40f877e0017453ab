"""The fiche pages as a reader sees them: list by theme, a fiche, its PDF, the glossary."""

from __future__ import annotations

import io
import re

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.config import PROJECT_DIR
from app.fiches.french import date_fr
from app.fiches.meta import load_themes

SLUGS = sorted(p.stem for p in (PROJECT_DIR / "content" / "fiches").glob("*.md"))


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def test_index_groups_fiches_by_theme_with_their_update_date(client: TestClient) -> None:
    page = soup(client.get("/fiches").text)
    sections = page.select("main section")
    # The themes of themes.yaml, in its order, each shown once a fiche uses it.
    themes, _problems = load_themes(PROJECT_DIR / "content")
    fiches = client.app.state.library.library.fiches.values()
    used = {slug for fiche in fiches for slug in fiche.meta.themes}
    expected = [theme.titre for theme in themes if theme.slug in used]
    assert "Ta santé" in expected
    assert "Logement, énergie et argent du quotidien" in expected
    assert [s.h2.get_text() for s in sections if s.h2] == expected
    listed = {a["href"] for a in page.select("ul.fiche-list h3 a")}
    assert listed == {f"/fiches/{slug}" for slug in SLUGS}
    library = client.app.state.library.current()  # type: ignore[attr-defined]
    for item in page.select("ul.fiche-list li"):
        slug = str(item.h3.a["href"]).removeprefix("/fiches/")
        updated = library.fiches[slug].meta.updated
        assert item.select_one("p.meta").get_text() == f"Mis à jour le {date_fr(updated)}"


@pytest.mark.parametrize("slug", SLUGS)
def test_every_fiche_renders_with_dates_toc_sources_and_links(
    client: TestClient, slug: str
) -> None:
    response = client.get(f"/fiches/{slug}")
    assert response.status_code == 200
    page = soup(response.text)
    assert page.h1 is not None
    dates = page.select_one(".fiche-dates")
    assert dates is not None
    for label in ("Version", "Mise en ligne", "Dernière actualisation"):
        assert label in dates.get_text()
    toc_links = [a["href"] for a in page.select("nav.toc a")]
    assert toc_links, "la fiche n'a pas de table des matières"
    for href in toc_links:
        assert page.find(id=str(href).removeprefix("#")) is not None, href
    assert page.select(".fiche-sources li a.external")
    assert page.find("a", href=f"/fiches/{slug}.pdf") is not None
    for link in page.select(".fiche-body a[href^='/fiches/']"):
        target, _, anchor = str(link["href"]).partition("#")
        other = client.get(target)
        assert other.status_code == 200, target
        if anchor:
            assert soup(other.text).find(id=anchor) is not None, link["href"]


def test_amounts_are_dated_on_the_page(client: TestClient) -> None:
    page = soup(client.get("/fiches/montants-revenu-integration").text)
    table = page.select_one(".fiche-body table")
    assert table is not None and "1\u202f314,20\u00a0€" in table.get_text()
    notes = page.select_one(".amount-notes")
    assert notes is not None and "depuis le 1er février 2025" in notes.get_text()


def test_glossary_terms_are_marked(client: TestClient) -> None:
    page = soup(client.get("/fiches/piis-contrat-integration").text)
    assert page.select_one(".fiche-body abbr[title]") is not None
    glossary = soup(client.get("/glossaire").text)
    assert glossary.find(id="piis") is not None


def test_fiche_answers_304_to_its_etag(client: TestClient) -> None:
    first = client.get("/fiches/etudiant-cpas")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "no-cache"
    again = client.get("/fiches/etudiant-cpas", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""


def test_unknown_fiche_is_a_french_404(client: TestClient) -> None:
    response = client.get("/fiches/nexiste-pas")
    assert response.status_code == 404
    assert "Page introuvable" in response.text
    assert client.get("/fiches/nexiste-pas.pdf").status_code == 404


def test_pdf_is_a_real_pdf_with_the_title_and_the_update_date(client: TestClient) -> None:
    from pypdf import PdfReader

    response = client.get("/fiches/piis-contrat-integration.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    text = re.sub(r"\s+", " ", text)
    assert "Le PIIS, le contrat d" in text
    assert "23 novembre 2026" in text
    assert "Version" in text
    assert "/fiches/piis-contrat-integration" in text
    assert "Sections du site" not in text and "Recherche" not in text.split("Sources")[0][:200]
    cached = client.get(
        "/fiches/piis-contrat-integration.pdf", headers={"If-None-Match": response.headers["etag"]}
    )
    assert cached.status_code == 304
