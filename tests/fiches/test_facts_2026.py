"""The fiches and the glossary, read as a young person reads them on 2 December 2026, say the
law of 2026 (``../shared/FACTS.md``, « Changes in force in 2026 »): each test reads the rendered
page, not the Markdown."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient

from app.config import PROJECT_DIR

DAY = dt.date(2026, 12, 2)
SLUGS = sorted(p.stem for p in (PROJECT_DIR / "content" / "fiches").glob("*.md"))
# What the site said before 2026 and must not say any more.
STALE = [
    "grands-parents ne sont jamais",
    "grands-parents, frères et sœurs ne le sont pas",
    "de tes grands-parents, de tes frères et de tes sœurs ne sont pas",
    "frères et sœurs ou de tes grands-parents ne sont pas",
    "peut tenir compte de leurs ressources. c'est lui qui décide",
    "peuvent être comptées : c'est le cpas qui décide",
    "ne remplit plus la condition de ressources",
    "inscrit au registre des étrangers, tu n'as pas droit",
    "si tu y es inscrit, tu n'as pas droit",
    "après ce délai, il est trop tard",
    "280,31",
]


@pytest.fixture(autouse=True)
def today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.fiches.live.today", lambda: DAY)


def page(client: TestClient, url: str) -> BeautifulSoup:
    response = client.get(url)
    assert response.status_code == 200, url
    return BeautifulSoup(response.text, "html.parser")


def plain(node: Tag) -> str:
    """The text as read: one space for any run of spaces (no-break ones included), straight
    apostrophes (the site prints typographic ones)."""
    text = re.sub(r"\s+", " ", node.get_text(" ")).replace("’", "'")
    return text.replace(" ,", ",").replace(" .", ".").strip()


def section(soup: BeautifulSoup, anchor: str) -> str:
    """The text of a fiche's section: its heading and what follows, up to the next ``h2``."""
    heading = soup.find(id=anchor)
    assert isinstance(heading, Tag), anchor
    parts = [plain(heading)]
    for sibling in heading.find_next_siblings():
        if sibling.name == "h2":
            break
        parts.append(plain(sibling))
    return " ".join(parts)


def body(client: TestClient, slug: str) -> str:
    main = page(client, f"/fiches/{slug}").select_one(".fiche-body")
    assert main is not None
    return plain(main)


def glossary_entry(client: TestClient, anchor: str) -> str:
    soup = page(client, "/glossaire")
    term = soup.find(id=anchor)
    assert isinstance(term, Tag), anchor
    definition = term.find_next("dd")
    assert definition is not None
    return plain(term) + " " + plain(definition)


@pytest.mark.parametrize("url", [*(f"/fiches/{slug}" for slug in SLUGS), "/glossaire"])
def test_no_page_still_says_the_rules_of_2025(client: TestClient, url: str) -> None:
    main = page(client, url).find("main")
    assert isinstance(main, Tag)
    text = plain(main).lower()
    for phrase in STALE:
        assert phrase not in text, f"{url} dit encore « {phrase} »"


def test_resources_of_cohabiting_family_are_counted_in_principle_since_march_2026(
    client: TestClient,
) -> None:
    soup = page(client, "/fiches/conditions-revenu-integration")
    text = section(soup, "condition-4-quelles-ressources-le-cpas-regarde-t-il")
    assert "1er mars 2026" in text
    family = next(s for s in re.split(r"(?<=\.) ", text) if "grands-parents" in s)
    assert "tes parents, tes grands-parents" in family
    assert "en principe" in text and "raisons d'équité" in text
    assert "Les allocations familiales qu'un de ces membres de ta famille reçoit pour toi" in text
    siblings = next(s for s in text.split("- ") if "Un frère, une sœur, un ami" in s)
    assert "ne sont pas comptées" in siblings
    assert "prochaine révision" in text and "au moins une fois par an" in text


@pytest.mark.parametrize(
    ("slug", "anchor"),
    [
        ("moins-de-25-ans", "j-habite-chez-mes-parents-ai-je-droit-au-revenu-d-integration"),
        ("etudiant-cpas", "mes-parents-doivent-ils-m-aider"),
        ("travailler-avec-revenu-integration", "quels-revenus-le-cpas-compte-t-il"),
        ("montants-revenu-integration", "vais-je-recevoir-tout-le-montant-du-tableau"),
    ],
)
def test_every_fiche_about_living_with_family_tells_the_2026_rule(
    client: TestClient, slug: str, anchor: str
) -> None:
    text = section(page(client, f"/fiches/{slug}"), anchor)
    assert "1er mars 2026" in text
    assert "grands-parents" in text
    assert "en principe" in text
    assert "équité" in text


def test_the_glossary_names_the_maintenance_debtors_and_the_2026_rule(
    client: TestClient,
) -> None:
    entry = glossary_entry(client, "debiteur-d-aliments")
    assert "grands-parents" in entry and "ex-conjoint" in entry
    assert "Depuis le 1er mars 2026, le CPAS compte en principe les ressources" in entry


def test_there_is_no_upper_age_limit(client: TestClient) -> None:
    conditions = section(
        page(client, "/fiches/conditions-revenu-integration"),
        "condition-3-a-partir-de-quel-age",
    )
    assert "il n'y a pas d'âge maximum" in conditions
    assert "doit d'abord demander la GRAPA" in conditions
    assert "le revenu d'intégration reste possible" in conditions
    pension = section(
        page(client, "/fiches/aide-sociale"), "et-quand-on-arrive-a-l-age-de-la-pension"
    )
    assert "pas d'âge maximum" in pension
    assert "pas d'âge maximum" in glossary_entry(client, "grapa")


