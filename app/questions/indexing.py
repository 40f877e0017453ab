"""What search holds of a thread: exactly the messages its public page shows."""

from __future__ import annotations

import html
import re

from sqlmodel import Session

from app.questions.models import (
    Author,
    Message,
    Thread,
)
from app.questions.tree import Node, answer_html, build_tree, is_public, messages_of
from app.search import index as search_index
from app.search.models import EntryKind

SEARCH_TITLE_MAX = 90


def _search_title(question: Message) -> str:
    """The start of the question, on one line: what a search hit shows as its link."""
    text = " ".join(question.body.split())
    if len(text) <= SEARCH_TITLE_MAX:
        return text
    return text[:SEARCH_TITLE_MAX].rsplit(" ", 1)[0] + "…"


def _searchable_text(message: Message) -> str:
    """The words of a message as a reader sees them: a staff answer without its Markdown."""
    if message.author != Author.professional:
        return message.body
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", answer_html(message.body))).split())


def thread_path(thread_id: int) -> str:
    """The public thread's path, from its route (search results link there)."""
    # Imported here: the routes import this module (through ``threads``).
    from app.questions.routes import router

    return str(router.url_path_for("questions_thread", thread_id=thread_id))


def index_thread(session: Session, thread: Thread) -> None:
    """Make search hold exactly the messages of ``thread`` that its public page shows."""
    thread_id = thread.id
    assert thread_id is not None
    messages = messages_of(session, [thread_id])[thread_id]
    keys = [f"message:{message.id}" for message in messages]
    if keys:
        search_index.remove_messages(session, keys)
    root = build_tree(messages, is_public) if thread.is_public else None
    if root is None:
        return
    title = _search_title(root.message)
    path = thread_path(thread_id)
    documents: list[search_index.Document] = []

    def walk(node: Node) -> None:
        if node.shown:
            message = node.message
            if message.author == Author.professional:
                heading = "Réponse d'un professionnel"
            elif message.is_question:
                heading = f"Question de {message.author_name}"
            else:
                heading = f"Réponse de {message.author_name}"
            documents.append(
                search_index.Document(
                    kind=EntryKind.question,
                    key=f"message:{message.id}",
                    url=f"{path}#message-{message.id}",
                    title=title,
                    heading=heading,
                    body=_searchable_text(message),
                )
            )
        for child in node.children:
            walk(child)

    walk(root)
    search_index.add_messages(session, documents)
