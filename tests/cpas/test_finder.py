"""« Trouver mon CPAS »: a postcode gives its commune and the CPAS fields that have a source."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app.config import PROJECT_DIR
from app.cpas.directory import Directory, check_postcode, load_directory
from tests.probleme.test_probleme_pages import walk

CONTENT_DIR = PROJECT_DIR / "content"
URL = "/trouver-mon-cpas"


@pytest.fixture(scope="module")
def directory() -> Directory:
    found, problems = load_directory(CONTENT_DIR)
    assert found is not None, "\n".join(map(str, problems))
    return found


def page(client: TestClient, code: str | None = None) -> tuple[int, BeautifulSoup]:
    response = client.get(URL, params={"code_postal": code} if code is not None else None)
    return response.status_code, BeautifulSoup(response.text, "html.parser")


def test_the_form_works_as_a_plain_get_form(client: TestClient) -> None:
    status, soup = page(client)
    assert status == 200
    form = soup.find("form", class_="postcode-form")
    assert form["method"] == "get" and form["action"] == URL
    assert soup.find("label", attrs={"for": "code_postal"}) is not None


def test_1000_gives_the_cpas_of_the_city_of_brussels_with_its_sourced_fields(
    client: TestClient,
) -> None:
    status, soup = page(client, "1000")
    assert status == 200
    card = soup.find("section", class_="cpas-card")
    text = card.get_text(" ")
    assert "CPAS de la Ville de Bruxelles" in text
    site = card.find("a", href="https://cpasbxl.brussels")
    assert site is not None
    assert "date de la page\u202f: 29 juillet 2019" in text
    # No dated source for its address, phone or hours: none is written, the page says so.
    assert "Adresse" not in [dt.get_text() for dt in card.find_all("dt")]
    assert "pas trouvé de source datée" in text and "Voir le site du CPAS" in text


@pytest.mark.parametrize("code", ["1020", "1120", "1130"])
def test_the_sections_of_the_city_of_brussels(client: TestClient, code: str) -> None:
    _, soup = page(client, code)
    assert "CPAS de la Ville de Bruxelles" in soup.find("section", class_="cpas-card").get_text()


def test_1080_gives_molenbeek(client: TestClient) -> None:
    _, soup = page(client, "1080")
    card = soup.find("section", class_="cpas-card")
    assert "Molenbeek-Saint-Jean" in card.find("h3").get_text()
    assert card.find("a", href="https://cpas-molenbeek.be") is not None


def test_a_dated_field_shows_with_its_source_and_date(client: TestClient) -> None:
    _, soup = page(client, "1180")
    text = soup.find("section", class_="cpas-card").get_text(" ")
    assert "Heures d'accueil" in text and "de 9 h à 11 h 30" in text
    assert "date de la page\u202f: 12 juillet 2022" in text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("10a0", "4 chiffres, sans lettre"),
        ("123", "4 chiffres"),
        ("", "Indique ton code postal"),
        ("0999", "4 chiffres"),
    ],
)
def test_a_wrong_postcode_is_explained_in_french_and_kept(
    client: TestClient, typed: str, message: str
) -> None:
    status, soup = page(client, typed)
    assert status == 400
    assert message in soup.find("span", class_="error-message").get_text()
    assert soup.find("div", class_="error-summary") is not None
    field = soup.find("input", id="code_postal")
    assert field["value"] == typed and field["aria-invalid"] == "true"
    assert soup.find("section", class_="cpas-results") is None


@pytest.mark.parametrize("code", ["9999", "1001", "1005"])
def test_an_unknown_postcode_gets_an_honest_answer(client: TestClient, code: str) -> None:
    status, soup = page(client, code)
    assert status == 200
    text = soup.find("section", class_="cpas-results").get_text(" ")
    assert "ne connaît pas ce code postal" in text
    assert soup.find("section", class_="cpas-card") is None
    assert soup.find("input", id="code_postal")["value"] == code


def card_of(soup: BeautifulSoup) -> str:
    cards = soup.find_all("section", class_="cpas-card")
    assert len(cards) == 1, cards
    return str(cards[0].get_text(" "))


def test_4000_gives_liege_and_no_invented_field(client: TestClient) -> None:
    status, soup = page(client, "4000")
    assert status == 200
    text = card_of(soup)
    assert soup.find("section", class_="cpas-card").find("h3").get_text() == "Liège"
    assert "Ton CPAS est celui de la commune de Liège." in text
    assert "«\u00a0CPAS de Liège\u00a0»" in text
    # No address, phone or hours without a dated source: none is written, the page says so.
    assert soup.find("section", class_="cpas-card").find("dl") is None
    assert "pas trouvé de source datée" in text and "Ta commune peut te les donner" in text
    assert "née de la fusion" not in text
    assert "Statbel" in text


def test_9000_gives_gent_and_its_ocmw(client: TestClient) -> None:
    _, soup = page(client, "9000")
    card = soup.find("section", class_="cpas-card")
    assert card.find("h3").get_text() == "Gent (Gand)"
    text = card_of(soup)
    assert "Ton CPAS est celui de la commune de Gent." in text
    assert "OCMW Gent" in text and card.find("span", lang="nl") is not None
    assert card.find("a", href="/fiches/ocmw-flandre-cpas-bruxelles") is not None
    assert "sauf dans quelques communes «\u00a0à facilités\u00a0»" in text


@pytest.mark.parametrize("code", ["3720", "3721", "3500"])
def test_kortessem_merged_into_hasselt_in_2025(client: TestClient, code: str) -> None:
    _, soup = page(client, code)
    text = card_of(soup)
    assert soup.find("section", class_="cpas-card").find("h3").get_text() == "Hasselt"
    assert "née de la fusion de Hasselt et Kortessem, le 1er janvier 2025" in text
    assert "date de la page\u202f: 18 avril 2024" in text
    link = soup.find("a", href=lambda href: href and "treize-fusions" in href)
    assert link is not None


@pytest.mark.parametrize("code", ["1570", "1540", "1755"])
def test_galmaarden_herne_gooik_are_pajottegem(client: TestClient, code: str) -> None:
    _, soup = page(client, code)
    text = card_of(soup)
    assert "Ton CPAS est celui de la commune de Pajottegem." in text
    assert "Galmaarden, Gooik et Herne" in text


@pytest.mark.parametrize("code", ["6600", "6686", "6687", "6688"])
def test_bastogne_and_bertogne_are_bastogne(client: TestClient, code: str) -> None:
    _, soup = page(client, code)
    text = card_of(soup)
    assert "Ton CPAS est celui de la commune de Bastogne." in text
    assert "née de la fusion de Bastogne et Bertogne, le 2 décembre 2024" in text
    assert "date de la page\u202f: 17 mai 2023" in text


def test_4700_gives_eupen_and_the_word_oshz(client: TestClient) -> None:
    _, soup = page(client, "4700")
    card = soup.find("section", class_="cpas-card")
    text = card_of(soup)
    assert card.find("h3").get_text() == "Eupen"
    assert "Ton CPAS est celui de la commune d'Eupen." in text
    assert "ÖSHZ Eupen" in text and "Öffentliches Sozialhilfezentrum" in text
    assert card.find("a", href="https://eupen.be/buergerservice/andere-dienste/oeshz") is not None
    assert card.find("details").find("a", href="https://www.pdg.be/desktopdefault.aspx/tabid-3995/")
    assert "OCMW" not in text


def test_a_walloon_card_names_neither_ocmw_nor_oshz(client: TestClient) -> None:
    _, soup = page(client, "5000")
    text = card_of(soup)
    assert "Ton CPAS est celui de la commune de Namur." in text
    assert "OCMW" not in text and "ÖSHZ" not in text
    assert "1er janvier 2025" in text


def test_4780_gives_sankt_vith_with_its_french_name(client: TestClient) -> None:
    _, soup = page(client, "4780")
    assert soup.find("section", class_="cpas-card").find("h3").get_text() == (
        "Sankt Vith (Saint-Vith)"
    )


def test_a_postcode_of_two_communes_shows_both(client: TestClient) -> None:
    _, soup = page(client, "1804")
    titles = [h3.get_text() for h3 in soup.find_all("h3")]
    assert titles == ["Vilvoorde (Vilvorde)", "Zemst"]


def test_every_commune_outside_brussels_is_known(directory: Directory) -> None:
    towns = directory.belgium.communes
    # Statbel, 1 January 2025: 285 communes in Flanders, 261 in Wallonia (9 German-speaking).
    assert sum(town.region == "flandre" for town in towns) == 285
    assert sum(town.region != "flandre" for town in towns) == 261
    assert sum(town.region == "germanophone" for town in towns) == 9
    for town in towns:
        for code in town.codes_postaux:
            assert town in [found.town for found in directory.elsewhere(code)]
            assert directory.lookup(code) == []


def test_every_brussels_postcode_1000_to_1210_of_the_19_communes(directory: Directory) -> None:
    communes = {commune.id for commune in directory.data.communes}
    assert len(communes) == 19
    for code in (
        1000,
        1030,
        1040,
        1050,
        1060,
        1070,
        1080,
        1081,
        1082,
        1083,
        1090,
        1140,
        1150,
        1160,
        1170,
        1180,
        1190,
        1200,
        1210,
    ):
        found = directory.lookup(code)
        assert not found[0].shared and [item.shared for item in found[1:]] == [True] * (
            len(found) - 1
        ), code


@pytest.mark.parametrize(("code", "first"), [("1040", "Etterbeek"), ("1050", "Ixelles")])
def test_part_of_1040_and_1050_is_the_city_of_brussels(
    client: TestClient, code: str, first: str
) -> None:
    _, soup = page(client, code)
    cards = soup.find_all("section", class_="cpas-card")
    assert [card.find("h3").get_text().split("\u202f:")[0] for card in cards] == [
        first,
        "Bruxelles (Ville de Bruxelles)",
    ]
    assert "Une partie seulement" not in cards[0].get_text()
    assert f"Une partie seulement du code postal {code}" in cards[1].get_text()
    assert "Statbel" in cards[1].find("details").get_text()


def test_check_postcode_strips_spaces() -> None:
    assert check_postcode(" 1 080 ") == (1080, None)


def test_the_questionnaire_and_the_problem_path_link_to_the_finder(client: TestClient) -> None:
    for url in ("/ai-je-droit/probleme", "/fiches/demander-aide-cpas"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert BeautifulSoup(response.text, "html.parser").find("a", href=URL) is not None, url
    result = client.get(
        walk(
            client,
            {
                "probleme": "refus",
                "date_lettre": "15/10/2026",
                "envoi": "recommande",
                "mentions": "oui",
            },
        )
    )
    assert BeautifulSoup(result.text, "html.parser").find("a", href=URL) is not None


# --- check-content ----------------------------------------------------------------------------


@pytest.fixture
def copy(tmp_path: Path) -> Callable[..., Path]:
    def make(change: Callable[[dict], None], name: str = "cpas.yaml") -> Path:
        target = tmp_path / "content"
        target.mkdir()
        for file in ("cpas.yaml", "cpas_belgique.yaml"):
            shutil.copy(CONTENT_DIR / file, target / file)
        data = yaml.safe_load((target / name).read_text(encoding="utf-8"))
        change(data)
        (target / name).write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return target

    return make


def molenbeek(data: dict) -> dict:
    return next(c for c in data["communes"] if c["id"] == "molenbeek_saint_jean")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: molenbeek(d)["cpas"].update(
                adresse={"valeur": "Rue X 1", "source": "molenbeek-faq"}
            ),
            "source datée",
        ),
        (
            lambda d: molenbeek(d)["cpas"].update(
                telephone={"valeur": "02 000 00 00", "source": "nulle-part"}
            ),
            "« nulle-part »",
        ),
        (lambda d: molenbeek(d)["cpas"].update(horaires={"valeur": "9 h"}), "source"),
        (lambda d: molenbeek(d).update(codes_postaux=[108]), "code postal invalide"),
        (lambda d: molenbeek(d).update(codes_postaux=[1000]), "déjà ailleurs"),
        (lambda d: molenbeek(d).update(codes_partages=[1300]), "d'aucune autre commune"),
        (lambda d: molenbeek(d).update(codes_partages=[1080]), "déjà dans la commune"),
    ],
    ids=[
        "undated-address",
        "unknown-source",
        "field-without-source",
        "bad-postcode",
        "duplicate-postcode",
        "shared-postcode-of-no-commune",
        "shared-postcode-of-itself",
    ],
)
def test_check_content_rejects(
    copy: Callable[[Callable[[dict], None]], Path], change: Callable[[dict], None], message: str
) -> None:
    found, problems = load_directory(copy(change))
    assert found is None
    assert any(message in str(problem) and "cpas.yaml:" in str(problem) for problem in problems), (
        problems
    )


def hasselt_merger(data: dict) -> dict:
    return next(m for m in data["fusions"] if m["commune"] == "71072")


def undated_merger(data: dict) -> None:
    data["sources"]["sans-date"] = {
        "title": "Un article sans date",
        "url": "https://example.org/fusion",
        "consulte": "2026-12-03",
    }
    hasselt_merger(data)["source"] = "sans-date"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (undated_merger, "une fusion demande une source datée"),
        (lambda d: hasselt_merger(d).update(source="nulle-part"), "« nulle-part »"),
        (lambda d: hasselt_merger(d).pop("source"), "source"),
        (lambda d: hasselt_merger(d).update(commune="99999"), "commune inconnue"),
        (
            lambda d: hasselt_merger(d).update(anciennes=["Hasselt", "Genk"]),
            "« Genk » est encore une commune",
        ),
        (lambda d: d["communes"][0].update(codes_postaux=[108]), "code postal invalide"),
        (lambda d: d["communes"][0].update(codes_postaux=[1080]), "déjà dans cpas.yaml"),
        (lambda d: d["communes"][0].update(region="germanophone"), "germanophones"),
    ],
    ids=[
        "undated-merger",
        "unknown-source",
        "merger-without-source",
        "unknown-commune",
        "old-commune-still-listed",
        "bad-postcode",
        "brussels-postcode",
        "german-not-listed",
    ],
)
def test_check_content_rejects_in_the_belgian_file(
    copy: Callable[..., Path], change: Callable[[dict], None], message: str
) -> None:
    found, problems = load_directory(copy(change, "cpas_belgique.yaml"))
    assert found is None
    assert any(
        message in str(problem) and "cpas_belgique.yaml:" in str(problem) for problem in problems
    ), problems


@pytest.mark.parametrize(
    "typed",
    [
        "   ",
        "10\x0080",
        "%FF%FE",
        "<script>alert(1)</script>",
        "1080" * 500,
        "'; DROP TABLE x; --",
        "١٠٨٠",
        "1٠٨٠",
    ],
    ids=[
        "espaces",
        "NUL",
        "UTF-8 invalide",
        "script",
        "trop long",
        "SQL",
        "chiffres arabes",
        "chiffres mêlés",
    ],
)
def test_every_bad_postcode_gets_a_french_answer_and_no_500(client: TestClient, typed: str) -> None:
    query = typed if typed.startswith("%") else quote(typed)
    response = client.get(f"{URL}?code_postal={query}")
    assert response.status_code == 400
    soup = BeautifulSoup(response.text, "html.parser")
    assert "code postal" in soup.find("span", class_="error-message").get_text()
    assert "<script>alert" not in response.text
    assert len(soup.find("input", id="code_postal")["value"]) <= 20
    assert client.post(URL, data={"code_postal": "1080"}).status_code == 405
