"""What every content loader shares: the problem it reports, and pydantic errors as problems."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError


@dataclass(frozen=True, order=True)
class Problem:
    """One content error, printed as ``file:line: message`` by ``check-content``."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ContentError(Exception):
    """Raised at start when the content folder holds errors; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def validation_problems(path: Path, error: ValidationError, line: int = 1) -> list[Problem]:
    """Turn a pydantic error into problems in French, one per field."""
    problems = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "document"
        problems.append(Problem(path, line, f"{where} : {item['msg']}"))
    return problems
