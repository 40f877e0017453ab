"""The dated amounts in ``content/montants.yaml``, shared by the fiches and the questionnaire."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, model_validator

from app.content import Problem, validation_problems
from app.fiches.french import date_fr

AMOUNTS_FILE = "montants.yaml"


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")

    titre: str = Field(min_length=3)
    url: HttpUrl
    date: dt.date


class Period(BaseModel):
    """The amounts of one scale in force from ``depuis`` until the next period starts."""

    model_config = ConfigDict(extra="forbid")

    depuis: dt.date
    montants: dict[str, Decimal]
    source: Source


class Scale(BaseModel):
    """One scale (``ris``, ``immunisation_etudiant``...) and its history."""

    model_config = ConfigDict(extra="forbid")

    titre: str
    unite: str
    categories: dict[str, str]
    periodes: list[Period] = Field(min_length=1)

    @model_validator(mode="after")
    def _every_period_has_every_category(self) -> Scale:
        for period in self.periodes:
            if set(period.montants) != set(self.categories):
                raise ValueError(
                    f"la période du {period.depuis} doit donner un montant pour chaque "
                    f"catégorie ({', '.join(self.categories)})"
                )
        dates = [period.depuis for period in self.periodes]
        if len(set(dates)) != len(dates):
            raise ValueError("deux périodes commencent à la même date")
        return self

    def on(self, day: dt.date) -> Period:
        """The period in force on ``day``; raises ``LookupError`` before the first one."""
        in_force = [p for p in self.periodes if p.depuis <= day]
        if not in_force:
            raise LookupError(f"aucun montant « {self.titre} » n'est connu au {day}")
        return max(in_force, key=lambda p: p.depuis)


class Indexation(BaseModel):
    """An indexation known to have taken effect on ``depuis`` for the scales it names.

    Until a period of a scale starts on or after that date, the new figures of that scale are
    not confirmed: the pages show the last known amount and say so next to it.
    """

    model_config = ConfigDict(extra="forbid")

    depuis: dt.date
    pourcentage: Decimal = Field(gt=0)
    baremes: list[str] = Field(min_length=1)
    source: Source

    @property
    def percent(self) -> str:
        """« 2 % », « 2,5 % » (a no-break space before the sign)."""
        return f"{self.pourcentage.normalize():f}".replace(".", ",") + "\u00a0%"

    def notice(self, since: dt.date, *, several: bool = True) -> str:
        """The sentence beside amounts of ``since`` that this indexation has made out of date."""
        these = "Ces montants sont ceux" if several else "Ce montant est celui"
        return (
            f"Attention : une indexation de {self.percent} est entrée en vigueur le "
            f"{date_fr(self.depuis)}. {these} du {date_fr(since)}, d'avant cette indexation : "
            "le CPAS applique le montant actuel, un peu plus élevé."
        )

    def short_notice(self, since: dt.date) -> str:
        """The same, short enough to follow an amount inside a sentence."""
        return (
            f"montant du {date_fr(since)} ; une indexation de {self.percent} a eu lieu le "
            f"{date_fr(self.depuis)} : le CPAS applique le montant à jour"
        )


class Amounts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    baremes: dict[str, Scale]
    indexations: list[Indexation] = Field(default_factory=list)

    @model_validator(mode="after")
    def _indexations_name_known_scales(self) -> Amounts:
        for indexation in self.indexations:
            unknown = [name for name in indexation.baremes if name not in self.baremes]
            if unknown:
                raise ValueError(
                    f"l'indexation du {indexation.depuis} nomme un barème inconnu : "
                    f"{', '.join(unknown)} (barèmes : {', '.join(self.baremes)})"
                )
        dates = [indexation.depuis for indexation in self.indexations]
        if len(set(dates)) != len(dates):
            raise ValueError("deux indexations commencent à la même date")
        return self

    def scale(self, name: str) -> Scale:
        return self.baremes[name]

    def pending_indexation(self, name: str, day: dt.date) -> Indexation | None:
        """The latest indexation of scale ``name`` in force on ``day`` whose figures are missing.

        ``None`` when the period in force on ``day`` already starts on or after every
        indexation of that scale (its new amounts are recorded), or when the scale is unknown.
        """
        scale = self.baremes.get(name)
        if scale is None:
            return None
        try:
            since = scale.on(day).depuis
        except LookupError:
            return None
        missing = [
            indexation
            for indexation in self.indexations
            if name in indexation.baremes and since < indexation.depuis <= day
        ]
        return max(missing, key=lambda indexation: indexation.depuis, default=None)

    def indexation_dates(self) -> list[dt.date]:
        """The days an indexation takes effect: a page showing amounts may change on them."""
        return [indexation.depuis for indexation in self.indexations]


def load_amounts(content_dir: Path) -> tuple[Amounts | None, list[Problem]]:
    """Read and validate ``montants.yaml``; return the amounts or the problems found."""
    path = content_dir / AMOUNTS_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, [Problem(path, 1, "fichier des montants introuvable")]
    except yaml.YAMLError as error:
        line = getattr(getattr(error, "problem_mark", None), "line", 0) + 1
        return None, [Problem(path, line, f"YAML invalide : {error}")]
    try:
        return Amounts.model_validate(data), []
    except ValidationError as error:
        return None, validation_problems(path, error)
