"""What a fiche's tokens say besides HTML: its table of contents, sections and plain text."""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it.token import Token

from app.fiches.markdown import TOC_LEVELS
from app.fiches.tokens import inline_text


@dataclass(frozen=True)
class TocEntry:
    """A level-2 or level-3 heading, for the table of contents."""

    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class Section:
    """The text under one heading, for search; ``anchor`` is None for the introduction."""

    anchor: str | None
    heading: str
    text: str


@dataclass(frozen=True)
class Outline:
    toc: tuple[TocEntry, ...]
    sections: tuple[Section, ...]
    plain_text: str
    anchors: frozenset[str]


BLOCKS_WITH_TEXT = ("fence", "code_block", "amount_table")


def outline(tokens: list[Token], *, title: str) -> Outline:
    """Split the rendered tokens at each level-2 and level-3 heading."""
    toc: list[TocEntry] = []
    sections: list[Section] = []
    anchors: set[str] = set()
    every_block: list[str] = []
    current: tuple[str | None, str] = (None, title)
    blocks: list[str] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            anchor = str(token.attrGet("id") or "")
            anchors.add(anchor)
            level = int(token.tag[1])
            if level in TOC_LEVELS:
                if blocks or current[0] is not None:
                    sections.append(Section(*current, "\n".join(blocks)))
                text = inline_text(tokens[index + 1])
                toc.append(TocEntry(level, text, anchor))
                every_block.append(text)
                current, blocks = (anchor, text), []
        elif token.type == "inline":
            previous = tokens[index - 1] if index else None
            if previous and previous.type == "heading_open" and int(previous.tag[1]) in TOC_LEVELS:
                continue
            blocks.append(inline_text(token))
            every_block.append(blocks[-1])
        elif token.type in BLOCKS_WITH_TEXT:
            blocks.append(token.content.strip())
            every_block.append(blocks[-1])
    if blocks or current[0] is not None:
        sections.append(Section(*current, "\n".join(blocks)))
    return Outline(tuple(toc), tuple(sections), "\n".join(every_block), frozenset(anchors))
