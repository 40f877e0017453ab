"""« J'ai un problème avec une décision du CPAS » in Chromium at 360 px, keyboard only, with
and without JavaScript; axe-core on each kind of page, the Nu Html Checker on their HTML."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page

from app.config import PROJECT_DIR
from tests.browser.conftest import LiveServer, Watched, axe_violations, vnu_errors
from tests.browser.test_questionnaire_in_browser import (
    answer_with_keyboard,
    follow_with_enter,
    tab_to,
)

pytestmark = pytest.mark.browser
SHOTS = PROJECT_DIR / "var" / "shots"


def current(page: Page) -> str | None:
    marker = "/ai-je-droit/probleme/question/"
    if marker not in page.url:
        return None
    return page.url.split(marker, 1)[1].split("?", 1)[0]


def walk(page: Page, answers: dict[str, str], shots: str) -> list[str]:
    asked = []
    while (question := current(page)) is not None:
        asked.append(question)
        answer_with_keyboard(page, question, answers[question])
        assert page.locator(".error-summary").count() == 0, page.url
        if len(asked) == 2:
            page.screenshot(path=str(SHOTS / f"{shots}-question.png"), full_page=True)
    return asked


def run_paths(page: Page, live_server: LiveServer, name: str, *, axe: bool) -> dict[str, str]:
    """Both paths; axe runs only with JavaScript on (its timers need it: the HTML is the same)."""

    def clean() -> bool:
        return not axe or axe_violations(page) == []

    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(live_server.url("/ai-je-droit"))
    tab_to(page, "a[href='/ai-je-droit/probleme']")
    follow_with_enter(page)
    assert clean()
    tab_to(page, "main a.button")
    follow_with_enter(page)
    assert current(page) == "probleme"

    # A refusal, with a future date first: the message shows and the text stays.
    answer_with_keyboard(page, "probleme", "refus")
    answer_with_keyboard(page, "date_lettre", "01/01/2099")
    assert page.locator(".error-summary").inner_text().count("dans le futur") == 1
    assert page.locator("#date_lettre").input_value() == "01/01/2099"
    assert clean()
    page.screenshot(path=str(SHOTS / f"{name}-date-erreur.png"), full_page=True)
    walk(page, {"date_lettre": "15/10/2026", "envoi": "recommande", "mentions": "oui"}, name)
    assert "/ai-je-droit/probleme/resultat" in page.url
    assert "Recours au tribunal du travail" in page.locator(".deadline-box").inner_text()
    assert clean()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(SHOTS / f"{name}-resultat-refus.png"), full_page=True)
    refusal_url = page.url

    # No decision and no receipt: the confirmation letter.
    page.goto(live_server.url("/ai-je-droit/probleme/question/probleme"))
    walk(page, {"probleme": "sans_decision", "date_demande": "01/09/2026", "accuse": "non"}, name)
    tab_to(page, "a[href*='/lettre/confirmation_demande?']")
    follow_with_enter(page)
    assert "Confirmation de ma demande" in page.locator("article.letter").inner_text()
    assert clean()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(SHOTS / f"{name}-lettre.png"), full_page=True)
    return {"résultat refus": refusal_url, "lettre": page.url}


def test_the_paths_with_the_keyboard_and_javascript(
    live_server: LiveServer, watched: Watched, tmp_path: Path
) -> None:
    urls = run_paths(watched.page, live_server, "probleme-js", axe=True)
    assert watched.page.locator("button[data-print]").is_visible()
    assert [e for e in watched.errors if "status of 400" not in e] == []
    with httpx.Client() as client:
        documents = {name: client.get(url).text for name, url in urls.items()}
        documents["départ"] = client.get(live_server.url("/ai-je-droit/probleme")).text
        question = client.get(live_server.url("/ai-je-droit/probleme/question/probleme"))
        documents["question"] = question.text
        token = question.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        error = client.post(
            live_server.url("/ai-je-droit/probleme/question/probleme"),
            data={"csrf_token": token, "etat": ""},
        )
        assert error.status_code == 400
        documents["question avec erreur"] = error.text
    assert vnu_errors(documents, tmp_path) == {}


def test_the_paths_without_javascript(browser: Browser, live_server: LiveServer) -> None:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="fr-BE", java_script_enabled=False
    )
    page = context.new_page()
    try:
        run_paths(page, live_server, "probleme-sans-js", axe=False)
        assert page.locator("button[data-print]").is_hidden()
    finally:
        context.close()
