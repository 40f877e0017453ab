"""« Les aides d'autres organismes »: help that bodies other than the CPAS give, as data.

The entries live in ``content/questionnaire/autres_aides.yaml``. Each one says when it applies
with the questionnaire's condition language (``app/questionnaire/rules.py``), may be dated
(``from``/``until``), and names who to contact, their site and its dated sources. When the body
depends on the region and the questionnaire does not ask where the person lives, an entry lists
one body per region instead of guessing. ``applicable`` is pure: it takes the answers and a day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.content import Problem
from app.questionnaire.loader import YamlFile
from app.questionnaire.model import AnswerValue
from app.questionnaire.rules import Condition, Context, Questionnaire, Scope, parse_condition
from app.templating import MONTHS

FILE = Path("questionnaire") / "autres_aides.yaml"
# A page gives a day, or only a month (a news item « novembre 2019 »), or only a year (a brochure).
PAGE_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")

Region = Literal["bruxelles", "wallonie", "flandre", "germanophone"]
REGION_LABELS: dict[str, str] = {
    "bruxelles": "À Bruxelles",
    "wallonie": "En Wallonie (hors Communauté germanophone)",
    "flandre": "En Flandre",
    "germanophone": "En Communauté germanophone (Ostbelgien)",
}


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _https(value: str) -> str:
    if not value.startswith("https://") or any(c.isspace() for c in value):
        raise ValueError("une adresse https:// est attendue")
    return value


def page_date(value: object) -> str | None:
    """A page's own date as written in the YAML: « 2024-07-02 », « 2019-11 » or « 2021 »."""
    if value is None:
        return None
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    if not PAGE_DATE.match(text):
        raise ValueError(
            "date de la page attendue : AAAA-MM-JJ (ou AAAA-MM, AAAA si elle ne dit pas plus)"
        )
    return text


def date_label(text: str) -> str:
    """« 2 juillet 2024 », « novembre 2019 » or « 2021 », as precise as the page."""
    parts = [int(part) for part in text.split("-")]
    if len(parts) == 1:
        return str(parts[0])
    month = MONTHS[parts[1] - 1]
    if len(parts) == 2:
        return f"{month} {parts[0]}"
    day = "1er" if parts[2] == 1 else str(parts[2])
    return f"{day} {month} {parts[0]}"


def first_day(text: str) -> dt.date:
    parts = [int(part) for part in text.split("-")]
    parts += [1] * (3 - len(parts))
    return dt.date(parts[0], parts[1], parts[2])


class Source(_Data):
    """A page that supports an entry: ``date`` is what the page itself gives."""

    title: str = Field(min_length=1)
    url: str
    date: str
    consulte: dt.date

    _url = field_validator("url")(_https)

    @field_validator("date", mode="before")
    @classmethod
    def _page_date(cls, value: object) -> str:
        text = page_date(value)
        if text is None:
            raise ValueError("une source a une date (celle que la page donne)")
        return text

    @property
    def date_label(self) -> str:
        return date_label(self.date)

    @property
    def first_day(self) -> dt.date:
        return first_day(self.date)


class Body(_Data):
    """Who to contact: a body, what to ask, its official site and the sources that say so."""

    nom: str = Field(min_length=1)
    contact: str = Field(min_length=1)
    site: str
    sources: tuple[str, ...] = Field(min_length=1)

    _site = field_validator("site")(_https)


class RegionalBody(Body):
    region: Region


class Entry(_Data):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    titre: str = Field(min_length=1)
    texte: str = Field(min_length=1)
    quand: Any = None
    since: dt.date | None = Field(default=None, alias="from")
    until: dt.date | None = None
    organisme: Body | None = None
    regions: tuple[RegionalBody, ...] = ()

    def in_force(self, day: dt.date) -> bool:
        return (self.since is None or self.since <= day) and (
            self.until is None or day < self.until
        )


class OtherHelpFile(_Data):
    sources: dict[str, Source]
    aides: tuple[Entry, ...]


