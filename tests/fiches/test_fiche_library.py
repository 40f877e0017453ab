"""The library: every fiche loaded, each content mistake reported at its file and line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.fiches.library import check_fiches, load_library
from tests.fiches.fiche_content import BODY_LINE, ContentFolder

LONG = "x" * 301


@pytest.mark.parametrize(
    ("fields", "line", "message"),
    [
        ({"title": None}, 2, "title : champ obligatoire manquant"),
        ({"updated": "2026-10-01"}, 8, "updated : la date de mise à jour (2026-10-01) précède"),
        ({"themes": "[piis, inconnu]"}, 5, "themes : thème inconnu « inconnu »"),
        ({"slug": "autre-nom"}, 3, "le slug « autre-nom » doit être le nom du fichier « essai »"),
        ({"summary": LONG}, 4, "summary : texte trop long (300 caractères au plus)"),
        ({"version": "0"}, 6, "version : doit valoir au moins 1"),
        ({"version": '"2"'}, 6, "version : nombre entier attendu"),
        ({"published": "hier"}, 7, "published : date attendue"),
        ({"sources": "[]"}, 9, "sources : liste trop courte"),
        ({"related": "[inconnue]"}, 14, "related : fiche inconnue « inconnue »"),
        ({"related": "[essai]"}, 14, "related : une fiche ne peut pas se citer elle-même"),
        ({"auteur": "Moi"}, 16, "auteur : champ inconnu"),
        ({"relire_avant": None}, 2, "relire_avant : champ obligatoire manquant"),
        ({"relire_avant": "2026-11-23"}, 15, "relire_avant : la date de relecture (2026-11-23) d"),
        ({"relire_avant": "2028-01-01"}, 15, "relire_avant : la date de relecture (2028-01-01) e"),
        ({"relire_avant": "bientôt"}, 15, "relire_avant : date attendue"),
        ({"changements": "\n  - id: Pas Un Slug"}, 17, "changements.0.id : « Pas Un Slug »"),
        ({"changements": "\n  - id: a\n  - id: a"}, 16, "changements : un même changement"),
        ({"changements": "\n  - id: a\n    texte: court"}, 18, "changements.0.texte : texte trop"),
        ({"title": "Titre: avec deux points"}, 2, "YAML invalide : mapping values"),
    ],
)
def test_bad_front_matter(
    content: ContentFolder, fields: dict[str, str | None], line: int, message: str
) -> None:
    problems = content.problems("Une introduction.\n", **fields)
    assert len(problems) == 1, problems
    assert problems[0][0] == line
    assert problems[0][1].startswith(message)


def test_bad_source_url_is_reported_at_its_line(content: ContentFolder) -> None:
    sources = (
        '\n  - title: "Une source"\n    url: "ftp://example.org"'
        "\n    date: 2026-01-01\n    consulte: 2026-11-20"
    )
    assert content.problems("Texte.\n", sources=sources) == [
        (11, "sources.0.url : adresse http(s) attendue")
    ]


@pytest.mark.parametrize(
    ("dates", "line", "message"),
    [
        ("\n    consulte: 2026-11-20", 10, "sources.0.date : champ obligatoire manquant"),
        ("\n    date: 2026-01-01", 10, "sources.0.consulte : champ obligatoire manquant"),
        (
            "\n    date: 2026-11-23\n    consulte: 2026-11-20",
            13,
            "sources.0.consulte : la page a été lue le 2026-11-20, avant sa propre date",
        ),
        ("\n    date: 2026-01-01\n    consulte: hier", 13, "sources.0.consulte : date attendue"),
    ],
)
def test_a_source_gives_its_own_date_and_the_day_it_was_read(
    content: ContentFolder, dates: str, line: int, message: str
) -> None:
    sources = '\n  - title: "Une source"\n    url: "https://example.org/page"' + dates
    problems = content.problems("Texte.\n", sources=sources)
    assert len(problems) == 1, problems
    assert problems[0][0] == line
    assert problems[0][1].startswith(message)


def test_missing_front_matter(content: ContentFolder) -> None:
    (content.root / "fiches" / "nue.md").write_text("Pas d'en-tête.\n", encoding="utf-8")
    library, problems = content.load()
    assert [(p.path.name, p.line) for p in problems] == [("nue.md", 1)]
    assert "en-tête YAML manquant" in problems[0].message
    assert library.fiches == {}


@pytest.mark.parametrize(
    ("body", "offset", "message"),
    [
        ("Voir [ici](fiche:absente).\n", 0, "lien vers une fiche inconnue : « fiche:absente »"),
        (
            "Un.\nDeux, voir [là](fiche:autre#nulle-part).\n",
            1,
            "ancre inconnue « #nulle-part » dans la fiche « autre »",
        ),
        ("- un\n- [clic](javascript:alert(1))\n", 1, "lien non permis « javascript:alert(1) »"),
        ("Va sur [admin](/admin).\n", 0, "lien vers une page inconnue du site : « /admin »"),
        ("Écris [moi](mailto:a@b.be).\n", 0, "lien non permis « mailto:a@b.be »"),
        ("Voir [plus bas](#nulle-part).\n", 0, "ancre inconnue dans cette fiche : « #nulle-part »"),
        ("Voir [le mot](/glossaire#nope).\n", 0, "mot inconnu du glossaire : « /glossaire#nope »"),
        ("# Un titre\n", 0, "pas de titre « # » dans une fiche"),
        ("Une ![image](https://example.org/a.png).\n", 0, "pas d'image dans une fiche"),
        ("Texte.\n\n::: danger\nAïe.\n:::\n", 2, "encadré inconnu ou mal ouvert « ::: danger »"),
        ("Texte.\n\n{{ tableau inconnu }}\n", 2, "barème inconnu « inconnu »"),
        ("Un.\nDeux {{ montant ris couple }}.\n", 1, "catégorie inconnue « couple » du barème ris"),
        ("Le tableau {{ tableau ris }} ici.\n", 0, "« {{ tableau ris }} » doit être seul"),
        ("Un {{ total ris }}.\n", 0, "directive inconnue « {{ total ris }} »"),
        ("Un.\nTu reçois 1 314,20 € par mois.\n", 1, "montant écrit à la main « 1 314,20 € »"),
        ("Avant, 858,97 euros.\n", 0, "montant écrit à la main « 858,97 euros »"),
        (
            "::: attention\nUn.\n\nDeux [x](fiche:absente).\n:::\n",
            3,
            "lien vers une fiche inconnue",
        ),
    ],
)
def test_body_problem_at_its_line(
    content: ContentFolder, body: str, offset: int, message: str
) -> None:
    content.fiche("autre", "## Une section\n")
    problems = content.problems(body)
    assert len(problems) == 1, problems
    assert problems[0][0] == BODY_LINE + offset
    assert problems[0][1].startswith(message)


def test_other_amounts_and_directives_are_not_handwritten(content: ContentFolder) -> None:
    body = "Une facture de 1 234,56 € ; le revenu : {{ montant ris isole }}.\n\n{{ tableau ris }}\n"
    assert content.problems(body) == []


def test_bad_link_is_not_rendered_as_a_link(content: ContentFolder) -> None:
    content.fiche("essai", "[clic](javascript:alert(1)) et [admin](/admin)\n")
    library, _problems = content.load()
    html = library.fiches["essai"].html
    assert "javascript" not in html and "<a" not in html
    assert "clic" in html and "admin" in html


def test_every_problem_is_reported_and_good_fiches_still_load(content: ContentFolder) -> None:
    content.fiche("bonne", "Voir [l'autre](fiche:cassee).\n", title='"Une bonne fiche"')
    content.fiche("cassee", "[a](fiche:nulle)\n\n[b](javascript:x)\n", updated="2020-01-01")
    library, problems = content.load()
    assert list(library.fiches) == ["bonne"]
    assert [(p.path.name, p.line) for p in problems] == [
        ("cassee.md", 8),
        ("cassee.md", BODY_LINE),
        ("cassee.md", BODY_LINE + 2),
    ]
    assert check_fiches(content.root, day=dt.date(2025, 3, 1)) == problems


def test_library_groups_and_describes_fiches(content: ContentFolder) -> None:
    content.fiche("zebre", "Intro.\n", title='"Zèbre"', themes="[piis, demarches]")
    content.fiche("ecole", "Intro.\n", title='"École"', related="[zebre]")
    content.fiche(
        "abeille",
        "Le PIIS en bref.\n\n## Qui signe ?\n\nToi.\n\n### Et après ?\n\nRien.\n\n"
        "## Combien ?\n\n{{ tableau ris }}\n",
        title='"Abeille : l\'essentiel"',
    )
    library, problems = content.load()
    assert problems == []
    assert library.rendered_on == dt.date(2025, 3, 1)
    assert library.next_amounts_change is None
    (piis, piis_fiches), (demarches, demarches_fiches) = library.themes
    assert (piis.slug, demarches.slug) == ("piis", "demarches")
    assert [f.slug for f in piis_fiches] == ["abeille", "ecole", "zebre"]
    assert [f.slug for f in demarches_fiches] == ["zebre"]
    assert [f.slug for f in library.related(library.fiches["ecole"])] == ["zebre"]

    fiche = library.fiches["abeille"]
    assert fiche.title == "Abeille\u202f: l’essentiel"
    assert [(t.level, t.text, t.anchor) for t in fiche.toc] == [
        (2, "Qui signe\u202f?", "qui-signe"),
        (3, "Et après\u202f?", "et-apres"),
        (2, "Combien\u202f?", "combien"),
    ]
    assert [(s.anchor, s.heading) for s in fiche.sections] == [
        (None, "Abeille\u202f: l’essentiel"),
        ("qui-signe", "Qui signe\u202f?"),
        ("et-apres", "Et après\u202f?"),
        ("combien", "Combien\u202f?"),
    ]
    assert fiche.sections[0].text == "Le PIIS en bref."
    assert "1\u202f314,20\u00a0€" in fiche.sections[3].text
    assert "Qui signe" in fiche.plain_text and "Rien." in fiche.plain_text
    assert fiche.source_path == content.root / "fiches" / "abeille.md"
    assert [note.since for note in fiche.amount_notes] == [dt.date(2025, 2, 1)]


def test_etag_is_stable_and_follows_the_amounts(content: ContentFolder) -> None:
    content.fiche("avec", "{{ tableau ris }}\n")
    content.fiche("sans", "Pas de montant.\n")
    first = content.load(dt.date(2025, 3, 1))[0]
    again = content.load(dt.date(2025, 3, 2))[0]
    before = content.load(dt.date(2024, 6, 1))[0]
    assert first.fiches["avec"].etag == again.fiches["avec"].etag
    assert first.fiches["avec"].etag != before.fiches["avec"].etag
    assert first.fiches["sans"].etag == before.fiches["sans"].etag
    assert before.next_amounts_change == dt.date(2025, 2, 1)
    content.fiche("sans", "Pas de montant, vraiment.\n")
    assert content.load()[0].fiches["sans"].etag != first.fiches["sans"].etag


@pytest.mark.parametrize(
    ("glossary", "line", "message"),
    [
        (
            "- terme: XY\n  ancre: xy\n  formes: [XY]\n",
            1,
            "0.definition : champ obligatoire manquant",
        ),
        (
            "- terme: PIIS\n  ancre: piis\n  formes: [PIIS]\n  definition: Un contrat signé.\n"
            "  fiche: absente\n",
            5,
            "fiche inconnue : « absente »",
        ),
        (
            "- terme: A\n  ancre: a\n  formes: [aa]\n  definition: Un premier mot.\n"
            "- terme: B\n  ancre: a\n  formes: [bb]\n  definition: Un second mot.\n",
            6,
            "ancre « a » utilisée deux fois",
        ),
    ],
)
def test_bad_glossary(content: ContentFolder, glossary: str, line: int, message: str) -> None:
    (content.root / "glossaire.yaml").write_text(glossary, encoding="utf-8")
    problems = content.load()[1]
    assert [(p.path.name, p.line, p.message) for p in problems] == [
        ("glossaire.yaml", line, message)
    ]


@pytest.mark.content
def test_real_content_has_no_problems() -> None:
    """The writers' fiches, as the site will serve them; fails while they are half written."""
    library, problems = load_library(Path("content"), day=dt.date(2025, 3, 1))
    assert [str(problem) for problem in problems] == []
    assert len(library.fiches) >= 14
    assert all(fiche.toc and fiche.sections for fiche in library.fiches.values())
    assert all(group.fiches for group in library.themes), "un thème n'a aucune fiche"
