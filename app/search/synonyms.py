"""``content/recherche.yaml``: the words people type and the words the fiches use."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from app.content import Problem, validation_problems
from app.search.text import WORD, fold

SYNONYMS_FILE = "recherche.yaml"


class SearchWords(BaseModel):
    model_config = ConfigDict(extra="forbid")

    synonymes: dict[str, list[str]]


def load_synonyms(content_dir: Path) -> tuple[dict[str, list[str]], list[Problem]]:
    """Each typed word (folded) and the words it also stands for; or the problems found."""
    path = content_dir / SYNONYMS_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        words = SearchWords.model_validate(data)
    except FileNotFoundError:
        return {}, []
    except yaml.YAMLError as error:
        return {}, [Problem(path, 1, f"YAML invalide : {error}")]
    except ValidationError as error:
        return {}, validation_problems(path, error)
    problems = [
        Problem(path, 1, f"« {key} » doit être un seul mot, sans accent ni majuscule")
        for key in words.synonymes
        if WORD.fullmatch(key) is None or fold(key) != key
    ]
    return {fold(k): [fold(w) for w in v] for k, v in words.synonymes.items()}, problems
