"""Read ``content/questionnaire/*.yaml``, check everything, and build a ``Questionnaire``.

Every problem carries the file and the line of the YAML node it is about, so that
``check-content`` can print ``fichier:ligne: message``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path as FilePath
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from app.amounts import Amounts, load_amounts
from app.content import Problem
from app.questionnaire.model import (
    Dated,
    ErrorMessages,
    Question,
    QuestionsFile,
    RightsFile,
    RightSpec,
    Step,
    Texts,
)
from app.questionnaire.rules import (
    CompiledCase,
    CompiledCategoryRule,
    CompiledCriterion,
    CompiledExemption,
    CompiledRight,
    Condition,
    Path,
    Questionnaire,
    Scope,
    Template,
    parse_condition,
    parse_template,
)

FOLDER = "questionnaire"
QUESTIONS_FILE = "questions.yaml"
RIGHTS_FILE = "droits.yaml"
TEXTS_FILE = "textes.yaml"
FICHES_FOLDER = "fiches"

Model = TypeVar("Model", bound=BaseModel)

# The messages each type of question may need, from the question or from textes.yaml.
NEEDED_MESSAGES = {
    "choice": ("required", "format"),
    "multi": ("required", "format", "exclusive"),
    "yesno": ("required", "format"),
    "number": ("required", "format", "min", "max"),
    "money": ("required", "format", "min", "max"),
}


class YamlFile:
    """A YAML file's data, with the line of every key and item, found by its path."""

    def __init__(self, path: FilePath) -> None:
        self.path = path
        self.data: Any = None
        self.lines: dict[Path, int] = {}
        self.problems: list[Problem] = []
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            self.problems.append(Problem(path, 1, "fichier introuvable"))
            return
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            if node is not None:
                self.data = loader.construct_document(node)
                self._note_lines(node, ())
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 1 if mark is not None else 1
            self.problems.append(Problem(path, line, f"YAML invalide : {error}"))
        finally:
            loader.dispose()

    def _note_lines(self, node: yaml.Node, path: Path) -> None:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = (*path, str(key_node.value))
                self._note_lines(value_node, key)
                # A key's own line is more telling than its value's (a list starts below it).
                self.lines[key] = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._note_lines(item, (*path, index))

    def line(self, path: Path) -> int:
        """The line of ``path``, or of its nearest parent that the file has."""
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)

    def problem(self, path: Path, message: str) -> Problem:
        return Problem(self.path, self.line(path), message)

    def validate(self, model: type[Model]) -> Model | None:
        """The data as ``model``; its errors, in French, become problems with lines."""
        if self.problems:
            return None
        try:
            return model.model_validate(self.data)
        except ValidationError as error:
            for item in error.errors():
                path = tuple(item["loc"])
                where = ".".join(str(part) for part in path) or "document"
                self.problems.append(self.problem(path, f"{where} : {_french(item)}"))
            return None


PYDANTIC_MESSAGES = {
    "missing": "champ obligatoire manquant",
    "extra_forbidden": "champ inconnu",
    "string_type": "un texte est attendu",
    "string_too_short": "le texte est vide",
    "string_too_long": "le texte est trop long",
    "string_pattern_mismatch": "identifiant invalide (minuscules, chiffres, _ ou -)",
    "bool_type": "true ou false est attendu",
    "bool_parsing": "true ou false est attendu",
    "decimal_parsing": "un nombre est attendu",
    "decimal_type": "un nombre est attendu",
    "date_from_datetime_parsing": "une date AAAA-MM-JJ est attendue",
    "date_type": "une date AAAA-MM-JJ est attendue",
    "tuple_type": "une liste est attendue",
    "list_type": "une liste est attendue",
    "dict_type": "un dictionnaire est attendu",
    "model_type": "un dictionnaire est attendu",
    "too_short": "la liste est vide ou trop courte",
}


def _french(item: Any) -> str:
    kind = item["type"]
    if kind == "literal_error":
        expected = item.get("ctx", {}).get("expected", "")
        return f"valeur « {item.get('input')} » non permise (attendu : {expected})"
    if kind == "value_error":
        return str(item.get("ctx", {}).get("error", item["msg"]))
    return PYDANTIC_MESSAGES.get(kind, str(item["msg"]))


