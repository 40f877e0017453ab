"""« Ai-je droit ? » in a real Chromium, with the keyboard only: Tab, Space, arrows and Enter.

The walk answers every question, shows an error, changes one answer from the check page and
reads the result; axe-core checks each kind of page, and the Nu Html Checker their HTML.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import LiveServer, Watched, axe_violations, vnu_errors

pytestmark = pytest.mark.browser

Raw = str | list[str]
ANSWERS: dict[str, Raw] = {
    "age": "20",
    "enceinte": "non",
    "statut": "belge",
    "vit_en_belgique": "oui",
    "logement": "domicile",
    "menage": ["personne"],
    "enfant_mineur": "non",
    "etudiant": "non",
    "handicap": "non",
    "revenus": ["aucun"],
    "non_demandees": ["aucune"],
    "prestations_perdues": ["aucune"],
    "capable_travailler": "oui",
    "deja_cpas": "jamais",
    "dettes": "non",
    "garantie_locative": "non",
}
QUESTION_URL = re.compile(r"/ai-je-droit/question/(\w+)")
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab n'atteint jamais {selector}")


def answer_with_keyboard(page: Page, question: str, raw: Raw) -> None:
    """Fill the question's field with the keyboard, then send the form with Enter."""
    fields = page.locator(f"input[name='{question}']")
    kind = fields.first.get_attribute("type")
    if kind == "text":
        tab_to(page, f"#{question}")
        page.keyboard.press("Control+A")
        page.keyboard.type(str(raw))
    elif kind == "radio":
        values = [fields.nth(i).get_attribute("value") for i in range(fields.count())]
        tab_to(page, f"input[name='{question}']")
        focused = values.index(page.evaluate("document.activeElement.value"))
        steps = (values.index(str(raw)) - focused) % len(values)
        for _ in range(steps):
            page.keyboard.press("ArrowDown")  # moves to the next radio and picks it
        if not steps:
            page.keyboard.press("Space")
    else:
        for value in raw if isinstance(raw, list) else [raw]:
            tab_to(page, f"input[name='{question}'][value='{value}']")
            page.keyboard.press("Space")
    tab_to(page, "form.question-form button[type=submit]")
    follow_with_enter(page)


