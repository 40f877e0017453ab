"""What a visitor typed: the text cleaned, and each field's problem in French.

The staff's forms (answer, moderation, canned replies) check their own fields where they are
stored; the robots' checks of the public forms are in ``robots``.
"""

from __future__ import annotations

import hashlib
import re

from email_validator import EmailNotValidError, validate_email

from app.questions.models import (
    EMAIL_MAX,
    PSEUDONYM_MAX,
    QUESTION_MAX,
    QUESTION_MIN,
    REPLY_MAX,
)

MAX_LINKS = 2
SEND_FIELD = "envoi"  # the key of errors about the whole form (the submit button's id)

LINK = re.compile(r"https?://|www\.", re.IGNORECASE)
EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
INVALID_EMAIL = "Indique une adresse e-mail valable, comme prenom@exemple.be."


def clean(text: str) -> str:
    """The text as typed, with Windows line breaks unified and outer blanks removed."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def text_hash(text: str) -> str:
    """Equal for texts that differ only by case and spacing (an exact duplicate)."""
    return hashlib.sha256(" ".join(text.lower().split()).encode()).hexdigest()


def length_text(count: int) -> str:
    return f"{count:,}".replace(",", "\u202f")


def body_problem(body: str, *, minimum: int, maximum: int, what: str) -> str | None:
    """Why a question or reply text is refused, or None."""
    if not body:
        return f"Écris {what}."
    if len(body) < minimum:
        return (
            f"{what[0].upper()}{what[1:]} est trop courte : "
            f"explique un peu ta situation ({minimum} caractères au moins)."
        )
    if len(body) > maximum:
        return (
            f"Ton texte ne peut pas dépasser {length_text(maximum)} caractères "
            f"(il en compte {length_text(len(body))}). Raccourcis-le."
        )
    if len(LINK.findall(body)) > MAX_LINKS:
        return f"Ton texte contient trop de liens : {MAX_LINKS} au maximum."
    if EMAIL_IN_TEXT.search(body):
        return "N'écris pas d'adresse e-mail dans ton texte : il sera publié."
    return None


def normalised_email(email: str) -> str | None:
    """The address in a canonical form, or None when it is not a valid address."""
    if not email or len(email) > EMAIL_MAX:
        return None
    try:
        valid = validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return None
    return valid.normalized.lower()


def question_problems(*, pseudonym: str, email: str, body: str, consent: bool) -> dict[str, str]:
    """Each field's problem, in the form's order; empty when the question can be sent."""
    errors: dict[str, str] = {}
    if not pseudonym:
        errors["pseudo"] = "Indique un pseudo (pas ton vrai nom)."
    elif len(pseudonym) > PSEUDONYM_MAX:
        errors["pseudo"] = f"Ton pseudo ne peut pas dépasser {PSEUDONYM_MAX} caractères."
    elif "@" in pseudonym or LINK.search(pseudonym):
        errors["pseudo"] = "Ton pseudo ne peut contenir ni adresse e-mail ni lien : il est publié."
    if not email:
        errors["email"] = "Indique ton adresse e-mail : nous y envoyons ton lien de suivi."
    elif normalised_email(email) is None:
        errors["email"] = INVALID_EMAIL
    problem = body_problem(body, minimum=QUESTION_MIN, maximum=QUESTION_MAX, what="ta question")
    if problem:
        errors["question"] = problem
    if not consent:
        errors["consentement"] = (
            "Pour envoyer ta question, accepte la façon dont nous gardons tes données."
        )
    return errors


def reply_problems(*, body: str) -> dict[str, str]:
    problem = body_problem(body, minimum=2, maximum=REPLY_MAX, what="ta réponse")
    return {"message": problem} if problem else {}
