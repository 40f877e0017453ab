"""The site's pages in a real Chromium: no console error, axe and the Nu Html Checker clean."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page

from tests.browser.conftest import LiveServer, Watched, axe_violations, vnu_errors

pytestmark = pytest.mark.browser

# Every page type of the site; each part adds its own pages here.
PAGES = {
    "accueil": "/",
    "confidentialité": "/confidentialite",
    "accessibilité": "/accessibilite",
    "page introuvable": "/cette-page-nexiste-pas",
    "fiches": "/fiches",
    "fiche": "/fiches/montants-revenu-integration",
    "fiche avec liste à cocher": "/fiches/documents-a-apporter-cpas",
    "fiche avec tableau et encadrés": "/fiches/fin-du-chomage-2026",
    "glossaire": "/glossaire",
    "ce qui a changé": "/changements",
    "recherche": "/recherche?q=contrat+integration",
    "recherche vide": "/recherche",
    "questionnaire": "/ai-je-droit",
    "question": "/ai-je-droit/question/age",
}


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_console_error_and_passes_axe(
    live_server: LiveServer, watched: Watched, name: str
) -> None:
    watched.page.goto(live_server.url(PAGES[name]))
    assert watched.page.locator("h1").count() == 1
    assert axe_violations(watched.page) == []
    assert watched.errors == [] or all("404" in e for e in watched.errors)


def test_every_page_passes_the_nu_html_checker(live_server: LiveServer, tmp_path: Path) -> None:
    documents = {name: httpx.get(live_server.url(path)).text for name, path in PAGES.items()}
    assert vnu_errors(documents, tmp_path) == {}


def test_home_page_on_a_phone(live_server: LiveServer, page: Page, tmp_path: Path) -> None:
    page.goto(live_server.url("/"))
    assert page.title().startswith("Tes droits au CPAS")
    # Nothing overflows sideways on a 360 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Aller au contenu"
    page.screenshot(path=str(tmp_path / "accueil.png"), full_page=True)
