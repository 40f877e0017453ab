"""The counter mode and the result's sharing tools in Chromium at 360 px, keyboard only, with
and without JavaScript; axe-core and the Nu Html Checker."""

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


def fill_with_keyboard(page: Page) -> None:
    """Age typed, « belge » picked, then « Mettre à jour » with Enter."""
    tab_to(page, "#age")
    page.keyboard.type("17")
    tab_to(page, "input[name='statut']")
    page.keyboard.press("Space")
    tab_to(page, "button[value='maj']")
    follow_with_enter(page)


def walk(page: Page, live_server: LiveServer, *, axe: bool, name: str) -> str:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(live_server.url("/ai-je-droit/express"))
    assert not axe or axe_violations(page) == []
    fill_with_keyboard(page)
    # 17 years old: the question for minors appears, with its note; the answers stayed.
    assert page.locator("input[name='situation_mineur']").count() > 0
    assert page.locator("#age").input_value() == "17"
    assert page.locator(".express-note").count() > 0
    tab_to(page, "button[value='resultat']")
    follow_with_enter(page)
    assert page.locator(".error-summary").is_visible()
    assert page.locator("#age").input_value() == "17"
    assert not axe or axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(SHOTS / f"express-{name}.png"), full_page=True)
    return page.url


def test_counter_mode_with_javascript(
    live_server: LiveServer, watched: Watched, tmp_path: Path
) -> None:
    walk(watched.page, live_server, axe=True, name="js")
    assert [e for e in watched.errors if "status of 400" not in e] == []
    with httpx.Client() as client:
        page = client.get(live_server.url("/ai-je-droit/express"))
        token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        error = client.post(
            live_server.url("/ai-je-droit/express"),
            data={"csrf_token": token, "age": "x", "action": "resultat"},
        )
        assert error.status_code == 400
        documents = {"guichet": page.text, "guichet avec erreurs": error.text}
    assert vnu_errors(documents, tmp_path) == {}


def test_counter_mode_without_javascript(browser: Browser, live_server: LiveServer) -> None:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="fr-BE", java_script_enabled=False
    )
    try:
        walk(context.new_page(), live_server, axe=False, name="sans-js")
    finally:
        context.close()
