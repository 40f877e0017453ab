"""« Trouver mon CPAS » and « Les aides d'autres organismes » in Chromium at 360 px, keyboard
only, with and without JavaScript; axe-core and the Nu Html Checker."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page

from app.config import PROJECT_DIR
from tests.browser.conftest import LiveServer, Watched, axe_violations, vnu_errors
from tests.browser.test_questionnaire_in_browser import follow_with_enter, tab_to

pytestmark = pytest.mark.browser
SHOTS = PROJECT_DIR / "var" / "shots"
PREGNANT_STUDENT = {
    "age": "20",
    "statut": "belge",
    "enceinte": "oui",
    "vit_en_belgique": "oui",
    "logement": "domicile",
    "menage": "personne",
    "enfant_mineur": "non",
    "etudiant": "oui",
    "handicap": "non",
    "revenus": "aucun",
    "non_demandees": "aucune",
    "prestations_perdues": "aucune",
    "deja_cpas": "jamais",
    "dettes": "non",
    "garantie_locative": "non",
}


def search_with_keyboard(page: Page, code: str) -> None:
    tab_to(page, "#code_postal")
    page.keyboard.press("Control+A")
    page.keyboard.type(code)
    follow_with_enter(page)


def walk(page: Page, live_server: LiveServer, *, axe: bool, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(live_server.url("/trouver-mon-cpas"))
    assert not axe or axe_violations(page) == []
    search_with_keyboard(page, "10a0")
    assert page.locator(".error-summary").is_visible()
    assert "sans lettre" in page.locator(".error-message").inner_text()
    assert page.locator("#code_postal").input_value() == "10a0"
    assert not axe or axe_violations(page) == []
    page.screenshot(path=str(SHOTS / f"cpas-erreur-{name}.png"), full_page=True)
    search_with_keyboard(page, "1080")
    assert "Molenbeek-Saint-Jean" in page.locator(".cpas-card h3").inner_text()
    assert page.locator("#code_postal").input_value() == "1080"
    assert not axe or axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    search_with_keyboard(page, "1180")
    assert "11 h 30" in page.locator(".cpas-card").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(SHOTS / f"cpas-uccle-{name}.png"), full_page=True)
    for code, commune, words in (
        ("4000", "Liège", "CPAS de Liège"),
        ("9000", "Gent (Gand)", "OCMW Gent"),
        ("4700", "Eupen", "ÖSHZ Eupen"),
        ("6686", "Bastogne", "Bertogne"),
    ):
        search_with_keyboard(page, code)
        assert page.locator(".cpas-card h3").inner_text() == commune
        assert words in page.locator(".cpas-card").inner_text()
        assert not axe or axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(SHOTS / f"cpas-{code}-{name}.png"), full_page=True)
    search_with_keyboard(page, "1050")
    assert page.locator(".cpas-card h3").count() == 2
    assert "Une partie seulement" in page.locator(".cpas-card").nth(1).inner_text()
    assert not axe or axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(SHOTS / f"cpas-1050-{name}.png"), full_page=True)
    search_with_keyboard(page, "9999")
    assert "ne connaît pas ce code postal" in page.locator(".cpas-results").inner_text()
    assert not axe or axe_violations(page) == []


def result_url(live_server: LiveServer) -> str:
    with httpx.Client() as client:
        form = client.get(live_server.url("/ai-je-droit/express")).text
        token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        sent = client.post(
            live_server.url("/ai-je-droit/express"),
            data={**PREGNANT_STUDENT, "csrf_token": token, "action": "resultat"},
        )
        assert sent.status_code == 303, sent.text
        return live_server.url(sent.headers["location"])


def test_finder_and_other_help_with_javascript(
    live_server: LiveServer, watched: Watched, tmp_path: Path
) -> None:
    walk(watched.page, live_server, axe=True, name="js")
    url = result_url(live_server)
    watched.page.goto(url)
    help_ = watched.page.locator("#autres-aides-titre")
    assert help_.is_visible()
    assert watched.page.locator("#aide-naissance_allocations_familiales").is_visible()
    assert watched.page.locator("#aide-allocation_etudes").is_visible()
    assert axe_violations(watched.page) == []
    assert watched.page.evaluate("document.documentElement.scrollWidth") <= 360
    watched.page.screenshot(path=str(SHOTS / "resultat-autres-aides.png"), full_page=True)
    assert [e for e in watched.errors if "status of 400" not in e] == []
    with httpx.Client() as client:
        documents = {
            "formulaire": client.get(live_server.url("/trouver-mon-cpas")).text,
            "erreur": client.get(live_server.url("/trouver-mon-cpas?code_postal=10a0")).text,
            "bruxelles": client.get(live_server.url("/trouver-mon-cpas?code_postal=1000")).text,
            "uccle": client.get(live_server.url("/trouver-mon-cpas?code_postal=1180")).text,
            "inconnu": client.get(live_server.url("/trouver-mon-cpas?code_postal=9999")).text,
            "liège": client.get(live_server.url("/trouver-mon-cpas?code_postal=4000")).text,
            "gent": client.get(live_server.url("/trouver-mon-cpas?code_postal=9000")).text,
            "eupen": client.get(live_server.url("/trouver-mon-cpas?code_postal=4700")).text,
            "bertogne": client.get(live_server.url("/trouver-mon-cpas?code_postal=6686")).text,
            "vilvorde": client.get(live_server.url("/trouver-mon-cpas?code_postal=1804")).text,
            "ixelles": client.get(live_server.url("/trouver-mon-cpas?code_postal=1050")).text,
            "résultat": client.get(url).text,
        }
    assert vnu_errors(documents, tmp_path) == {}


def test_finder_without_javascript(browser: Browser, live_server: LiveServer) -> None:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="fr-BE", java_script_enabled=False
    )
    try:
        walk(context.new_page(), live_server, axe=False, name="sans-js")
    finally:
        context.close()
