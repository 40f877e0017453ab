"""The question loop in a real Chromium: ask, moderate, answer, follow the link, reply, delete.

With the keyboard where a person would use it, and axe plus the Nu Html Checker on every page
type of the questions and of the staff side.
"""

from __future__ import annotations

import re
import time
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from app.demo import DEMO_PASSWORD
from tests.browser.conftest import LiveServer, Watched, axe_violations, vnu_errors

pytestmark = pytest.mark.browser

# Every public page type of the questions (thread 1 is a published demo thread).
PAGES = {
    "questions générales": "/questions",
    "poser une question": "/questions/poser",
    "poser une question sur une fiche": "/questions/poser?fiche=piis-contrat-integration",
    "question envoyée": "/questions/envoyee",
    "fil de questions": "/questions/1",
    "connexion de l'équipe": "/staff/connexion",
}


@pytest.mark.parametrize("name", PAGES)
def test_question_pages_pass_axe(live_server: LiveServer, watched: Watched, name: str) -> None:
    watched.page.goto(live_server.url(PAGES[name]))
    assert watched.page.locator("h1").count() == 1
    assert axe_violations(watched.page) == []
    assert watched.errors == []
    assert watched.page.evaluate("document.documentElement.scrollWidth") <= 360


def test_question_pages_pass_the_nu_html_checker(live_server: LiveServer, tmp_path: Path) -> None:
    documents = {name: httpx.get(live_server.url(path)).text for name, path in PAGES.items()}
    assert vnu_errors(documents, tmp_path) == {}


def mails(live_server: LiveServer) -> list[EmailMessage]:
    outbox = live_server.settings.outbox_dir
    parser = BytesParser(policy=policy.default)
    files = sorted(outbox.glob("*.eml")) if outbox.exists() else []
    return [parser.parsebytes(f.read_bytes()) for f in files]  # type: ignore[misc]


