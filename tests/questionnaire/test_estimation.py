"""The estimate of the amount: the arithmetic on the sources' worked examples, to the cent,
then whole situations through the questionnaire's engine and its result page."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.config import PROJECT_DIR
from app.questionnaire import normalize_answers
from app.questionnaire.estimation import Estimate, Skipped, compute, estimate, load_estimation
from app.questionnaire.site import SiteQuestionnaire, load_site_questionnaire

D = Decimal
CONTENT = PROJECT_DIR / "content"

# BDAS ?p=3321 (updated 2025-04-01), example 1: a student living with a friend, sharing the
# household (cohabitant, 10 513,60 € a year at 2025-02-01), 300 € a month from the parents:
# 3 600 € − 155 € = 3 445 € counted, RI of 7 068,60 € a year, « 589,05 € par mois ».
STUDENT_WITH_A_FRIEND: dict[str, Any] = {
    "age": 22,
    "statut": "belge",
    "enceinte": False,
    "vit_en_belgique": True,
    "logement": "domicile",
    "menage": ["autres"],
    "frais_partages": "oui",
    "enfant_mineur": False,
    "etudiant": True,
    "handicap": "non",
    "revenus": ["aide_parents"],
    "revenus_montant": 300,
    "non_demandees": ["aucune"],
    "prestations_perdues": ["aucune"],
    "deja_cpas": "jamais",
    "dettes": False,
    "garantie_locative": False,
}
BDAS_DAY = dt.date(2025, 4, 1)


@pytest.mark.parametrize(
    ("amount", "resources", "exemption", "general", "counted", "expected"),
    [
        # BDAS ?p=3321, example 1 (amounts of 2025-02-01): 589,05 € a month.
        (D("876.13"), D("300"), None, D("155"), D("3445"), D("589.05")),
        # mi-is.be FAQ on the ISP exemption, « exemple au 01.01.2015 »: isolé 817,36 €, a job
        # of 1 000 € a month, ISP 234,55 €: 765,45 € counted a month, under 817,36 €, so a
        # top-up; the general exemption (250 € a year) comes last: 765,45 × 12 − 250.
        (D("817.36"), D("1000"), D("234.55"), D("250"), D("8935.40"), D("72.74")),
        # No resources: the whole amount; no general exemption to apply.
        (D("1314.20"), D("0"), None, D("250"), D("0"), D("1314.20")),
        # Resources above the amount: no RI, and the general exemption does not come into play.
        (D("1314.20"), D("1400"), None, D("250"), D("16800"), D("0.00")),
        # A student job below the student exemption: nothing counted.
        (D("876.13"), D("200"), D("309.48"), D("155"), D("0"), D("876.13")),
        # A small income: the general exemption cannot exceed what is counted.
        (D("1314.20"), D("10"), None, D("250"), D("0"), D("1314.20")),
    ],
)
def test_the_arithmetic_of_the_sources(
    amount: Decimal,
    resources: Decimal,
    exemption: Decimal | None,
    general: Decimal,
    counted: Decimal,
    expected: Decimal,
) -> None:
    breakdown = compute(amount, resources, exemption, general)
    assert breakdown.counted_yearly == counted
    assert breakdown.estimate == expected


def test_mi_is_example_counts_765_45_a_month_after_the_isp() -> None:
    breakdown = compute(D("817.36"), D("1000"), D("234.55"), D("250"))
    assert breakdown.resources - breakdown.exempted == D("765.45")


@pytest.fixture(scope="module")
def site() -> SiteQuestionnaire:
    return load_site_questionnaire(CONTENT)


def run(site: SiteQuestionnaire, raw: dict[str, Any], day: dt.date) -> Estimate | Skipped | None:
    rules, problems = load_estimation(CONTENT, site.amounts)
    assert rules is not None, problems
    answers, errors = normalize_answers(site.questionnaire, raw)
    assert errors == []
    return estimate(rules, site.amounts, answers, site.evaluate(answers, day), day)


def test_the_bdas_student_gets_589_05_through_the_engine(site: SiteQuestionnaire) -> None:
    found = run(site, STUDENT_WITH_A_FRIEND, BDAS_DAY)
    assert isinstance(found, Estimate)
    assert found.category.amount == D("876.13")
    assert found.category.since == dt.date(2025, 2, 1)
    assert found.general.amount == D("155.00")
    assert found.breakdown.estimate == D("589.05")


def test_a_worker_already_on_the_ris_gets_the_socio_professional_exemption(
    site: SiteQuestionnaire,
) -> None:
    raw = {
        **STUDENT_WITH_A_FRIEND,
        "age": 27,
        "etudiant": False,
        "menage": ["personne"],
        "revenus": ["salaire"],
        "temps_travail": "temps_partiel",
        "revenus_montant": 700,
        "capable_travailler": "oui",
        "deja_cpas": "ris",
    }
    raw.pop("frais_partages")
    found = run(site, raw, BDAS_DAY)
    assert isinstance(found, Estimate)
    assert found.exemption is not None and found.exemption.amount == D("309.48")
    # isolé 1 314,20 €; 700 − 309,48 = 390,52 counted a month; − 250 € a year.
    assert found.breakdown.estimate == (
        (D("1314.20") * 12 - (D("390.52") * 12 - 250)) / 12
    ).quantize(D("0.01"))


@pytest.mark.parametrize("who", [["partenaire"], ["parents"], ["grands_parents", "autres"]])
def test_no_estimate_when_someone_else_s_income_counts(
    site: SiteQuestionnaire, who: list[str]
) -> None:
    raw = {**STUDENT_WITH_A_FRIEND, "menage": who}
    if "partenaire" in who:
        raw.pop("frais_partages")
        raw["revenus_partenaire"] = 0
    found = run(site, raw, BDAS_DAY)
    assert isinstance(found, Skipped)
    assert "revenus" in found.reason


def test_the_result_page_shows_the_estimate_line_by_line(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.questionnaire.state import dump_state

    monkeypatch.setattr("app.questionnaire.routes.today", lambda: BDAS_DAY)
    site: SiteQuestionnaire = client.app.state.questionnaire  # type: ignore[attr-defined]
    answers, _ = normalize_answers(site.questionnaire, STUDENT_WITH_A_FRIEND)
    secret = client.app.state.settings.secret_key.get_secret_value()  # type: ignore[attr-defined]
    token = dump_state(secret, site.questionnaire, answers)
    page = BeautifulSoup(client.get(f"/ai-je-droit/resultat?etat={token}").text, "html.parser")
    box = page.find(id="estimation")
    assert box is not None
    text = re.sub(r"[ \t\r\n]+", " ", box.get_text(" "))
    assert "Estimation\u202f: c'est le CPAS qui calcule" in box.find("h3").get_text()
    assert "876,13\u00a0€ par mois" in text
    assert "1er février 2025" in text
    assert "155,00\u00a0€ par an" in text
    assert "1er octobre 2002" in text
    total = box.find("tr", class_="estimation-total")
    assert "589,05\u00a0€ par mois" in total.get_text()


def test_without_income_the_page_does_not_say_the_income_is_too_high(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.questionnaire.state import dump_state

    monkeypatch.setattr("app.questionnaire.routes.today", lambda: BDAS_DAY)
    site: SiteQuestionnaire = client.app.state.questionnaire  # type: ignore[attr-defined]
    raw = {**STUDENT_WITH_A_FRIEND, "revenus": ["aucun"]}
    raw.pop("revenus_montant", None)
    answers, _ = normalize_answers(site.questionnaire, raw)
    secret = client.app.state.settings.secret_key.get_secret_value()  # type: ignore[attr-defined]
    token = dump_state(secret, site.questionnaire, answers)
    page = BeautifulSoup(client.get(f"/ai-je-droit/resultat?etat={token}").text, "html.parser")
    box = page.find(id="estimation")
    assert box is not None
    text = re.sub(r"[ \t\r\n]+", " ", box.get_text(" "))
    assert "dépassent" not in text
    assert "aucun revenu n'est compté" in text
    assert "876,13\u00a0€ par mois" in box.find("tr", class_="estimation-total").get_text()


def test_the_rules_are_clean_and_name_known_scales(site: SiteQuestionnaire, tmp_path: Path) -> None:
    assert load_estimation(CONTENT, site.amounts)[1] == []
    broken = tmp_path / "questionnaire"
    broken.mkdir()
    text = (CONTENT / "questionnaire" / "estimation.yaml").read_text(encoding="utf-8")
    (broken / "estimation.yaml").write_text(text.replace("bareme: ris", "bareme: rien"), "utf-8")
    rules, problems = load_estimation(tmp_path, site.amounts)
    assert rules is None
    assert "le barème « rien » n'est pas dans montants.yaml" in problems[0].message
