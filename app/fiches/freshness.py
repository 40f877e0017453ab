"""What may be out of date, for the staff page « Fraîcheur » and the warnings of check-content.

Plain functions over the content (fiches, ``changements.yaml``, ``montants.yaml``, the
questionnaire's YAML) and over the published answers of the question threads.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.amounts import Amounts
from app.fiches.changes import Change, Changes, latest_date, resolve
from app.fiches.french import date_fr, euros
from app.fiches.meta import FicheMeta

# « 1 314,20 € », « 1.314,20€ », « 1314,20 euros », « 1314.20 EUR », « 876 € ».
MONEY = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:[ .\u00a0\u202f]\d{3})+|\d+)(?:([,.])(\d{2}))?(?![\d])"
    r"[ \u00a0\u202f]*(?:€|euros?\b|eur\b)",
    re.IGNORECASE,
)


MARKDOWN_MARKS = re.compile(r"[*_`#>]+")
# A change older than this, recorded without ``enregistre``, is history: the questionnaire is
# not asked to carry a version dated from it.
RECENT = dt.timedelta(days=365)


def parse_amounts(text: str) -> list[tuple[str, Decimal]]:
    """Each amount in euros written in ``text``, as written and as a number."""
    found = []
    for match in MONEY.finditer(text):
        whole, separator, cents = match.groups()
        if separator == "." and re.search(r"\D", whole):
            continue  # « 1 314.20 € »: a thousands space and a decimal point, not French
        digits = re.sub(r"\D", "", whole)
        found.append((match.group(0).strip(), Decimal(f"{digits}.{cents or '00'}")))
    return found


# --- Amounts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Indexed:
    """An indexation a scale must follow, from ``changements.yaml`` or ``montants.yaml``."""

    depuis: dt.date
    source_title: str
    source_url: str


def indexations_of(name: str, amounts: Amounts, changes: Changes) -> list[Indexed]:
    """Every indexation recorded for scale ``name``, in both files."""
    found = [
        Indexed(c.depuis, c.sources[0].title, str(c.sources[0].url))
        for c in changes.items
        if c.type == "indexation" and name in c.baremes
    ]
    found += [
        Indexed(i.depuis, i.source.titre, str(i.source.url))
        for i in amounts.indexations
        if name in i.baremes
    ]
    return sorted(found, key=lambda item: item.depuis, reverse=True)


@dataclass(frozen=True)
class StaleScale:
    """A scale whose latest recorded period is older than an indexation in force."""

    name: str
    title: str
    latest_period: dt.date
    indexation: Indexed


def stale_scales(amounts: Amounts | None, changes: Changes, *, day: dt.date) -> list[StaleScale]:
    if amounts is None:
        return []
    stale = []
    for name, scale in amounts.baremes.items():
        latest = max(period.depuis for period in scale.periodes)
        due = [i for i in indexations_of(name, amounts, changes) if latest < i.depuis <= day]
        if due:
            stale.append(StaleScale(name, scale.titre, latest, due[0]))
    return stale


@dataclass(frozen=True)
class Outdated:
    """An amount that was right once: which scale, from when, and what replaced it."""

    value: Decimal
    scale_title: str
    category: str
    since: dt.date
    replaced: str  # « 1 340,48 € depuis le 1er mars 2026 » or the indexation that outdated it


def outdated_amounts(
    amounts: Amounts | None, changes: Changes, *, day: dt.date
) -> dict[Decimal, list[Outdated]]:
    """The amounts no longer in force on ``day``, each with what replaced it.

    An amount of an earlier period is replaced by the amount of the period in force; an amount
    of the period in force is outdated too when an indexation came into force after it.
    An amount that is also in force somewhere else (the same figure in another scale) is kept out.
    """
    if amounts is None:
        return {}
    current: set[Decimal] = set()
    found: dict[Decimal, list[Outdated]] = {}
    for name, scale in amounts.baremes.items():
        try:
            in_force = scale.on(day)
        except LookupError:
            continue
        current.update(in_force.montants.values())
        later = [
            i for i in indexations_of(name, amounts, changes) if in_force.depuis < i.depuis <= day
        ]
        for period in scale.periodes:
            for category, value in period.montants.items():
                label = scale.categories[category]
                if period.depuis < in_force.depuis:
                    newer = euros(in_force.montants[category])
                    replaced = f"{newer} depuis le {date_fr(in_force.depuis)}"
                elif period is in_force and later:
                    replaced = f"indexé le {date_fr(later[0].depuis)} (montant exact à vérifier)"
                    current.discard(value)
                else:
                    continue
                found.setdefault(value, []).append(
                    Outdated(value, scale.titre, label, period.depuis, replaced)
                )
    return {value: items for value, items in found.items() if value not in current}


# --- Fiches and questionnaire ---------------------------------------------------------------------


def known_since(change: Change) -> dt.date:
    """The day a change counts from for a fiche: when it applies, or when it was recorded."""
    return max(change.depuis, change.enregistre or change.depuis)


def past_review(fiches: Iterable[FicheMeta], *, day: dt.date) -> list[FicheMeta]:
    """The fiches whose review date has come, the most overdue first."""
    return sorted((m for m in fiches if m.relire_avant <= day), key=lambda m: m.relire_avant)


@dataclass(frozen=True)
class Behind:
    """A fiche last updated before a change that touches it."""

    meta: FicheMeta
    changes: tuple[Change, ...]


def behind_changes(fiches: Iterable[FicheMeta], changes: Changes) -> list[Behind]:
    found = []
    for meta in fiches:
        newer = tuple(c for c in changes.touching_fiche(meta) if known_since(c) > meta.updated)
        if newer:
            found.append(Behind(meta, newer))
    return sorted(found, key=lambda item: item.meta.updated)


@dataclass(frozen=True)
class PartBehind:
    """A part of the questionnaire whose texts carry no date as recent as a change naming it."""

    reference: str
    latest: dt.date | None
    change: Change


def questionnaire_behind(
    changes: Changes, data: Mapping[str, Any], *, day: dt.date
) -> list[PartBehind]:
    """Parts named by a recent or recorded change with no ``from``/``since`` date since it."""
    found = []
    for change in changes.items:
        if change.enregistre is None and change.depuis <= day - RECENT:
            continue
        for reference in change.questionnaire:
            part = resolve(data, reference)
            if part is None:
                continue  # check-content reports it
            latest = latest_date(part)
            if latest is None or latest < change.depuis:
                found.append(PartBehind(reference, latest, change))
    return found


# --- Answers of the question threads -----------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """A published answer: its text, the fiche its thread sits under, the day last written."""

    message_id: int
    thread_id: int
    fiche_slug: str | None
    body: str
    written_on: dt.date


@dataclass(frozen=True)
class QuotedAmount:
    written: str
    outdated: tuple[Outdated, ...]


@dataclass(frozen=True)
class StaleAnswer:
    answer: Answer
    amounts: tuple[QuotedAmount, ...] = ()
    changes: tuple[Change, ...] = field(default=())

    @property
    def excerpt(self) -> str:
        text = " ".join(MARKDOWN_MARKS.sub("", self.answer.body).split())
        return text if len(text) <= 160 else text[:159].rstrip() + "…"


def stale_answer(
    answer: Answer,
    *,
    outdated: Mapping[Decimal, list[Outdated]],
    changes: Changes,
    fiches: Mapping[str, FicheMeta],
) -> StaleAnswer | None:
    """Why an answer may be out of date: amounts no longer in force, changes it predates."""
    quoted = tuple(
        QuotedAmount(written, tuple(outdated[value]))
        for written, value in parse_amounts(answer.body)
        if value in outdated
    )
    meta = fiches.get(answer.fiche_slug or "")
    newer = (
        tuple(c for c in changes.touching_fiche(meta) if c.depuis > answer.written_on)
        if meta is not None
        else ()
    )
    if not quoted and not newer:
        return None
    return StaleAnswer(answer, quoted, newer)
