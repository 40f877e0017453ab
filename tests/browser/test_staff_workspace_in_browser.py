"""The professionals' workspace in a real Chromium: from login, the first waiting question is
answered in 3 clicks and each next one in 2 at most (counted here); the work queue and the
thread pass axe and the Nu Html Checker at 360 px, and work with the keyboard."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect
from sqlmodel import Session

from app.db import make_engine, utcnow
from app.demo import DEMO_PASSWORD
from app.questions import service
from app.questions.mails import MailLinks
from tests.browser.conftest import LiveServer, axe_violations, vnu_errors

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "var" / "shots"


def seed_old_questions(live_server: LiveServer, pseudos: list[str]) -> None:
    """Questions older than anything of the demo: they come first in the queue."""
    settings = live_server.settings
    engine = make_engine(settings.database_url)
    links = MailLinks(base_url=settings.base_url, path_for=lambda name, **p: f"/{name}")
    with Session(engine) as session:
        for index, pseudo in enumerate(pseudos):
            service.ask(
                session,
                settings=settings,
                links=links,
                pseudonym=pseudo,
                email=f"{pseudo.lower()}@example.be",
                body=f"Bonjour, je suis {pseudo} : le CPAS peut-il me demander mes extraits ?",
                fiche_slug=None,
                address=f"198.51.100.{index + 60}",
                now=utcnow() - dt.timedelta(days=400 - index),
            )
    engine.dispose()


class Clicks:
    """Every click or Enter that a person makes, counted."""

    def __init__(self) -> None:
        self.count = 0

    def click(self, target: Locator) -> None:
        self.count += 1
        target.click()

    def enter(self, page: Page) -> None:
        self.count += 1
        page.keyboard.press("Enter")


def test_first_answer_in_three_clicks_then_two(live_server: LiveServer, page: Page) -> None:
    seed_old_questions(live_server, ["Yasmine", "Tom"])
    clicks = Clicks()
    page.goto(live_server.url("/staff/connexion"))
    page.locator("#email").fill("pro@demo.invalid")
    page.locator("#mot_de_passe").fill(DEMO_PASSWORD)
    clicks.click(page.get_by_role("button", name="Se connecter"))
    expect(page.locator("h1")).to_have_text("File de travail")
    first = page.locator(".work-item").first
    expect(first).to_contain_text("Yasmine")
    expect(first).to_contain_text("En retard")
    clicks.click(first.get_by_role("link", name="Relire, publier et répondre"))
    page.locator("#reponse").fill("Bonjour Yasmine,\n\nOui, il peut les demander.")
    clicks.click(page.get_by_role("button", name="passer à la suivante"))
    assert clicks.count <= 3
    expect(page.locator(".notice-success")).to_contain_text("Voici la suivante.")
    expect(page.locator("h1")).to_contain_text("Tom")

    before = clicks.count
    page.locator("#reponse").fill("Bonjour Tom,\n\nOui, avec une raison.")
    clicks.click(page.get_by_role("button", name="passer à la suivante"))
    expect(page.locator(".notice-success")).to_contain_text("Réponse publiée")
    assert clicks.count - before <= 2
    for name in ("Yasmine", "Tom"):
        assert name in httpx.get(live_server.url("/questions")).text


def test_workspace_pages_pass_axe_and_the_checker_at_360px(
    live_server: LiveServer, page: Page, tmp_path: Path
) -> None:
    seed_old_questions(live_server, ["Lou"])
    page.goto(live_server.url("/staff/connexion"))
    page.locator("#email").focus()
    page.keyboard.type("pro@demo.invalid")
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("File de travail")
    documents = {"file de travail": page.content()}
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "file-de-travail-360.png"), full_page=True)
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # With the keyboard: Tab to the first item's link, Enter opens the thread.
    link = page.locator(".work-item").first.get_by_role("link")
    for _ in range(60):
        page.keyboard.press("Tab")
        if link.evaluate("element => element === document.activeElement"):
            break
    page.keyboard.press("Enter")
    expect(page.locator("#reponse")).to_be_visible()
    page.get_by_role("button", name="Je m'en occupe").click()
    expect(page.locator(".claim")).to_contain_text("Vous vous occupez de cette question")
    documents["fil à publier et répondre"] = page.content()
    page.screenshot(path=str(SHOTS / "fil-a-repondre-360.png"), full_page=True)
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert vnu_errors(documents, tmp_path) == {}
