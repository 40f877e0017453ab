"""French text for search: accents and case folded, words stemmed, snippets highlighted.

Accents are removed before stemming, as PostgreSQL's ``unaccent`` + ``french_stem`` does, so that
« etudiante » typed on a phone finds « étudiants » on both databases.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from markupsafe import Markup

WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_LENGTH = 200
MAX_TERMS = 8

# Words too common to tell one page from another (accents already removed).
_STOPWORDS_TEXT = """
    a au aux avec ce ces c d dans de des du elle elles en est et etre il ils j je l la le les
    leur lui m ma mais me meme mes moi mon n ne nos notre nous on ou par pas pour qu que qui s sa
    se ses si son sur t ta te tes toi ton tu un une vos votre vous y quoi comment quand
    ai as avoir suis es sont etait peux peut puis veux faut ca cela ceci cet cette
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

_stemmer = snowballstemmer.stemmer("french")


def fold(text: str) -> str:
    """Lower case, accents removed."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


@lru_cache(maxsize=4096)
def stems(text: str) -> tuple[str, ...]:
    """The stems of every word of ``text``, stopwords included (remembered: fiches repeat)."""
    return tuple(stem(word) for word in WORD.findall(fold(text)))


@dataclass(frozen=True)
class Query:
    """What a person typed, cleaned: its meaningful words, each with its other forms.

    ``groups`` holds, for each word, the folded words that may stand for it (itself and its
    synonyms); a result must contain one word of every group.
    """

    text: str
    groups: tuple[tuple[str, ...], ...]

    @property
    def empty(self) -> bool:
        return not self.groups

    @property
    def terms(self) -> tuple[str, ...]:
        """Every stem to highlight."""
        return tuple(dict.fromkeys(stem(word) for group in self.groups for word in group))


def parse_query(raw: str, synonyms: Mapping[str, Sequence[str]] | None = None) -> Query:
    """Keep at most ``MAX_TERMS`` meaningful words of at most ``MAX_QUERY_LENGTH`` characters."""
    text = " ".join(raw.split())[:MAX_QUERY_LENGTH]
    words = [w for w in WORD.findall(fold(text)) if w not in STOPWORDS and not w.isdigit()]
    groups: dict[str, tuple[str, ...]] = {}
    for word in words:
        if stem(word) in groups or len(groups) == MAX_TERMS:
            continue
        others = [fold(other) for other in (synonyms or {}).get(word, ())]
        groups[stem(word)] = tuple(dict.fromkeys([word, *others]))
    return Query(text=text, groups=tuple(groups.values()))


def snippet(text: str, query: Query, *, width: int = 220) -> Markup:
    """An extract of ``text`` around the first matching word, matches in ``<mark>``."""
    found = list(WORD.finditer(text))
    word_stems = stems(text)
    if len(word_stems) != len(found):  # folding split or joined a word: stem one by one
        word_stems = tuple(stem(fold(m.group())) for m in found)
    matches = [m for m, s in zip(found, word_stems, strict=True) if s in query.terms]
    start = 0
    if matches:
        start = max(0, matches[0].start() - width // 3)
        while start > 0 and not text[start - 1].isspace():
            start -= 1
    end = min(len(text), start + width)
    while end < len(text) and not text[end].isspace():
        end += 1
    parts: list[Markup | str] = ["… " if start > 0 else ""]
    position = start
    for match in matches:
        if match.start() < start or match.end() > end:
            continue
        parts.append(text[position : match.start()])
        parts.append(Markup("<mark>{}</mark>").format(match.group()))
        position = match.end()
    parts.append(text[position:end])
    parts.append(" …" if end < len(text) else "")
    return Markup("").join(parts)
