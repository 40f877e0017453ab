"""The questionnaire's content: valid as shipped, and each mistake reported with its line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from app.amounts import Amounts
from app.config import PROJECT_DIR
from app.content import Problem
from app.questionnaire import Questionnaire, check_questionnaire, load_questionnaire
from app.questionnaire.loader import fiche_slugs

CONTENT_DIR = PROJECT_DIR / "content"
FICHES = {
    "droit-integration-sociale",
    "conditions-revenu-integration",
    "montants-revenu-integration",
    "piis-contrat-integration",
    "etudiant-cpas",
    "demander-aide-cpas",
    "recours-tribunal-travail",
    "aide-sociale",
    "adresse-reference",
    "sejour-etranger",
    "travailler-avec-revenu-integration",
    "remboursement-cpas",
    "moins-de-25-ans",
    "aide-gratuite",
}


def test_the_shipped_questionnaire_has_no_problem() -> None:
    assert check_questionnaire(CONTENT_DIR) == []


def test_the_questionnaire_links_to_each_fiche_of_the_site(questionnaire: Questionnaire) -> None:
    assert fiche_slugs(questionnaire) == FICHES


def test_no_amount_is_written_in_the_questionnaire(amounts: Amounts) -> None:
    """Amounts come from montants.yaml only: none is copied into the rules, texts or code."""
    written = {
        f"{value:.2f}"
        for scale in amounts.baremes.values()
        for period in scale.periodes
        for value in period.montants.values()
    }
    written |= {value.replace(".", ",") for value in written}
    files = [*(CONTENT_DIR / "questionnaire").glob("*.yaml")]
    files += [*(PROJECT_DIR / "app" / "questionnaire").glob("*.py")]
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert not [value for value in written if value in text], path


def break_file(content: Path, name: str, old: str, new: str) -> tuple[Path, int]:
    """Replace ``old`` (found once) by ``new``; the file and the line of the first change."""
    path = content / "questionnaire" / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"« {old} » doit apparaître une seule fois dans {name}"
    same = 0
    while same < min(len(old), len(new)) and old[same] == new[same]:
        same += 1
    start = text.index(old) + same
    path.write_text(text.replace(old, new), encoding="utf-8")
    line = text[:start].count("\n") + 1
    return path, line + 1 if new[same : same + 1] == "\n" else line


BROKEN = [
    pytest.param(
        "questions.yaml",
        "when: {answer: age, lt: 18}",
        "when: {answer: ages, lt: 18}",
        "la question « ages » n'existe pas",
        id="unknown-question-in-a-when",
    ),
    pytest.param(
        "droits.yaml",
        "when: {answer: statut, eq: belge}",
        "when: {answer: statut, eq: belgique}",
        "« belgique » n'est pas une réponse de la question « statut »",
        id="unknown-option-value",
    ),
    pytest.param(
        "droits.yaml",
        "when: {answer: statut, eq: demandeur_asile}\n            outcome: non",
        "when: {answer: statut, in: [demandeur_asile, touriste]}\n            outcome: non",
        "« touriste » n'est pas une réponse de la question « statut »",
        id="unknown-option-value-in-a-list",
    ),
    pytest.param(
        "questions.yaml",
        "    type: number\n    min: 12",
        "    type: nombre\n    min: 12",
        "type : valeur « nombre » non permise",
        id="unknown-question-type",
    ),
    pytest.param(
        "droits.yaml",
        "when: {answer: logement, eq: sans_logement}\n            outcome: remplie",
        "when: {answer: logement, contains: sans_logement}\n            outcome: remplie",
        "« contains » ne s'applique qu'aux questions multi",
        id="test-that-does-not-fit-the-type",
    ),
    pytest.param(
        "droits.yaml",
        "show_when: {answer: dettes, eq: true}",
        "show_when: {answer: dettes, eq: oui}",
        "« dettes » est une question oui/non : true ou false",
        id="yes-no-compared-to-a-word",
    ),
    pytest.param(
        "droits.yaml",
        "when: {answer: deja_cpas, eq: sans_reponse}",
        "when: {answer: deja_cpas, equals: sans_reponse}",
        "test inconnu « equals »",
        id="unknown-test",
    ),
    pytest.param(
        "droits.yaml",
        "show_when: {answer: garantie_locative, eq: true}",
        "show_when: {reponse: garantie_locative}",
        "condition inconnue « reponse »",
        id="unknown-condition",
    ),
    pytest.param(
        "questions.yaml",
        "when: {answer: statut, eq: ue}",
        "when: {answer: logement, eq: seul}",
        "« logement » vient après celle-ci",
        id="question-depending-on-a-later-one",
    ),
    pytest.param(
        "questions.yaml",
        "when: {answer: age, lt: 18}",
        "when: {answer: age, lt: {threshold: age_pension}}",
        "une question ne dépend pas d'une valeur datée",
        id="question-depending-on-a-threshold",
    ),
    pytest.param(
        "droits.yaml",
        "            from: 2026-03-01\n            when: *debiteurs_depuis_2026",
        "            from: 2026-02-01\n            when: *debiteurs_depuis_2026",
        "« debiteurs » : cette version chevauche celle de l'entrée",
        id="overlapping-versions-of-a-rule",
    ),
    pytest.param(
        "droits.yaml",
        "- id: debiteurs\n            until: 2026-03-01\n            when: *debiteurs_avant",
        "- from: 2026-04-01\n            id: debiteurs\n            until: 2026-03-01\n"
        "            when: *debiteurs_avant",
        "« until » doit venir après « from »",
        id="period-ending-before-it-starts",
    ),
    pytest.param(
        "droits.yaml",
        "{amount: ris.isole}",
        "{amount: ris.riche}",
        "la catégorie « riche » n'existe pas dans le barème « ris »",
        id="unknown-amount-category",
    ),
    pytest.param(
        "droits.yaml",
        "when: {answer: age, gte: {threshold: age_pension}}\n            outcome: remplie",
        "when: {answer: age, gte: {threshold: age_retraite}}\n            outcome: remplie",
        "le seuil « age_retraite » n'existe pas",
        id="unknown-threshold",
    ),
    pytest.param(
        "droits.yaml",
        "reason: Tu as 18 ans ou plus.",
        "reason: Tu as 18 ans ou plus, et {amount:rien}.",
        "le barème « rien » n'existe pas dans montants.yaml",
        id="unknown-amount-in-a-text",
    ),
    pytest.param(
        "droits.yaml",
        "reason: Tu as 18 ans ou plus.",
        "reason: Tu as {age} ans ou plus.",
        "accolade inattendue",
        id="stray-brace-in-a-text",
    ),
    pytest.param(
        "droits.yaml",
        "show_when: {right: ris, status: [probable, possible]}",
        "show_when: {right: recours, status: [probable, possible]}",
        "le droit « recours » doit être décrit avant",
        id="right-depending-on-a-later-right",
    ),
    pytest.param(
        "droits.yaml",
        "    title: Le revenu d'intégration (RIS)",
        "    title: Le revenu d'intégration (RIS)\n    titre: doublon",
        "rights.0.titre : champ inconnu",
        id="unknown-field",
    ),
    pytest.param(
        "questions.yaml",
        "    text: Quel âge as-tu ?",
        "    text: [Quel âge as-tu ?",
        "YAML invalide",
        id="yaml-syntax-error",
    ),
    pytest.param(
        "textes.yaml",
        "disclaimer: >-",
        "avertissement: >-",
        "disclaimer : champ obligatoire manquant",
        id="missing-text-reported-on-its-parent",
    ),
]


@pytest.mark.parametrize(("name", "old", "new", "message"), BROKEN)
def test_a_mistake_is_reported_with_its_file_and_line(
    content_copy: Callable[..., Path], name: str, old: str, new: str, message: str
) -> None:
    content = content_copy()
    path, line = break_file(content, name, old, new)
    if "champ obligatoire" in message:
        # A missing field is reported where its mapping starts: here, the document's first key.
        lines = path.read_text(encoding="utf-8").splitlines()
        line = next(i for i, text in enumerate(lines, 1) if text and not text.startswith("#"))
    questionnaire, problems = load_questionnaire(content)
    assert questionnaire is None
    assert problems == check_questionnaire(content)
    assert [(p.path, p.line) for p in problems if message in p.message] == [(path, line)], (
        "\n".join(map(str, problems))
    )


def test_a_missing_file_is_a_problem(content_copy: Callable[..., Path]) -> None:
    content = content_copy()
    (content / "questionnaire" / "droits.yaml").unlink()
    problems = check_questionnaire(content)
    assert problems == [
        Problem(content / "questionnaire" / "droits.yaml", 1, "fichier introuvable")
    ]


def test_a_link_to_a_missing_fiche_is_a_problem_once_fiches_exist(
    content_copy: Callable[..., Path],
) -> None:
    content = content_copy()
    fiches = content / "fiches"
    for slug in FICHES - {"aide-gratuite"}:
        (fiches / f"{slug}.md").write_text("---\n---\n", encoding="utf-8")
    problems = check_questionnaire(content)
    assert problems, "aide-gratuite manque"
    assert {p.message for p in problems} == {"la fiche « aide-gratuite » n'existe pas dans fiches/"}
    droits = (content / "questionnaire" / "droits.yaml").read_text(encoding="utf-8").splitlines()
    for problem in problems:
        assert "aide-gratuite" in droits[problem.line - 1]


def test_an_empty_fiches_folder_is_not_checked_yet(content_copy: Callable[..., Path]) -> None:
    content = content_copy()
    assert not list((content / "fiches").glob("*.md"))
    assert check_questionnaire(content) == []


def test_a_dated_text_and_a_dated_step_apply_only_in_their_period(
    content_copy: Callable[..., Path], amounts: Amounts
) -> None:
    """« Comment faire ta demande » and a right's next steps take ``from``/``until`` too."""
    import datetime as dt

    from app.questionnaire import evaluate, normalize_answers

    content = content_copy()
    break_file(
        content,
        "textes.yaml",
        "how_to_apply:\n",
        "how_to_apply:\n"
        "  - {id: regle, until: 2027-01-01, text: Ancienne façon de faire ta demande.}\n"
        "  - {id: regle, from: 2027-01-01, text: Nouvelle façon de faire ta demande.}\n",
    )
    break_file(
        content,
        "droits.yaml",
        "      - Garde une copie de tout ce que tu donnes au CPAS",
        "      - {text: Une démarche qui ne vaut qu'en 2027., from: 2027-01-01}\n"
        "      - Garde une copie de tout ce que tu donnes au CPAS",
    )
    questionnaire, problems = load_questionnaire(content)
    assert problems == [] and questionnaire is not None
    answers, errors = normalize_answers(
        questionnaire,
        {
            "age": 20,
            "enceinte": False,
            "statut": "belge",
            "vit_en_belgique": True,
            "logement": "sans_logement",
            "enfant_mineur": False,
            "etudiant": False,
            "handicap": "non",
            "revenus": ["aucun"],
            "non_demandees": ["aucune"],
            "prestations_perdues": ["aucune"],
            "capable_travailler": "oui",
            "deja_cpas": "jamais",
            "dettes": False,
            "garantie_locative": False,
        },
    )
    assert errors == []
    before = evaluate(questionnaire, amounts, answers, dt.date(2026, 12, 31))
    after = evaluate(questionnaire, amounts, answers, dt.date(2027, 1, 1))
    assert "Ancienne façon de faire ta demande." in before.how_to_apply
    assert "Nouvelle façon de faire ta demande." not in before.how_to_apply
    assert "Nouvelle façon de faire ta demande." in after.how_to_apply
    assert "Ancienne façon de faire ta demande." not in after.how_to_apply
    step = "Une démarche qui ne vaut qu'en 2027."
    assert step not in before.right("ris").next_steps  # type: ignore[union-attr]
    assert step in after.right("ris").next_steps  # type: ignore[union-attr]


def test_overlapping_versions_of_a_text_are_refused(content_copy: Callable[..., Path]) -> None:
    content = content_copy()
    path, line = break_file(
        content,
        "textes.yaml",
        "how_to_apply:\n",
        "how_to_apply:\n"
        "  - {id: regle, from: 2026-01-01, text: Une première version du texte.}\n"
        "  - {id: regle, from: 2026-06-01, text: Une seconde version qui chevauche.}\n",
    )
    questionnaire, problems = load_questionnaire(content)
    assert questionnaire is None
    assert [(p.path, p.line) for p in problems if "chevauche" in p.message] == [(path, line + 1)]
