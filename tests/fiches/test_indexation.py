"""An indexation that took effect before its new figures are known: every amount says so.

``montants.yaml`` records the indexation (date, percentage, scales, source); until a period of
a scale starts on or after that date, the pages show the last known amount with a plain notice
beside it (fiche tables, amounts inside a sentence, the fiche's note, the questionnaire result).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import yaml
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from pypdf import PdfReader

from app.amounts import Amounts
from tests.fiches.fiche_content import AMOUNTS, ContentFolder
from tests.questionnaire.test_questionnaire_pages import ALONE_WITHOUT_INCOME, FIRST, walk

INDEXATION = """\
indexations:
  - depuis: 2026-03-01
    pourcentage: "2"
    baremes: [ris]
    source: {titre: "BX1, l'indice pivot", url: "https://bx1.be/", date: 2026-03-10}
"""
NEW_FIGURES = """\
      - depuis: 2026-03-01
        montants: {cohabitant: "893.65", isole: "1340.48"}
        source: {titre: Une source datée, url: "https://example.org/ris", date: 2026-03-02}
"""
# The same indexation told to the public (check-content ties the two files together).
INDEXATION_CHANGE = """\
- id: indexation-essai
  depuis: 2026-03-01
  titre: Les allocations augmentent
  type: indexation
  texte: Les montants ont été augmentés de 2 %.
  sources:
    - {title: "BX1, l'indice pivot", url: "https://bx1.be/", date: 2026-03-10, consulte: 2026-12-02}
  baremes: [ris]
"""
BEFORE = dt.date(2026, 2, 28)
AFTER = dt.date(2026, 12, 2)


def squash(text: str) -> str:
    """Runs of ordinary white space as one space; no-break spaces are kept (they matter)."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def with_indexation(content: ContentFolder, *, new_figures: bool = False) -> None:
    amounts = AMOUNTS
    if new_figures:
        amounts = amounts.replace("    periodes:\n", "    periodes:\n" + NEW_FIGURES, 1)
    (content.root / "montants.yaml").write_text(amounts + INDEXATION, encoding="utf-8")
    (content.root / "changements.yaml").write_text(INDEXATION_CHANGE, encoding="utf-8")


def amounts_of(content: ContentFolder) -> Amounts:
    return Amounts.model_validate(yaml.safe_load((content.root / "montants.yaml").read_text()))


@pytest.mark.parametrize(
    ("day", "new_figures", "pending"),
    [
        (BEFORE, False, None),  # not in force yet
        (dt.date(2026, 3, 1), False, dt.date(2026, 3, 1)),  # its first day
        (AFTER, False, dt.date(2026, 3, 1)),
        (AFTER, True, None),  # the new figures are recorded: nothing to say
        (BEFORE, True, None),
    ],
)
def test_an_indexation_is_pending_until_its_figures_are_recorded(
    content: ContentFolder, day: dt.date, new_figures: bool, pending: dt.date | None
) -> None:
    with_indexation(content, new_figures=new_figures)
    found = amounts_of(content).pending_indexation("ris", day)
    assert (found.depuis if found else None) == pending


def test_the_notice_says_when_how_much_and_who_applies_the_current_figure(
    content: ContentFolder,
) -> None:
    with_indexation(content)
    indexation = amounts_of(content).pending_indexation("ris", AFTER)
    assert indexation is not None
    assert indexation.pourcentage == Decimal("2")
    assert indexation.notice(dt.date(2025, 2, 1)) == (
        "Attention : une indexation de 2\u00a0% est entrée en vigueur le 1er mars 2026. "
        "Ces montants sont ceux du 1er février 2025, d'avant cette indexation : "
        "le CPAS applique le montant actuel, un peu plus élevé."
    )


@pytest.mark.parametrize(
    ("indexation", "message"),
    [
        (INDEXATION.replace("[ris]", "[loyer]"), "barème inconnu : loyer"),
        (INDEXATION.replace('"2"', '"0"'), "greater than 0"),
        (INDEXATION + INDEXATION.removeprefix("indexations:\n"), "deux indexations"),
        (INDEXATION.replace("    source: ", "    oops: 1\n    source: "), "oops"),
    ],
)
def test_a_wrong_indexation_is_a_content_problem(
    content: ContentFolder, indexation: str, message: str
) -> None:
    (content.root / "montants.yaml").write_text(AMOUNTS + indexation, encoding="utf-8")
    content.fiche("essai", "Rien.\n")
    problems = [p.message for p in content.load()[1] if p.path.name == "montants.yaml"]
    assert any(message in text for text in problems), problems


