"""What the rules of a fiche share: the render context, and reading inline tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from app.amounts import Amounts
from app.content import Problem
from app.fiches.directives import AmountNote
from app.fiches.glossary import Term


@dataclass(frozen=True)
class FicheLink:
    """A ``fiche:slug#ancre`` link, checked once every fiche of the library is parsed."""

    slug: str
    anchor: str | None
    line: int


@dataclass
class RenderContext:
    """What the rules of one fiche read (amounts, glossary) and what they collect."""

    path: Path
    day: dt.date
    amounts: Amounts | None
    terms: Sequence[Term]
    problems: list[Problem] = field(default_factory=list)
    fiche_links: list[FicheLink] = field(default_factory=list)
    local_links: list[tuple[str, int]] = field(default_factory=list)
    amount_notes: dict[str, AmountNote] = field(default_factory=dict)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, message))


def context_of(state: StateCore) -> RenderContext:
    context = state.env["fiche"]
    assert isinstance(context, RenderContext)
    return context


def inline_tokens(tokens: list[Token], *, headings: bool = True) -> Iterator[Token]:
    """Every inline token, optionally without those of headings."""
    for index, token in enumerate(tokens):
        if token.type != "inline":
            continue
        if not headings and index and tokens[index - 1].type == "heading_open":
            continue
        yield token


def child_lines(inline: Token) -> list[int]:
    """The file line (1-based) of each child of an inline token."""
    line = (inline.map[0] if inline.map else 0) + 1
    lines = []
    for child in inline.children or []:
        lines.append(line)
        if child.type in ("softbreak", "hardbreak"):
            line += 1
    return lines


def inline_text(inline: Token) -> str:
    """The text a reader sees in an inline token."""
    parts = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)
