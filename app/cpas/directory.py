"""The postcodes, communes and CPAS of ``content/cpas.yaml``, read and checked once.

A CPAS field (address, phone, opening hours) is only written with a dated source; ``lookup`` is
pure: a postcode in, the communes that have it out (none when the file does not know it).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.content import Problem
from app.questionnaire.loader import YamlFile
from app.questionnaire.other_help import date_label, first_day, page_date

FILE = Path("cpas.yaml")
POSTCODE = re.compile(r"^[1-9][0-9]{3}$")  # ASCII digits only (\d takes any script)
# Fields a person travels or calls on: never shown without a source that gives its date.
DATED_FIELDS = ("adresse", "telephone", "horaires")
DEFAULT_POSTCODE_SOURCE = "bpost-jief"
MISSING_WORDS = (
    ("adresse", "l'adresse"),
    ("telephone", "le téléphone"),
    ("horaires", "les heures d'accueil"),
)


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PageSource(_Data):
    """A page: ``date`` is the one it gives, missing for a page that only shows a site."""

    title: str = Field(min_length=1)
    url: str = Field(pattern=r"^https://\S+$")
    date: str | None = None
    consulte: dt.date

    _date = field_validator("date", mode="before")(page_date)

    @property
    def date_label(self) -> str:
        return date_label(self.date) if self.date else ""

    @property
    def first_day(self) -> dt.date | None:
        return first_day(self.date) if self.date else None


class Sourced(_Data):
    valeur: str = Field(min_length=1)
    source: str


class Cpas(_Data):
    nom: str = Field(min_length=1)
    site: Sourced | None = None
    adresse: Sourced | None = None
    telephone: Sourced | None = None
    horaires: Sourced | None = None


class Commune(_Data):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    nom: str = Field(min_length=1)
    region: Literal["bruxelles", "wallonie", "flandre", "germanophone"]
    codes_postaux: tuple[int, ...] = Field(min_length=1)
    sources_codes: tuple[str, ...] = (DEFAULT_POSTCODE_SOURCE,)
    cpas: Cpas


class DirectoryFile(_Data):
    sources: dict[str, PageSource]
    communes: tuple[Commune, ...]


@dataclass(frozen=True)
class ShownField:
    label: str
    value: str
    source: PageSource
    is_link: bool = False


@dataclass(frozen=True)
class Found:
    """A commune of the postcode, with the CPAS fields that have a source."""

    commune: Commune
    postcode_sources: tuple[PageSource, ...]
    fields: tuple[ShownField, ...]
    missing: tuple[str, ...]  # the dated fields with no source: « l'adresse »…


@dataclass(frozen=True)
class Directory:
    data: DirectoryFile
    by_postcode: dict[int, tuple[Commune, ...]]

    def lookup(self, postcode: int) -> list[Found]:
        found = []
        for commune in self.by_postcode.get(postcode, ()):
            fields = []
            for name, label in (
                ("adresse", "Adresse"),
                ("telephone", "Téléphone"),
                ("horaires", "Heures d'accueil"),
                ("site", "Site"),
            ):
                field: Sourced | None = getattr(commune.cpas, name)
                if field is not None:
                    source = self.data.sources[field.source]
                    fields.append(ShownField(label, field.valeur, source, name == "site"))
            sources = tuple(self.data.sources[name] for name in commune.sources_codes)
            missing = tuple(
                words for name, words in MISSING_WORDS if getattr(commune.cpas, name) is None
            )
            found.append(Found(commune, sources, tuple(fields), missing))
        return found


def check_postcode(raw: str) -> tuple[int | None, str | None]:
    """The postcode, or the message to show on the field (in French)."""
    text = raw.strip().replace(" ", "")
    if not text:
        return None, "Indique ton code postal\u202f: 4 chiffres, par exemple 1080"
    if not POSTCODE.match(text):
        return None, "Un code postal belge a 4 chiffres, sans lettre, par exemple 1080"
    return int(text), None


def load_directory(content_dir: Path) -> tuple[Directory | None, list[Problem]]:
    """Read and check ``cpas.yaml``; every problem carries its line."""
    file = YamlFile(content_dir / FILE)
    data = file.validate(DirectoryFile)
    if data is None:
        return None, file.problems
    raw: list[tuple[tuple[str | int, ...], str]] = []
    for key, source in data.sources.items():
        day = source.first_day
        if day is not None and source.consulte < day:
            raw.append(
                (("sources", key, "consulte"), "« consulte » ne peut pas venir avant « date »")
            )
    by_postcode: dict[int, list[Commune]] = {}
    ids: set[str] = set()
    for index, commune in enumerate(data.communes):
        path: tuple[str | int, ...] = ("communes", index)
        if commune.id in ids:
            raw.append(((*path, "id"), f"la commune « {commune.id} » apparaît deux fois"))
        ids.add(commune.id)
        for c_index, code in enumerate(commune.codes_postaux):
            if not POSTCODE.match(str(code)):
                raw.append(((*path, "codes_postaux", c_index), f"code postal invalide : {code}"))
            elif code in by_postcode:
                raw.append(
                    ((*path, "codes_postaux", c_index), f"le code postal {code} est déjà ailleurs")
                )
            by_postcode.setdefault(code, []).append(commune)
        for name in commune.sources_codes:
            if name not in data.sources:
                raw.append(((*path, "sources_codes"), f"la source « {name} » n'existe pas"))
        for name in ("site", *DATED_FIELDS):
            field: Sourced | None = getattr(commune.cpas, name)
            if field is None:
                continue
            where = (*path, "cpas", name)
            known = data.sources.get(field.source)
            if known is None:
                raw.append((where, f"la source « {field.source} » n'existe pas"))
            elif name in DATED_FIELDS and known.date is None:
                raw.append(
                    (
                        where,
                        f"« {name} » demande une source datée ; « {field.source} » n'a pas de date",
                    )
                )
            if name == "site" and not field.valeur.startswith("https://"):
                raw.append((where, "le site s'écrit avec https://"))
    problems = [file.problem(path, message) for path, message in raw]
    if problems:
        return None, problems
    frozen = {code: tuple(communes) for code, communes in by_postcode.items()}
    return Directory(data=data, by_postcode=frozen), []
