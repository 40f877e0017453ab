"""Issue 12 in Chromium at 360 px: the French error pages with a way on, and the print buttons
that only JavaScript can make work, hidden without it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import LiveServer, Watched, axe_violations

pytestmark = pytest.mark.browser

SHOTS = Path("var/shots/hardening")


@pytest.mark.parametrize(
    "path", ["/fiches/cette-fiche-nexiste-pas", "/questions/9223372036854775808", "/nulle/part"]
)
def test_a_404_is_french_with_a_way_on_at_360px(
    live_server: LiveServer, watched: Watched, path: str
) -> None:
    page = watched.page
    response = page.goto(live_server.url(path))
    assert response is not None and response.status == 404
    assert page.locator("h1").inner_text() == "Page introuvable"
    assert page.locator("form[role=search] input[name=q]").is_visible()
    for label in ("Fiches", "Questions", "Recherche"):
        assert page.locator("main").get_by_role("link", name=label).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"404{path.replace('/', '-')}.png"), full_page=True)
    # Chromium reports the page's own 404; anything else (a CSP violation…) is an error.
    assert [e for e in watched.errors if "status of 404" not in e] == []


@pytest.mark.parametrize("javascript", [True, False], ids=["avec-js", "sans-js"])
def test_the_print_button_shows_only_when_it_can_work(
    live_server: LiveServer, browser: Browser, javascript: bool
) -> None:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="fr-BE", java_script_enabled=javascript
    )
    page = context.new_page()
    try:
        page.goto(live_server.url("/fiches/piis-contrat-integration"))
        button = page.locator("button[data-print]")
        assert button.count() == 1
        assert button.is_visible() is javascript
    finally:
        context.close()