def follow_with_enter(page: Page) -> None:
    """Enter on the focused link or button, and wait for the page it leads to."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def current_question(page: Page) -> str | None:
    match = QUESTION_URL.search(page.url)
    return match.group(1) if match else None


def test_the_whole_questionnaire_with_the_keyboard_only(
    live_server: LiveServer, watched: Watched, tmp_path: Path
) -> None:
    page = watched.page
    page.goto(live_server.url("/ai-je-droit"))
    tab_to(page, "main a.button")
    follow_with_enter(page)
    assert current_question(page) == "age"
    assert page.locator(".progress").inner_text().startswith("Question 1 sur ")
    assert axe_violations(page) == []

    # Sent empty: the error shows in the summary and on the field; axe is still happy.
    tab_to(page, "form.question-form button[type=submit]")
    follow_with_enter(page)
    assert page.locator(".error-summary").inner_text().count("Indique ton âge") == 1
    assert page.locator("#age-erreur").is_visible()
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / "question-erreur.png"), full_page=True)

    # The help opens from the keyboard.
    tab_to(page, "details.help summary")
    page.keyboard.press("Enter")
    assert page.locator("details.help").get_attribute("open") is not None

    asked = []
    while (question := current_question(page)) is not None:
        assert question in ANSWERS, f"question inattendue : {question}"
        asked.append(question)
        answer_with_keyboard(page, question, ANSWERS[question])
        assert page.locator(".error-summary").count() == 0, page.url
    assert asked == list(ANSWERS)
    assert "/ai-je-droit/verifier" in page.url
    assert axe_violations(page) == []

    # « Modifier » once: back to the question, then to the check page.
    tab_to(page, ".summary-change a[href*='/question/dettes']")
    follow_with_enter(page)
    assert current_question(page) == "dettes"
    answer_with_keyboard(page, "dettes", "oui")
    assert "/ai-je-droit/verifier" in page.url
    row = page.locator(".summary-row", has_text="Dettes ou factures impayées")
    assert row.locator(".summary-answer").inner_text() == "Oui"
    check_url = page.url
    page.screenshot(path=str(tmp_path / "verifier.png"), full_page=True)

    tab_to(page, "main a.button")
    follow_with_enter(page)
    assert "/ai-je-droit/resultat" in page.url
    ris = page.locator("#droit-ris")
    assert "Probablement oui" in ris.inner_text()
    assert "Personne isolée" in ris.inner_text()
    assert page.locator("#droit-mediation_dettes").count() == 1
    assert page.locator("button[data-print]").is_visible()  # print.js ran under the CSP
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(tmp_path / "resultat.png"), full_page=True)
    result_url = page.url
    # The page with an error answers 400 on purpose; nothing else may complain (no CSP error).
    assert [e for e in watched.errors if "status of 400" not in e] == []

    # The same pages' HTML, as served, through the Nu Html Checker.
    with httpx.Client() as client:
        token = result_url.split("etat=", 1)[1]
        question_url = live_server.url(f"/ai-je-droit/question/statut?etat={token}")
        question_html = client.get(question_url).text
        error = client.post(
            live_server.url("/ai-je-droit/question/statut"),
            data={"csrf_token": CSRF.search(question_html).group(1), "etat": token},  # type: ignore[union-attr]
        )
        assert error.status_code == 400
        documents = {
            "question": question_html,
            "question avec erreur": error.text,
            "vérifier": client.get(check_url).text,
            "résultat": client.get(result_url).text,
        }
    assert vnu_errors(documents, tmp_path) == {}


# A young parent in alternating custody, living with a parent and a grandparent, whose
# allocations d'insertion ended, asked to repay the CPAS: every new question of the household,
# the children and the benefits is asked, once with JavaScript and once without.
HOUSEHOLD: dict[str, Raw] = {
    "age": "20",
    "enceinte": "non",
    "statut": "belge",
    "vit_en_belgique": "oui",
    "logement": "domicile",
    "menage": ["parents", "grands_parents"],
    "frais_partages": "oui",
    "enfant_mineur": "oui",
    "enfants_nombre": "1",
    "garde": "alternee",
    "etudiant": "non",
    "handicap": "non",
    "revenus": ["aucun"],
    "non_demandees": ["aucune"],
    "prestations_perdues": ["fin_droits"],
    "capable_travailler": "oui",
    "deja_cpas": "remboursement",
    "decision_recente": "oui",
    "dettes": "non",
    "garantie_locative": "non",
}
NEW_PAGES = ("menage", "frais_partages", "garde", "prestations_perdues", "deja_cpas")


@pytest.mark.parametrize("javascript", [True, False], ids=["avec-js", "sans-js"])
def test_the_household_questions_with_the_keyboard_at_360px(
    live_server: LiveServer, browser: Browser, tmp_path: Path, javascript: bool
) -> None:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="fr-BE", java_script_enabled=javascript
    )
    page = context.new_page()
    shots = Path("var/shots") / ("questionnaire-js" if javascript else "questionnaire-sans-js")
    shots.mkdir(parents=True, exist_ok=True)
    try:
        page.goto(live_server.url("/ai-je-droit/question/age"))
        asked = []
        pages: dict[str, str] = {}
        while (question := current_question(page)) is not None:
            assert question in HOUSEHOLD, f"question inattendue : {question}"
            asked.append(question)
            if question in NEW_PAGES:
                assert page.evaluate("document.documentElement.scrollWidth") <= 360, question
                page.screenshot(path=str(shots / f"{question}.png"), full_page=True)
                pages[question] = httpx.get(page.url).text  # the HTML as served
                if javascript:
                    assert axe_violations(page) == [], question
            answer_with_keyboard(page, question, HOUSEHOLD[question])
            assert page.locator(".error-summary").count() == 0, page.url
        assert asked == list(HOUSEHOLD)
        tab_to(page, "main a.button")
        follow_with_enter(page)
        assert "/ai-je-droit/resultat" in page.url
        ris = page.locator("#droit-ris").inner_text()
        assert "Personne avec famille à charge" in ris
        assert "Depuis le 1er\u00a0mars\u00a02026" in ris or "Depuis le 1er mars 2026" in ris
        assert "27\u00a0juin\u00a02022" in ris or "27 juin 2022" in ris
        assert page.locator("#droit-recours").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(shots / "resultat.png"), full_page=True)
        if javascript:
            assert axe_violations(page) == []
        else:
            with httpx.Client() as client:
                pages["résultat"] = client.get(page.url).text
            assert vnu_errors(pages, tmp_path) == {}
    finally:
        context.close()
