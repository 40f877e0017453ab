"""The glossary (``content/glossaire.yaml``) and the marking of its words in a fiche."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from markdown_it.token import Token
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from app.content import Problem
from app.fiches.french import sort_key
from app.fiches.meta import Slug
from app.fiches.yaml_source import parse_yaml, validation_problems

GLOSSARY_FILE = "glossaire.yaml"
GLOSSARY_PATH = "/glossaire"


class GlossaryEntry(BaseModel):
    """One word of the glossary; with ``developpe`` it is a sigle, shown as ``<abbr>``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    terme: Annotated[str, Field(min_length=1, max_length=80)]
    ancre: Slug
    developpe: Annotated[str, Field(min_length=3, max_length=200)] | None = None
    formes: Annotated[list[Annotated[str, Field(min_length=2, max_length=80)]], Field(min_length=1)]
    definition: Annotated[str, Field(min_length=10, max_length=800)]
    fiche: Slug | None = None

    @property
    def is_sigle(self) -> bool:
        return self.developpe is not None


@dataclass(frozen=True)
class Term:
    """A glossary entry and the pattern that finds its forms as whole words."""

    entry: GlossaryEntry
    pattern: re.Pattern[str]


def form_pattern(form: str) -> str:
    """A form as a regex where any apostrophe and any run of spaces match their variants."""
    parts = []
    for char in form:
        if char in "'’":
            parts.append("['’]")
        elif char.isspace():
            parts.append(r"\s+")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def compile_terms(entries: Iterable[GlossaryEntry]) -> list[Term]:
    """One pattern per entry; sigles match their exact case, other words any case."""
    terms = []
    for entry in entries:
        forms = sorted(entry.formes, key=len, reverse=True)  # « revenus » before « revenu »
        alternatives = "|".join(form_pattern(form) for form in forms)
        flags = 0 if entry.is_sigle else re.IGNORECASE
        terms.append(Term(entry, re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", flags)))
    return terms


def term_tokens(entry: GlossaryEntry, text: str) -> list[Token]:
    """``<abbr title>`` for a sigle, a link to its definition for another word."""
    if entry.developpe is not None:
        opening = Token("abbr_open", "abbr", 1, attrs={"title": entry.developpe})
        closing = Token("abbr_close", "abbr", -1)
    else:
        href = f"{GLOSSARY_PATH}#{entry.ancre}"
        opening = Token("link_open", "a", 1, attrs={"class": "glossary", "href": href})
        closing = Token("link_close", "a", -1)
    return [opening, Token("text", "", 0, content=text), closing]


def mark_text(text: str, remaining: dict[str, Term]) -> list[Token]:
    """Split a text token around the first occurrence of each term still unmarked."""
    tokens: list[Token] = []
    position = 0
    while remaining:
        found = [
            (match.start(), -len(match.group()), key, match)
            for key, term in remaining.items()
            if (match := term.pattern.search(text, position))
        ]
        if not found:
            break
        _start, _length, key, match = min(found, key=lambda item: item[:3])
        if match.start() > position:
            tokens.append(Token("text", "", 0, content=text[position : match.start()]))
        tokens.extend(term_tokens(remaining.pop(key).entry, match.group()))
        position = match.end()
    if position < len(text):
        tokens.append(Token("text", "", 0, content=text[position:]))
    return tokens


def mark_terms(children: list[Token], remaining: dict[str, Term]) -> list[Token]:
    """The inline children with terms marked, leaving alone the text inside links."""
    marked: list[Token] = []
    inside_link = 0
    for child in children:
        if child.type == "link_open":
            inside_link += 1
        elif child.type == "link_close":
            inside_link -= 1
        if child.type == "text" and not inside_link and remaining:
            marked.extend(mark_text(child.content, remaining))
        else:
            marked.append(child)
    return marked


def load_glossary(
    content_dir: Path, *, fiche_slugs: set[str]
) -> tuple[list[GlossaryEntry], list[Problem]]:
    """Read and check ``glossaire.yaml``; ``fiche_slugs`` are the fiches a word may point to."""
    path = content_dir / GLOSSARY_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], [Problem(path, 1, "fichier du glossaire introuvable")]
    document, syntax_problem = parse_yaml(text, path=path)
    if document is None:
        return [], [syntax_problem] if syntax_problem else []
    try:
        entries = TypeAdapter(list[GlossaryEntry]).validate_python(document.data)
    except ValidationError as error:
        return [], validation_problems(path, error, document=document)
    problems = []
    anchors: set[str] = set()
    forms: dict[str, str] = {}
    for index, entry in enumerate(entries):
        if entry.ancre in anchors:
            line = document.line_of([index, "ancre"])
            problems.append(Problem(path, line, f"ancre « {entry.ancre} » utilisée deux fois"))
        anchors.add(entry.ancre)
        for form in entry.formes:
            key = form if entry.is_sigle else form.casefold()
            if key in forms and forms[key] != entry.ancre:
                line = document.line_of([index, "formes"])
                message = f"la forme « {form} » est déjà celle de « {forms[key]} »"
                problems.append(Problem(path, line, message))
            forms[key] = entry.ancre
        if entry.fiche is not None and entry.fiche not in fiche_slugs:
            line = document.line_of([index, "fiche"])
            problems.append(Problem(path, line, f"fiche inconnue : « {entry.fiche} »"))
    return sorted(entries, key=lambda entry: sort_key(entry.terme)), problems
