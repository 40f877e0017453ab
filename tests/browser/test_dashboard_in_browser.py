"""The staff dashboard in Chromium at 360 px: reached from the staff navigation with the
keyboard, axe and the Nu Html Checker clean, no sideways scrolling, no CSP error; a bad
period is explained on the page with the typed value kept; the CSV export downloads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import LiveServer, Watched, axe_violations, vnu_errors
from tests.browser.test_questions_in_browser import staff_login

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "var" / "shots"


def test_dashboard_on_a_phone_with_the_keyboard(
    live_server: LiveServer, watched: Watched, tmp_path: Path
) -> None:
    page = watched.page
    staff_login(page, live_server, "pro@demo.invalid", "/staff")
    link = page.locator("nav.staff-nav").get_by_role("link", name="Tableau de bord")
    for _ in range(40):
        page.keyboard.press("Tab")
        if link.evaluate("element => element === document.activeElement"):
            break
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Tableau de bord")
    expect(page.locator("nav.staff-nav [aria-current=page]")).to_have_text("Tableau de bord")
    charts = page.locator("svg.chart[role=img]")
    expect(charts).to_have_count(5)
    for index in range(5):
        title_id = charts.nth(index).get_attribute("aria-labelledby")
        expect(page.locator(f"[id='{title_id}']")).to_contain_text("tableau")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "tableau-de-bord-360.png"), full_page=True)
    documents = {"tableau de bord": page.content()}

    # A bad period: the message on the same page, the typed value kept, reached by the summary.
    page.locator("#du").fill("31/02/2026")
    page.locator("#du").press("Enter")
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("La date de début n'existe pas")
    expect(page.locator("#du")).to_have_value("31/02/2026")
    expect(page).to_have_title(re.compile(r"^Erreur\W+Tableau de bord"))
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    documents["tableau de bord, période refusée"] = page.content()

    page.locator("#du").fill("")
    page.locator("#au").fill("")
    page.get_by_role("button", name="Afficher").click()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"CSV\W+par semaine")).click()
    assert download.value.suggested_filename.startswith("tableau-de-bord-semaines-")
    assert Path(download.value.path()).read_text(encoding="utf-8-sig").startswith("semaine du;")
    # The refused period is answered with a 400, which Chromium logs; nothing else may be.
    assert [e for e in watched.errors if "status of 400" not in e] == []
    assert vnu_errors(documents, tmp_path) == {}
