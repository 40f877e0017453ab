"""Anchors, typography and euros: the French rules every fiche goes through."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from app.fiches.french import anchor_for, date_fr, euros, typography

NARROW = "\u202f"


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Qui signe le PIIS ?", "qui-signe-le-piis"),
        ("À quel âge ?", "a-quel-age"),
        ("Et si j'ai moins de 25 ans ?", "et-si-j-ai-moins-de-25-ans"),
        ("L’aide « équivalente »", "l-aide-equivalente"),
        ("  --Déjà   vu--  ", "deja-vu"),
        ("Œuvre d'art", "oeuvre-d-art"),
        ("Article 60 §7", "article-60-7"),
    ],
)
def test_anchor_follows_the_content_readme(heading: str, anchor: str) -> None:
    assert anchor_for(heading) == anchor


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("Qui ?", f"Qui{NARROW}?"),
        ("Attention !", f"Attention{NARROW}!"),
        ("Note : ceci", f"Note{NARROW}: ceci"),
        ("un ; deux", f"un{NARROW}; deux"),
        ("« mot »", f"«{NARROW}mot{NARROW}»"),
        ("«mot»", f"«{NARROW}mot{NARROW}»"),
        ("l'aide", "l’aide"),
        ("à 14:30, https://example.org", "à 14:30, https://example.org"),
    ],
)
def test_typography(written: str, shown: str) -> None:
    assert typography(written) == shown


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("1314.20"), "1\u202f314,20\u00a0€"),
        (Decimal("876.13"), "876,13\u00a0€"),
        (Decimal("1234567.5"), "1\u202f234\u202f567,50\u00a0€"),
        (0, "0,00\u00a0€"),
    ],
)
def test_euros(amount: Decimal | int, shown: str) -> None:
    assert euros(amount) == shown


def test_first_of_the_month() -> None:
    assert date_fr(dt.date(2025, 2, 1)) == "1er février 2025"
    assert date_fr(dt.date(2026, 11, 23)) == "23 novembre 2026"
