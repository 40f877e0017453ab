"""« Combien ? »: an estimate of the revenu d'intégration from the resources the person gave.

The rules are data (``content/questionnaire/estimation.yaml``), every amount comes from
``content/montants.yaml`` with its date. ``compute`` is the arithmetic alone (tested on the
worked examples of the sources); ``estimate`` picks the figures in force on a day for a set of
answers. The CPAS makes the real calculation: the page says so.

The arithmetic (BDAS ?p=3321, updated 2025-04-01; mi-is.be FAQ on the ISP exemption): the
yearly amount of the category, minus the yearly resources counted, divided by 12. Resources
counted = resources − an exemption (socio-professional or student, at most its amount), then
− the general yearly exemption of the category when what is left stays under the amount.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.amounts import Amounts, Indexation
from app.content import Problem, validation_problems
from app.questionnaire.model import AnswerValue, Result

FILE = Path("questionnaire") / "estimation.yaml"
CENT = Decimal("0.01")
MONTHS = 12


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoEstimate(_Data):
    when: Any
    reason: str = Field(min_length=1)


class ExemptionRule(_Data):
    bareme: str
    when: Any
    libelle: str = Field(min_length=1)


class EstimationFile(_Data):
    bareme: str
    exoneration_generale: str
    droit: str
    sans_estimation: tuple[NoEstimate, ...] = ()
    immunisations: tuple[ExemptionRule, ...] = ()


Answers = Mapping[str, AnswerValue]
Condition = Callable[[Answers], bool]


def compile_condition(raw: object) -> Condition:
    """A ``when`` of estimation.yaml; ValueError when it cannot be read."""
    if not isinstance(raw, dict) or len(raw) != (1 if {"all", "any", "not"} & set(raw) else 2):
        raise ValueError(f"condition illisible : {raw!r}")
    if "all" in raw or "any" in raw:
        parts = [compile_condition(item) for item in raw.get("all") or raw.get("any") or []]
        if not parts:
            raise ValueError("« all » et « any » attendent une liste de conditions")
        test = all if "all" in raw else any
        return lambda answers: test(part(answers) for part in parts)
    if "not" in raw:
        inner = compile_condition(raw["not"])
        return lambda answers: not inner(answers)
    name = raw.get("answer")
    if not isinstance(name, str):
        raise ValueError(f"condition sans « answer » : {raw!r}")
    (operator, wanted) = next((key, value) for key, value in raw.items() if key != "answer")
    tests: dict[str, Callable[[AnswerValue], bool]] = {
        "eq": lambda value: value == wanted,
        "in": lambda value: value in wanted,
        "lt": lambda value: isinstance(value, int | Decimal) and value < wanted,
        "contains": lambda value: isinstance(value, tuple) and wanted in value,
        "contains_any": lambda value: isinstance(value, tuple) and bool(set(value) & set(wanted)),
        "only": lambda value: isinstance(value, tuple) and set(value) == set(wanted),
    }
    if operator not in tests:
        raise ValueError(f"opérateur inconnu « {operator} » ({', '.join(tests)})")
    check = tests[operator]
    return lambda answers: name in answers and check(answers[name])


@dataclass(frozen=True)
class EstimationRules:
    data: EstimationFile
    no_estimate: tuple[tuple[Condition, str], ...]
    exemptions: tuple[tuple[Condition, ExemptionRule], ...]


def load_estimation(
    content_dir: Path, amounts: Amounts | None
) -> tuple[EstimationRules | None, list[Problem]]:
    path = content_dir / FILE
    try:
        data = EstimationFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except OSError as error:
        return None, [Problem(path, 1, f"fichier illisible : {error}")]
    except yaml.YAMLError as error:
        return None, [Problem(path, 1, f"YAML illisible : {error}")]
    except ValidationError as error:
        return None, validation_problems(path, error)
    problems = []
    names = [data.bareme, data.exoneration_generale, *(rule.bareme for rule in data.immunisations)]
    for name in names:
        if amounts is not None and name not in amounts.baremes:
            problems.append(Problem(path, 1, f"le barème « {name} » n'est pas dans montants.yaml"))
    try:
        no_estimate = tuple(
            (compile_condition(item.when), item.reason) for item in data.sans_estimation
        )
        exemptions = tuple((compile_condition(rule.when), rule) for rule in data.immunisations)
    except ValueError as error:
        problems.append(Problem(path, 1, str(error)))
    if problems:
        return None, problems
    return EstimationRules(data, no_estimate, exemptions), []


# --- the arithmetic -------------------------------------------------------------------------


class Breakdown(BaseModel):
    """Each figure of the estimate, per month unless said otherwise."""

    model_config = ConfigDict(frozen=True)

    amount: Decimal  # the category's amount
    resources: Decimal  # what the person gets
    exempted: Decimal  # the part of it not counted (socio-professional or student exemption)
    general_yearly: Decimal  # the general exemption applied, per year (0 when it does not apply)
    counted_yearly: Decimal  # resources counted, per year
    estimate: Decimal  # what the CPAS would pay per month, rounded to the cent


def compute(
    amount: Decimal, resources: Decimal, exemption: Decimal | None, general_yearly: Decimal
) -> Breakdown:
    """The estimate: (12 × amount − resources counted per year) / 12, never below zero."""
    exempted = min(resources, exemption) if exemption is not None else Decimal(0)
    counted_monthly = resources - exempted
    if counted_monthly >= amount:
        general = Decimal(0)  # no RI at all: the general exemption does not come into play
    else:
        general = min(general_yearly, counted_monthly * MONTHS)
    counted_yearly = counted_monthly * MONTHS - general
    yearly = max(Decimal(0), amount * MONTHS - counted_yearly)
    return Breakdown(
        amount=amount,
        resources=resources,
        exempted=exempted,
        general_yearly=general,
        counted_yearly=counted_yearly,
        estimate=(yearly / MONTHS).quantize(CENT, rounding=ROUND_HALF_UP),
    )


# --- the estimate for a person --------------------------------------------------------------


class Figure(BaseModel):
    """A figure of montants.yaml as used: its amount, date and source."""

    model_config = ConfigDict(frozen=True)

    title: str
    amount: Decimal
    unit: str
    since: dt.date
    source_title: str
    source_url: str


class Estimate(BaseModel):
    model_config = ConfigDict(frozen=True)

    category_label: str
    category: Figure
    exemption: Figure | None
    exemption_label: str | None
    general: Figure
    breakdown: Breakdown
    indexation: Indexation | None


class Skipped(BaseModel):
    model_config = ConfigDict(frozen=True)

    reason: str


def _figure(amounts: Amounts, scale_name: str, category: str, day: dt.date) -> Figure:
    scale = amounts.scale(scale_name)
    period = scale.on(day)
    return Figure(
        title=scale.titre,
        amount=period.montants[category],
        unit=scale.unite,
        since=period.depuis,
        source_title=period.source.titre,
        source_url=str(period.source.url),
    )


def estimate(
    rules: EstimationRules, amounts: Amounts, answers: Answers, result: Result, day: dt.date
) -> Estimate | Skipped | None:
    """The estimate for these answers on ``day``; ``Skipped`` with the reason when the
    questionnaire lacks what the calculation needs; None when there is nothing to estimate
    (the right is unlikely, or no resources were asked)."""
    right = result.right(rules.data.droit)
    if right is None or right.amount is None or right.status == "peu_probable":
        return None
    if "revenus" not in answers:
        return None
    for condition, reason in rules.no_estimate:
        if condition(answers):
            return Skipped(reason=reason)
    raw = answers.get("revenus_montant", Decimal(0))
    resources = raw if isinstance(raw, Decimal) else Decimal(str(raw))
    category = right.amount.category
    try:
        figure = _figure(amounts, rules.data.bareme, category, day)
        general = _figure(amounts, rules.data.exoneration_generale, category, day)
        exemption = None
        label = None
        for condition, rule in rules.exemptions:
            if condition(answers):
                scale = amounts.scale(rule.bareme)
                only = next(iter(scale.categories))
                exemption = _figure(amounts, rule.bareme, only, day)
                label = rule.libelle
                break
    except (LookupError, KeyError):
        return None
    breakdown = compute(
        figure.amount, resources, exemption.amount if exemption else None, general.amount
    )
    return Estimate(
        category_label=right.amount.category_label,
        category=figure,
        exemption=exemption,
        exemption_label=label,
        general=general,
        breakdown=breakdown,
        indexation=amounts.pending_indexation(rules.data.bareme, day),
    )
