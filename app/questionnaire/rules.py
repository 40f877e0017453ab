"""The small condition language of the questionnaire's YAML, parsed once at load.

A condition is a YAML mapping:

``{all: [c, …]}`` / ``{any: [c, …]}`` / ``{not: c}``
    and, or, not.
``{answer: ID, TEST: VALUE}`` with exactly one TEST:
    ``answered: true|false`` (any question: was it asked and answered?);
    ``eq: V`` (choice: an option value; yesno: true or false; number, money: a number);
    ``in: [V, …]`` (choice); ``contains: V`` / ``contains_any: [V, …]`` (multi);
    ``lt`` ``lte`` ``gt`` ``gte``: AMOUNT (number, money).
``{total: [ID, …], lt|lte|gt|gte: AMOUNT}``
    the sum of number or money answers; a question not asked counts 0.
``{right: ID, status: S | [S, …]}``
    the status of a right listed earlier in droits.yaml (rules of droits.yaml only).

AMOUNT is a number, ``{threshold: NAME}`` (a dated value of droits.yaml, such as the pension
age), ``{amount: SCALE}`` or ``{amount: SCALE.CATEGORY}`` with an optional ``times: N`` (a dated
amount of montants.yaml; without a category, the person's category), or a list of these, added.

Every test but ``answered: false`` is false when the question was not asked (so ``not`` of it is
true). A question's ``when`` may only look at earlier questions, and not at amounts, thresholds
or rights. Texts may hold ``{amount:SCALE[.CATEGORY]}``, ``{since:SCALE}`` (the date of that
amount), ``{threshold:NAME}`` and ``{answer:ID}``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.amounts import Amounts, Period
from app.questionnaire.model import (
    AnswerValue,
    Case,
    CategoryRule,
    Dated,
    Outcome,
    Question,
    RightSpec,
    Status,
    Texts,
    ThresholdPeriod,
)
from app.templating import date_fr, euros

Path = tuple[str | int, ...]
COMPARISONS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
}
STATUSES = ("probable", "possible", "peu_probable")


# --- values known only on the day of the evaluation -----------------------------------------


class Values:
    """Thresholds and amounts in force on one day, and the person's category, for one run."""

    __slots__ = ("amounts", "category", "category_scale", "day", "thresholds", "_periods")

    def __init__(
        self,
        amounts: Amounts,
        thresholds: Mapping[str, tuple[ThresholdPeriod, ...]],
        day: dt.date,
        category_scale: str,
    ) -> None:
        self.amounts = amounts
        self.thresholds = thresholds
        self.day = day
        self.category_scale = category_scale
        self.category: str | None = None
        self._periods: dict[str, Period | None] = {}

    def period(self, scale: str) -> Period | None:
        """The period of ``scale`` in force on the day; None before the first one."""
        if scale not in self._periods:
            found = self.amounts.baremes.get(scale)
            try:
                self._periods[scale] = found.on(self.day) if found else None
            except LookupError:
                self._periods[scale] = None
        return self._periods[scale]

    def category_of(self, scale: str) -> str | None:
        """The category meant by ``{amount: SCALE}``: the only one, or the person's."""
        found = self.amounts.baremes.get(scale)
        if found is None:
            return None
        if len(found.categories) == 1:
            return next(iter(found.categories))
        return self.category if self.category in found.categories else None

    def amount(self, scale: str, category: str | None) -> Decimal | None:
        period = self.period(scale)
        category = category or self.category_of(scale)
        if period is None or category is None:
            return None
        return period.montants.get(category)

    def threshold(self, name: str) -> Decimal | None:
        in_force = [p for p in self.thresholds.get(name, ()) if p.since <= self.day]
        if not in_force:
            return None
        return max(in_force, key=lambda p: p.since).value


@dataclass(slots=True)
class Context:
    """What a condition looks at: the answers, and on evaluation the day's values."""

    answers: Mapping[str, AnswerValue]
    values: Values | None = None
    statuses: dict[str, Status] = field(default_factory=dict)


# --- amounts in conditions ------------------------------------------------------------------


class Amount:
    __slots__ = ()

    def value(self, ctx: Context) -> Decimal | None:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Number(Amount):
    number: Decimal

    def value(self, ctx: Context) -> Decimal | None:
        return self.number


@dataclass(frozen=True, slots=True)
class ThresholdRef(Amount):
    name: str

    def value(self, ctx: Context) -> Decimal | None:
        return ctx.values.threshold(self.name) if ctx.values else None


