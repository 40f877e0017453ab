"""What the questions' operations refuse, each as an exception the routes turn into a page."""

from __future__ import annotations


class RefusedError(Exception):
    """A post that cannot be accepted; ``errors`` maps each field to its message in French."""

    def __init__(self, errors: dict[str, str], status_code: int = 400) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors
        self.status_code = status_code


class AlreadySentError(Exception):
    """The same form was already sent and stored (a double-click, a page sent again)."""


class NotAllowedError(Exception):
    """An action that the current state does not allow (message in French)."""


class ConflictError(Exception):
    """Someone else changed the message since the form was shown."""
