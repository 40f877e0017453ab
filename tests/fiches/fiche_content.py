"""A small content folder built per test, so each fiche test shows the Markdown it reads."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

from bs4 import BeautifulSoup

from app.content import Problem
from app.fiches.library import Library, load_library

THEMES = """\
- slug: piis
  titre: Le contrat PIIS
  description: Ce que contient le PIIS.
- slug: demarches
  titre: Démarches et recours
  description: Demander l'aide du CPAS.
"""

AMOUNTS = """\
baremes:
  ris:
    titre: Revenu d'intégration
    unite: par mois
    categories:
      cohabitant: Personne cohabitante (catégorie 1)
      isole: Personne isolée (catégorie 2)
    periodes:
      - depuis: 2025-02-01
        montants: {cohabitant: "876.13", isole: "1314.20"}
        source: {titre: CPAS de Seraing, url: "https://www.cpasseraing.be/faq", date: 2025-02-01}
      - depuis: 2024-05-01
        montants: {cohabitant: "858.97", isole: "1288.46"}
        source: {titre: Bruxelles-J, url: "https://www.bruxelles-j.be/", date: 2024-05-01}
"""

GLOSSARY = """\
- terme: PIIS
  ancre: piis
  developpe: Projet individualisé d'intégration sociale
  formes: [PIIS]
  definition: Le contrat que tu signes avec le CPAS.
- terme: cohabitant
  ancre: cohabitant
  formes: [cohabitant, cohabitante, cohabitants]
  definition: Tu vis sous le même toit que quelqu'un et vous réglez le ménage ensemble.
"""

# A change announced long in advance, appended to a copy of the real changements.yaml: the
# fiche it names is then « behind a change » whatever its own dates.
FUTURE_CHANGE = """
- id: test-futur
  depuis: 2099-01-01
  titre: Un changement annoncé
  texte: Une règle qui changera, annoncée longtemps à l'avance.
  sources:
    - title: "Une source"
      url: "https://example.org/futur"
      date: 2026-01-01
      consulte: 2026-12-02
  fiches: [aide-gratuite]
"""


# The front matter of every test fiche; a test replaces a field's YAML or removes it (None).
FIELDS = {
    "title": '"Une fiche de test"',
    "slug": "{slug}",
    "summary": '"À quoi sert cette fiche."',
    "themes": "[piis]",
    "version": "1",
    "published": "2026-11-01",
    "updated": "2026-11-23",
    "sources": (
        '\n  - title: "Une source"\n    url: "https://example.org/source"\n    date: 2026-01-01'
        "\n    consulte: 2026-11-20"
    ),
    "related": "[]",
    "relire_avant": "2027-06-01",
}
# With every field present, the body starts on this line of the file (front matter: 1 to 16).
BODY_LINE = 18
DAY = dt.date(2025, 3, 1)


class ContentFolder:
    """``content/`` in a temporary folder: themes, amounts, glossary, and the fiches of a test."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "fiches").mkdir(parents=True)
        (root / "themes.yaml").write_text(THEMES, encoding="utf-8")
        (root / "montants.yaml").write_text(AMOUNTS, encoding="utf-8")
        (root / "glossaire.yaml").write_text(GLOSSARY, encoding="utf-8")

    def fiche(self, name: str, body: str = "Une introduction.\n", /, **fields: str | None) -> Path:
        """Write ``fiches/<slug>.md``; the body starts at ``BODY_LINE``."""
        values = {**FIELDS, **fields}
        header = "".join(
            f"{key}: {value.format(slug=name)}\n"
            for key, value in values.items()
            if value is not None
        )
        path = self.root / "fiches" / f"{name}.md"
        path.write_text(f"---\n{header}---\n\n{textwrap.dedent(body)}", encoding="utf-8")
        return path

    def load(self, day: dt.date = DAY) -> tuple[Library, list[Problem]]:
        return load_library(self.root, day=day)

    def html(self, body: str, day: dt.date = DAY) -> BeautifulSoup:
        """The body of one fiche rendered, parsed; fails on any content problem."""
        self.fiche("essai", body)
        library, problems = self.load(day)
        assert problems == []
        return BeautifulSoup(library.fiches["essai"].html, "html.parser")

    def problems(self, body: str, **fields: str | None) -> list[tuple[int, str]]:
        """(line, message) of each problem of one fiche written with ``body``."""
        self.fiche("essai", body, **fields)
        return [(problem.line, problem.message) for problem in self.load()[1]]
