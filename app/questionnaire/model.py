"""Pydantic models: the three YAML files of ``content/questionnaire/`` and the result of a run.

Conditions (``when``) are kept raw here; ``app.questionnaire.rules`` parses them at load.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

QuestionType = Literal["choice", "multi", "number", "money", "yesno"]
Status = Literal["probable", "possible", "peu_probable"]
# What one case of a rule says about a condition of a right.
Outcome = Literal["remplie", "cpas_decide", "non_remplie", "info"]

# choice: the option value; multi: the option values, in the questions' order;
# yesno: a bool; number: an int; money: a Decimal with at most two decimals.
AnswerValue = bool | int | Decimal | str | tuple[str, ...]
Answers = Mapping[str, AnswerValue]

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
FicheSlug = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=100)]
Text = Annotated[str, Field(min_length=1, max_length=1000)]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Dated(_Data):
    """An item of the rules that may apply only for a while: ``from`` (included) to ``until``.

    ``until`` is the first day it no longer applies (the ``from`` of what replaces it). Items
    of the same list that share an ``id`` are versions of one rule: their periods must not
    overlap (checked at load), so that on any day at most one of them is in force.
    """

    id: Identifier | None = None  # stable: « debiteurs » → rule « ris.ressources.debiteurs »
    from_: dt.date | None = Field(default=None, alias="from")
    until: dt.date | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @model_validator(mode="after")
    def _period_in_order(self) -> Dated:
        if self.from_ is not None and self.until is not None and self.until <= self.from_:
            raise ValueError("« until » doit venir après « from »")
        return self

    def in_force(self, day: dt.date) -> bool:
        return (self.from_ is None or self.from_ <= day) and (
            self.until is None or day < self.until
        )


# --- questions.yaml -------------------------------------------------------------------------


class Option(_Data):
    """One allowed answer of a ``choice`` or ``multi`` question."""

    value: Identifier
    label: Text
    summary: Text | None = None  # shorter, neutral wording for summaries; ``label`` otherwise
    exclusive: bool = False  # multi only: cannot be ticked with another option (« aucun »)

    @property
    def short(self) -> str:
        return self.summary or self.label


class ErrorMessages(_Data):
    """Error messages of a field; ``{min}``, ``{max}`` and ``{option}`` are replaced.

    A question's own messages win over those of textes.yaml for its type.
    """

    required: Text | None = None  # nothing answered
    format: Text | None = None  # not a number, not an allowed option
    min: Text | None = None
    max: Text | None = None
    exclusive: Text | None = None  # multi: « {option} » ticked with another option

    def merged(self, defaults: ErrorMessages) -> ErrorMessages:
        return ErrorMessages(
            **{
                name: getattr(self, name) or getattr(defaults, name)
                for name in ErrorMessages.model_fields
            }
        )


class Question(_Data):
    id: Identifier
    text: Text
    help: Text | None = None
    type: QuestionType
    options: tuple[Option, ...] = ()
    min: Decimal | None = None
    max: Decimal | None = None
    unit: Text | None = None  # shown after a number: « ans », « € par mois »
    summary: Text  # the label in « Vérifiez vos réponses » and in summaries
    when: Any = None  # condition on earlier answers; the question is asked only when it holds
    errors: ErrorMessages = ErrorMessages()

    @model_validator(mode="after")
    def _options_match_type(self) -> Question:
        if self.type in ("choice", "multi"):
            if len(self.options) < 2:
                raise ValueError("une question à choix demande au moins deux options")
            values = [option.value for option in self.options]
            if len(set(values)) != len(values):
                raise ValueError("deux options ont la même valeur")
        elif self.options:
            raise ValueError(f"une question de type {self.type} n'a pas d'options")
        if self.type != "multi" and any(option.exclusive for option in self.options):
            raise ValueError("« exclusive » ne sert qu'aux questions de type multi")
        if self.type in ("number", "money"):
            if self.min is None or self.max is None:
                raise ValueError("une question numérique demande min et max")
            if self.min > self.max:
                raise ValueError("min doit être inférieur ou égal à max")
            if self.type == "number" and (self.min % 1 or self.max % 1):
                raise ValueError("min et max d'une question number sont des nombres entiers")
        elif self.min is not None or self.max is not None:
            raise ValueError(f"une question de type {self.type} n'a ni min ni max")
        return self

    def option(self, value: str) -> Option | None:
        for option in self.options:
            if option.value == value:
                return option
        return None


class QuestionsFile(_Data):
    questions: tuple[Question, ...] = Field(min_length=1)


# --- droits.yaml ----------------------------------------------------------------------------


class ThresholdPeriod(_Data):
    since: dt.date
    value: Decimal


class CategoryRule(Dated):
    """The first rule in force whose ``when`` holds gives the person's category in the scale."""

    when: Any = None
    category: Identifier
    reason: Text


class CategorySpec(_Data):
    scale: Identifier  # a scale of montants.yaml with one amount per category
    rules: tuple[CategoryRule, ...] = Field(min_length=1)


