"""Pure functions of the questionnaire: the walk through the questions, and the evaluation.

No request, no database, no clock: every function takes what it needs, so a table of
scenarios can test it. Answers are a mapping of question id to a value (see ``AnswerValue``);
answers to questions that the skip logic hides are ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from app.amounts import Amounts
from app.questionnaire.model import (
    AmountInfo,
    AmountSource,
    Answers,
    AnswerValue,
    Exemption,
    Question,
    Reason,
    Result,
    RightResult,
    Status,
    SummaryRow,
)
from app.questionnaire.rules import (
    CompiledRight,
    Context,
    Questionnaire,
    Template,
    Values,
    format_answer,
)
from app.templating import NARROW_NBSP

YES, NO = "oui", "non"
MAX_RAW_LENGTH = 40
RANK = {"remplie": 0, "info": 0, "cpas_decide": 1, "non_remplie": 2}
STATUS_OF_RANK: tuple[Status, Status, Status] = ("probable", "possible", "peu_probable")
SPACES = re.compile(r"[\s\u00a0\u202f]+")
EURO_SIGN = re.compile(r"(€|eur|euros?)$", re.IGNORECASE)
THOUSANDS_WITH_DOTS = re.compile(r"\d{1,3}(\.\d{3})+")
MONEY = re.compile(r"\d+(\.\d{1,2})?")
CENT = Decimal("0.01")


# --- the walk through the questions ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Walk:
    """One walk through the questions for a set of answers: the questions asked, in order, and
    the answers kept (those to asked questions). A page that needs several of the functions
    below walks once and hands them the walk instead of the answers."""

    shown: list[Question]
    kept: dict[str, AnswerValue]

    @property
    def next_question(self) -> Question | None:
        """The first question asked and not answered yet; None when every answer is in."""
        for question in self.shown:
            if question.id not in self.kept:
                return question
        return None


def walk(q: Questionnaire, answers: Answers | Walk) -> Walk:
    """The questions asked given the answers so far (the skip logic), and the answers kept."""
    if isinstance(answers, Walk):
        return answers
    shown: list[Question] = []
    kept: dict[str, AnswerValue] = {}
    ctx = Context(kept)  # a question's ``when`` sees only the kept answers of earlier questions
    for question in q.questions:
        condition = q.visibility[question.id]
        if condition is None or condition.holds(ctx):
            shown.append(question)
            if question.id in answers:
                kept[question.id] = answers[question.id]
    return Walk(shown, kept)


def visible_questions(q: Questionnaire, answers: Answers) -> list[Question]:
    """The questions asked, in order, given the answers so far (the skip logic)."""
    return walk(q, answers).shown


def visible_answers(q: Questionnaire, answers: Answers) -> dict[str, AnswerValue]:
    """The answers to the questions still asked; those to hidden or unknown questions go."""
    return walk(q, answers).kept


def next_question(q: Questionnaire, answers: Answers) -> Question | None:
    """The first question asked and not answered yet; None when every answer is in."""
    return walk(q, answers).next_question


def previous_question(q: Questionnaire, answers: Answers, question_id: str) -> Question | None:
    """The question asked before ``question_id`` (for the back link); None for the first."""
    shown = visible_questions(q, answers)
    ids = [question.id for question in shown]
    if question_id not in ids:
        return None
    index = ids.index(question_id)
    return shown[index - 1] if index else None


def position(q: Questionnaire, answers: Answers, question_id: str) -> tuple[int, int] | None:
    """(3, 9) for « Question 3 sur 9 »; None when the question is not asked.

    The total counts the questions asked given the answers so far: it can change as the
    person answers.
    """
    ids = [question.id for question in visible_questions(q, answers)]
    if question_id not in ids:
        return None
    return ids.index(question_id) + 1, len(ids)


# --- one answer from a form -----------------------------------------------------------------


def parse_answer(question: Question, raw: Sequence[str]) -> tuple[AnswerValue | None, str | None]:
    """The value of a form field (all its values, as sent), or the error message to show.

    choice: one option value; multi: option values (checkboxes); yesno: « oui » or « non »;
    number: whole number in digits; money: « 450 », « 450,50 », « 1 200 € »…
    """
    values = [value.strip() for value in raw if value.strip()]
    errors = question.errors
    if not values:
        return None, _message(errors.required)
    if any(len(value) > MAX_RAW_LENGTH for value in values):
        return None, _message(errors.format)
    if question.type == "multi":
        known = [option.value for option in question.options]
        if any(value not in known for value in values):
            return None, _message(errors.format)
        chosen = tuple(value for value in known if value in values)
        for option in question.options:
            if option.exclusive and option.value in chosen and len(chosen) > 1:
                return None, _message(errors.exclusive, option=option.label)
        return chosen, None
    if len(values) > 1:
        return None, _message(errors.format)
    value = values[0]
    if question.type == "choice":
        if question.option(value) is None:
            return None, _message(errors.format)
        return value, None
    if question.type == "yesno":
        if value not in (YES, NO):
            return None, _message(errors.format)
        return value == YES, None
    number = _parse_number(value) if question.type == "number" else _parse_money(value)
    if number is None:
        return None, _message(errors.format)
    number, error = _in_range(question, number)
    if isinstance(number, Decimal):
        number = number.quantize(CENT)  # only once in range: a huge number cannot be quantized
    return number, error


def _in_range(question: Question, number: int | Decimal) -> tuple[int | Decimal | None, str | None]:
    errors = question.errors
    if question.min is not None and number < question.min:
        return None, _message(errors.min, min=_bound(question, question.min))
    if question.max is not None and number > question.max:
        return None, _message(errors.max, max=_bound(question, question.max))
    return number, None


def _message(template: str | None, **values: str) -> str:
    message = template or "Réponse invalide"
    for name, value in values.items():
        message = message.replace("{" + name + "}", value)
    return message


def _bound(question: Question, value: Decimal) -> str:
    """« 12 », « 100 000 € »: a limit as a person reads it."""
    whole = f"{value:,.0f}" if value % 1 == 0 else f"{value:,.2f}"
    text = whole.replace(",", NARROW_NBSP).replace(".", ",")
    return f"{text}\u00a0€" if question.type == "money" else text


def _parse_number(value: str) -> int | None:
    value = SPACES.sub("", value)
    return int(value) if value.isascii() and value.isdigit() else None


def _parse_money(value: str) -> Decimal | None:
    value = EURO_SIGN.sub("", SPACES.sub("", value))
    if "," in value and "." in value:
        decimal_mark = "," if value.rfind(",") > value.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        value = value.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in value:
        value = value.replace(",", ".")
    elif THOUSANDS_WITH_DOTS.fullmatch(value):
        value = value.replace(".", "")
    if not value.isascii() or not MONEY.fullmatch(value):
        return None
    return Decimal(value)


def form_values(question: Question, value: AnswerValue) -> list[str]:
    """The form values that ``parse_answer`` reads back as ``value`` (to refill a form)."""
    if question.type == "multi" and isinstance(value, tuple):
        return list(value)
    if question.type == "yesno":
        return [YES if value else NO]
    if question.type == "money" and isinstance(value, Decimal):
        return [f"{value:.2f}".replace(".", ",")]
    return [str(value)]


# --- answers of the JSON API ----------------------------------------------------------------


def validate_answers(
    q: Questionnaire, answers: Mapping[str, object], *, complete: bool = True
) -> list[tuple[str, str]]:
    """(field, message in French) for each problem of JSON answers; empty when all is well.

    Unknown questions, values outside the allowed ones and wrong types are errors; so is a
    question that is asked but not answered, when ``complete``. Answers to questions that the
    other answers hide are ignored.
    """
    return normalize_answers(q, answers, complete=complete)[1]


def normalize_answers(
    q: Questionnaire, answers: Mapping[str, object], *, complete: bool = True
) -> tuple[dict[str, AnswerValue], list[tuple[str, str]]]:
    """JSON answers as the values ``evaluate`` takes, with the problems of ``validate_answers``."""
    errors: list[tuple[str, str]] = []
    valid: dict[str, AnswerValue] = {}
    for key, raw in answers.items():
        question = q.by_id.get(key)
        if question is None:
            errors.append((key, f"« {key} » n'est pas une question du questionnaire."))
            continue
        value, message = _json_value(question, raw)
        if message is not None:
            errors.append((key, message))
        elif value is not None:
            valid[key] = value
    shown, kept = (walked := walk(q, valid)).shown, walked.kept
    if complete:
        failed = {field for field, _ in errors}
        for question in shown:
            if question.id not in kept and question.id not in failed:
                errors.append((question.id, f"« {question.id} » : la réponse manque."))
    return kept, errors


def _json_value(question: Question, raw: object) -> tuple[AnswerValue | None, str | None]:
    name = f"« {question.id} »"
    allowed = ", ".join(option.value for option in question.options)
    if question.type == "choice":
        if not isinstance(raw, str):
            return None, f"{name} attend une de ces réponses : {allowed}."
        if question.option(raw) is None:
            return None, f"{name} : « {raw} » n'est pas permis ; réponses possibles : {allowed}."
        return raw, None
    if question.type == "multi":
        if not isinstance(raw, list | tuple) or not all(isinstance(item, str) for item in raw):
            return None, f"{name} attend une liste de réponses parmi : {allowed}."
        unknown = [item for item in raw if question.option(item) is None]
        if unknown:
            return None, (
                f"{name} : « {', '.join(unknown)} » n'est pas permis ; "
                f"réponses possibles : {allowed}."
            )
        if not raw:
            return None, f"{name} : choisis au moins une réponse parmi : {allowed}."
        chosen = tuple(option.value for option in question.options if option.value in raw)
        for option in question.options:
            if option.exclusive and option.value in chosen and len(chosen) > 1:
                return None, f"{name} : « {option.value} » ne va pas avec une autre réponse."
        return chosen, None
    if question.type == "yesno":
        if not isinstance(raw, bool):
            return None, f"{name} attend true (oui) ou false (non)."
        return raw, None
    decimal: Decimal | None = None
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        try:
            decimal = Decimal(str(raw))
        except InvalidOperation:
            decimal = None
    whole = question.type == "number"
    example = (
        "un nombre entier, par exemple 19" if whole else "un montant en euros, par exemple 450.50"
    )
    if decimal is None or not decimal.is_finite():
        return None, f"{name} attend {example}."
    if _in_range(question, decimal)[1] is not None:
        low = _bound(question, question.min or Decimal(0))
        high = _bound(question, question.max or Decimal(0))
        return None, f"{name} doit être entre {low} et {high}."
    if whole:
        if decimal % 1:
            return None, f"{name} attend {example}."
        return int(decimal), None
    if decimal != decimal.quantize(CENT):
        return None, f"{name} attend {example}."
    return decimal.quantize(CENT), None


# --- the evaluation -------------------------------------------------------------------------


def evaluate(q: Questionnaire, amounts: Amounts, answers: Answers | Walk, day: dt.date) -> Result:
    """The rights that the answers point to on ``day``, each with its status and reasons.

    Pure: the same answers and day always give the same result. Answers should come from
    ``parse_answer`` or ``normalize_answers``; those to hidden questions are ignored.
    """
    kept = walk(q, answers).kept
    values = Values(amounts, q.thresholds, day, q.category_scale)
    ctx = Context(kept, values)
    category_rule = q.category_rules[-1]
    for rule in q.category_rules:
        if rule.applies(ctx):
            category_rule = rule
            break
    values.category = category_rule.spec.category
    category_reason = category_rule.reason.render(ctx, q.by_id, q.texts)

    rights = []
    for right in q.rights:
        if right.show_when is None or right.show_when.holds(ctx):
            rights.append(_evaluate_right(q, right, ctx, category_reason))
    return Result(
        day=day,
        rights=tuple(rights),
        how_to_apply=tuple(
            text if isinstance(text, str) else text.text
            for text in q.texts.how_to_apply
            if isinstance(text, str) or text.in_force(day)
        ),
        disclaimer=q.texts.disclaimer,
    )


def _evaluate_right(
    q: Questionnaire, right: CompiledRight, ctx: Context, category_reason: str
) -> RightResult:
    reasons: list[Reason] = []
    steps: list[tuple[int, Template]] = []  # with the rank of the case that gives them
    fiches: list[str] = []
    worst = 0
    for criterion in right.criteria:
        if criterion.condition is not None and not criterion.condition.holds(ctx):
            continue
        for case in criterion.cases:
            if case.applies(ctx):
                text = case.reason.render(ctx, q.by_id, q.texts)
                reasons.append(
                    Reason(kind=case.outcome, text=text, rule=case.rule, since=case.spec.from_)
                )
                rank = RANK[case.outcome]
                steps.extend((rank, step) for step in case.next_steps)
                fiches.extend(case.fiches)
                worst = max(worst, rank)
                break
    status = STATUS_OF_RANK[worst]
    ctx.statuses[right.spec.id] = status
    # A right that is peu probable keeps only the steps about what fails, then its own.
    chosen = [step for rank, step in steps if rank == worst or worst < RANK["non_remplie"]]
    if status in right.status_next_steps:
        chosen.extend(right.status_next_steps[status])
    else:
        day = ctx.values.day if ctx.values else None
        chosen.extend(
            step
            for condition, step, period in right.next_steps
            if (period is None or day is None or period.in_force(day))
            and (condition is None or condition.holds(ctx))
        )
    amount = None
    exemptions: list[Exemption] = []
    if status != "peu_probable":
        if right.spec.amount:
            amount = _amount_info(q, ctx, category_reason)
        for exemption in right.exemptions:
            if exemption.condition is None or exemption.condition.holds(ctx):
                found = _exemption(q, ctx, exemption.scale, exemption.text)
                if found is not None:
                    exemptions.append(found)
    rendered_steps = [step.render(ctx, q.by_id, q.texts) for step in chosen]
    return RightResult(
        id=right.spec.id,
        title=right.spec.title,
        status=status,
        status_label=q.texts.statuses[status],
        reasons=tuple(reasons),
        fiches=tuple(dict.fromkeys((*right.spec.fiches, *fiches))),
        next_steps=tuple(dict.fromkeys(rendered_steps)),
        amount=amount,
        exemptions=tuple(exemptions),
    )


def _amount_info(q: Questionnaire, ctx: Context, category_reason: str) -> AmountInfo | None:
    values = ctx.values
    assert values is not None and values.category is not None
    scale = values.amounts.baremes.get(q.category_scale)
    period = values.period(q.category_scale)
    if scale is None or period is None or values.category not in period.montants:
        return None
    return AmountInfo(
        scale=q.category_scale,
        category=values.category,
        category_label=scale.categories[values.category],
        category_reason=category_reason,
        amount=period.montants[values.category],
        unit=scale.unite,
        since=period.depuis,
        source=AmountSource(
            title=period.source.titre, url=str(period.source.url), date=period.source.date
        ),
        indexation_notice=_indexation_notice(values, q.category_scale, period.depuis),
    )


def _indexation_notice(values: Values, scale: str, since: dt.date) -> str | None:
    """The sentence saying that an indexation made this amount out of date, if one did."""
    pending = values.amounts.pending_indexation(scale, values.day)
    return pending.notice(since, several=False) if pending else None


def _exemption(q: Questionnaire, ctx: Context, name: str, text: Template) -> Exemption | None:
    values = ctx.values
    assert values is not None
    scale = values.amounts.baremes.get(name)
    period = values.period(name)
    if scale is None or period is None or len(period.montants) != 1:
        return None
    return Exemption(
        scale=name,
        title=scale.titre,
        amount=next(iter(period.montants.values())),
        unit=scale.unite,
        since=period.depuis,
        source=AmountSource(
            title=period.source.titre, url=str(period.source.url), date=period.source.date
        ),
        text=text.render(ctx, q.by_id, q.texts),
        indexation_notice=_indexation_notice(values, name, period.depuis),
    )


# --- summaries ------------------------------------------------------------------------------


def summary_rows(q: Questionnaire, answers: Answers | Walk) -> list[SummaryRow]:
    """« Vérifiez vos réponses »: each question asked and answered, with the answer in words."""
    walked = walk(q, answers)
    kept = walked.kept
    return [
        SummaryRow(
            question_id=question.id,
            label=question.summary,
            answer=format_answer(question, kept[question.id], q.texts),
        )
        for question in walked.shown
        if question.id in kept
    ]


def summarize(
    q: Questionnaire, answers: Answers | Walk, rows: Sequence[SummaryRow] | None = None
) -> str:
    """A neutral summary of the situation, without name or identifier, to start a question
    (from ``rows``, the answers' ``summary_rows``, when the caller has them already)."""
    lines = [q.texts.summary_intro]
    lines += [f"- {row.label} : {row.answer}" for row in rows or summary_rows(q, answers)]
    return "\n".join(lines)