def test_eu_citizens_refugees_and_subsidiary_protection_qualify(client: TestClient) -> None:
    text = section(
        page(client, "/fiches/conditions-revenu-integration"), "condition-1-faut-il-etre-belge"
    )
    for who in (
        "citoyen·ne de l'Union européenne",
        "réfugié·e reconnu·e",
        "protection subsidiaire",
    ):
        assert who in text
    assert "registre des étrangers : ils et elles peuvent quand même recevoir" in text
    assert "3 premiers mois" in text and "pas obligé" in text
    for slug in ("aide-sociale", "droit-integration-sociale"):
        assert "registre des étrangers" in body(client, slug)
        assert "protection subsidiaire" in body(client, slug)
    entry = glossary_entry(client, "registre-des-etrangers")
    assert "réfugiés reconnus" in entry and "peuvent avoir droit au revenu d'intégration" in entry


def test_the_appeal_deadline_and_when_it_does_not_run(client: TestClient) -> None:
    soup = page(client, "/fiches/recours-tribunal-travail")
    start = section(soup, "combien-de-temps-ai-je-pour-faire-un-recours")
    assert "En principe, 3 mois" in start
    assert "le facteur te présente la lettre recommandée" in start
    exceptions = section(soup, "le-delai-de-3-mois-peut-il-ne-pas-compter")
    assert "ne t'a pas été envoyée par lettre recommandée" in exceptions
    assert "l'adresse du tribunal du travail" in exceptions
    assert "tu peux encore contester la décision après 3 mois" in exceptions
    assert "tu peux toujours refaire une demande au CPAS" in exceptions
    assert "le délai ne commence pas" in body(client, "demander-aide-cpas")


def test_the_student_exemption_is_the_2025_figure(client: TestClient) -> None:
    for slug, anchor in [
        ("etudiant-cpas", "puis-je-avoir-un-job-etudiant"),
        (
            "travailler-avec-revenu-integration",
            "je-suis-etudiant-et-je-fais-un-job-etudiant-qu-est-ce-qui-est-compte",
        ),
    ]:
        text = section(page(client, f"/fiches/{slug}"), anchor)
        assert "309,48 € (montant du 1er février 2025" in text, slug


def test_every_indexed_amount_on_a_fiche_says_it_was_indexed_since(client: TestClient) -> None:
    """Tables carry the notice under them; an amount in a sentence carries it right after."""
    indexed = re.compile(r"(?:876,13|1 314,20|1 776,07|309,48) €")
    seen = 0
    for slug in SLUGS:
        main = page(client, f"/fiches/{slug}").select_one(".fiche-body")
        assert main is not None
        for table in main.select(".amounts"):
            if indexed.search(plain(table)):
                notice = table.select_one(".amounts-indexation")
                assert notice is not None, slug
                assert "le 1er mars 2026" in plain(notice)
                assert "le CPAS applique le montant actuel" in plain(notice)
                seen += 1
            table.decompose()
        text = plain(main)
        for match in indexed.finditer(text):
            after = text[match.end() : match.end() + 140]
            assert after.startswith(" (montant du 1er février 2025 ; une indexation"), slug
            assert "le CPAS applique le montant à jour" in after, slug
            seen += 1
    assert seen >= 5


def test_repayment_covers_errors_and_undeclared_changes_and_a_waiver_in_good_faith(
    client: TestClient,
) -> None:
    soup = page(client, "/fiches/remboursement-cpas")
    cases = section(soup, "dois-je-rembourser-mon-revenu-d-integration-un-jour")
    assert "tu n'as pas signalé un changement" in cases
    assert "le CPAS s'est trompé" in cases
    error = section(soup, "et-si-c-est-le-cpas-qui-s-est-trompe")
    assert "ne vaut que pour l'avenir" in error
    waiver = section(soup, "puis-je-demander-au-cpas-de-renoncer-au-remboursement")
    assert "de bonne foi" in waiver and "renoncer" in waiver


def test_urgent_medical_aid_needs_a_doctor_and_a_state_of_need(client: TestClient) -> None:
    text = section(page(client, "/fiches/aide-sociale"), "et-si-je-n-ai-pas-de-sejour-legal")
    assert "un médecin doit attester que les soins sont urgents" in text
    assert "dans le besoin" in text
    assert "médecin" in glossary_entry(client, "aide-medicale-urgente")


def test_the_unemployment_reform_is_explained_to_young_people(client: TestClient) -> None:
    for slug in ("moins-de-25-ans", "conditions-revenu-integration"):
        text = body(client, slug)
        assert "12 mois au lieu de 36" in text, slug
        assert "156 jours" in text, slug


def test_a_student_applies_where_registered_and_that_cpas_stays(client: TestClient) -> None:
    text = section(
        page(client, "/fiches/etudiant-cpas"),
        "je-demenage-pendant-mes-etudes-quel-cpas-s-occupe-de-moi",
    )
    assert "domicilié·e" in text and "quand tu fais ta demande" in text
    assert "tant que tes études continuent sans interruption" in text
