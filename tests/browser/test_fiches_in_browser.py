"""A fiche as a reader uses it in Chromium: on a phone, with the keyboard, and printed."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pytest
from playwright.sync_api import Page
from pypdf import PdfReader

from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser


def test_printed_fiche_has_no_navigation_and_shows_its_address(
    live_server: LiveServer, page: Page, tmp_path: Path
) -> None:
    page.goto(live_server.url("/fiches/piis-contrat-integration"))
    pdf = page.pdf(format="A4", print_background=False)
    (tmp_path / "fiche-imprimee.pdf").write_bytes(pdf)
    pages = PdfReader(io.BytesIO(pdf)).pages
    # NFKC undoes the "fi" ligatures of the printed text.
    text = re.sub(
        r"\s+", " ", unicodedata.normalize("NFKC", " ".join(p.extract_text() for p in pages))
    )
    assert "Le PIIS, le contrat d" in text
    assert "Fiche en ligne" in text and "/fiches/piis-contrat-integration" in text
    assert "Dernière actualisation" in text
    for hidden in ("Aller au contenu", "Télécharger la fiche en PDF", "Imprimer la fiche"):
        assert hidden not in text
    # External links have their address printed after them.
    assert "https://www.bdas-wwsb.brussels" in text


def test_print_button_appears_with_javascript(live_server: LiveServer, page: Page) -> None:
    page.goto(live_server.url("/fiches/etudiant-cpas"))
    assert page.get_by_role("button", name="Imprimer la fiche").is_visible()


def test_table_of_contents_is_usable_with_the_keyboard(live_server: LiveServer, page: Page) -> None:
    page.goto(live_server.url("/fiches/etudiant-cpas"))
    link = page.locator("nav.toc a").first
    link.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == link.get_attribute("href")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_search_from_a_phone(live_server: LiveServer, page: Page) -> None:
    page.goto(live_server.url("/recherche"))
    page.get_by_label("Ta question ou quelques mots").fill("etudiant cpas")
    page.keyboard.press("Enter")
    page.wait_for_url("**/recherche?q=etudiant+cpas")
    first = page.locator("ol.results h3 a").first
    assert first.inner_text() == "Étudiant et CPAS"
    assert page.locator("ol.results mark").count() > 0


def test_checklist_fiche_draws_a_box_per_item_on_a_phone_and_on_paper(
    live_server: LiveServer, page: Page
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url("/fiches/documents-a-apporter-cpas"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    items = page.locator(".callout-a-cocher li")
    assert items.count() >= 10
    # The box is the item's ::before, drawn by the stylesheet: square, with a visible border.
    box = items.first.evaluate(
        "li => { const s = getComputedStyle(li, '::before');"
        " return [s.width, s.height, s.borderTopStyle, s.borderTopWidth]; }"
    )
    assert box[0] == box[1] and box[2] == "solid" and box[3] != "0px"
    first_item = items.first.inner_text()
    pdf = page.pdf(format="A4", print_background=False)
    text = re.sub(
        r"\s+",
        " ",
        unicodedata.normalize(
            "NFKC", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        ),
    )
    assert "À cocher" in text
    assert re.sub(r"\s+", " ", unicodedata.normalize("NFKC", first_item)) in text
