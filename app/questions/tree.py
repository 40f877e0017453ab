"""A thread as a tree of messages, and how a message's text becomes HTML.

Askers' text is shown as plain text; staff answers are Markdown with raw HTML escaped and links
only to http(s). Nothing here reads the request or changes the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup
from sqlmodel import Session, col, select

from app.questions.models import (
    Author,
    Message,
    MessageState,
)
from app.templating import plain_text

_markdown = MarkdownIt("js-default", {"linkify": False, "typographer": False}).disable("image")
_markdown.validateLink = lambda url: url.strip().lower().startswith(("http://", "https://"))  # type: ignore[method-assign]


@lru_cache(maxsize=4096)
def answer_html(body: str) -> Markup:
    return Markup(_markdown.render(body))  # noqa: S704 - html=False: raw HTML is escaped


def message_html(message: Message) -> Markup:
    """A professional's answer as Markdown without raw HTML; anyone else's text as plain text."""
    if message.author == Author.professional:
        return answer_html(message.body)
    return plain_text(message.body)


@dataclass
class Node:
    """A message and its replies; ``shown`` is False for a removed message kept as a placeholder."""

    message: Message
    shown: bool
    children: list[Node] = field(default_factory=list)

    @property
    def html(self) -> Markup:
        return message_html(self.message)


def build_tree(messages: Sequence[Message], shown: Callable[[Message], bool]) -> Node | None:
    """Nest ``messages`` under the question; keep unshown ones only to hold shown replies."""
    by_parent: dict[int | None, list[Message]] = {}
    for message in sorted(messages, key=lambda m: (m.created_at, m.id or 0)):
        by_parent.setdefault(message.parent_id, []).append(message)

    def grow(message: Message) -> Node | None:
        children = [n for c in by_parent.get(message.id, []) if (n := grow(c)) is not None]
        visible = shown(message)
        if not visible and not children:
            return None
        return Node(message=message, shown=visible, children=children)

    roots = by_parent.get(None, [])
    if not roots:
        return None
    root = grow(roots[0])
    return root


def count_shown(node: Node) -> int:
    return int(node.shown) + sum(count_shown(child) for child in node.children)


def is_public(message: Message) -> bool:
    return message.state == MessageState.published


def messages_of(session: Session, thread_ids: Iterable[int]) -> dict[int, list[Message]]:
    ids = list(thread_ids)
    grouped: dict[int, list[Message]] = {thread_id: [] for thread_id in ids}
    if not ids:
        return grouped
    for message in session.exec(select(Message).where(col(Message.thread_id).in_(ids))).all():
        grouped[message.thread_id].append(message)
    return grouped
