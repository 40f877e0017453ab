"""« Les aides d'autres organismes »: each entry shows exactly where it applies, on its dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.questionnaire import Questionnaire, normalize_answers
from app.questionnaire.other_help import OtherHelp, applicable, load_other_help
from tests.conftest import csrf_from
from tests.questionnaire.conftest import CONTENT_DIR
from tests.questionnaire.test_share import ALONE as ADULT

DAY = dt.date(2026, 12, 3)


@pytest.fixture(scope="module")
def other_help(questionnaire: Questionnaire) -> OtherHelp:
    found, problems = load_other_help(CONTENT_DIR, questionnaire)
    assert found is not None, "\n".join(map(str, problems))
    return found


def shown(other_help: OtherHelp, questionnaire: Questionnaire, **changes: object) -> dict:
    answers, errors = normalize_answers(questionnaire, {**ADULT, **changes})
    assert not errors, errors
    return {item.entry.id: item for item in applicable(other_help, answers, DAY)}


def test_a_pregnant_adult_sees_the_birth_allowance_with_the_brussels_body(
    other_help: OtherHelp, questionnaire: Questionnaire
) -> None:
    found = shown(other_help, questionnaire, enceinte=True)
    birth = found["naissance_allocations_familiales"]
    bodies = {body.region_label: body.body.nom for body in birth.bodies}
    assert "Famiris" in bodies["À Bruxelles"]
    assert "Iriscare" in bodies["À Bruxelles"]
    assert "Famiwal" in bodies["En Wallonie (hors Communauté germanophone)"]
    assert "Groeipakket" in bodies["En Flandre"]
    assert "Communauté germanophone" in bodies["En Communauté germanophone (Ostbelgien)"]
    follow_up = {body.region_label: body.body.nom for body in found["suivi_grossesse"].bodies}
    assert "ONE" in follow_up["À Bruxelles"]
    assert follow_up["En Flandre"] == "Kind en Gezin"


def test_a_pregnant_minor_sees_the_birth_allowance(
    other_help: OtherHelp, questionnaire: Questionnaire
) -> None:
    minor = {
        key: value
        for key, value in ADULT.items()
        if key not in {"enceinte", "enfant_mineur", "prestations_perdues"}
    }
    answers, errors = normalize_answers(
        questionnaire, {**minor, "age": 16, "situation_mineur": ["enceinte"]}
    )
    assert not errors, errors
    ids = [item.entry.id for item in applicable(other_help, answers, DAY)]
    assert "naissance_allocations_familiales" in ids


def test_nobody_pregnant_and_no_claim_means_no_birth_allowance(
    other_help: OtherHelp, questionnaire: Questionnaire
) -> None:
    found = shown(other_help, questionnaire)
    assert "naissance_allocations_familiales" not in found
    assert "suivi_grossesse" not in found


def test_family_allowances_not_yet_claimed_show_the_entry(
    other_help: OtherHelp, questionnaire: Questionnaire
) -> None:
    found = shown(other_help, questionnaire, non_demandees=["allocations_familiales"])
    assert "naissance_allocations_familiales" in found


def test_a_student_sees_the_study_grant_of_each_community(
    other_help: OtherHelp, questionnaire: Questionnaire
) -> None:
    found = shown(other_help, questionnaire, etudiant=True)
    grant = found["allocation_etudes"]
    bodies = {body.region_label: body.body for body in grant.bodies}
    assert "studietoelage" in bodies["En Flandre"].nom
    assert bodies["En Flandre"].site == "https://www.studietoelagen.be"
    assert (
        "Fédération Wallonie-Bruxelles" in bodies["En Wallonie (hors Communauté germanophone)"].nom
    )


def test_no_study_grant_without_studies(
    other_help: OtherHelp, questionnaire: Questionnaire
) -> None:
    assert "allocation_etudes" not in shown(other_help, questionnaire)


def test_everyone_with_a_stay_sees_the_mutuelle_and_the_increased_reimbursement(
    other_help: OtherHelp, questionnaire: Questionnaire
) -> None:
    found = shown(other_help, questionnaire)
    assert {"mutuelle", "intervention_majoree"} <= set(found)


def test_an_asylum_seeker_is_not_sent_to_a_mutuelle(
    other_help: OtherHelp, questionnaire: Questionnaire
) -> None:
    answers, errors = normalize_answers(
        questionnaire,
        {
            "age": 25,
            "statut": "demandeur_asile",
            "enceinte": False,
            "enfant_mineur": False,
            "deja_cpas": "jamais",
            "dettes": False,
            "prestations_perdues": ["aucune"],
        },
    )
    assert not errors, errors
    ids = {item.entry.id for item in applicable(other_help, answers, DAY)}
    assert not ids & {"mutuelle", "intervention_majoree"}


def test_every_body_has_a_dated_source(other_help: OtherHelp) -> None:
    for entry, _ in other_help.entries:
        bodies = [entry.organisme] if entry.organisme else list(entry.regions)
        for body in bodies:
            assert body is not None and body.sources
            for name in body.sources:
                assert other_help.sources[name].date


# --- dates and check-content on a copy of the content ---------------------------------------


def rewrite(folder: Path, change: Callable[[dict], None]) -> None:
    path = folder / "questionnaire" / "autres_aides.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def mutuelle(data: dict) -> dict:
    """The entry « mutuelle » of autres_aides.yaml, found by its id."""
    return next(entry for entry in data["aides"] if entry["id"] == "mutuelle")


def load(folder: Path, questionnaire: Questionnaire) -> tuple[OtherHelp | None, list[str]]:
    found, problems = load_other_help(folder, questionnaire)
    return found, [str(problem) for problem in problems]


def test_dated_entries_show_only_while_in_force(
    content_copy: Callable[..., Path], questionnaire: Questionnaire
) -> None:
    folder = content_copy()

    def date_it(data: dict) -> None:
        index = data["aides"].index(mutuelle(data))
        data["aides"][index]["until"] = dt.date(2026, 1, 1)  # the old version
        newer = dict(data["aides"][index], titre="La mutuelle (nouvelle règle)")
        newer.pop("until")
        newer["from"] = dt.date(2026, 1, 1)
        data["aides"].insert(index + 1, newer)

    rewrite(folder, date_it)
    found, problems = load(folder, questionnaire)
    assert found is not None, problems
    answers, _ = normalize_answers(questionnaire, ADULT)
    before = [i.entry.titre for i in applicable(found, answers, dt.date(2025, 12, 31))]
    after = [i.entry.titre for i in applicable(found, answers, dt.date(2026, 1, 1))]
    assert "La mutuelle" in before and "La mutuelle (nouvelle règle)" not in before
    assert "La mutuelle (nouvelle règle)" in after and "La mutuelle" not in after


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: mutuelle(d)["organisme"].update(sources=[]), "sources"),
        (lambda d: mutuelle(d)["organisme"].update(sources=["inconnue"]), "« inconnue »"),
        (lambda d: d["sources"]["mc-intervention-majoree-2024"].pop("date"), "date"),
        (
            lambda d: d["sources"]["mc-intervention-majoree-2024"].update(date="hier"),
            "date de la page",
        ),
        (
            lambda d: d["aides"][0].update(quand={"answer": "inexistante", "eq": True}),
            "inexistante",
        ),
        (
            lambda d: mutuelle(d).update(
                {"from": dt.date(2026, 1, 1), "until": dt.date(2025, 1, 1)}
            ),
            "until",
        ),
        (lambda d: mutuelle(d)["organisme"].update(site="http://exemple.be"), "https://"),
    ],
    ids=[
        "no-source",
        "unknown-source",
        "undated-source",
        "bad-date",
        "unknown-question",
        "until-before-from",
        "not-https",
    ],
)
def test_check_content_rejects(
    content_copy: Callable[..., Path],
    questionnaire: Questionnaire,
    change: Callable[[dict], None],
    message: str,
) -> None:
    folder = content_copy()
    rewrite(folder, change)
    found, problems = load(folder, questionnaire)
    assert found is None
    assert any(message in problem and "autres_aides.yaml:" in problem for problem in problems), (
        problems
    )


# --- on the pages -----------------------------------------------------------------------------


@pytest.fixture
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.questionnaire.routes.today", lambda: DAY)


def express(client: TestClient, **changes: object) -> BeautifulSoup:
    form = {
        key: (
            "oui"
            if value is True
            else "non"
            if value is False
            else [str(v) for v in value]
            if isinstance(value, list)
            else str(value)
        )
        for key, value in {**ADULT, **changes}.items()
    }
    csrf = csrf_from(client.get("/ai-je-droit/express").text)
    response = client.post(
        "/ai-je-droit/express",
        data={**form, "csrf_token": csrf, "action": "resultat"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return BeautifulSoup(client.get(response.headers["location"]).text, "html.parser")


@pytest.mark.usefixtures("fixed_day")
def test_the_counter_result_shows_the_birth_allowance_for_a_pregnant_person(
    client: TestClient,
) -> None:
    page = express(client, enceinte=True)
    section = page.find("section", id="aide-naissance_allocations_familiales")
    assert section is not None
    text = section.get_text(" ")
    assert "Famiris" in text and "Famiwal" in text
    assert "consultée le 3 décembre 2026" in text
    assert page.find("section", id="aide-allocation_etudes") is None


@pytest.mark.usefixtures("fixed_day")
def test_the_result_links_to_the_cpas_finder(client: TestClient) -> None:
    page = express(client)
    assert page.find("a", href="/trouver-mon-cpas") is not None
    assert page.find("section", id="aide-naissance_allocations_familiales") is None
    assert page.find("section", id="aide-mutuelle") is not None
