"""A thread as a tree of messages, and how a message's text becomes HTML.

Askers' text is shown as plain text; staff answers are Markdown with raw HTML escaped, links
only to http(s) addresses and to this site's own pages (``/fiches/…``), and bare http(s)
addresses turned into links. Nothing here reads the request or changes the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markupsafe import Markup
from sqlmodel import Session, col, select

from app.questions.models import (
    Author,
    Message,
    MessageState,
)
from app.templating import plain_text

BARE_ADDRESS = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)
TRAILING = ".,;:!?)»"


def safe_link(url: str) -> bool:
    """An http(s) address, or a path of this site ("/fiches/…"; never "//host" nor "/\\host")."""
    url = url.strip()
    if url.lower().startswith(("http://", "https://")):
        return True
    return url.startswith("/") and not url.startswith(("//", "/\\")) and "\\" not in url


def _linkify(state: StateCore) -> None:
    """Bare http(s) addresses in the text become links (outside existing links and code)."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        depth = 0
        for token in block.children:
            if token.type == "link_open":
                depth += 1
            elif token.type == "link_close":
                depth -= 1
            if token.type != "text" or depth or not BARE_ADDRESS.search(token.content):
                children.append(token)
                continue
            children.extend(_split_addresses(token.content, state))
        block.children = children


def _split_addresses(text: str, state: StateCore) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    for match in BARE_ADDRESS.finditer(text):
        address = match.group().rstrip(TRAILING)
        if address.endswith("(") or not safe_link(address):
            continue
        if match.start() > position:
            tokens.append(_text(text[position : match.start()]))
        opening = Token("link_open", "a", 1)
        opening.attrs = {"href": state.md.normalizeLink(address)}
        tokens.extend([opening, _text(address), Token("link_close", "a", -1)])
        position = match.start() + len(address)
    if position < len(text):
        tokens.append(_text(text[position:]))
    return tokens


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


_markdown = MarkdownIt("js-default", {"linkify": False, "typographer": False}).disable("image")
_markdown.validateLink = safe_link  # type: ignore[method-assign]
_markdown.core.ruler.push("bare_addresses", _linkify)


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
