"""Everyday words find the fiches on health, papers, appeals, the OCMW, EU citizens, leaving home,
the end of unemployment, housing, debts and family allowances.

A young person does not type « aide juridique de deuxième ligne »: they type « avocat gratuit »;
nor « constitution d'une garantie locative »: they type « caution » or « kot ».
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
    # Leaving home, end of unemployment, housing, debts and energy, family allowances.
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