def wait_for_mail(live_server: LiveServer, subject: str, count_before: int) -> EmailMessage:
    """The newest e-mail with ``subject`` (sent after the response, in the background)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = [m for m in mails(live_server)[count_before:] if m["Subject"] == subject]
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError(f"aucun e-mail « {subject} » dans la boîte d'envoi")


def private_link(mail: EmailMessage) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    match = re.search(r"(https?://\S+/questions/suivi/\S+)", str(body.get_content()))
    assert match
    return match.group(1)


def staff_login(page: Page, live_server: LiveServer, email: str, wanted: str) -> None:
    """Ask for a staff page, land on the login form, sign in with the keyboard."""
    page.goto(live_server.url(wanted))
    expect(page.locator("h1")).to_have_text("Connexion de l'équipe")
    page.locator("#email").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url(wanted))


def test_the_whole_loop(
    live_server: LiveServer, browser: Browser, watched: Watched, tmp_path: Path
) -> None:
    asker = watched.page
    documents: dict[str, str] = {}
    sent_before = len(mails(live_server))

    # 1. Ask, from a fiche, with the keyboard; a first try with the consent forgotten.
    asker.goto(live_server.url("/questions/poser?fiche=piis-contrat-integration"))
    asker.locator("#pseudo").focus()
    asker.keyboard.type("Inès <b>test</b>")
    asker.keyboard.press("Tab")
    asker.keyboard.type("ines.navigateur@example.be")
    asker.keyboard.press("Tab")
    asker.keyboard.type("Bonjour, je commence une formation en février. Dois-je changer mon PIIS ?")
    asker.wait_for_timeout(live_server.settings.min_fill_seconds * 1000 + 200)
    asker.locator("#envoi").focus()
    asker.keyboard.press("Enter")
    expect(asker.locator(".error-summary")).to_contain_text("accepte la façon")
    assert asker.locator("#question").input_value().startswith("Bonjour, je commence")
    assert axe_violations(asker) == []
    documents["formulaire avec erreurs"] = asker.content()
    asker.locator("#consentement").focus()
    asker.keyboard.press("Space")
    asker.wait_for_timeout(live_server.settings.min_fill_seconds * 1000 + 200)
    asker.locator("#envoi").focus()
    asker.keyboard.press("Enter")
    expect(asker.locator("h1")).to_have_text("Ta question est bien arrivée")
    expect(asker.locator("main")).to_contain_text("en attente de relecture")
    received = wait_for_mail(live_server, "Ta question a bien été reçue", sent_before)
    link = private_link(received)
    asker.goto(link)
    expect(asker.locator("main")).to_contain_text("En attente de relecture")

    # 2. A moderator signs in, finds it in the queue, publishes it.
    moderator_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-BE")
    moderator = moderator_context.new_page()
    staff_login(moderator, live_server, "moderation@demo.invalid", "/staff/moderation")
    assert axe_violations(moderator) == []
    documents["file de modération"] = moderator.content()
    item = moderator.locator(".queue-item", has_text="Inès")
    item.get_by_role("link", name=re.compile("Relire et décider")).click()
    assert axe_violations(moderator) == []
    documents["message à modérer"] = moderator.content()
    moderator.get_by_role("button", name="Publier").focus()
    moderator.keyboard.press("Enter")
    expect(moderator.locator(".notice-success")).to_contain_text("Message publié.")
    wait_for_mail(live_server, "Ta question est publiée", sent_before)

    # A moderator alone cannot answer.
    moderator.goto(live_server.url("/staff/fils"))
    moderator.get_by_role("link", name=re.compile("Inès")).click()
    assert moderator.locator("#reponse").count() == 0

    # 3. A professional answers, with a preview first.
    pro_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-BE")
    pro = pro_context.new_page()
    staff_login(pro, live_server, "pro@demo.invalid", "/staff/fils")
    assert axe_violations(pro) == []
    documents["fils à répondre"] = pro.content()
    pro.get_by_role("link", name=re.compile("Inès")).click()
    pro.locator("#reponse").fill(
        "Bonjour Inès,\n\n**Oui** : parle de ta formation à ton assistante sociale, le PIIS "
        "peut être adapté.\n\n<script>alert('non')</script>\n\nBien à toi,"
    )
    pro.get_by_role("button", name="Aperçu").click()
    expect(pro.locator(".preview strong")).to_have_text("Oui")
    assert axe_violations(pro) == []
    documents["réponse avec aperçu"] = pro.content()
    pro.get_by_role("button", name="Publier la réponse").click()
    expect(pro.locator(".notice-success")).to_contain_text("Réponse publiée")
    answered = wait_for_mail(live_server, "Un professionnel a répondu à ta question", sent_before)
    assert answered["To"] == "ines.navigateur@example.be"
    assert answered["List-Unsubscribe"]
    assert private_link(answered) == link

    # 4. The asker follows the link, reads the answer, replies with the keyboard.
    asker.goto(link)
    expect(asker.locator(".message-pro")).to_contain_text("parle de ta formation")
    expect(asker.locator(".message-asker").first).to_contain_text("Inès <b>test</b>")
    assert axe_violations(asker) == []
    documents["page privée"] = asker.content()
    asker.locator("#message").focus()
    asker.keyboard.type("Merci, je lui en parle lundi.")
    asker.wait_for_timeout(live_server.settings.min_fill_seconds * 1000 + 200)
    asker.keyboard.press("Tab")
    asker.keyboard.press("Enter")
    expect(asker.locator(".notice-success")).to_contain_text("Ta réponse est publiée.")
    thread_link = asker.get_by_role("link", name="Voir la page publique de ta question")
    public_url = live_server.url(thread_link.get_attribute("href") or "")
    asker.goto(public_url)
    expect(asker.locator("main")).to_contain_text("Merci, je lui en parle lundi.")
    expect(asker.locator(".message-pro .message-author")).to_have_text(
        live_server.settings.organisation_name
    )
    assert asker.locator("main script").count() == 0
    assert axe_violations(asker) == []
    documents["fil publié"] = asker.content()

    # 5. The asker deletes the question: gone from the public pages at once.
    asker.goto(link)
    asker.get_by_role("link", name="Supprimer ma question").click()
    asker.get_by_role("button", name="Oui, supprimer ma question").click()
    expect(asker.locator(".notice-success")).to_contain_text("Ta question est supprimée.")
    assert httpx.get(public_url).status_code == 410
    assert "Inès" not in httpx.get(live_server.url("/questions")).text

    # Staff pages for admins, and the checker on everything seen.
    admin_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-BE")
    admin = admin_context.new_page()
    staff_login(admin, live_server, "admin@demo.invalid", "/staff/comptes")
    assert axe_violations(admin) == []
    documents["comptes"] = admin.content()
    admin.goto(live_server.url("/staff/journal"))
    expect(admin.locator("tbody")).to_contain_text("Suppression par le demandeur")
    assert axe_violations(admin) == []
    documents["journal"] = admin.content()
    for context in (moderator_context, pro_context, admin_context):
        context.close()
    # The form sent back with its errors answers 400: the only message the console may show.
    assert [e for e in watched.errors if "status of 400" not in e] == []
    assert vnu_errors(documents, tmp_path) == {}
