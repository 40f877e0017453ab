"""What may be out of date: amounts quoted by hand, fiches, questionnaire parts, scales."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import yaml

from app.amounts import Amounts
from app.checks import freshness_warnings
from app.fiches.changes import Change, Changes
from app.fiches.freshness import (
    Answer,
    StaleAnswer,
    behind_changes,
    outdated_amounts,
    parse_amounts,
    past_review,
    questionnaire_behind,
    stale_answer,
    stale_scales,
)
from app.fiches.meta import FicheMeta
from tests.fiches.fiche_content import AMOUNTS, ContentFolder

DAY = dt.date(2026, 12, 2)
NEWER_RIS = """\
      - depuis: 2026-03-01
        montants: {cohabitant: "893.65", isole: "1340.48"}
        source: {titre: SPP IS, url: "https://www.mi-is.be/", date: 2026-03-01}
"""


def amounts(*, newer_row: bool = False) -> Amounts:
    text = (
        AMOUNTS.replace("    periodes:\n", "    periodes:\n" + NEWER_RIS) if newer_row else AMOUNTS
    )
    return Amounts.model_validate(yaml.safe_load(text))


def change(ident: str, depuis: str, **fields: object) -> Change:
    source = {"title": "Source", "url": "https://example.org/", "date": depuis, "consulte": DAY}
    data = {"id": ident, "depuis": depuis, "titre": "Un changement", "sources": [source]}
    data["texte"] = "Une phrase qui dit ce qui change."
    return Change.model_validate(data | fields)


def meta(slug: str, *, updated: str = "2026-11-23", relire_avant: str = "2027-06-01") -> FicheMeta:
    source = {"title": "Source", "url": "https://example.org/", "date": "2026-01-01"}
    return FicheMeta.model_validate(
        {
            "title": "Une fiche",
            "slug": slug,
            "summary": "Résumé.",
            "themes": ["piis"],
            "version": 1,
            "published": "2026-01-01",
            "updated": updated,
            "sources": [source | {"consulte": "2026-11-20"}],
            "relire_avant": relire_avant,
        }
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tu reçois 1 314,20 € par mois.", [("1 314,20 €", "1314.20")]),
        ("Tu reçois 1\u202f314,20\u00a0€.", [("1\u202f314,20\u00a0€", "1314.20")]),
        ("soit 1.314,20€ au total", [("1.314,20€", "1314.20")]),
        ("environ 1314,20 euros", [("1314,20 euros", "1314.20")]),
        ("876,13 EUR et 309.48 €", [("876,13 EUR", "876.13"), ("309.48 €", "309.48")]),
        ("un loyer de 650 € et 2 enfants", [("650 €", "650.00")]),
        ("le 1er mars 2026, 20 % de plus", []),
        ("1 314.20 €", []),  # a thousands space with a decimal point: not a French amount
        ("Article 1314,20 de la loi", []),
    ],
)
def test_amounts_written_in_french(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(w, str(v)) for w, v in parse_amounts(text)] == expected


def test_an_amount_is_outdated_once_a_newer_period_is_recorded() -> None:
    before = outdated_amounts(amounts(), Changes(()), day=DAY)
    assert Decimal("1314.20") not in before  # still the latest known
    assert [o.replaced for o in before[Decimal("1288.46")]] == [
        "1\u202f314,20\u00a0€ depuis le 1er février 2025"
    ]
    after = outdated_amounts(amounts(newer_row=True), Changes(()), day=DAY)
    [old] = after[Decimal("1314.20")]
    assert (old.category, old.since) == ("Personne isolée (catégorie 2)", dt.date(2025, 2, 1))
    assert old.replaced == "1\u202f340,48\u00a0€ depuis le 1er mars 2026"
    assert Decimal("1340.48") not in after


def test_an_indexation_without_figures_outdates_the_amounts_in_force() -> None:
    indexation = change("indexation-2026", "2026-03-01", type="indexation", baremes=["ris"])
    found = outdated_amounts(amounts(), Changes((indexation,)), day=DAY)
    assert found[Decimal("1314.20")][0].replaced.startswith("indexé le 1er mars 2026")
    assert (
        outdated_amounts(amounts(), Changes((indexation,)), day=dt.date(2026, 2, 28)).get(
            Decimal("1314.20")
        )
        is None
    )
    [scale] = stale_scales(amounts(), Changes((indexation,)), day=DAY)
    assert (scale.name, scale.latest_period) == ("ris", dt.date(2025, 2, 1))
    assert stale_scales(amounts(newer_row=True), Changes((indexation,)), day=DAY) == []


@pytest.mark.parametrize(
    ("body", "written_on", "flagged_amounts", "flagged_changes"),
    [
        ("Le montant isolé est de 1 314,20 € par mois.", "2026-06-01", ["1 314,20 €"], []),
        ("Le montant isolé est de 1 340,48 € par mois.", "2026-06-01", [], []),
        ("Adresse-toi au CPAS de ta commune.", "2026-02-01", [], ["cohabitants-2026"]),
        ("Adresse-toi au CPAS de ta commune.", "2026-06-01", [], []),
    ],
)
def test_an_answer_is_flagged_for_old_amounts_and_for_changes_it_predates(
    body: str, written_on: str, flagged_amounts: list[str], flagged_changes: list[str]
) -> None:
    changes = Changes((change("cohabitants-2026", "2026-03-01", fiches=["essai"]),))
    outdated = outdated_amounts(amounts(newer_row=True), changes, day=DAY)
    answer = Answer(1, 1, "essai", body, dt.date.fromisoformat(written_on))
    found = stale_answer(
        answer, outdated=outdated, changes=changes, fiches={"essai": meta("essai")}
    )
    if not flagged_amounts and not flagged_changes:
        assert found is None
    else:
        assert found is not None
        assert [q.written for q in found.amounts] == flagged_amounts
        assert [c.id for c in found.changes] == flagged_changes


def test_fiches_past_review_and_behind_a_change() -> None:
    fiches = [
        meta("a-jour", updated="2026-12-02"),
        meta("en-retard", relire_avant="2026-12-01"),
        meta("le-jour-meme", relire_avant="2026-12-02"),
    ]
    assert [m.slug for m in past_review(fiches, day=DAY)] == ["en-retard", "le-jour-meme"]
    recorded = change(
        "cohabitants-2026",
        "2026-03-01",
        enregistre="2026-12-02",
        fiches=["a-jour", "en-retard"],
    )
    behind = behind_changes(fiches, Changes((recorded,)))
    assert [(b.meta.slug, [c.id for c in b.changes]) for b in behind] == [
        ("en-retard", ["cohabitants-2026"])
    ]


def test_questionnaire_parts_without_a_version_dated_from_the_change() -> None:
    data = {
        "droits": {
            "rights": [
                {
                    "id": "ris",
                    "criteria": [
                        {"id": "ressources", "cases": [{"from": dt.date(2026, 3, 1)}]},
                        {"id": "aliments", "cases": [{"from": dt.date(2016, 1, 1)}]},
                    ],
                }
            ]
        }
    }
    touching = change(
        "cohabitants-2026",
        "2026-03-01",
        questionnaire=["droits.ris.ressources", "droits.ris.aliments"],
    )
    parts = questionnaire_behind(Changes((touching,)), data, day=DAY)
    assert [(p.reference, p.latest) for p in parts] == [
        ("droits.ris.aliments", dt.date(2016, 1, 1))
    ]
    # Years later, a change recorded without « enregistre » is history, no longer a to-do.
    assert questionnaire_behind(Changes((touching,)), data, day=dt.date(2027, 3, 1)) == []
    recorded = touching.model_copy(update={"enregistre": dt.date(2026, 12, 2)})
    assert len(questionnaire_behind(Changes((recorded,)), data, day=dt.date(2027, 3, 1))) == 1


def test_warnings_name_the_fiche_and_the_line_to_change(content: ContentFolder) -> None:
    content.fiche("essai", relire_avant="2026-12-01")
    library, problems = content.load(DAY)
    assert problems == []
    warnings = freshness_warnings(library, day=DAY)
    assert [(w.path.name, w.line, w.message) for w in warnings] == [
        ("essai.md", 15, "à relire : la date de relecture (2026-12-01) est passée")
    ]


def test_the_excerpt_of_an_answer_reads_as_plain_text() -> None:
    body = "Bonjour Tom,\n\nLe CPAS **peut** tenir compte de `1 314,20 €`. " + "Suite. " * 40
    found = StaleAnswer(Answer(1, 1, None, body, DAY))
    assert found.excerpt.startswith("Bonjour Tom, Le CPAS peut tenir compte de 1 314,20 €.")
    assert len(found.excerpt) <= 160 and found.excerpt.endswith(".…")