@dataclass(frozen=True, slots=True)
class AmountRef(Amount):
    scale: str
    category: str | None
    times: int = 1

    def value(self, ctx: Context) -> Decimal | None:
        found = ctx.values.amount(self.scale, self.category) if ctx.values else None
        return None if found is None else found * self.times


@dataclass(frozen=True, slots=True)
class Sum(Amount):
    terms: tuple[Amount, ...]

    def value(self, ctx: Context) -> Decimal | None:
        total = Decimal(0)
        for term in self.terms:
            found = term.value(ctx)
            if found is None:
                return None
            total += found
        return total


# --- conditions -----------------------------------------------------------------------------


class Condition:
    __slots__ = ()

    def holds(self, ctx: Context) -> bool:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class AllOf(Condition):
    items: tuple[Condition, ...]

    def holds(self, ctx: Context) -> bool:
        # Loops rather than all(…) over a generator: the evaluation runs on every result page.
        for item in self.items:  # noqa: SIM110
            if not item.holds(ctx):
                return False
        return True


@dataclass(frozen=True, slots=True)
class AnyOf(Condition):
    items: tuple[Condition, ...]

    def holds(self, ctx: Context) -> bool:
        for item in self.items:  # noqa: SIM110 - as above
            if item.holds(ctx):
                return True
        return False


@dataclass(frozen=True, slots=True)
class Not(Condition):
    item: Condition

    def holds(self, ctx: Context) -> bool:
        return not self.item.holds(ctx)


@dataclass(frozen=True, slots=True)
class Answered(Condition):
    question: str
    expected: bool

    def holds(self, ctx: Context) -> bool:
        return (self.question in ctx.answers) is self.expected


@dataclass(frozen=True, slots=True)
class Equals(Condition):
    question: str
    value: AnswerValue

    def holds(self, ctx: Context) -> bool:
        found = ctx.answers.get(self.question)
        # bool is an int: keep « eq: true » and « eq: 1 » apart.
        return (
            found is not None
            and isinstance(found, bool) is isinstance(self.value, bool)
            and found == self.value
        )


@dataclass(frozen=True, slots=True)
class OneOf(Condition):
    question: str
    values: frozenset[str]

    def holds(self, ctx: Context) -> bool:
        found = ctx.answers.get(self.question)
        return isinstance(found, str) and found in self.values


@dataclass(frozen=True, slots=True)
class Contains(Condition):
    question: str
    values: frozenset[str]  # any of them

    def holds(self, ctx: Context) -> bool:
        found = ctx.answers.get(self.question)
        return isinstance(found, tuple) and not self.values.isdisjoint(found)


@dataclass(frozen=True, slots=True)
class Compare(Condition):
    questions: tuple[str, ...]
    total: bool  # True: missing answers count 0; False: a missing answer makes it false
    operator: str
    amount: Amount

    def holds(self, ctx: Context) -> bool:
        left = Decimal(0)
        for question in self.questions:
            found = ctx.answers.get(question)
            if found is None or isinstance(found, bool | str | tuple):
                if not self.total:
                    return False
                continue
            left += found
        right = self.amount.value(ctx)
        return right is not None and COMPARISONS[self.operator](left, right)


@dataclass(frozen=True, slots=True)
class RightIs(Condition):
    right: str
    statuses: frozenset[str]

    def holds(self, ctx: Context) -> bool:
        return ctx.statuses.get(self.right) in self.statuses


# --- parsing --------------------------------------------------------------------------------


@dataclass
class Scope:
    """What a condition may refer to where it stands, and where to note its problems."""

    questions: Mapping[str, Question]  # the questions it may look at
    all_questions: Mapping[str, Question]
    problems: list[tuple[Path, str]]
    thresholds: frozenset[str] | None = None  # None: no dated value allowed here
    amounts: Amounts | None = None  # None: amount names are not checked (amounts not loaded)
    amounts_allowed: bool = False
    category_scale: str | None = None
    category_known: bool = True  # False inside the category rules themselves
    rights: frozenset[str] | None = None  # earlier rights; None: no right allowed here
    all_rights: frozenset[str] = frozenset()

    def problem(self, path: Path, message: str) -> None:
        self.problems.append((path, message))


def _is_number(raw: object) -> bool:
    return isinstance(raw, int | float | Decimal) and not isinstance(raw, bool)


