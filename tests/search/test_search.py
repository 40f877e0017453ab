"""Search as young people type: no accents, few words, French word forms; SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.search.text import fold, parse_query, snippet, stems

# What a person types, and the fiche that must come first. Run on both databases, so both give
# the same first hit.
QUERIES = [
    ("contrat integration", "piis-contrat-integration"),
    ("etudiant cpas", "etudiant-cpas"),
    ("combien ris", "montants-revenu-integration"),
    ("etudiante", "etudiant-cpas"),
    ("contrats", "piis-contrat-integration"),
    ("tribunal du travail", "recours-tribunal-travail"),
    ("adresse de reference", "adresse-reference"),
    ("partir a l'etranger erasmus", "sejour-etranger"),
    ("job etudiant revenu", "travailler-avec-revenu-integration"),
    ("rembourser le cpas", "remboursement-cpas"),
    ("AIDE MEDICALE URGENTE", "sante-mutuelle-carte-medicale"),
    ("moins de 18 ans enceinte", "moins-de-25-ans"),
    ("accuse de reception", "demander-aide-cpas"),
    ("cohabitant isole", "montants-revenu-integration"),
]


def first_fiche(client: TestClient, query: str) -> str | None:
    page = BeautifulSoup(client.get("/recherche", params={"q": query}).text, "html.parser")
    link = page.select_one("ol.results h3 a")
    if link is None:
        return None
    return str(link["href"]).split("#")[0].removeprefix("/fiches/")


@pytest.mark.parametrize(("query", "expected"), QUERIES)
def test_typed_query_finds_the_intended_fiche(
    client: TestClient, query: str, expected: str
) -> None:
    assert first_fiche(client, query) == expected


def test_results_show_the_heading_and_highlight_the_words(client: TestClient) -> None:
    page = BeautifulSoup(client.get("/recherche", params={"q": "signer piis"}).text, "html.parser")
    first = page.select_one("ol.results li")
    assert first is not None
    assert "Dans la partie" in first.get_text()
    assert first.find("mark") is not None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Des recherches fréquentes"),
        ("   ", "Des recherches fréquentes"),
        ("!!!! ???", "Nous n'avons pas reconnu de mot"),
        ("zzzqqqxxx", "Aucun résultat"),
        ("x" * 5000, "Aucun résultat"),
        ("<script>alert(1)</script>", "Aucun résultat"),
        ('" OR 1=1 -- NEAR( ) * ^ AND', "pour «\u00a0"),
    ],
)
def test_empty_or_absurd_queries_get_a_helpful_page(
    client: TestClient, query: str, message: str
) -> None:
    response = client.get("/recherche", params={"q": query})
    assert response.status_code == 200
    text = BeautifulSoup(response.text, "html.parser").get_text()
    assert message in text
    assert "<script>alert" not in response.text


def test_fold_and_stems_ignore_accents_and_case() -> None:
    assert fold("Étudiante À") == "etudiante a"
    assert stems("étudiants") == stems("ETUDIANTE") == stems("etudiant")
    assert stems("contrats") == stems("contrat")


def test_parse_query_drops_stopwords_and_adds_synonyms() -> None:
    query = parse_query("Est-ce que le RIS est pour moi ?", {"ris": ["revenu"]})
    assert query.groups == (("ris", "revenu"),)
    assert parse_query("le la les").empty


def test_snippet_marks_words_and_escapes_text() -> None:
    query = parse_query("contrat")
    html = snippet("Un <b>contrat</b> signé : les contrats du CPAS.", query)
    assert "&lt;b&gt;" in html
    assert html.count("<mark>") == 2
