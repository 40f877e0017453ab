"""The professionals' workspace in a real Chromium: from login, the first waiting question is
answered in 3 clicks and each next one in 2 at most (counted here); the work queue and the
thread pass axe and the Nu Html Checker at 360 px, and work with the keyboard."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlmodel import Session, select

from app.db import make_engine, utcnow
from app.demo import DEMO_PASSWORD
from app.questions import answering, asking, moderation
from app.questions.mails import MailLinks
from app.questions.models import Thread
from app.staff.models import StaffUser
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
            asking.ask(
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
    # Both are public now. They are 400 days old, so other tests sharing this server may have
    # pushed them past the first page of /questions: read the pages until both are seen.
    public = ""
    for number in range(1, 30):
        public += httpx.get(live_server.url(f"/questions?page={number}")).text
        if "Yasmine" in public and "Tom" in public:
            break
    for name in ("Yasmine", "Tom"):
        assert name in public


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


XSS_ANSWER = """Bonjour,

[la fiche](/fiches/etudiant-cpas) et https://www.mi-is.be/fr, puis [piège](javascript:alert(1))
[autre](JaVaScRiPt:alert(2)) [hôte](//evil.example/x) <script>alert(3)</script>
<img src=x onerror=alert(4)> <a href="javascript:alert(5)">lien</a>
https://x.example/"onmouseover="alert(6) [d](data:text/html,<script>alert(7)</script>)
"""


def test_links_in_answers_render_and_no_payload_runs(live_server: LiveServer, page: Page) -> None:
    settings = live_server.settings
    engine = make_engine(settings.database_url)
    links = MailLinks(base_url=settings.base_url, path_for=lambda name, **p: f"/{name}")
    with Session(engine) as session:
        asked = asking.ask(
            session,
            settings=settings,
            links=links,
            pseudonym="Zoé",
            email="zoe@example.be",
            body="Bonjour, est-ce que mes liens de réponse sont sûrs ici ?",
            fiche_slug=None,
            address="198.51.100.90",
        )
        staff = session.exec(select(StaffUser).where(StaffUser.email == "pro@demo.invalid")).one()
        question = asked.question
        moderation.approve(
            session, settings=settings, links=links, message=question, version=1, staff=staff
        )
        thread = session.get(Thread, asked.thread.id)
        assert thread is not None
        answering.answer(
            session,
            settings=settings,
            links=links,
            thread=thread,
            parent_id=None,
            body=XSS_ANSWER,
            staff=staff,
        )
        thread_id = thread.id
    engine.dispose()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(live_server.url(f"/questions/{thread_id}"))
    body = page.locator(".message-pro .message-body")
    expect(body.get_by_role("link", name="la fiche")).to_have_attribute(
        "href", "/fiches/etudiant-cpas"
    )
    expect(body.get_by_role("link", name="https://www.mi-is.be/fr")).to_be_visible()
    hrefs = body.locator("a").evaluate_all("links => links.map(a => a.href)")
    origin = live_server.url("/")
    assert all(h.startswith(("https://", origin)) for h in hrefs), hrefs
    assert body.locator("script, img, [onerror], [onmouseover]").count() == 0
    for link in body.locator("a").all():
        link.hover()
    page.wait_for_timeout(300)
    assert dialogs == []
    page.screenshot(path=str(SHOTS / "reponse-avec-liens-360.png"), full_page=True)


def test_canned_reply_created_then_inserted_at_the_cursor(
    live_server: LiveServer, page: Page, tmp_path: Path
) -> None:
    seed_old_questions(live_server, ["Maé"])
    page.goto(live_server.url("/staff/connexion?suite=/staff/reponses-types"))
    page.locator("#email").fill("pro@demo.invalid")
    page.locator("#mot_de_passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("h1")).to_have_text("Réponses types")
    page.locator("#titre").fill("Délai de 30 jours")
    page.locator("#texte").fill("{pseudo}, le CPAS décide dans les 30 jours.")
    page.get_by_role("button", name="Créer la réponse type").click()
    expect(page.locator(".notice-success")).to_contain_text("Réponse type enregistrée.")
    documents = {"réponses types": page.content()}
    page.screenshot(path=str(SHOTS / "reponses-types-360.png"), full_page=True)
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.goto(live_server.url("/staff"))
    page.locator(".work-item", has_text="Maé").get_by_role("link").click()
    area = page.locator("#reponse")
    area.fill("Bonjour  merci.")
    area.evaluate("element => element.setSelectionRange(8, 8)")
    page.locator("#reponse_type").select_option(label="Délai de 30 jours")
    url = page.url
    page.get_by_role("button", name="Insérer le texte").click()
    assert page.url == url  # no round trip: inserted by the script, at the cursor
    expect(area).to_have_value("Bonjour {pseudo}, le CPAS décide dans les 30 jours. merci.")
    documents["fil avec réponse type"] = page.content()
    assert axe_violations(page) == []
    assert vnu_errors(documents, tmp_path) == {}


def test_the_ask_preview_shows_similar_questions_without_javascript(
    live_server: LiveServer, browser: Browser, tmp_path: Path
) -> None:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="fr-BE", java_script_enabled=False
    )
    page = context.new_page()
    page.goto(live_server.url("/questions/poser"))
    page.locator("#question").fill(
        "Je suis étudiant, est-ce que je peux travailler le week-end sans perdre mon revenu ?"
    )
    page.get_by_role("button", name="Voir si ma question a déjà une réponse").click()
    section = page.locator("section.similar")
    expect(section).to_contain_text("Ta question a peut-être déjà une réponse")
    assert section.locator("a").count() >= 1
    expect(page.locator("#question")).to_have_value(re.compile("travailler le week-end"))
    page.screenshot(path=str(SHOTS / "questions-proches-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    html = page.content()
    context.close()
    assert vnu_errors({"questions proches": html}, tmp_path) == {}
    # The same page with JavaScript on, for axe (which runs as a script).
    checked = browser.new_page(viewport={"width": 360, "height": 740})
    checked.goto(live_server.url("/questions/poser"))
    checked.locator("#question").fill("Je suis étudiant, puis-je travailler le week-end ?")
    checked.get_by_role("button", name="Voir si ma question a déjà une réponse").click()
    expect(checked.locator("section.similar")).to_be_visible()
    assert axe_violations(checked) == []
    checked.close()
