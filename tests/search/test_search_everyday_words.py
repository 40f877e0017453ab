"""Everyday words find the fiches on health, papers, appeals, the OCMW and EU citizens.

A young person does not type « aide juridique de deuxième ligne »: they type « avocat gratuit ».
Each query goes through the real search page, with the synonyms of ``content/recherche.yaml``.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

# What a person types, and the fiche that must come first.
FIRST = [
    ("avocat gratuit", "recours-seul-avocat-gratuit"),
    ("pro deo", "recours-seul-avocat-gratuit"),
    ("prodeo", "recours-seul-avocat-gratuit"),
    ("ecrire ma requete", "recours-seul-avocat-gratuit"),
    ("OCMW Flandre", "ocmw-flandre-cpas-bruxelles"),
    ("leefloon", "ocmw-flandre-cpas-bruxelles"),
    ("JAC", "ocmw-flandre-cpas-bruxelles"),
    ("cpas en neerlandais", "ocmw-flandre-cpas-bruxelles"),
    ("mutuelle", "sante-mutuelle-carte-medicale"),
    ("mutualite 25 ans", "sante-mutuelle-carte-medicale"),
    ("carte médicale", "sante-mutuelle-carte-medicale"),
    ("réquisitoire", "sante-mutuelle-carte-medicale"),
    ("docteur", "sante-mutuelle-carte-medicale"),
    ("statut BIM", "sante-mutuelle-carte-medicale"),
    ("papiers à apporter", "documents-a-apporter-cpas"),
    ("documents à apporter", "documents-a-apporter-cpas"),
    ("quoi apporter au cpas", "documents-a-apporter-cpas"),
    ("européen", "citoyen-europeen-ris"),
    ("citoyen UE", "citoyen-europeen-ris"),
    ("charge déraisonnable", "citoyen-europeen-ris"),
]

# Broad words: the fiche must be among the results, not necessarily first.
AMONG = [
    ("recours", "recours-seul-avocat-gratuit"),
    ("OCMW", "ocmw-flandre-cpas-bruxelles"),
    ("documents", "documents-a-apporter-cpas"),
    ("carte", "sante-mutuelle-carte-medicale"),
]


def result_slugs(client: TestClient, query: str) -> list[str]:
    response = client.get("/recherche", params={"q": query})
    assert response.status_code == 200
    page = BeautifulSoup(response.text, "html.parser")
    links = page.select("ol.results h3 a")
    return [str(link["href"]).split("#")[0].removeprefix("/fiches/") for link in links]


@pytest.mark.parametrize(("query", "expected"), FIRST)
def test_everyday_words_put_the_fiche_first(client: TestClient, query: str, expected: str) -> None:
    slugs = result_slugs(client, query)
    assert slugs, f"aucun résultat pour « {query} »"
    assert slugs[0] == expected


@pytest.mark.parametrize(("query", "expected"), AMONG)
def test_broad_words_list_the_fiche(client: TestClient, query: str, expected: str) -> None:
    assert expected in result_slugs(client, query)