def load_questionnaire(
    content_dir: FilePath, amounts: Amounts | None = None
) -> tuple[Questionnaire | None, list[Problem]]:
    """Read, check and compile the questionnaire; ``(None, problems)`` when it has any.

    ``amounts`` (read from ``montants.yaml`` when not given) lets the names of scales and
    categories used in the rules be checked; the problems of montants.yaml itself are left to
    ``load_amounts``.
    """
    folder = content_dir / FOLDER
    if amounts is None:
        amounts, _ = load_amounts(content_dir)
    questions_file = YamlFile(folder / QUESTIONS_FILE)
    rights_file = YamlFile(folder / RIGHTS_FILE)
    texts_file = YamlFile(folder / TEXTS_FILE)
    questions = questions_file.validate(QuestionsFile)
    rights = rights_file.validate(RightsFile)
    texts = texts_file.validate(Texts)
    problems = questions_file.problems + rights_file.problems + texts_file.problems
    if questions is None:
        return None, sorted(problems)

    by_id: dict[str, Question] = {}
    visibility: dict[str, Condition | None] = {}
    raw: list[tuple[Path, str]] = []
    for index, question in enumerate(questions.questions):
        if question.id in by_id:
            raw.append((("questions", index, "id"), f"la question « {question.id} » existe déjà"))
        condition = None
        if question.when is not None:
            scope = Scope(questions=dict(by_id), all_questions=_all(questions), problems=raw)
            condition = parse_condition(question.when, ("questions", index, "when"), scope)
        visibility[question.id] = condition
        by_id[question.id] = question
    problems += [questions_file.problem(path, message) for path, message in raw]

    if rights is None or texts is None:
        return None, sorted(problems)
    final_questions = []
    for index, question in enumerate(questions.questions):
        errors = question.errors.merged(texts.errors.get(question.type, ErrorMessages()))
        missing = [name for name in NEEDED_MESSAGES[question.type] if getattr(errors, name) is None]
        if missing:
            problems.append(
                questions_file.problem(
                    ("questions", index),
                    f"message d'erreur manquant ({', '.join(missing)}) : ajoute-le à la question "
                    f"ou à errors.{question.type} dans {TEXTS_FILE}",
                )
            )
        final_questions.append(question.model_copy(update={"errors": errors}))
    raw = []
    _check_periods(texts.how_to_apply, ("how_to_apply",), raw)
    problems += [texts_file.problem(path, message) for path, message in raw]
    raw = []
    compiled = _compile_rights(rights, by_id, amounts, raw)
    problems += [rights_file.problem(path, message) for path, message in raw]
    if problems or compiled is None:
        return None, sorted(problems)
    category_rules, compiled_rights = compiled
    questionnaire = Questionnaire(
        questions=tuple(final_questions),
        texts=texts,
        rights=compiled_rights,
        category_scale=rights.category.scale,
        category_rules=category_rules,
        thresholds=rights.thresholds,
        visibility=visibility,
    )
    return questionnaire, []


def _all(questions: QuestionsFile) -> dict[str, Question]:
    return {question.id: question for question in questions.questions}


