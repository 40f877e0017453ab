"""Log lines that carry no private data: no token, no text a person typed, no e-mail address.

Two layers. At the source, the site logs the route's template rather than the path, and an
error's traceback through ``safe_traceback``: where it happened (files, lines, code) and the
exception's type, never its text, which may quote SQL values, a pydantic input or a path. Then
``RedactingFormatter``, the formatter of every handler that ``python -m app serve`` sets up,
rewrites what other libraries log (uvicorn's "Exception in ASGI application", for one): private
links, e-mail addresses and the values of SQL errors are masked, and tracebacks are written the
safe way.
"""

from __future__ import annotations

import logging
import re
import traceback
from types import TracebackType

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# The paths whose last part is a secret: the asker's private link and the unsubscribe link.
PRIVATE_PATH = re.compile(r"(/questions/(?:suivi|desabonnement)/)[^\s/?#\"']+")
SQL_PARAMETERS = re.compile(r"\[parameters: .*?\]$", re.MULTILINE | re.DOTALL)
SQL_DETAIL = re.compile(r"^DETAIL: .*$", re.MULTILINE)
MASK = "[masqué]"


def redact(text: str) -> str:
    """``text`` without private links, e-mail addresses and SQL values."""
    text = PRIVATE_PATH.sub(r"\1" + MASK, text)
    text = EMAIL.sub(MASK, text)
    text = SQL_PARAMETERS.sub(f"[parameters: {MASK}]", text)
    return SQL_DETAIL.sub(f"DETAIL: {MASK}", text)


def safe_traceback(error: BaseException) -> str:
    """The traceback of ``error`` and of its causes, each exception named by its type only."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = "".join(traceback.format_tb(current.__traceback__))
        kind = type(current)
        parts.append(f"{frames}{kind.__module__}.{kind.__qualname__} (texte masqué)")
        current = current.__cause__ or current.__context__
    return "\nCause :\n".join(reversed(parts))


class RedactingFormatter(logging.Formatter):
    """A formatter that masks private data in every line and writes safe tracebacks."""

    def formatException(  # noqa: N802 - the name logging.Formatter uses
        self,
        ei: tuple[type[BaseException], BaseException, TracebackType | None]
        | tuple[None, None, None],
    ) -> str:
        error = ei[1]
        return safe_traceback(error) if error is not None else ""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))
