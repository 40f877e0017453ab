"""French text helpers shared by the fiche engine: anchors, typography, euros, dates."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

NARROW_NBSP = "\u202f"
NBSP = "\u00a0"
MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip

# NFKD leaves these ligatures whole; spell them out so « Œuvre » gives « oeuvre », not « uvre ».
LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
NOT_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")
# Only spaces the writer typed become no-break: ``14:30`` or ``https://`` must stay untouched.
SPACE_BEFORE_PUNCTUATION = re.compile(r"[ \t\u00a0\u202f]+([;:!?])")
AFTER_OPENING_QUOTE = re.compile(r"«[ \t\u00a0\u202f]*")
BEFORE_CLOSING_QUOTE = re.compile(r"[ \t\u00a0\u202f]*»")


def without_accents(text: str) -> str:
    """Lowercase ASCII letters and digits, accents dropped (« À quel âge ? » → « a quel age ? »)."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def anchor_for(text: str) -> str:
    """The anchor of a heading, by the rule of ``content/README.md``: ``qui-signe-le-piis``."""
    return NOT_ALPHANUMERIC.sub("-", without_accents(text)).strip("-")


def typography(text: str) -> str:
    """French spacing: a narrow no-break space before ``; : ! ?`` and inside « »."""
    text = text.replace("'", "’")
    text = SPACE_BEFORE_PUNCTUATION.sub(NARROW_NBSP + r"\1", text)
    text = AFTER_OPENING_QUOTE.sub("«" + NARROW_NBSP, text)
    return BEFORE_CLOSING_QUOTE.sub(NARROW_NBSP + "»", text)


def euros(value: Decimal | int) -> str:
    """« 1 314,20 € »: narrow no-break spaces between thousands, a no-break space before €."""
    whole, cents = f"{Decimal(value):.2f}".split(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{NARROW_NBSP.join(groups)},{cents}{NBSP}€"


def date_fr(day: dt.date) -> str:
    """« 1er février 2025 », « 23 novembre 2026 »."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def sort_key(text: str) -> str:
    """A key that sorts French titles as a reader expects: « État » next to « Étudiant »."""
    return without_accents(text)