def _number(raw: object) -> Decimal:
    return Decimal(str(raw))


def parse_condition(raw: object, path: Path, scope: Scope) -> Condition | None:
    """A condition from its YAML form, or None after noting its problems in ``scope``."""
    if not isinstance(raw, dict) or not raw:
        scope.problem(path, "une condition s'écrit {all: …}, {any: …}, {not: …}, {answer: …}, …")
        return None
    keys = set(raw)
    for combinator, build in (("all", AllOf), ("any", AnyOf)):
        if combinator in keys:
            if keys != {combinator}:
                scope.problem(path, f"« {combinator} » s'écrit seul dans sa condition")
                return None
            items = raw[combinator]
            if not isinstance(items, list) or not items:
                scope.problem((*path, combinator), f"« {combinator} » attend une liste non vide")
                return None
            parsed = [
                parse_condition(item, (*path, combinator, index), scope)
                for index, item in enumerate(items)
            ]
            if any(item is None for item in parsed):
                return None
            return build(tuple(item for item in parsed if item is not None))
    if "not" in keys:
        if keys != {"not"}:
            scope.problem(path, "« not » s'écrit seul dans sa condition")
            return None
        inner = parse_condition(raw["not"], (*path, "not"), scope)
        return None if inner is None else Not(inner)
    if "answer" in keys:
        return _parse_answer_test(raw, path, scope)
    if "total" in keys:
        return _parse_total(raw, path, scope)
    if "right" in keys:
        return _parse_right(raw, path, scope)
    scope.problem(
        path,
        f"condition inconnue « {', '.join(map(str, sorted(keys, key=str)))} » : "
        "utilise all, any, not, answer, total ou right",
    )
    return None


def _question(raw: object, path: Path, scope: Scope) -> Question | None:
    if not isinstance(raw, str) or raw not in scope.all_questions:
        scope.problem(path, f"la question « {raw} » n'existe pas")
        return None
    if raw not in scope.questions:
        scope.problem(
            path,
            f"la question « {raw} » vient après celle-ci : une question ne dépend "
            "que des questions précédentes",
        )
        return None
    return scope.questions[raw]


def _option_values(question: Question, raw: object, path: Path, scope: Scope) -> list[str]:
    """The option values in ``raw`` (one or a list), each checked against the question."""
    values = raw if isinstance(raw, list) else [raw]
    if not values:
        scope.problem(path, "la liste des réponses est vide")
    known = [option.value for option in question.options]
    good = []
    for index, value in enumerate(values):
        where = (*path, index) if isinstance(raw, list) else path
        if value in known:
            good.append(str(value))
        else:
            scope.problem(
                where,
                f"« {value} » n'est pas une réponse de la question « {question.id} » "
                f"(réponses : {', '.join(known)})",
            )
    return good if len(good) == len(values) and values else []


def _parse_answer_test(raw: dict[str, Any], path: Path, scope: Scope) -> Condition | None:
    tests = sorted(set(raw) - {"answer"})
    question = _question(raw["answer"], (*path, "answer"), scope)
    if len(tests) != 1:
        scope.problem(
            path,
            "« answer » demande exactement un test parmi answered, eq, in, contains, "
            "contains_any, lt, lte, gt, gte",
        )
        return None
    if question is None:
        return None
    test = tests[0]
    value = raw[test]
    where = (*path, test)
    kind = question.type

    def wrong_type(allowed: str) -> None:
        scope.problem(
            where,
            f"« {test} » ne s'applique qu'aux questions {allowed} ; « {question.id} » "
            f"est de type {kind}",
        )

    if test == "answered":
        if not isinstance(value, bool):
            scope.problem(where, "« answered » vaut true ou false")
            return None
        return Answered(question.id, value)
    if test == "eq":
        if kind == "choice":
            values = _option_values(question, value, where, scope)
            return Equals(question.id, values[0]) if len(values) == 1 else None
        if kind == "yesno":
            if not isinstance(value, bool):
                scope.problem(where, f"« {question.id} » est une question oui/non : true ou false")
                return None
            return Equals(question.id, value)
        if kind in ("number", "money"):
            if not _is_number(value):
                scope.problem(where, f"« {question.id} » attend un nombre")
                return None
            return Equals(question.id, _number(value))
        wrong_type("choice, yesno, number ou money (pour multi, utilise contains)")
        return None
    if test == "in":
        if kind != "choice":
            wrong_type("choice")
            return None
        if not isinstance(value, list):
            scope.problem(where, "« in » attend une liste de réponses")
            return None
        values = _option_values(question, value, where, scope)
        return OneOf(question.id, frozenset(values)) if values else None
    if test in ("contains", "contains_any"):
        if kind != "multi":
            wrong_type("multi")
            return None
        if test == "contains_any" and not isinstance(value, list):
            scope.problem(where, "« contains_any » attend une liste de réponses")
            return None
        if test == "contains" and isinstance(value, list):
            scope.problem(where, "« contains » attend une seule réponse (ou utilise contains_any)")
            return None
        values = _option_values(question, value, where, scope)
        return Contains(question.id, frozenset(values)) if values else None
    if test in COMPARISONS:
        if kind not in ("number", "money"):
            wrong_type("number ou money")
            return None
        amount = parse_amount(value, where, scope)
        return None if amount is None else Compare((question.id,), False, test, amount)
    scope.problem(where, f"test inconnu « {test} »")
    return None


