"""YAML read with its nodes kept, so that a bad field is reported at its own line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from app.content import Problem

# Pydantic speaks English; the people who fix the content read French.
MESSAGES = {
    "missing": "champ obligatoire manquant",
    "extra_forbidden": "champ inconnu",
    "string_too_long": "texte trop long ({max_length} caractères au plus)",
    "string_too_short": "texte trop court ({min_length} caractère(s) au moins)",
    "too_short": "liste trop courte ({min_length} élément(s) au moins)",
    "greater_than_equal": "doit valoir au moins {ge}",
    "int_type": "nombre entier attendu",
    "int_parsing": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "date_type": "date attendue (AAAA-MM-JJ)",
    "date_parsing": "date attendue (AAAA-MM-JJ)",
    "date_from_datetime_parsing": "date attendue (AAAA-MM-JJ)",
    "date_from_datetime_inexact": "date attendue (AAAA-MM-JJ), sans heure",
    "url_type": "adresse http(s) attendue",
    "url_parsing": "adresse http(s) attendue",
    "url_scheme": "adresse http(s) attendue",
    "string_type": "texte attendu",
    "list_type": "liste attendue",
    "model_type": "liste de champs attendue",
    "model_attributes_type": "liste de champs attendue",
    "dict_type": "liste de champs attendue",
}


@dataclass(frozen=True)
class YamlDocument:
    """Parsed YAML and its node tree; ``first_line`` is the file line where the YAML starts."""

    data: Any
    node: yaml.Node | None
    first_line: int

    def line_of(self, location: Sequence[str | int]) -> int:
        """The file line of the value at ``location``, or of its nearest parent that exists."""
        node = self.node
        if node is None:
            return self.first_line
        line = node.start_mark.line
        for part in location:
            found = _child(node, part)
            if found is None:
                break
            line, node = found
        return self.first_line + line


def _child(node: yaml.Node, part: str | int) -> tuple[int, yaml.Node] | None:
    """(line, node) of a key of a mapping or an item of a list; the key's line for a mapping."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                return key.start_mark.line, value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        item = node.value[part]
        return item.start_mark.line, item
    return None


def parse_yaml(
    text: str, *, path: Path, first_line: int = 1
) -> tuple[YamlDocument | None, Problem | None]:
    """Parse one YAML document; a syntax error becomes a problem at its line."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = first_line + (mark.line if mark is not None else 0)
        reason = getattr(error, "problem", None) or error
        return None, Problem(path, line, f"YAML invalide : {reason}")
    except ValueError as error:  # a date such as 2026-13-01 passes the parser, not the calendar
        return None, Problem(path, first_line, f"YAML invalide : {error}")
    finally:
        loader.dispose()
    return YamlDocument(data, node, first_line), None


def validation_problems(
    path: Path, error: ValidationError, *, document: YamlDocument
) -> list[Problem]:
    """One problem per bad field, in French, at the line of that field."""
    problems = []
    for item in error.errors():
        location = list(item["loc"])
        where = ".".join(str(part) for part in location) or "document"
        template = MESSAGES.get(item["type"])
        if template is not None:
            message = template.format(**item.get("ctx", {}))
        else:
            message = str(item["msg"]).removeprefix("Value error, ")
        problems.append(Problem(path, document.line_of(location), f"{where} : {message}"))
    return problems