def _compile_rights(
    rights: RightsFile,
    questions: dict[str, Question],
    amounts: Amounts | None,
    raw: list[tuple[Path, str]],
) -> tuple[tuple[CompiledCategoryRule, ...], tuple[CompiledRight, ...]] | None:
    category = rights.category
    for name, periods in rights.thresholds.items():
        dates = [period.since for period in periods]
        if not periods or len(set(dates)) != len(dates):
            raw.append(
                (("thresholds", name), "un seuil a au moins une période, à dates distinctes")
            )
    all_rights = frozenset(right.id for right in rights.rights)

    def scope(earlier_rights: frozenset[str] | None, category_known: bool = True) -> Scope:
        return Scope(
            questions=questions,
            all_questions=questions,
            problems=raw,
            thresholds=frozenset(rights.thresholds),
            amounts=amounts,
            amounts_allowed=True,
            category_scale=category.scale,
            category_known=category_known,
            rights=earlier_rights,
            all_rights=all_rights,
        )

    scale = amounts.baremes.get(category.scale) if amounts else None
    if amounts is not None and scale is None:
        raw.append((("category", "scale"), f"le barème « {category.scale} » n'existe pas"))
    category_rules = []
    for index, rule in enumerate(category.rules):
        path: Path = ("category", "rules", index)
        if scale is not None and rule.category not in scale.categories:
            raw.append(
                (
                    (*path, "category"),
                    f"la catégorie « {rule.category} » n'existe pas dans le barème "
                    f"« {category.scale} » ({', '.join(scale.categories)})",
                )
            )
        rule_scope = scope(None, category_known=False)
        condition = _condition(rule.when, (*path, "when"), rule_scope)
        category_rules.append(
            CompiledCategoryRule(condition, rule, parse_template(rule.reason, path, rule_scope))
        )
    last = category.rules[-1]
    if last.when is not None or last.from_ is not None or last.until is not None:
        raw.append(
            (
                ("category", "rules", len(category.rules) - 1),
                "la dernière règle n'a ni when, ni from, ni until : elle s'applique toujours",
            )
        )
    _check_periods(category.rules, ("category", "rules"), raw)

    compiled: list[CompiledRight] = []
    seen: set[str] = set()
    for index, right in enumerate(rights.rights):
        path = ("rights", index)
        if right.id in seen:
            raw.append(((*path, "id"), f"le droit « {right.id} » existe déjà"))
        right_scope = scope(frozenset(seen))
        compiled.append(_compile_right(right, path, right_scope))
        seen.add(right.id)
    return tuple(category_rules), tuple(compiled)


def _check_periods(items: Sequence[object], path: Path, raw: list[tuple[Path, str]]) -> None:
    """Versions of one rule (same ``id``) must not be in force on the same day.

    Without an id, an item is its own rule; an id used twice is allowed only for versions
    whose periods (``from`` included, ``until`` excluded) do not overlap.
    """
    by_id: dict[str, list[tuple[int, Dated]]] = {}
    for index, item in enumerate(items):
        if isinstance(item, Dated) and item.id is not None:
            by_id.setdefault(item.id, []).append((index, item))
    for versions in by_id.values():
        for position, (index, item) in enumerate(versions):
            for other_index, other in versions[:position]:
                start = max(item.from_ or dt.date.min, other.from_ or dt.date.min)
                end = min(item.until or dt.date.max, other.until or dt.date.max)
                if start < end:
                    raw.append(
                        (
                            (*path, index, "from") if item.from_ else (*path, index),
                            f"« {item.id} » : cette version chevauche celle de l'entrée "
                            f"{other_index + 1} (du {start} au {end}) ; donne à l'une un « until » "
                            "égal au « from » de l'autre",
                        )
                    )


def _condition(raw: object, path: Path, scope: Scope) -> Condition | None:
    return None if raw is None else parse_condition(raw, path, scope)


