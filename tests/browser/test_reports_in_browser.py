"""Reporting a message in a real Chromium: a reader without JavaScript reports an answer from
the public thread; a moderator finds it in the work queue and removes it in one step. The
report page, its error state, its confirmation and the queue pass axe and the Nu Html Checker
at 360 px."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, select

from app.db import make_engine
from app.demo import DEMO_PASSWORD
from app.questions import answering, asking, moderation
from app.questions.mails import MailLinks
from app.questions.threads import question_row
from app.staff.models import StaffUser
from tests.browser.conftest import LiveServer, axe_violations, vnu_errors

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "var" / "shots"


def answered_thread(live_server: LiveServer) -> tuple[int, int, str]:
    """A published question with a professional's answer: (thread id, answer id, its text)."""
    settings = live_server.settings
    engine = make_engine(settings.database_url)
    links = MailLinks(base_url=settings.base_url, path_for=lambda name, **p: f"/{name}")
    marker = secrets.token_hex(4)
    answer_text = f"Appelle Mme Dupont au 0470 00 00 00, elle connaît ton dossier ({marker})."
    with Session(engine) as session:
        staff = {
            user.email: user
            for user in session.exec(select(StaffUser)).all()
            if user.email in ("moderation@demo.invalid", "pro@demo.invalid")
        }
        asked = asking.ask(
            session,
            settings=settings,
            links=links,
            pseudonym="Jade",
            email="jade.signalement@example.be",
            body=f"Bonjour, à qui dois-je parler au CPAS pour mon dossier ? ({marker})",
            fiche_slug=None,
            address="198.51.100.90",
        )
        question = question_row(session, asked.thread)
        moderation.approve(
            session,
            settings=settings,
            links=links,
            message=question,
            version=question.version,
            staff=staff["moderation@demo.invalid"],
        )
        session.refresh(asked.thread)
        answer = answering.answer(
            session,
            settings=settings,
            links=links,
            thread=asked.thread,
            parent_id=None,
            body=answer_text,
            staff=staff["pro@demo.invalid"],
        )
        assert asked.thread.id is not None and answer.id is not None
        result = asked.thread.id, answer.id, answer_text
    engine.dispose()
    return result


def test_a_reader_reports_without_javascript_and_a_moderator_removes_it(
    live_server: LiveServer, browser: Browser, page: Page, tmp_path: Path
) -> None:
    thread_id, answer_id, answer_text = answered_thread(live_server)
    wait = live_server.settings.min_fill_seconds * 1000 + 200
    documents: dict[str, str] = {}
    SHOTS.mkdir(parents=True, exist_ok=True)

    # 1. A reader without JavaScript, on a phone, reports the answer.
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="fr-BE", java_script_enabled=False
    )
    try:
        reader = context.new_page()
        reader.goto(live_server.url(f"/questions/{thread_id}"))
        answer = reader.locator(f"#message-{answer_id}")
        answer.get_by_role("link", name=re.compile("Signaler ce message")).click()
        expect(reader.locator("h1")).to_have_text("Signaler un message")
        expect(reader.locator(".reported-message")).to_contain_text("Mme Dupont")
        documents["signaler"] = reader.content()
        # Sent without a reason: the error, the typed text kept.
        reader.locator("#precision").fill("Un nom et un numéro de téléphone.")
        reader.wait_for_timeout(wait)
        reader.get_by_role("button", name="Envoyer le signalement").click()
        expect(reader.locator(".error-summary")).to_contain_text("Choisis pourquoi")
        assert reader.locator("#precision").input_value() == "Un nom et un numéro de téléphone."
        documents["signaler avec erreur"] = reader.content()
        reader.get_by_label("Des données personnelles sont visibles").check()
        reader.wait_for_timeout(wait)
        reader.get_by_role("button", name="Envoyer le signalement").click()
        expect(reader.locator("h1")).to_have_text("Merci, ton signalement est bien arrivé")
        assert reader.evaluate("document.documentElement.scrollWidth") <= 360
        reader.screenshot(path=str(SHOTS / "signalement-envoye-360.png"), full_page=True)
        documents["signalement envoyé"] = reader.content()
    finally:
        context.close()

    # The same pages with JavaScript, for axe.
    report_url = live_server.url(f"/questions/messages/{answer_id}/signaler")
    page.goto(report_url)
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(SHOTS / "signaler-360.png"), full_page=True)
    page.get_by_role("button", name="Envoyer le signalement").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert axe_violations(page) == []
    page.goto(report_url + "?fait=1")
    assert axe_violations(page) == []

    # 2. A moderator sees it in the work queue, at 360 px, and removes it in one step.
    page.goto(live_server.url("/staff/connexion"))
    page.locator("#email").fill("moderation@demo.invalid")
    page.locator("#mot_de_passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator("h1")).to_have_text("File de travail")
    item = page.locator(".work-item", has_text="Mme Dupont")
    expect(item).to_contain_text("Message signalé")
    expect(item).to_contain_text("Signalé 1 fois")
    expect(item).to_contain_text("Des données personnelles sont visibles")
    expect(item).to_contain_text("Un nom et un numéro de téléphone.")
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(SHOTS / "file-signalement-360.png"), full_page=True)
    documents["file avec signalement"] = page.content()
    item.get_by_role("button", name=re.compile("Retirer le message")).click()
    expect(page.locator(".notice-success")).to_contain_text("Message retiré des pages publiques")
    expect(page.locator(".work-item", has_text="Mme Dupont")).to_have_count(0)

    public = httpx.get(live_server.url(f"/questions/{thread_id}")).text
    assert answer_text not in public
    assert "à qui dois-je parler au CPAS" in public  # the thread stays, without the answer
    assert vnu_errors(documents, tmp_path) == {}


def focus_by_tab(page: Page, test: str, limit: int = 80) -> None:
    """Press Tab until the focused element passes ``test`` (a JavaScript expression on ``el``)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!({test}); }})()"):
            return
    raise AssertionError(f"jamais atteint au clavier : {test}")


def test_a_reader_reports_with_the_keyboard_only(live_server: LiveServer, page: Page) -> None:
    thread_id, answer_id, _ = answered_thread(live_server)
    wait = live_server.settings.min_fill_seconds * 1000 + 200
    page.goto(live_server.url(f"/questions/{thread_id}"))

    focus_by_tab(page, f"el.getAttribute('href')?.endsWith('/messages/{answer_id}/signaler')")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Signaler un message")

    # The first reason by Tab, the next one with the arrow key, as a radio group is used.
    focus_by_tab(page, "el.type === 'radio'")
    page.keyboard.press("ArrowDown")
    chosen = page.locator("input[type=radio]:checked")
    expect(chosen).to_have_count(1)
    assert page.evaluate("document.activeElement.checked") is True
    focus_by_tab(page, "el.id === 'precision'")
    page.keyboard.type("Un numéro de téléphone est visible.")
    page.wait_for_timeout(wait)
    focus_by_tab(page, "el.tagName === 'BUTTON' && el.textContent.includes('Envoyer')")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Merci, ton signalement est bien arrivé")
