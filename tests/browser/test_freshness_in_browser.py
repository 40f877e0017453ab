"""« Ce qui a changé » and the staff freshness page at 360 px: axe, Nu checker, no overflow."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, Watched, axe_violations, vnu_errors
from tests.browser.test_questions_in_browser import staff_login

pytestmark = pytest.mark.browser


def fits_a_phone(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= 360"))


def test_changes_page_and_a_fiche_box_on_a_phone(
    live_server: LiveServer, watched: Watched, tmp_path: Path
) -> None:
    page = watched.page
    page.goto(live_server.url("/"))
    page.get_by_role("link", name="Ce qui a changé").click()  # from the footer
    expect(page.locator("h1")).to_have_text("Ce qui a changé")
    assert page.locator("ol.change-list > li").count() >= 5
    assert axe_violations(page) == [] and fits_a_phone(page)
    documents = {"changements": page.content()}
    page.locator("ol.change-list > li").first.get_by_role("link").first.click()
    box = page.locator("aside.fiche-changes")
    expect(box.locator("h2")).to_have_text("Ce qui a changé")
    assert axe_violations(page) == [] and fits_a_phone(page)
    documents["fiche avec encadré"] = page.content()
    box.get_by_role("link", name="Tous les changements de la loi").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server.url("/changements"))
    assert watched.errors == []
    assert vnu_errors(documents, tmp_path) == {}


def test_staff_freshness_page_on_a_phone(
    live_server: LiveServer, page: Page, tmp_path: Path
) -> None:
    staff_login(page, live_server, "moderation@demo.invalid", "/staff/fraicheur")
    expect(page.locator("h1")).to_have_text("Fraîcheur du contenu")
    expect(page.locator("nav.staff-nav [aria-current=page]")).to_have_text("Fraîcheur")
    for heading in ("relire", "changements", "questionnaire", "montants", "reponses"):
        expect(page.locator(f"h2#{heading}")).to_be_visible()
    assert axe_violations(page) == [] and fits_a_phone(page)
    page.screenshot(path=str(tmp_path / "fraicheur.png"), full_page=True)
    assert vnu_errors({"fraîcheur": page.content()}, tmp_path) == {}
