"""``changements.yaml``: checked, shown on /changements and in the box of each fiche."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from app import migrate
from app.checks import check_content
from app.config import PROJECT_DIR
from app.fiches import live
from app.fiches.changes import box, latest_date, load_changes, resolve
from app.main import create_app
from tests.conftest import make_settings
from tests.fiches.fiche_content import FUTURE_CHANGE, ContentFolder

SOURCE = """\
  sources:
    - title: "Une source datée"
      url: "https://example.org/page"
      date: 2026-01-16
      consulte: 2026-12-02
"""


def change(ident: str, depuis: str, *, fiches: str = "[essai]", more: str = "") -> str:
    return (
        f"- id: {ident}\n  depuis: {depuis}\n  titre: Un changement\n"
        f"  texte: Ce qui change pour toi, en une phrase simple.\n{SOURCE}"
        f"  fiches: {fiches}\n{more}"
    )


def write_changes(content: ContentFolder, *entries: str) -> None:
    (content.root / "changements.yaml").write_text("".join(entries), encoding="utf-8")


@pytest.mark.parametrize(
    ("day", "shown", "upcoming"),
    [
        (dt.date(2026, 2, 28), True, True),  # announced: « à partir du »
        (dt.date(2026, 3, 1), True, False),
        (dt.date(2027, 2, 28), True, False),  # 364 days later: still in the last twelve months
        (dt.date(2027, 3, 1), False, False),  # a year later: out of the box
    ],
)
def test_the_box_keeps_the_changes_of_the_last_twelve_months(
    content: ContentFolder, day: dt.date, shown: bool, upcoming: bool
) -> None:
    write_changes(content, change("cohabitants-2026", "2026-03-01"))
    content.fiche("essai")
    library, problems = content.load(day)
    assert problems == []
    notes = box(library.changes, library.fiches["essai"].meta, day=day)
    assert [note.change.id for note in notes] == (["cohabitants-2026"] if shown else [])
    assert all(note.upcoming is upcoming for note in notes)


def test_the_box_speaks_in_the_fiches_own_words_newest_first(content: ContentFolder) -> None:
    write_changes(
        content,
        change("ancien", "2026-01-01", fiches="[]"),
        change("nouveau", "2026-03-01"),
    )
    own = '\n  - id: ancien\n    texte: "Dit par la fiche : tes allocations s\'arrêtent."'
    content.fiche("essai", changements=own)
    library, problems = content.load(dt.date(2026, 6, 1))
    assert problems == []
    notes = box(library.changes, library.fiches["essai"].meta, day=dt.date(2026, 6, 1))
    assert [(n.change.id, n.texte.startswith("Dit par la fiche")) for n in notes] == [
        ("nouveau", False),
        ("ancien", True),
    ]
    assert library.next_amounts_change == dt.date(2027, 1, 1)  # « ancien » leaves the box


@pytest.mark.parametrize(
    ("entries", "fiche_fields", "expected"),
    [
        (
            [change("a-b", "2026-03-01", fiches="[essai, disparue]")],
            {},
            "fiche inconnue : « disparue »",
        ),
        (
            [change("a-b", "2026-03-01"), change("a-b", "2026-01-01")],
            {},
            "changement « a-b » défini deux fois",
        ),
        (
            [change("a-b", "2026-03-01", more="  type: indexation\n")],
            {},
            "une indexation nomme les barèmes",
        ),
        (
            [change("a-b", "2026-03-01", more="  type: indexation\n  baremes: [loyer]\n")],
            {},
            "barème inconnu de montants.yaml : « loyer »",
        ),
        ([], {"changements": "\n  - id: pas-encore"}, "changement inconnu de changements.yaml"),
        (
            [change("a-b", "2026-03-01").replace("      date: 2026-01-16\n", "")],
            {},
            "0.sources.0.date : champ obligatoire manquant",
        ),
    ],
)
def test_a_change_must_name_what_exists(
    content: ContentFolder, entries: list[str], fiche_fields: dict[str, str], expected: str
) -> None:
    write_changes(content, *entries)
    content.fiche("essai", **fiche_fields)
    _library, problems = content.load()
    assert len(problems) == 1, problems
    assert expected in problems[0].message


def test_changes_are_read_newest_first(content: ContentFolder) -> None:
    write_changes(content, change("vieux", "2016-11-01"), change("neuf", "2026-03-01"))
    content.fiche("essai")
    changes, problems = load_changes(content.root)
    assert problems == []
    assert [c.id for c in changes.items] == ["neuf", "vieux"]


def test_an_announced_change_is_kept_apart_and_cannot_be_cited(content: ContentFolder) -> None:
    """« annonce: true »: a forecast with its dated source, for the staff only; never in force."""
    write_changes(
        content,
        change("prevu", "2026-10-01", more="  annonce: true\n"),
        change("en-vigueur", "2026-03-01"),
    )
    content.fiche("essai")
    changes, problems = load_changes(content.root)
    assert problems == []
    assert [c.id for c in changes.items] == ["en-vigueur"]
    assert [c.id for c in changes.announced] == ["prevu"]
    assert changes.get("prevu") is None
    content.fiche("essai", changements="\n  - id: prevu")
    _library, problems = content.load()
    assert [p.message for p in problems] == [
        "le changement « prevu » est seulement annoncé (annonce: true) : une fiche ne le cite "
        "qu'une fois confirmé"
    ]


QUESTIONNAIRE = {
    "droits": {
        "rights": [
            {
                "id": "ris",
                "criteria": [
                    {"id": "ressources", "cases": [{"from": dt.date(2026, 3, 1)}]},
                    {"id": "age", "cases": []},
                ],
            }
        ]
    },
    "questions": {"questions": [{"id": "logement"}]},
    "textes": {"how_to_apply": {"intro": "…"}},
}


@pytest.mark.parametrize(
    ("reference", "found"),
    [
        ("droits.ris", True),
        ("droits.ris.ressources", True),
        ("droits.ris.inconnu", False),
        ("questions.logement", True),
        ("questions.age", False),
        ("textes.how_to_apply", True),
        ("autre.ris", False),
    ],
)
def test_questionnaire_references(reference: str, found: bool) -> None:
    assert (resolve(QUESTIONNAIRE, reference) is not None) is found


@pytest.mark.parametrize(
    ("reference", "latest"),
    [("droits.ris", dt.date(2026, 3, 1)), ("droits.ris.age", None), ("questions.logement", None)],
)
def test_the_latest_dated_version_of_a_questionnaire_part(
    reference: str, latest: dt.date | None
) -> None:
    assert latest_date(resolve(QUESTIONNAIRE, reference)) == latest


def test_check_content_reports_an_unknown_questionnaire_part(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(PROJECT_DIR / "content", root)
    path = root / "changements.yaml"
    with path.open("a", encoding="utf-8") as changes:
        changes.write(FUTURE_CHANGE + "  questionnaire: [droits.ris, questions.domicile]\n")
    messages = [p.message for p in check_content(root) if p.path.name == "changements.yaml"]
    assert messages == [
        "partie du questionnaire inconnue : « questions.domicile » "
        "(fichier.identifiant, par exemple droits.ris ou questions.logement)"
    ]


# --- The pages ---------------------------------------------------------------------------------

PAGE_CHANGES = """\
- id: indexation-test
  depuis: 2026-03-01
  titre: Les montants d'essai augmentent
  type: indexation
  texte: Les montants d'essai augmentent de 2 % pour suivre le coût de la vie.
  sources:
    - title: "Source de l'indexation"
      url: "https://example.org/indexation"
      date: 2026-03-10
      consulte: 2026-12-02
  fiches: [montants-revenu-integration]
  baremes: [ris]