def _parse_total(raw: dict[str, Any], path: Path, scope: Scope) -> Condition | None:
    tests = sorted(set(raw) - {"total"})
    if len(tests) != 1 or tests[0] not in COMPARISONS:
        scope.problem(path, "« total » demande exactement un test parmi lt, lte, gt, gte")
        return None
    names = raw["total"]
    if not isinstance(names, list) or not names:
        scope.problem((*path, "total"), "« total » attend une liste de questions")
        return None
    questions = [_question(name, (*path, "total", i), scope) for i, name in enumerate(names)]
    ok = True
    for index, question in enumerate(questions):
        if question is None:
            ok = False
        elif question.type not in ("number", "money"):
            scope.problem((*path, "total", index), f"« {question.id} » n'est pas un nombre")
            ok = False
    amount = parse_amount(raw[tests[0]], (*path, tests[0]), scope)
    if not ok or amount is None:
        return None
    return Compare(tuple(str(name) for name in names), True, tests[0], amount)


def _parse_right(raw: dict[str, Any], path: Path, scope: Scope) -> Condition | None:
    if set(raw) != {"right", "status"}:
        scope.problem(path, "« right » s'écrit {right: ID, status: [probable, possible]}")
        return None
    name = raw["right"]
    if scope.rights is None:
        scope.problem(path, "une question ne peut pas dépendre du statut d'un droit")
        return None
    if name not in scope.all_rights:
        scope.problem((*path, "right"), f"le droit « {name} » n'existe pas")
        return None
    if name not in scope.rights:
        scope.problem(
            (*path, "right"), f"le droit « {name} » doit être décrit avant celui qui s'y réfère"
        )
        return None
    statuses = raw["status"] if isinstance(raw["status"], list) else [raw["status"]]
    unknown = [status for status in statuses if status not in STATUSES]
    if unknown or not statuses:
        scope.problem(
            (*path, "status"), f"statut inconnu ({', '.join(map(str, unknown))}) : {STATUSES}"
        )
        return None
    return RightIs(str(name), frozenset(statuses))


def parse_amount(raw: object, path: Path, scope: Scope) -> Amount | None:
    """A number, a threshold, an amount of montants.yaml, or a list of them (added)."""
    if _is_number(raw):
        return Number(_number(raw))
    if isinstance(raw, list) and raw:
        terms = [parse_amount(item, (*path, index), scope) for index, item in enumerate(raw)]
        if any(term is None for term in terms):
            return None
        return Sum(tuple(term for term in terms if term is not None))
    if isinstance(raw, dict) and set(raw) == {"threshold"}:
        name = raw["threshold"]
        if scope.thresholds is None:
            scope.problem(path, "une question ne dépend pas d'une valeur datée (threshold)")
            return None
        if name not in scope.thresholds:
            scope.problem((*path, "threshold"), f"le seuil « {name} » n'existe pas")
            return None
        return ThresholdRef(str(name))
    if isinstance(raw, dict) and "amount" in raw and set(raw) <= {"amount", "times"}:
        if not scope.amounts_allowed:
            scope.problem(path, "une question ne dépend pas d'un montant")
            return None
        times = raw.get("times", 1)
        if not isinstance(times, int) or isinstance(times, bool) or times < 1:
            scope.problem((*path, "times"), "« times » est un nombre entier, 1 ou plus")
            return None
        ref = parse_amount_name(raw["amount"], (*path, "amount"), scope)
        return None if ref is None else AmountRef(ref[0], ref[1], times)
    scope.problem(
        path,
        "un montant s'écrit comme un nombre, {threshold: NOM}, {amount: BAREME} "
        "ou {amount: BAREME.CATEGORIE}",
    )
    return None