def _compile_right(right: RightSpec, path: Path, scope: Scope) -> CompiledRight:
    criteria = []
    criterion_ids: set[str] = set()
    always = False
    for c_index, criterion in enumerate(right.criteria):
        c_path: Path = (*path, "criteria", c_index)
        if criterion.id in criterion_ids:
            scope.problem((*c_path, "id"), f"le critère « {criterion.id} » existe déjà")
        criterion_ids.add(criterion.id)
        cases = []
        _check_periods(criterion.cases, (*c_path, "cases"), scope.problems)
        for k_index, case in enumerate(criterion.cases):
            k_path: Path = (*c_path, "cases", k_index)
            undated = case.from_ is None and case.until is None
            if case.when is None and undated and k_index != len(criterion.cases) - 1:
                scope.problem(
                    k_path, "un cas sans when doit être le dernier : les suivants ne servent jamais"
                )
            name = case.id or str(k_index + 1)
            cases.append(
                CompiledCase(
                    condition=_condition(case.when, (*k_path, "when"), scope),
                    outcome=case.outcome,
                    reason=parse_template(case.reason, (*k_path, "reason"), scope),
                    next_steps=tuple(
                        parse_template(step, (*k_path, "next_steps", i), scope)
                        for i, step in enumerate(case.next_steps)
                    ),
                    fiches=case.fiches,
                    rule=f"{right.id}.{criterion.id}.{name}",
                    spec=case,
                )
            )
        final = criterion.cases[-1]
        undated = final.from_ is None and final.until is None
        if criterion.when is None and final.when is None and undated:
            always = True
        criteria.append(
            CompiledCriterion(
                criterion.id, _condition(criterion.when, (*c_path, "when"), scope), tuple(cases)
            )
        )
    if not always:
        scope.problem(
            (*path, "criteria"),
            f"le droit « {right.id} » doit avoir au moins un critère sans when dont le dernier "
            "cas n'a pas de when : le résultat donne toujours au moins une raison",
        )
    if right.amount and scope.amounts is not None and scope.category_scale is None:
        scope.problem((*path, "amount"), "amount: true demande une section category")
    _check_periods(right.next_steps, (*path, "next_steps"), scope.problems)
    exemptions = []
    for e_index, exemption in enumerate(right.exemptions):
        e_path: Path = (*path, "exemptions", e_index)
        ref = _scale_name(exemption.scale, (*e_path, "scale"), scope)
        exemptions.append(
            CompiledExemption(
                scale=ref,
                condition=_condition(exemption.when, (*e_path, "when"), scope),
                text=parse_template(exemption.text, (*e_path, "text"), scope),
            )
        )
    return CompiledRight(
        spec=right,
        show_when=_condition(right.show_when, (*path, "show_when"), scope),
        criteria=tuple(criteria),
        exemptions=tuple(exemptions),
        next_steps=tuple(
            _step(step, (*path, "next_steps", i), scope) for i, step in enumerate(right.next_steps)
        ),
        status_next_steps={
            status: tuple(
                parse_template(step, (*path, "status_next_steps", status, i), scope)
                for i, step in enumerate(steps)
            )
            for status, steps in right.status_next_steps.items()
        },
    )


def _step(
    step: str | Step, path: Path, scope: Scope
) -> tuple[Condition | None, Template, Dated | None]:
    if isinstance(step, str):
        return None, parse_template(step, path, scope), None
    dated = step.from_ is not None or step.until is not None
    return (
        _condition(step.when, (*path, "when"), scope),
        parse_template(step.text, (*path, "text"), scope),
        step if dated else None,
    )


def _scale_name(name: str, path: Path, scope: Scope) -> str:
    if scope.amounts is not None:
        found = scope.amounts.baremes.get(name)
        if found is None:
            scope.problem(path, f"le barème « {name} » n'existe pas dans montants.yaml")
        elif len(found.categories) != 1:
            scope.problem(path, f"le barème « {name} » doit avoir une seule catégorie")
    return name


def fiche_slugs(questionnaire: Questionnaire) -> set[str]:
    """Every fiche the questionnaire can link to."""
    slugs: set[str] = set()
    for right in questionnaire.rights:
        slugs.update(right.spec.fiches)
        for criterion in right.criteria:
            for case in criterion.cases:
                slugs.update(case.fiches)
    return slugs


def check_questionnaire(content_dir: FilePath) -> list[Problem]:
    """Every problem of the questionnaire, including links to fiches that do not exist.

    The fiches are checked once the fiches folder holds at least one fiche: until the writers
    add them, an empty folder is not an error.
    """
    amounts, _ = load_amounts(content_dir)
    questionnaire, problems = load_questionnaire(content_dir, amounts)
    if questionnaire is None:
        return problems
    fiches_dir = content_dir / FICHES_FOLDER
    present = {path.stem for path in fiches_dir.glob("*.md")}
    if not present:
        return problems
    rights_file = YamlFile(content_dir / FOLDER / RIGHTS_FILE)
    for index, right in enumerate(questionnaire.rights):
        places: list[tuple[Path, tuple[str, ...]]] = [
            (("rights", index, "fiches"), right.spec.fiches)
        ]
        for c_index, criterion in enumerate(right.spec.criteria):
            for k_index, case in enumerate(criterion.cases):
                k_path: Path = ("rights", index, "criteria", c_index, "cases", k_index, "fiches")
                places.append((k_path, case.fiches))
        for path, slugs in places:
            for s_index, slug in enumerate(slugs):
                if slug not in present:
                    problems.append(
                        rights_file.problem(
                            (*path, s_index),
                            f"la fiche « {slug} » n'existe pas dans {FICHES_FOLDER}/",
                        )
                    )
    return sorted(problems)
