"""The dated amounts in ``content/montants.yaml``, shared by the fiches and the questionnaire."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, model_validator

from app.content import Problem, validation_problems

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


class Amounts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    baremes: dict[str, Scale]

    def scale(self, name: str) -> Scale:
        return self.baremes[name]


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