def parse_amount_name(raw: object, path: Path, scope: Scope) -> tuple[str, str | None] | None:
    """``SCALE`` or ``SCALE.CATEGORY``, checked against montants.yaml when it is loaded."""
    if not isinstance(raw, str) or not re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)?", raw):
        scope.problem(path, f"nom de montant invalide « {raw} » : BAREME ou BAREME.CATEGORIE")
        return None
    scale, _, category = raw.partition(".")
    if scope.amounts is not None:
        found = scope.amounts.baremes.get(scale)
        if found is None:
            scope.problem(path, f"le barème « {scale} » n'existe pas dans montants.yaml")
            return None
        if category and category not in found.categories:
            scope.problem(
                path,
                f"la catégorie « {category} » n'existe pas dans le barème « {scale} » "
                f"({', '.join(found.categories)})",
            )
            return None
        if not category and len(found.categories) > 1:
            person_scale = scope.amounts.baremes.get(scope.category_scale or "")
            covers = person_scale is not None and set(person_scale.categories) <= set(
                found.categories
            )
            if not covers:
                scope.problem(
                    path, f"le barème « {scale} » a plusieurs catégories : précise-la ({scale}.…)"
                )
                return None
            if not scope.category_known:
                scope.problem(path, "la catégorie de la personne n'est pas encore connue ici")
                return None
    return scale, category or None


# --- texts with placeholders ----------------------------------------------------------------

PLACEHOLDER = re.compile(r"\{([a-z_]+):([a-z0-9_.]+)\}")


@dataclass(frozen=True, slots=True)
class Placeholder:
    kind: str  # amount, since, threshold, answer
    name: str
    category: str | None = None


@dataclass(frozen=True, slots=True)
class Template:
    parts: tuple[str | Placeholder, ...]

    @property
    def personal(self) -> bool:
        """Whether the text shows one of the person's answers (``{answer:…}``)."""
        return any(isinstance(part, Placeholder) and part.kind == "answer" for part in self.parts)

    def render(self, ctx: Context, questions: Mapping[str, Question], texts: Texts | None) -> str:
        if len(self.parts) == 1 and isinstance(self.parts[0], str):
            return self.parts[0]
        unknown = texts.unknown_amount if texts else "?"
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            elif part.kind == "answer":
                found = ctx.answers.get(part.name)
                out.append(
                    "?" if found is None else format_answer(questions[part.name], found, texts)
                )
            elif ctx.values is None:
                out.append(unknown)
            elif part.kind == "amount":
                amount = ctx.values.amount(part.name, part.category)
                out.append(unknown if amount is None else euros(amount))
            elif part.kind == "since":
                period = ctx.values.period(part.name)
                out.append(unknown if period is None else date_fr(period.depuis))
            else:
                value = ctx.values.threshold(part.name)
                out.append(unknown if value is None else _plain_number(value))
        return "".join(out)


def parse_template(raw: str, path: Path, scope: Scope) -> Template:
    """A text with its placeholders checked; a bad one is noted and left as written."""
    parts: list[str | Placeholder] = []
    position = 0
    for match in PLACEHOLDER.finditer(raw):
        parts.append(raw[position : match.start()])
        position = match.end()
        kind, name = match.groups()
        placeholder = _placeholder(kind, name, path, scope)
        parts.append(placeholder if placeholder else match.group(0))
    parts.append(raw[position:])
    if any(brace in part for part in parts if isinstance(part, str) for brace in "{}"):
        scope.problem(
            path,
            "accolade inattendue : un texte peut contenir {amount:BAREME}, {since:BAREME}, "
            "{threshold:NOM} ou {answer:QUESTION}",
        )
    merged: list[str | Placeholder] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part != "":
            merged.append(part)
    return Template(tuple(merged) or ("",))


