"""Everyday words find the fiches on leaving home, the end of unemployment, housing, debts and
family allowances.

Nobody types « constitution d'une garantie locative »: people type « caution » or « kot ». Each
query goes through the real search page, with the synonyms of ``content/recherche.yaml``.
"""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

# What a person types, and the fiche that must come first.
FIRST = [
    ("quitter la maison", "quitter-maison-rupture-familiale"),
    ("partir de chez mes parents", "quitter-maison-rupture-familiale"),
    ("dispute avec mes parents", "quitter-maison-rupture-familiale"),
    ("SAJ", "quitter-maison-rupture-familiale"),
    ("AMO", "quitter-maison-rupture-familiale"),
    ("vivre chez mes grands-parents", "quitter-maison-rupture-familiale"),
    ("chômage fini", "fin-du-chomage-2026"),
    ("fin du chômage", "fin-du-chomage-2026"),
    ("exclu du chomage", "fin-du-chomage-2026"),
    ("allocations d'insertion", "fin-du-chomage-2026"),
    ("ONEM", "fin-du-chomage-2026"),
    ("kot", "logement-garantie-locative-installation"),
    ("caution", "logement-garantie-locative-installation"),
    ("garantie locative", "logement-garantie-locative-installation"),
    ("prime d'installation", "logement-garantie-locative-installation"),
    ("premier appart", "logement-garantie-locative-installation"),
    ("dettes", "dettes-factures-energie"),
    ("facture gaz", "dettes-factures-energie"),
    ("facture électricité", "dettes-factures-energie"),
    ("huissier", "dettes-factures-energie"),
    ("médiation de dettes", "dettes-factures-energie"),
    ("allocations familiales", "allocations-familiales-18-25-ans"),
    ("famiwal", "allocations-familiales-18-25-ans"),
    ("Famiris", "allocations-familiales-18-25-ans"),
    ("groeipakket", "allocations-familiales-18-25-ans"),
    ("alloc familiales 21 ans", "allocations-familiales-18-25-ans"),
    # Words that are not in the fiches: found through content/recherche.yaml.
    ("fugue", "quitter-maison-rupture-familiale"),
    ("chomeur exclu", "fin-du-chomage-2026"),
    ("demenager", "logement-garantie-locative-installation"),
    ("meubles", "logement-garantie-locative-installation"),
    ("surendettement", "dettes-factures-energie"),
    ("kinderbijslag", "allocations-familiales-18-25-ans"),
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
    assert slugs[0] == expected, f"« {query} » : {slugs[:4]}"