@dataclass(frozen=True)
class OtherHelp:
    """The entries with their compiled conditions, and the sources they cite."""

    entries: tuple[tuple[Entry, Condition | None], ...]
    sources: Mapping[str, Source]


@dataclass(frozen=True)
class ShownBody:
    body: Body
    region_label: str | None
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class ShownHelp:
    entry: Entry
    bodies: tuple[ShownBody, ...]


def load_other_help(
    content_dir: Path, questionnaire: Questionnaire | None
) -> tuple[OtherHelp | None, list[Problem]]:
    """Read and check ``autres_aides.yaml``; every problem carries its line."""
    file = YamlFile(content_dir / FILE)
    data = file.validate(OtherHelpFile)
    if data is None:
        return None, file.problems
    raw: list[tuple[tuple[str | int, ...], str]] = []
    for key, source in data.sources.items():
        if source.consulte < source.first_day:
            raw.append(
                (("sources", key, "consulte"), "« consulte » ne peut pas venir avant « date »")
            )
    used: set[str] = set()
    compiled: list[tuple[Entry, Condition | None]] = []
    questions = questionnaire.by_id if questionnaire is not None else {}
    for index, entry in enumerate(data.aides):
        path: tuple[str | int, ...] = ("aides", index)
        if (entry.organisme is None) == (not entry.regions):
            raw.append((path, "une aide a soit « organisme », soit « regions » (un par région)"))
        regions = [body.region for body in entry.regions]
        if len(set(regions)) != len(regions):
            raw.append(((*path, "regions"), "une région apparaît deux fois"))
        if entry.since and entry.until and entry.until <= entry.since:
            raw.append(((*path, "until"), "« until » doit venir après « from »"))
        bodies = [entry.organisme] if entry.organisme else list(entry.regions)
        for b_index, body in enumerate(bodies):
            where = (*path, "organisme") if entry.organisme else (*path, "regions", b_index)
            for name in body.sources:
                used.add(name)
                if name not in data.sources:
                    raw.append(
                        ((*where, "sources"), f"la source « {name} » n'est pas dans « sources »")
                    )
        condition = None
        if entry.quand is not None and questionnaire is not None:
            scope = Scope(questions=questions, all_questions=questions, problems=raw)
            condition = parse_condition(entry.quand, (*path, "quand"), scope)
        compiled.append((entry, condition))
    for earlier, (first, _) in enumerate(compiled):
        for second, _ in compiled[earlier + 1 :]:
            if first.id == second.id and _overlap(first, second):
                raw.append((("aides",), f"deux versions de « {first.id} » se chevauchent"))
    for key in data.sources:
        if key not in used:
            raw.append((("sources", key), f"la source « {key} » n'est citée par aucune aide"))
    problems = [file.problem(path, message) for path, message in raw]
    if problems:
        return None, problems
    return OtherHelp(entries=tuple(compiled), sources=data.sources), []


def _overlap(first: Entry, second: Entry) -> bool:
    start = max(first.since or dt.date.min, second.since or dt.date.min)
    end = min(first.until or dt.date.max, second.until or dt.date.max)
    return start < end


def applicable(
    help_: OtherHelp, answers: Mapping[str, AnswerValue], day: dt.date
) -> list[ShownHelp]:
    """The entries in force on ``day`` whose condition holds for these answers, in file order."""
    context = Context(answers=answers)
    shown = []
    for entry, condition in help_.entries:
        if not entry.in_force(day):
            continue
        if condition is not None and not condition.holds(context):
            continue
        if entry.organisme is not None:
            bodies = [ShownBody(entry.organisme, None, _sources(help_, entry.organisme))]
        else:
            bodies = [
                ShownBody(body, REGION_LABELS[body.region], _sources(help_, body))
                for body in entry.regions
            ]
        shown.append(ShownHelp(entry=entry, bodies=tuple(bodies)))
    return shown


def _sources(help_: OtherHelp, body: Body) -> tuple[Source, ...]:
    return tuple(help_.sources[name] for name in body.sources)
