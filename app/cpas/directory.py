"""The postcodes, communes and CPAS of ``content/cpas.yaml`` (Brussels-Capital) and
``content/cpas_belgique.yaml`` (the rest of Belgium), read and checked once.

A CPAS field (address, phone, opening hours) is only written with a dated source, and a merger of
communes only with a dated source; ``lookup`` and ``elsewhere`` are pure: a postcode in, the
communes that have it out (none when the files do not know it).
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
BELGIUM_FILE = Path("cpas_belgique.yaml")
OSHZ_SOURCE = "oshz-eupen"  # the page that says the CPAS is called ÖSHZ in German
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
    # A postcode of another commune that partly lies on this one's territory (Statbel): 1040, 1050.
    codes_partages: tuple[int, ...] = ()
    sources_codes: tuple[str, ...] = (DEFAULT_POSTCODE_SOURCE,)
    cpas: Cpas


class DirectoryFile(_Data):
    sources: dict[str, PageSource]
    communes: tuple[Commune, ...]


class TownOutside(_Data):
    """A commune of Flanders or Wallonia (Statbel), without any CPAS field: none is sourced."""

    refnis: str = Field(pattern=r"^[0-9]{5}$")
    nom: str = Field(min_length=1)
    nom_fr: str | None = None
    region: Literal["flandre", "wallonie", "germanophone"]
    codes_postaux: tuple[int, ...] = Field(min_length=1)

    @property
    def name(self) -> str:
        """« Gent (Gand) », « Liège », « Sankt Vith (Saint-Vith) »."""
        return f"{self.nom} ({self.nom_fr})" if self.nom_fr else self.nom

    @property
    def of_name(self) -> str:
        """« de Liège », « d'Eupen »: the French « de » before the commune's name."""
        return f"d'{self.nom}" if self.nom[:1].upper() in "AEIOUYÂÉÈÊÎÔÛ" else f"de {self.nom}"


class Merger(_Data):
    commune: str = Field(pattern=r"^[0-9]{5}$")
    date: dt.date
    anciennes: tuple[str, ...] = Field(min_length=2)
    source: str


class German(_Data):
    source: str
    refnis: tuple[str, ...] = Field(min_length=1)


class BelgiumFile(_Data):
    sources: dict[str, PageSource]
    sources_codes: tuple[str, ...] = Field(min_length=1)
    germanophones: German
    fusions: tuple[Merger, ...]
    communes: tuple[TownOutside, ...]


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
    shared: bool = False  # only part of the postcode lies on this commune


@dataclass(frozen=True)
class FoundOutside:
    """A commune of Flanders or Wallonia for the postcode, with its merger if it had one."""

    town: TownOutside
    postcode_sources: tuple[PageSource, ...]
    merger: Merger | None
    merger_source: PageSource | None


@dataclass(frozen=True)
class Directory:
    data: DirectoryFile
    by_postcode: dict[int, tuple[Commune, ...]]
    shared: dict[int, tuple[Commune, ...]]
    belgium: BelgiumFile
    outside: dict[int, tuple[TownOutside, ...]]

    @property
    def german_source(self) -> PageSource:
        """Where the list of the 9 German-speaking communes comes from."""
        return self.belgium.sources[self.belgium.germanophones.source]

    @property
    def oshz_source(self) -> PageSource:
        """Where the word « ÖSHZ » (the CPAS in German) comes from."""
        return self.belgium.sources[OSHZ_SOURCE]

    def elsewhere(self, postcode: int) -> list[FoundOutside]:
        """The communes of Flanders and Wallonia that have this postcode (most have one)."""
        sources = tuple(self.belgium.sources[name] for name in self.belgium.sources_codes)
        mergers = {merger.commune: merger for merger in self.belgium.fusions}
        found = []
        for town in self.outside.get(postcode, ()):
            merger = mergers.get(town.refnis)
            source = self.belgium.sources[merger.source] if merger else None
            found.append(FoundOutside(town, sources, merger, source))
        return found

    def lookup(self, postcode: int) -> list[Found]:
        """The communes of the postcode, then those that have only part of it."""
        found = []
        primary = self.by_postcode.get(postcode, ())
        for commune in (*primary, *self.shared.get(postcode, ())):
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
            shared = commune not in primary
            found.append(Found(commune, sources, tuple(fields), missing, shared))
        return found


def check_postcode(raw: str) -> tuple[int | None, str | None]:
    """The postcode, or the message to show on the field (in French)."""
    text = raw.strip().replace(" ", "")
    if not text:
        return None, "Indique ton code postal\u202f: 4 chiffres, par exemple 1080"
    if not POSTCODE.match(text):
        return None, "Un code postal belge a 4 chiffres, sans lettre, par exemple 1080"
    return int(text), None


def _check_sources(sources: dict[str, PageSource]) -> list[tuple[tuple[str | int, ...], str]]:
    raw: list[tuple[tuple[str | int, ...], str]] = []
    for key, source in sources.items():
        day = source.first_day
        if day is not None and source.consulte < day:
            raw.append(
                (("sources", key, "consulte"), "« consulte » ne peut pas venir avant « date »")
            )
    return raw


def load_belgium(
    content_dir: Path, taken: set[int]
) -> tuple[tuple[BelgiumFile, dict[int, tuple[TownOutside, ...]]] | None, list[Problem]]:
    """Read and check ``cpas_belgique.yaml``; ``taken``: the postcodes of Brussels-Capital."""
    file = YamlFile(content_dir / BELGIUM_FILE)
    data = file.validate(BelgiumFile)
    if data is None:
        return None, file.problems
    raw = _check_sources(data.sources)
    for index, name in enumerate(data.sources_codes):
        if name not in data.sources:
            raw.append((("sources_codes", index), f"la source « {name} » n'existe pas"))
    for name in (data.germanophones.source, OSHZ_SOURCE):
        if name not in data.sources:
            raw.append((("germanophones", "source"), f"la source « {name} » n'existe pas"))
    towns = {town.refnis: town for town in data.communes}
    german = set(data.germanophones.refnis)
    by_postcode: dict[int, list[TownOutside]] = {}
    for index, town in enumerate(data.communes):
        path: tuple[str | int, ...] = ("communes", index)
        if towns[town.refnis] is not town:
            raw.append(((*path, "refnis"), f"la commune « {town.refnis} » apparaît deux fois"))
        if (town.region == "germanophone") != (town.refnis in german):
            raw.append(((*path, "region"), "« germanophone » ne suit pas la liste germanophones"))
        for c_index, code in enumerate(town.codes_postaux):
            where = (*path, "codes_postaux", c_index)
            if not POSTCODE.match(str(code)):
                raw.append((where, f"code postal invalide : {code}"))
            elif code in taken:
                raw.append((where, f"le code postal {code} est déjà dans {FILE}"))
            elif code in town.codes_postaux[:c_index]:
                raw.append((where, f"le code postal {code} apparaît deux fois"))
            by_postcode.setdefault(code, []).append(town)
    for index, refnis in enumerate(data.germanophones.refnis):
        if refnis not in towns:
            raw.append((("germanophones", "refnis", index), f"commune inconnue : {refnis}"))
    merged: set[str] = set()
    names = {town.nom for town in data.communes}
    for index, merger in enumerate(data.fusions):
        path = ("fusions", index)
        if merger.commune not in towns:
            raw.append(((*path, "commune"), f"commune inconnue : {merger.commune}"))
        elif merger.commune in merged:
            raw.append(((*path, "commune"), f"la fusion de « {merger.commune} » est déjà écrite"))
        merged.add(merger.commune)
        new_name = towns[merger.commune].nom if merger.commune in towns else ""
        for old in merger.anciennes:
            if old != new_name and old in names:
                raw.append(((*path, "anciennes"), f"« {old} » est encore une commune de la liste"))
        source = data.sources.get(merger.source)
        if source is None:
            raw.append(((*path, "source"), f"la source « {merger.source} » n'existe pas"))
        elif source.date is None:
            raw.append(
                (
                    (*path, "source"),
                    f"une fusion demande une source datée ; « {merger.source} » n'a pas de date",
                )
            )
    problems = [file.problem(path, message) for path, message in raw]
    if problems:
        return None, problems
    return (data, {code: tuple(found) for code, found in by_postcode.items()}), []


def load_directory(content_dir: Path) -> tuple[Directory | None, list[Problem]]:
    """Read and check ``cpas.yaml`` and ``cpas_belgique.yaml``; every problem has its line."""
    file = YamlFile(content_dir / FILE)
    data = file.validate(DirectoryFile)
    if data is None:
        return None, file.problems
    raw = _check_sources(data.sources)
    by_postcode: dict[int, list[Commune]] = {}
    shared: dict[int, list[Commune]] = {}
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
        for c_index, code in enumerate(commune.codes_partages):
            if code in commune.codes_postaux or code in commune.codes_partages[:c_index]:
                raw.append(((*path, "codes_partages", c_index), f"{code} : déjà dans la commune"))
            shared.setdefault(code, []).append(commune)
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
    for index, commune in enumerate(data.communes):
        for c_index, code in enumerate(commune.codes_partages):
            if code not in by_postcode:
                raw.append(
                    (
                        ("communes", index, "codes_partages", c_index),
                        f"le code postal {code} n'est le code d'aucune autre commune",
                    )
                )
    problems = [file.problem(path, message) for path, message in raw]
    belgium, more = load_belgium(content_dir, set(by_postcode))
    problems += more
    if problems or belgium is None:
        return None, problems
    frozen = {code: tuple(communes) for code, communes in by_postcode.items()}
    partly = {code: tuple(communes) for code, communes in shared.items()}
    directory = Directory(data, frozen, partly, belgium=belgium[0], outside=belgium[1])
    return directory, []
