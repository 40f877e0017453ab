"""Links in the staff's answers: Markdown links to the site and to http(s) addresses, bare
addresses turned into links, and nothing else (no HTML, no javascript:, no other host by "//")."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.questions.answering import with_inserted
from app.questions.tree import answer_html, safe_link
from app.staff.models import Role
from tests.questions.thread_helpers import form_data, published_question, signed_in


def links(markdown: str) -> list[tuple[str, str]]:
    soup = BeautifulSoup(str(answer_html(markdown)), "html.parser")
    return [(a.get_text(), str(a["href"])) for a in soup.find_all("a")]


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("Lis [la fiche](/fiches/etudiant-cpas).", [("la fiche", "/fiches/etudiant-cpas")]),
        (
            "[BDAS](https://www.bdas-wwsb.brussels/?p=3363)",
            [("BDAS", "https://www.bdas-wwsb.brussels/?p=3363")],
        ),
        (
            "Voir https://www.mi-is.be/fr/etudes-publications-statistiques.",
            [
                (
                    "https://www.mi-is.be/fr/etudes-publications-statistiques",
                    "https://www.mi-is.be/fr/etudes-publications-statistiques",
                )
            ],
        ),
        (
            "(source : http://example.org/a_b)",
            [("http://example.org/a_b", "http://example.org/a_b")],
        ),
        (
            "[déjà un lien https://x.org](https://x.org)",
            [("déjà un lien https://x.org", "https://x.org")],
        ),
        ("`https://code.example`", []),
        (
            "Deux : https://a.example et https://b.example !",
            [
                ("https://a.example", "https://a.example"),
                ("https://b.example", "https://b.example"),
            ],
        ),
    ],
)
def test_links_that_become_links(markdown: str, expected: list[tuple[str, str]]) -> None:
    assert links(markdown) == expected


@pytest.mark.parametrize(
    "markdown",
    [
        "[clic](javascript:alert(1))",
        "[clic](JaVaScRiPt:alert(1))",
        "[clic](data:text/html,<script>alert(1)</script>)",
        "[clic](//evil.example/piege)",
        "[clic](vbscript:msgbox(1))",
        '<a href="javascript:alert(1)">clic</a>',
        "<img src=x onerror=alert(1)>",
        "javascript:alert(1)",
        'https://x.org/"onmouseover="alert(1)',
        "<script>alert(1)</script>",
    ],
)
def test_nothing_dangerous_gets_through(markdown: str) -> None:
    html = str(answer_html(markdown))
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find(["script", "img", "iframe"]) is None
    for tag in soup.find_all(True):
        assert not any(name.startswith("on") for name in tag.attrs)
    for a in soup.find_all("a"):
        assert safe_link(str(a["href"]))
        assert str(a["href"]).startswith(("https://", "http://", "/"))
        assert not str(a["href"]).startswith("//")


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("/fiches/etudiant-cpas", True),
        ("https://example.org", True),
        ("HTTP://EXAMPLE.ORG", True),
        ("//evil.example", False),
        ("/\\evil.example", False),
        ("javascript:alert(1)", False),
        ("mailto:x@example.org", False),
        ("fiches/relatif", False),
    ],
)
def test_safe_link(url: str, safe: bool) -> None:
    assert safe_link(url) is safe


@pytest.mark.parametrize(
    ("text", "snippet", "result"),
    [
        ("", "[Fiche](/fiches/a)", "[Fiche](/fiches/a)"),
        ("Bonjour, lis  \n", "[Fiche](/fiches/a)", "Bonjour, lis [Fiche](/fiches/a)"),
        (
            "Bonjour.",
            "Un paragraphe\nsur deux lignes",
            "Bonjour.\n\nUn paragraphe\nsur deux lignes",
        ),
    ],
)
def test_with_inserted(text: str, snippet: str, result: str) -> None:
    assert with_inserted(text, snippet) == result


def test_the_fiche_picker_adds_the_link_without_javascript(
    app: FastAPI, client: TestClient
) -> None:
    thread_id, _ = published_question(app, TestClient(app))
    signed_in(client, app, Role.professional)
    page = client.get(f"/staff/fils/{thread_id}")
    options = BeautifulSoup(page.text, "html.parser").select("#fiche_lien option")
    assert options[0]["value"] == "" and len(options) > 10
    fields = {"reponse": "Bonjour, lis la fiche", "fiche_lien": "piis-contrat-integration"}
    back = client.post(
        f"/staff/fils/{thread_id}/repondre",
        data=form_data(page, 2, action="inserer_fiche", **fields),
    )
    assert back.status_code == 200
    text = BeautifulSoup(back.text, "html.parser").select_one("#reponse").get_text()
    assert text.startswith("Bonjour, lis la fiche [Le PIIS, le contrat d'intégration")
    assert text.endswith("](/fiches/piis-contrat-integration)")
    nothing = client.post(
        f"/staff/fils/{thread_id}/repondre",
        data=form_data(page, 2, action="inserer_fiche", reponse="Mon texte", fiche_lien=""),
    )
    assert nothing.status_code == 400
    soup = BeautifulSoup(nothing.text, "html.parser")
    assert "Choisissez la fiche" in soup.select_one(".error-summary").get_text()
    assert soup.select_one("#reponse").get_text() == "Mon texte"  # what was typed is kept
    published = client.post(
        f"/staff/fils/{thread_id}/repondre",
        data=form_data(page, 2, action="publier", reponse=text),
        follow_redirects=False,
    )
    assert published.status_code == 303
    public = BeautifulSoup(client.get(f"/questions/{thread_id}").text, "html.parser")
    link = public.select_one(".message-pro .message-body a")
    assert link is not None and link["href"] == "/fiches/piis-contrat-integration"
