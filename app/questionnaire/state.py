"""The answers of the questionnaire in a signed token: nothing about the person stays on the server.

The token (``?etat=`` on GET pages, a hidden field in each form) holds only the answers, as the
strings of their form fields (``form_values``): no name, no address, no identifier. It is signed
with the site's secret (salt « questionnaire ») and dated, so that a link cannot be altered and
an old one expires. Reading it back goes through ``parse_answer`` again: an answer that the
content no longer allows, or a question that no longer exists, is simply asked again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer

from app.questionnaire import AnswerValue, Questionnaire, form_values, parse_answer, visible_answers

SALT = "questionnaire"
FIELD = "etat"
MAX_AGE_DAYS = 180
MAX_AGE_SECONDS = MAX_AGE_DAYS * 24 * 3600
MAX_TOKEN_LENGTH = 4000  # far above the longest possible set of answers

INVALID = (
    "Le lien vers tes réponses n'est pas valable\u202f: il a peut-être été coupé ou modifié. "
    "Recommence le questionnaire, cela ne prend que quelques minutes."
)
EXPIRED = (
    f"Le lien vers tes réponses a expiré (il reste valable {MAX_AGE_DAYS} jours). Recommence "
    "le questionnaire\u202f: les règles et les montants ont peut-être changé depuis."
)


class StateError(Exception):
    """A token that cannot be read; ``message`` says why, in French, to the person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_signed(
    serializer: URLSafeTimedSerializer,
    token: str,
    *,
    max_length: int,
    max_age: int,
    invalid: str,
    expired: str,
) -> dict[str, object]:
    """The mapping a signed, dated answers token holds; ``StateError`` with ``invalid`` or
    ``expired`` (French, for the person) when it is cut, altered, too long or too old.

    Shared by every path that keeps a person's answers in a link instead of a database."""
    if len(token) > max_length:
        raise StateError(invalid)
    try:
        payload = serializer.loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise StateError(expired) from error
    except BadData as error:
        raise StateError(invalid) from error
    if not isinstance(payload, dict):
        raise StateError(invalid)
    return cast(dict[str, object], payload)  # a JSON object: its keys are strings


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=SALT)


def dump_state(secret: str, q: Questionnaire, answers: Mapping[str, AnswerValue]) -> str:
    """The signed token of ``answers`` (only those to questions still asked)."""
    kept = visible_answers(q, answers)
    payload = {qid: form_values(q.question(qid), value) for qid, value in kept.items()}
    return str(_serializer(secret).dumps(payload))


def load_state(secret: str, q: Questionnaire, token: str | None) -> dict[str, AnswerValue]:
    """The answers held by ``token`` (none for an empty token); ``StateError`` when it is bad."""
    if not token:
        return {}
    payload = read_signed(
        _serializer(secret),
        token,
        max_length=MAX_TOKEN_LENGTH,
        max_age=MAX_AGE_SECONDS,
        invalid=INVALID,
        expired=EXPIRED,
    )
    answers: dict[str, AnswerValue] = {}
    for qid, raw in payload.items():
        question = q.by_id.get(qid) if isinstance(qid, str) else None
        if question is None or not isinstance(raw, list):
            continue
        if not all(isinstance(item, str) for item in raw):
            continue
        value, message = parse_answer(question, raw)
        if message is None and value is not None:
            answers[question.id] = value
    return visible_answers(q, answers)
