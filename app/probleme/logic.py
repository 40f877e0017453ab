"""« J'ai un problème avec une décision du CPAS »: the data of the path and its pure logic.

``content/questionnaire/probleme.yaml`` holds the questions, what to do for each problem, the
letters and who helps. Nothing here knows about requests: ``evaluate(path, answers, today)``
gives the steps in order, with the deadlines computed from the dates the person gave.

Deadlines (bdas-wwsb.brussels ?p=4750, ?p=4777, ?p=7722; droitsquotidiens.be):
- appeal: 3 months from the notification, i.e. the day the registered letter was presented
  (or the receipt signed by hand); it does not run when the decision was not sent that way or
  lacks its required mentions;
- no decision: the CPAS decides within 30 days of the request and notifies within 8 days more.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.content import ContentError, Problem, validation_problems

FILE = Path("questionnaire") / "probleme.yaml"
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=60)]
Text = Annotated[str, Field(min_length=1, max_length=1200)]
Answers = Mapping[str, str]

APPEAL_MONTHS = 3
DECISION_DAYS = 30
NOTIFICATION_DAYS = 8
OLDEST_YEAR = 2000
MAX_RAW_LENGTH = 40
# How the decision came, and whether it names the appeal: the appeal clock runs only when
# both are as the law wants. « Je ne sais pas » counts as running: the careful reading.
SENT_PROPERLY = frozenset({"recommande", "main_propre", "ne_sais_pas"})
MENTIONS_GIVEN = frozenset({"oui", "ne_sais_pas"})
FACTS = frozenset(
    {
        "delai_court",  # the 3 months run and are not over
        "delai_depasse",  # the 3 months run and are over
        "delai_ne_court_pas",  # not sent by registered letter, or mentions missing
        "decision_en_retard",  # 30 + 8 days after the request are over
    }
)
DEADLINES = frozenset({"recours", "decision_attendue", "decision_notifiee"})
PLACEHOLDER = re.compile(r"\{(date|deadline):([a-z_]+)\}")


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Data):
    value: Identifier
    label: Text
    summary: Text | None = None


class Question(_Data):
    id: Identifier
    text: Text
    help: Text | None = None
    type: Literal["choice", "date"]
    options: tuple[Option, ...] = ()
    summary: Text
    when: Any = None

    @model_validator(mode="after")
    def _options(self) -> Question:
        if self.type == "choice" and len(self.options) < 2:
            raise ValueError("une question à choix demande au moins deux options")
        if self.type == "date" and self.options:
            raise ValueError("une question de date n'a pas d'options")
        return self

    def option(self, value: str) -> Option | None:
        return next((option for option in self.options if option.value == value), None)


class StepSpec(_Data):
    text: Text
    when: Any = None


class ProblemSpec(_Data):
    title: Text
    intro: Text
    steps: tuple[StepSpec, ...] = Field(min_length=1)
    letters: tuple[Identifier, ...] = ()
    fiches: tuple[str, ...] = ()


class LetterSpec(_Data):
    title: Text
    subject: Text
    paragraphs: tuple[Text, ...] = Field(min_length=1)


class Source(_Data):
    title: Text
    url: Text
    date: dt.date


class Helper(_Data):
    name: Text
    text: Text
    source: Source | None = None
    fiche: str | None = None


class ProblemFile(_Data):
    questions: tuple[Question, ...] = Field(min_length=1)
    problemes: dict[Identifier, ProblemSpec]
    letters: dict[Identifier, LetterSpec] = {}
    aides: tuple[Helper, ...] = Field(min_length=1)


# --- conditions -----------------------------------------------------------------------------

Condition = Callable[[Answers, frozenset[str]], bool]


def _compile(raw: object, questions: Mapping[str, Question], where: str) -> Condition:
    """A ``when`` of probleme.yaml as a function of (answers, facts); ValueError if malformed."""
    if not isinstance(raw, dict) or len(raw) not in (1, 2):
        raise ValueError(f"{where} : condition illisible : {raw!r}")
    if "all" in raw or "any" in raw:
        key = "all" if "all" in raw else "any"
        items = raw[key]
        if not isinstance(items, list) or not items:
            raise ValueError(f"{where} : « {key} » attend une liste de conditions")
        parts = [_compile(item, questions, where) for item in items]
        if key == "all":
            return lambda answers, facts: all(part(answers, facts) for part in parts)
        return lambda answers, facts: any(part(answers, facts) for part in parts)
    if "not" in raw:
        inner = _compile(raw["not"], questions, where)
        return lambda answers, facts: not inner(answers, facts)
    if "fact" in raw:
        fact = raw["fact"]
        if fact not in FACTS:
            raise ValueError(f"{where} : fait inconnu « {fact} » ({', '.join(sorted(FACTS))})")
        return lambda answers, facts: fact in facts
    qid = raw.get("answer")
    question = questions.get(qid) if isinstance(qid, str) else None
    if question is None or question.type != "choice":
        raise ValueError(f"{where} : « {qid} » n'est pas une question à choix")
    if "eq" in raw:
        wanted = [raw["eq"]]
    elif "in" in raw and isinstance(raw["in"], list):
        wanted = list(raw["in"])
    else:
        raise ValueError(f"{where} : une condition sur une réponse attend eq ou in")
    for value in wanted:
        if question.option(str(value)) is None:
            raise ValueError(f"{where} : « {value} » n'est pas une réponse de « {qid} »")
    allowed = frozenset(str(value) for value in wanted)
    return lambda answers, facts: answers.get(question.id) in allowed


# --- the loaded path ------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    condition: Condition | None
    text: str


@dataclass(frozen=True)
class ProblemPath:
    data: ProblemFile
    questions: tuple[Question, ...]
    by_id: Mapping[str, Question]
    visibility: Mapping[str, Condition | None]
    steps: Mapping[str, tuple[Step, ...]]


def load_problem_path(content_dir: Path) -> tuple[ProblemPath | None, list[Problem]]:
    """Read and check probleme.yaml: (the path, []) or (None, the problems)."""
    path = content_dir / FILE
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        return None, [Problem(path, 1, f"fichier illisible : {error}")]
    try:
        data = ProblemFile.model_validate(raw)
    except ValidationError as error:
        return None, validation_problems(path, error)
    problems: list[Problem] = []

    def problem(message: str) -> None:
        problems.append(Problem(path, 1, message))

    by_id: dict[str, Question] = {}
    visibility: dict[str, Condition | None] = {}
    for question in data.questions:
        if question.id in by_id:
            problem(f"la question « {question.id} » est en double")
        try:
            # A question may only look at the questions before it.
            visibility[question.id] = (
                _compile(question.when, by_id, f"questions.{question.id}.when")
                if question.when is not None
                else None
            )
        except ValueError as error:
            problem(str(error))
        by_id[question.id] = question
    first = data.questions[0]
    if first.id != "probleme" or first.type != "choice" or first.when is not None:
        problem("la première question doit être « probleme », une question à choix toujours posée")
    elif {o.value for o in first.options} != set(data.problemes):
        problem("chaque réponse de « probleme » doit avoir son entrée dans « problemes »")
    steps: dict[str, tuple[Step, ...]] = {}
    dates = {q.id for q in data.questions if q.type == "date"}
    for name, spec in data.problemes.items():
        compiled: list[Step] = []
        for index, step in enumerate(spec.steps):
            where = f"problemes.{name}.steps.{index}"
            try:
                condition = _compile(step.when, by_id, where) if step.when is not None else None
            except ValueError as error:
                problem(str(error))
                continue
            compiled.append(Step(condition, step.text))
            _check_placeholders(step.text, dates, where, problem)
        steps[name] = tuple(compiled)
        for letter in spec.letters:
            if letter not in data.letters:
                problem(f"problemes.{name}.letters : la lettre « {letter} » n'existe pas")
    for name, spec_letter in data.letters.items():
        for index, text in enumerate((spec_letter.subject, *spec_letter.paragraphs)):
            _check_placeholders(text, dates, f"letters.{name}.{index}", problem)
    if problems:
        return None, problems
    return (
        ProblemPath(
            data=data,
            questions=data.questions,
            by_id=by_id,
            visibility=visibility,
            steps=steps,
        ),
        [],
    )


def _check_placeholders(
    text: str, dates: set[str], where: str, problem: Callable[[str], None]
) -> None:
    for kind, name in PLACEHOLDER.findall(text):
        known = dates if kind == "date" else DEADLINES
        if name not in known:
            problem(f"{where} : {{{kind}:{name}}} inconnu ({', '.join(sorted(known))})")


def require_problem_path(content_dir: Path) -> ProblemPath:
    found, problems = load_problem_path(content_dir)
    if found is None:
        raise ContentError(problems)
    return found


def fiche_problems(content_dir: Path, path: ProblemPath) -> list[Problem]:
    """Links to fiches that do not exist (checked once the fiches folder has fiches)."""
    present = {file.stem for file in (content_dir / "fiches").glob("*.md")}
    if not present:
        return []
    wanted = {slug for spec in path.data.problemes.values() for slug in spec.fiches}
    wanted |= {helper.fiche for helper in path.data.aides if helper.fiche}
    return [
        Problem(content_dir / FILE, 1, f"la fiche « {slug} » n'existe pas dans fiches/")
        for slug in sorted(wanted - present)
    ]


def check_problem_path(content_dir: Path) -> list[Problem]:
    found, problems = load_problem_path(content_dir)
    return problems if found is None else fiche_problems(content_dir, found)


# --- the walk -------------------------------------------------------------------------------


def visible_questions(path: ProblemPath, answers: Answers) -> list[Question]:
    """The questions asked given the answers (a question sees only earlier answers)."""
    shown: list[Question] = []
    for question in path.questions:
        condition = path.visibility[question.id]
        if condition is None or condition(answers, frozenset()):
            shown.append(question)
    return shown


def kept_answers(path: ProblemPath, answers: Answers) -> dict[str, str]:
    """The answers to questions still asked; the others are dropped."""
    return {q.id: answers[q.id] for q in visible_questions(path, answers) if q.id in answers}


def next_question(path: ProblemPath, answers: Answers) -> Question | None:
    return next((q for q in visible_questions(path, answers) if q.id not in answers), None)


def following(path: ProblemPath, answers: Answers, question_id: str) -> Question | None:
    shown = visible_questions(path, answers)
    ids = [question.id for question in shown]
    index = ids.index(question_id) if question_id in ids else len(ids)
    return shown[index + 1] if index + 1 < len(shown) else None


def previous(path: ProblemPath, answers: Answers, question_id: str) -> Question | None:
    shown = visible_questions(path, answers)
    ids = [question.id for question in shown]
    if question_id not in ids or ids.index(question_id) == 0:
        return None
    return shown[ids.index(question_id) - 1]


def reachable(path: ProblemPath, answers: Answers, question_id: str) -> bool:
    """True when the question is asked and every question before it is answered."""
    for question in visible_questions(path, answers):
        if question.id == question_id:
            return True
        if question.id not in answers:
            return False
    return False


# --- one answer -----------------------------------------------------------------------------

DATE_FORMATS = (
    re.compile(r"(?P<d>\d{1,2})[/.\- ](?P<m>\d{1,2})[/.\- ](?P<y>\d{4})"),
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
)
DATE_REQUIRED = "Indique la date, par exemple 15/03/2026"
DATE_FORMAT = "Écris la date en chiffres : jour/mois/année, par exemple 15/03/2026"
DATE_MISSING = "Cette date n'existe pas : vérifie le jour et le mois"
DATE_FUTURE = "Cette date est dans le futur : indique une date passée, ou celle d'aujourd'hui"
DATE_OLD = f"Vérifie l'année : indique une date après {OLDEST_YEAR}"
CHOICE_REQUIRED = "Choisis une réponse"
CHOICE_FORMAT = "Choisis une des réponses proposées"


def parse_date(raw: str, today: dt.date) -> tuple[dt.date | None, str | None]:
    """« 15/03/2026 », « 15-3-2026 », « 2026-03-15 » as a date, or the error to show."""
    text = raw.strip()
    if not text:
        return None, DATE_REQUIRED
    if len(text) > MAX_RAW_LENGTH:
        return None, DATE_FORMAT
    for pattern in DATE_FORMATS:
        match = pattern.fullmatch(text)
        if match:
            break
    else:
        return None, DATE_FORMAT
    year, month, day = (int(match.group(part)) for part in ("y", "m", "d"))
    try:
        value = dt.date(year, month, day)
    except ValueError:
        return None, DATE_MISSING
    if value > today:
        return None, DATE_FUTURE
    if year < OLDEST_YEAR:
        return None, DATE_OLD
    return value, None


def parse_answer(
    question: Question, raw: list[str], today: dt.date
) -> tuple[str | None, str | None]:
    """The stored form of an answer (an option value, or an ISO date), or the error to show."""
    values = [value.strip() for value in raw if value.strip()]
    if question.type == "date":
        if len(values) > 1:
            return None, DATE_FORMAT
        value, error = parse_date(values[0] if values else "", today)
        return (value.isoformat() if value else None), error
    if not values:
        return None, CHOICE_REQUIRED
    if len(values) > 1 or question.option(values[0]) is None:
        return None, CHOICE_FORMAT
    return values[0], None


def answer_date(answers: Answers, qid: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(answers[qid]) if qid in answers else None
    except ValueError:
        return None


def display_value(question: Question, value: str) -> str:
    """« 15/03/2026 » for a date (as typed back in the field), the value for a choice."""
    if question.type == "date":
        day = dt.date.fromisoformat(value)
        return f"{day.day:02d}/{day.month:02d}/{day.year}"
    return value


def clean_answers(path: ProblemPath, raw: Mapping[str, object], today: dt.date) -> dict[str, str]:
    """Answers read back from a token: anything invalid today is dropped (asked again)."""
    answers: dict[str, str] = {}
    for qid, value in raw.items():
        question = path.by_id.get(qid) if isinstance(qid, str) else None
        if question is None or not isinstance(value, str):
            continue
        shown = display_value(question, value) if question.type == "date" and _iso(value) else value
        parsed, error = parse_answer(question, [shown], today)
        if error is None and parsed is not None:
            answers[qid] = parsed
    return kept_answers(path, answers)


def _iso(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


# --- deadlines and the result ---------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; the last day of the month when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def deadlines(answers: Answers) -> dict[str, dt.date]:
    """The dates that follow from the answers: the last day to appeal, when a decision is due."""
    found: dict[str, dt.date] = {}
    letter = answer_date(answers, "date_lettre")
    if letter is not None:
        found["recours"] = add_months(letter, APPEAL_MONTHS)
    request = answer_date(answers, "date_demande")
    if request is not None:
        found["decision_attendue"] = request + dt.timedelta(days=DECISION_DAYS)
        found["decision_notifiee"] = found["decision_attendue"] + dt.timedelta(
            days=NOTIFICATION_DAYS
        )
    return found


def facts(answers: Answers, today: dt.date) -> frozenset[str]:
    """The facts that the steps of probleme.yaml test (``{fact: …}``)."""
    found: set[str] = set()
    dates = deadlines(answers)
    if "recours" in dates:
        runs = answers.get("envoi") in SENT_PROPERLY and answers.get("mentions") in MENTIONS_GIVEN
        if not runs:
            found.add("delai_ne_court_pas")
        elif today > dates["recours"]:
            found.add("delai_depasse")
        else:
            found.add("delai_court")
    if "decision_notifiee" in dates and today > dates["decision_notifiee"]:
        found.add("decision_en_retard")
    return frozenset(found)


def fill(
    text: str, answers: Answers, dates: Mapping[str, dt.date], date_fr: Callable[[dt.date], str]
) -> str:
    """The text with {date:…} and {deadline:…} replaced by dates in words."""

    def replace(match: re.Match[str]) -> str:
        kind, name = match.groups()
        day = answer_date(answers, name) if kind == "date" else dates.get(name)
        return date_fr(day) if day else "…"

    return PLACEHOLDER.sub(replace, text)


class Deadline(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    day: dt.date
    days_left: int  # negative once passed


class SummaryRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    question_id: str
    label: str
    answer: str


class ProblemResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    problem: str
    title: str
    intro: str
    steps: tuple[str, ...]
    deadlines: tuple[Deadline, ...]
    facts: frozenset[str]
    letters: tuple[str, ...]
    fiches: tuple[str, ...]
    rows: tuple[SummaryRow, ...]


def summary_rows(
    path: ProblemPath, answers: Answers, date_fr: Callable[[dt.date], str]
) -> list[SummaryRow]:
    rows = []
    for question in visible_questions(path, answers):
        value = answers.get(question.id)
        if value is None:
            continue
        if question.type == "date":
            day = answer_date(answers, question.id)
            text = date_fr(day) if day else value
        else:
            option = question.option(value)
            text = (option.summary or option.label) if option else value
        rows.append(SummaryRow(question_id=question.id, label=question.summary, answer=text))
    return rows


def evaluate(
    path: ProblemPath, answers: Answers, today: dt.date, date_fr: Callable[[dt.date], str]
) -> ProblemResult:
    """What to do, in order, for the problem chosen; deadlines computed on ``today``."""
    kept = kept_answers(path, answers)
    problem = kept["probleme"]
    spec = path.data.problemes[problem]
    found = facts(kept, today)
    dates = deadlines(kept)
    steps = tuple(
        fill(step.text, kept, dates, date_fr)
        for step in path.steps[problem]
        if step.condition is None or step.condition(kept, found)
    )
    return ProblemResult(
        problem=problem,
        title=spec.title,
        intro=spec.intro,
        steps=steps,
        deadlines=tuple(
            Deadline(name=name, day=day, days_left=(day - today).days)
            for name, day in dates.items()
        ),
        facts=found,
        letters=spec.letters,
        fiches=spec.fiches,
        rows=tuple(summary_rows(path, kept, date_fr)),
    )


@dataclass(frozen=True)
class Letter:
    id: str
    title: str
    subject: str
    paragraphs: tuple[str, ...]


def letter(
    path: ProblemPath, letter_id: str, answers: Answers, date_fr: Callable[[dt.date], str]
) -> Letter | None:
    """A letter of the problem chosen, filled with the dates given; None if not offered."""
    kept = kept_answers(path, answers)
    problem = kept.get("probleme")
    if problem is None or letter_id not in path.data.problemes[problem].letters:
        return None
    spec = path.data.letters[letter_id]
    dates = deadlines(kept)
    return Letter(
        id=letter_id,
        title=spec.title,
        subject=fill(spec.subject, kept, dates, date_fr),
        paragraphs=tuple(fill(text, kept, dates, date_fr) for text in spec.paragraphs),
    )