- id: ancienne-regle
  depuis: 2016-11-01
  titre: Une règle ancienne
  texte: Une règle de 2016, trop ancienne pour l'encadré des fiches.
  sources:
    - title: "Source ancienne"
      url: "https://example.org/ancienne"
      date: 2016-10-01
      consulte: 2026-11-23
  fiches: [piis-contrat-integration]
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The site on 2 December 2026, on a copy of the content with two changes of its own.

    The real changes stay: fiches may cite them in their front matter (``changements:``).
    """
    root = tmp_path / "content"
    shutil.copytree(PROJECT_DIR / "content", root)
    real = (root / "changements.yaml").read_text(encoding="utf-8")
    (root / "changements.yaml").write_text(PAGE_CHANGES + real, encoding="utf-8")
    monkeypatch.setattr(live, "today", lambda: dt.date(2026, 12, 2))
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path}/site.sqlite3", content_dir=root)
    migrate.upgrade(settings.database_url)
    with TestClient(create_app(settings)) as client:
        yield client


def test_the_changes_page_lists_changes_newest_first_with_their_fiches(site: TestClient) -> None:
    page = BeautifulSoup(site.get("/changements").text, "html.parser")
    items = page.select("ol.change-list > li")
    ids = [item["id"] for item in items]
    assert ids.index("indexation-test") < ids.index("ancienne-regle")  # newest first
    first = items[ids.index("indexation-test")]
    assert first.h2 is not None
    assert "1er mars 2026" in first.h2.get_text()
    assert [a["href"] for a in first.select("ul a")] == ["/fiches/montants-revenu-integration"]
    sources = first.select_one(".change-sources")
    assert sources is not None
    assert "page du 10 mars 2026, consultée le 2 décembre 2026" in " ".join(sources.text.split())
    footer = page.select_one("footer")
    assert footer is not None and footer.find("a", href="/changements") is not None


def test_a_fiche_shows_only_its_recent_changes(site: TestClient) -> None:
    fiche = BeautifulSoup(site.get("/fiches/montants-revenu-integration").text, "html.parser")
    box_ = fiche.select_one("aside.fiche-changes")
    assert box_ is not None
    assert box_.h2 is not None and box_.h2.get_text() == "Ce qui a changé"
    assert "Depuis le 1er mars 2026" in box_.get_text()
    assert "2\u00a0%" in box_.get_text()  # kept on one line
    assert box_.find("a", href="/changements") is not None
    old = BeautifulSoup(site.get("/fiches/piis-contrat-integration").text, "html.parser")
    assert old.select_one("aside.fiche-changes") is None  # 2016 is more than a year ago