def _placeholder(kind: str, name: str, path: Path, scope: Scope) -> Placeholder | None:
    if kind == "answer":
        if name not in scope.all_questions:
            scope.problem(path, f"{{answer:{name}}} : la question « {name} » n'existe pas")
            return None
        return Placeholder(kind, name)
    if kind == "threshold":
        if scope.thresholds is None or name not in scope.thresholds:
            scope.problem(path, f"{{threshold:{name}}} : ce seuil n'existe pas")
            return None
        return Placeholder(kind, name)
    if kind in ("amount", "since"):
        ref = parse_amount_name(name, path, scope)
        if ref is None:
            return None
        if kind == "since" and ref[1]:
            scope.problem(path, f"{{since:{name}}} : écris seulement le barème")
            return None
        return Placeholder(kind, ref[0], ref[1])
    scope.problem(path, f"{{{kind}:…}} inconnu : amount, since, threshold ou answer")
    return None


def _plain_number(value: Decimal) -> str:
    return str(value.quantize(Decimal(1))) if value % 1 == 0 else str(value).replace(".", ",")


def format_answer(question: Question, value: AnswerValue, texts: Texts | None = None) -> str:
    """An answer in plain words: « 19 ans », « 850,00 € par mois », « Belge », « oui »."""
    if question.type == "yesno":
        word = (
            (texts.yes_label if value else texts.no_label) if texts else ("oui" if value else "non")
        )
        return word
    if question.type == "choice":
        option = question.option(str(value))
        return option.short if option else str(value)
    if question.type == "multi":
        values = value if isinstance(value, tuple) else ()
        shorts = []
        for item in values:
            option = question.option(item)
            shorts.append(option.short if option else item)
        return ", ".join(shorts)
    if isinstance(value, bool | str | tuple):
        return str(value)
    number = euros(value) if question.type == "money" else _plain_number(Decimal(value))
    if question.unit:
        unit = (
            question.unit.removeprefix("€").strip() if question.type == "money" else question.unit
        )
        return f"{number} {unit}" if unit else number
    return number


# --- the compiled questionnaire -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CompiledCase:
    condition: Condition | None
    outcome: Outcome
    reason: Template
    next_steps: tuple[Template, ...]
    fiches: tuple[str, ...]
    rule: str  # « ris.ressources.debiteurs », or « ris.ressources.3 » for a case without id
    spec: Case

    def applies(self, ctx: Context) -> bool:
        """In force on the day of the evaluation, and its ``when`` holds."""
        if ctx.values is not None and not self.spec.in_force(ctx.values.day):
            return False
        return self.condition is None or self.condition.holds(ctx)


@dataclass(frozen=True, slots=True)
class CompiledCriterion:
    id: str
    condition: Condition | None
    cases: tuple[CompiledCase, ...]


@dataclass(frozen=True, slots=True)
class CompiledExemption:
    scale: str
    condition: Condition | None
    text: Template


@dataclass(frozen=True, slots=True)
class CompiledRight:
    spec: RightSpec
    show_when: Condition | None
    criteria: tuple[CompiledCriterion, ...]
    exemptions: tuple[CompiledExemption, ...]
    # Each step with its condition and, when it is dated, its period.
    next_steps: tuple[tuple[Condition | None, Template, Dated | None], ...]
    status_next_steps: Mapping[str, tuple[Template, ...]]


@dataclass(frozen=True, slots=True)
class CompiledCategoryRule:
    condition: Condition | None
    spec: CategoryRule
    reason: Template

    def applies(self, ctx: Context) -> bool:
        if ctx.values is not None and not self.spec.in_force(ctx.values.day):
            return False
        return self.condition is None or self.condition.holds(ctx)


@dataclass(frozen=True, repr=False)
class Questionnaire:
    """The questions, rights and texts of content/questionnaire/, parsed and checked."""

    questions: tuple[Question, ...]
    texts: Texts
    rights: tuple[CompiledRight, ...]
    category_scale: str
    category_rules: tuple[CompiledCategoryRule, ...]
    thresholds: Mapping[str, tuple[ThresholdPeriod, ...]]
    visibility: Mapping[str, Condition | None]  # question id -> its compiled ``when``
    by_id: Mapping[str, Question] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {question.id: question for question in self.questions})

    def __repr__(self) -> str:
        return f"<Questionnaire: {len(self.questions)} questions, {len(self.rights)} droits>"

    def question(self, question_id: str) -> Question:
        """The question with this id; ``KeyError`` when there is none."""
        return self.by_id[question_id]

    @property
    def right_ids(self) -> Sequence[str]:
        return [right.spec.id for right in self.rights]