class Case(Dated):
    """One case of a criterion: when it holds (and is in force), what it means, what it adds."""

    when: Any = None  # no ``when``: the case always holds (the criterion's default)
    outcome: Outcome
    reason: Text
    next_steps: tuple[Text, ...] = ()
    fiches: tuple[FicheSlug, ...] = ()


class Criterion(_Data):
    """A condition of a right: its cases are tried in order, the first that holds is kept."""

    id: Identifier
    when: Any = None  # the criterion is looked at only when this holds
    cases: tuple[Case, ...] = Field(min_length=1)


class ExemptionSpec(_Data):
    scale: Identifier
    when: Any = None
    text: Text


class Step(Dated):
    """A next step shown only when its condition holds, and only while it is in force."""

    text: Text
    when: Any = None


class DatedText(Dated):
    """A text of textes.yaml that applies only for a while (``from``, ``until``)."""

    text: Text


class RightSpec(_Data):
    id: Identifier
    title: Text
    show_when: Any = None  # the right appears in the result only when this holds
    amount: bool = False  # show the amount of the person's category (scale of ``category``)
    exemptions: tuple[ExemptionSpec, ...] = ()
    criteria: tuple[Criterion, ...] = Field(min_length=1)
    fiches: tuple[FicheSlug, ...] = ()
    next_steps: tuple[Text | Step, ...] = Field(min_length=1)
    # For one status, other steps instead of ``next_steps`` (« peu_probable »: what to do anyway).
    status_next_steps: dict[Status, Annotated[tuple[Text, ...], Field(min_length=1)]] = {}

    @model_validator(mode="after")
    def _one_step_always(self) -> RightSpec:
        if all(
            isinstance(step, Step)
            and (step.when is not None or step.from_ is not None or step.until is not None)
            for step in self.next_steps
        ):
            raise ValueError("au moins une démarche de next_steps doit être sans when")
        return self


class RightsFile(_Data):
    # Conditions written once with a YAML anchor (&name) and reused (*name); not read as such.
    anchors: dict[Identifier, Any] = {}
    thresholds: dict[Identifier, tuple[ThresholdPeriod, ...]] = {}
    category: CategorySpec
    rights: tuple[RightSpec, ...] = Field(min_length=1)


# --- textes.yaml ----------------------------------------------------------------------------


class Texts(_Data):
    statuses: dict[Status, Text]
    outcomes: dict[Outcome, Text]
    how_to_apply: tuple[Text | DatedText, ...] = Field(min_length=1)
    disclaimer: Text
    summary_intro: Text
    unknown_amount: Text
    yes_label: Text
    no_label: Text
    errors: dict[QuestionType, ErrorMessages]  # the default messages of each type of question

    @model_validator(mode="after")
    def _every_label(self) -> Texts:
        missing = {"probable", "possible", "peu_probable"} - set(self.statuses)
        missing |= {"remplie", "cpas_decide", "non_remplie", "info"} - set(self.outcomes)
        if missing:
            raise ValueError(f"libellé manquant : {', '.join(sorted(missing))}")
        return self


# --- the result of an evaluation ------------------------------------------------------------


class _Result(BaseModel):
    # Every key is always in the answer: the API's documentation marks them all required.
    model_config = ConfigDict(frozen=True, json_schema_serialization_defaults_required=True)


class Reason(_Result):
    kind: Outcome  # remplie, cpas_decide (the CPAS judges), non_remplie, or info
    text: str
    rule: str  # « ris.ressources.debiteurs »: the right, criterion and case of droits.yaml
    since: dt.date | None = None  # the day this version of the rule applies from, if dated


class AmountSource(_Result):
    title: str
    url: str
    date: dt.date


class AmountInfo(_Result):
    """The monthly amount of the person's category, with its date and its source."""

    scale: str
    category: str
    category_label: str
    category_reason: str
    amount: Decimal
    unit: str
    since: dt.date
    source: AmountSource
    indexation_notice: str | None = Field(
        None,
        description="Quand une indexation est entrée en vigueur après « since » sans que ses "
        "montants soient encore connus ici : la phrase qui le dit (le CPAS applique le montant "
        "indexé, un peu plus élevé). null quand le montant est à jour.",
    )


class Exemption(_Result):
    """Earnings that the CPAS does not count, where the answers say they may apply."""

    scale: str
    title: str
    amount: Decimal
    unit: str
    since: dt.date
    source: AmountSource
    text: str
    indexation_notice: str | None = Field(
        None, description="Comme pour le montant : l'indexation dont le montant manque ici."
    )


class RightResult(_Result):
    id: str
    title: str
    status: Status
    status_label: str
    reasons: tuple[Reason, ...]
    fiches: tuple[str, ...]
    next_steps: tuple[str, ...]
    amount: AmountInfo | None = None
    exemptions: tuple[Exemption, ...] = ()


class Result(_Result):
    day: dt.date
    rights: tuple[RightResult, ...]
    how_to_apply: tuple[str, ...]
    disclaimer: str

    def right(self, right_id: str) -> RightResult | None:
        for right in self.rights:
            if right.id == right_id:
                return right
        return None


class SummaryRow(_Result):
    """One line of « Vérifiez vos réponses »: the question, its label and the answer given."""

    question_id: str
    label: str
    answer: str
