"""The amount directives of a fiche: ``{{ tableau ris }}`` and ``{{ montant ris isole }}``."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from decimal import Decimal

from markdown_it.rules_inline import StateInline

from app.amounts import Amounts, Indexation, Period, Scale
from app.fiches.french import date_fr, euros, typography

DIRECTIVE = re.compile(r"\{\{[ \t]*([^{}\n]*?)[ \t]*\}\}")
# « 1 314,20 € », « 876,13 euros »: an amount with cents typed by hand.
WRITTEN_AMOUNT = re.compile(
    r"(?<![\d,.])(\d{1,3}(?:[ .\u00a0\u202f]\d{3})+|\d+),(\d{2})\s*(?:€|euros?\b)"
)


class DirectiveError(ValueError):
    """A directive that names no known scale or category: reported as a content problem."""


@dataclass(frozen=True)
class AmountNote:
    """A scale a fiche shows, with the period in force, so the page can date its amounts."""

    scale: str
    title: str
    unit: str
    since: dt.date
    source_title: str
    source_url: str
    source_date: dt.date
    # An indexation in force on the day whose new figures are not recorded yet, if any.
    indexation: Indexation | None = None

    @property
    def in_force(self) -> str:
        """« montants en vigueur depuis le 1er février 2025 »."""
        return f"montants en vigueur depuis le {date_fr(self.since)}"

    @property
    def indexation_notice(self) -> str:
        """The plain warning shown beside these amounts, or « » when they are up to date."""
        return typography(self.indexation.notice(self.since)) if self.indexation else ""


def directive_rule(state: StateInline, silent: bool) -> bool:
    """Inline rule: ``{{ words }}`` becomes one ``amount_directive`` token, resolved later."""
    if not state.src.startswith("{{", state.pos):
        return False
    match = DIRECTIVE.match(state.src, state.pos)
    if match is None:
        return False
    if not silent:
        token = state.push("amount_directive", "", 0)
        token.content = match.group(0)
        token.meta = {"words": match.group(1).split()}
    state.pos = match.end()
    return True


def find_period(amounts: Amounts | None, name: str, day: dt.date) -> tuple[Scale, Period]:
    """The scale called ``name`` and its period in force on ``day``."""
    if amounts is None:
        raise DirectiveError("montants indisponibles : corrige d'abord montants.yaml")
    if name not in amounts.baremes:
        known = ", ".join(amounts.baremes)
        raise DirectiveError(f"barème inconnu « {name} » (barèmes : {known})")
    scale = amounts.scale(name)
    try:
        return scale, scale.on(day)
    except LookupError as error:
        raise DirectiveError(str(error)) from error


def amount_note(
    name: str, scale: Scale, period: Period, *, amounts: Amounts | None, day: dt.date
) -> AmountNote:
    return AmountNote(
        scale=name,
        title=scale.titre,
        unit=scale.unite,
        since=period.depuis,
        source_title=period.source.titre,
        source_url=str(period.source.url),
        source_date=period.source.date,
        indexation=amounts.pending_indexation(name, day) if amounts else None,
    )


def inline_amount(
    words: list[str], *, amounts: Amounts | None, day: dt.date
) -> tuple[str, AmountNote]:
    """``{{ montant ris isole }}`` → « 1 314,20 € » and the note that dates it.

    When an indexation took effect since that amount, the amount says so right after it.
    """
    _kind, name, category = words
    scale, period = find_period(amounts, name, day)
    if category not in scale.categories:
        known = ", ".join(scale.categories)
        raise DirectiveError(f"catégorie inconnue « {category} » du barème {name} ({known})")
    note = amount_note(name, scale, period, amounts=amounts, day=day)
    shown = euros(period.montants[category])
    if note.indexation is not None:
        shown += f" ({note.indexation.short_notice(note.since)})"
    return shown, note


def amount_table(
    words: list[str], *, amounts: Amounts | None, day: dt.date
) -> tuple[str, str, AmountNote]:
    """``{{ tableau ris }}`` → (HTML table with caption and source, its plain text, its note)."""
    _kind, name = words
    scale, period = find_period(amounts, name, day)
    note = amount_note(name, scale, period, amounts=amounts, day=day)
    caption = typography(f"{scale.titre}, {scale.unite} : {note.in_force}")
    rows = [
        (typography(label), euros(period.montants[category]))
        for category, label in scale.categories.items()
    ]
    lines = [
        '<div class="amounts">',
        "<table>",
        f"<caption>{html.escape(caption)}</caption>",
        '<thead><tr><th scope="col">Catégorie</th>'
        '<th scope="col" class="amount">Montant</th></tr></thead>',
        "<tbody>",
        *(
            f'<tr><th scope="row">{html.escape(label)}</th>'
            f'<td class="amount">{html.escape(amount)}</td></tr>'
            for label, amount in rows
        ),
        "</tbody>",
        "</table>",
        f'<p class="amounts-source">Source{typography(" :")} '
        f'<a href="{html.escape(note.source_url)}" class="external" rel="noopener">'
        f"{html.escape(typography(note.source_title))}</a>, {date_fr(note.source_date)}.</p>",
    ]
    notice = typography(note.indexation_notice)
    if notice:
        lines.append(f'<p class="amounts-indexation">{html.escape(notice)}</p>')
    lines.append("</div>")
    text = "\n".join(
        [caption, *(typography(f"{label} : {amount}") for label, amount in rows), notice]
    ).rstrip()
    return "\n".join(lines) + "\n", text, note


def known_amounts(amounts: Amounts | None) -> set[Decimal]:
    """Every amount of every period of ``montants.yaml``, old ones included."""
    if amounts is None:
        return set()
    return {
        value
        for scale in amounts.baremes.values()
        for period in scale.periodes
        for value in period.montants.values()
    }


def written_amounts(text: str, *, known: set[Decimal]) -> list[str]:
    """Amounts of ``montants.yaml`` typed by hand: they would not follow the next indexation."""
    found = []
    for match in WRITTEN_AMOUNT.finditer(text):
        whole = re.sub(r"\D", "", match.group(1))
        if Decimal(f"{whole}.{match.group(2)}") in known:
            found.append(match.group(0))
    return found