def test_an_indexation_must_be_told_in_both_files(content: ContentFolder) -> None:
    content.fiche("essai", "Rien.\n")
    with_indexation(content)
    assert [p.message for p in content.load()[1]] == []
    (content.root / "changements.yaml").write_text("[]\n", encoding="utf-8")
    problems = [p for p in content.load()[1]]
    assert [p.path.name for p in problems] == ["montants.yaml"]
    assert "manque dans changements.yaml" in problems[0].message
    (content.root / "changements.yaml").write_text(INDEXATION_CHANGE, encoding="utf-8")
    (content.root / "montants.yaml").write_text(AMOUNTS, encoding="utf-8")
    problems = [p for p in content.load()[1]]
    assert [p.path.name for p in problems] == ["changements.yaml"]
    assert "ajoute ses montants dans montants.yaml" in problems[0].message


def test_table_inline_amount_and_note_carry_the_notice(content: ContentFolder) -> None:
    with_indexation(content)
    content.fiche("essai", "Seul : {{ montant ris isole }} par mois.\n\n{{ tableau ris }}\n")
    library, problems = content.load(AFTER)
    assert problems == []
    fiche = library.fiches["essai"]
    page = BeautifulSoup(fiche.html, "html.parser")
    sentence = squash(page.p.get_text())
    assert sentence.startswith("Seul\u202f: 1\u202f314,20\u00a0€ (montant du 1er février 2025")
    assert "indexation de 2\u00a0% a eu lieu le 1er mars 2026" in sentence
    assert "le CPAS applique le montant à jour" in sentence
    table = page.find("div", class_="amounts")
    notice = table.find("p", class_="amounts-indexation")
    assert notice is not None and "1er mars 2026" in notice.get_text()
    assert "montant actuel" in notice.get_text()
    [note] = fiche.amount_notes
    assert note.indexation is not None and note.indexation.depuis == dt.date(2026, 3, 1)
    assert "1er février 2025" in note.indexation_notice


def test_no_notice_before_the_indexation_or_once_figures_are_known(
    content: ContentFolder,
) -> None:
    with_indexation(content)
    body = "Seul : {{ montant ris isole }}.\n\n{{ tableau ris }}\n"
    early = content.html(body, day=BEFORE)
    assert early.find(class_="amounts-indexation") is None
    assert "indexation" not in early.get_text()
    with_indexation(content, new_figures=True)
    later = content.html(body, day=AFTER)
    assert later.find(class_="amounts-indexation") is None
    assert "1\u202f340,48\u00a0€" in later.get_text()


def test_the_library_renders_again_on_the_day_the_indexation_takes_effect(
    content: ContentFolder,
) -> None:
    with_indexation(content)
    content.fiche("essai", "{{ tableau ris }}\n")
    before, _ = content.load(BEFORE)
    after, _ = content.load(AFTER)
    assert before.next_amounts_change == dt.date(2026, 3, 1)
    assert before.fiches["essai"].etag != after.fiches["essai"].etag


# The real content, as a reader sees it on the day these tests were written.


def notice_texts(page: BeautifulSoup) -> list[str]:
    return [squash(p.get_text(" ")) for p in page.select(".amounts-indexation")]


@pytest.fixture
def today_is_after_the_indexation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.fiches.live.today", lambda: AFTER)
    monkeypatch.setattr("app.questionnaire.routes.today", lambda: AFTER)


def test_the_amounts_fiche_says_the_indexation_next_to_its_table(
    client: TestClient, today_is_after_the_indexation: None
) -> None:
    page = BeautifulSoup(client.get("/fiches/montants-revenu-integration").text, "html.parser")
    table = page.select_one(".fiche-body .amounts")
    assert table is not None
    [notice] = [squash(p.get_text(" ")) for p in table.select(".amounts-indexation")]
    assert "indexation de 2\u00a0% est entrée en vigueur le 1er mars 2026" in notice
    assert "le CPAS applique le montant actuel" in notice
    caption = squash(table.caption.get_text())
    assert "montants en vigueur depuis le 1er février 2025" in caption
    aside = page.select_one(".amount-notes")
    assert aside is not None and "1er mars 2026" in aside.get_text()


def test_the_questionnaire_result_and_its_pdf_say_it_next_to_the_amount(
    client: TestClient, today_is_after_the_indexation: None
) -> None:
    check = walk(client, ALONE_WITHOUT_INCOME, FIRST)
    result_url = check.replace("/ai-je-droit/verifier", "/ai-je-droit/resultat")
    page = BeautifulSoup(client.get(result_url).text, "html.parser")
    box = page.select_one("#droit-ris .right-amount")
    assert box is not None
    assert "1\u202f314,20\u00a0€" in box.get_text()
    [notice] = [squash(p.get_text(" ")) for p in box.select(".amounts-indexation")]
    assert notice.startswith("Attention\u202f: une indexation de 2\u00a0% est entrée en vigueur")
    assert "Ce montant est celui du 1er février 2025" in notice
    pdf_link = page.find("a", href=re.compile(r"resultat\.pdf"))
    assert pdf_link is not None
    pdf = client.get(str(pdf_link["href"]))
    text = squash(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages))
    assert "indexation de 2" in text and "1er mars 2026" in text
