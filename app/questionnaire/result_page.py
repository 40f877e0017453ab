"""The rights of the result page, from pieces of HTML rendered once per content version and day.

The result page carries a person's answers, so it is rendered on every request and never kept
whole. Most of it, though, is the same for everyone in the same case: a right's section shows
its status, the cases of the rules that applied, the category and the amounts of the day, all
texts of ``content/``. ``ResultPieces`` renders each piece (the macros of
``questionnaire/_result_parts.html``, and ``_other_help.html`` for the entries shown) the first
time it is needed and keeps it for that content version (the questionnaire and the library of
fiches) and that day. Pieces that can show what the person typed are rendered on every request
and never kept: a reason, a step or an exemption whose text holds ``{answer:…}``, the
category's reason when it does, a number or an amount in « Ta situation », a typed e-mail
address, and the estimate of the amount (``_estimation.html``), which the section of its right
gets in between.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, cast
from urllib.parse import quote

from jinja2 import Environment
from markupsafe import Markup

from app.fiches.library import Library
from app.questionnaire import Questionnaire, Reason, Result, RightResult, SummaryRow
from app.questionnaire.other_help import ShownHelp
from app.questionnaire.site import SiteQuestionnaire, french_spacing

PAGE = "questionnaire/result.html"
PARTS = "questionnaire/_result_parts.html"
ESTIMATION = "questionnaire/_estimation.html"
OTHER_HELP = "questionnaire/_other_help.html"
# Far above the pieces the content can give in a day (rights × statuses × cases that apply);
# past it, pieces are still rendered, just no longer kept.
MAX_KEPT = 20_000
CHOSEN = ("choice", "multi", "yesno")
CONTENT_MARK = "\x00contenu\x00"  # never in a page: no template or content text holds NUL


class FicheTitles(dict[str, str]):
    """slug -> title of the fiche; a slug without a fiche shows as itself."""

    def __missing__(self, slug: str) -> str:
        return slug


def personal_texts(q: Questionnaire) -> tuple[frozenset[str], frozenset[str], bool]:
    """(rules of the cases whose reason shows an answer, rights whose steps or exemptions can
    show one, whether the category's reason can show one)."""
    reasons = frozenset(
        case.rule
        for right in q.rights
        for criterion in right.criteria
        for case in criterion.cases
        if case.reason.personal
    )
    rights = frozenset(
        right.spec.id
        for right in q.rights
        if any(step.personal for _, step, _ in right.next_steps)
        or any(step.personal for steps in right.status_next_steps.values() for step in steps)
        or any(exemption.text.personal for exemption in right.exemptions)
        or any(
            step.personal
            for criterion in right.criteria
            for case in criterion.cases
            for step in case.next_steps
        )
    )
    category = any(rule.reason.personal for rule in q.category_rules)
    return reasons, rights, category


class ResultPieces:
    """The kept pieces of one content version and one day."""

    def __init__(
        self,
        environment: Environment,
        site: SiteQuestionnaire,
        library: Library,
        day: dt.date,
        site_url: str,
    ) -> None:
        self.site, self.library, self.day = site, library, day
        q = site.questionnaire
        self.personal_reasons, self.personal_rights, self.personal_category = personal_texts(q)
        titles = FicheTitles({slug: fiche.meta.title for slug, fiche in library.fiches.items()})
        module = environment.get_template(PARTS).make_module(
            {
                "fr": french_spacing,
                "outcomes": q.texts.outcomes,
                "fiches": titles,
                "site_url": site_url,
                "pending_indexation": site.amounts.pending_indexation,
            }
        )
        self.macros = cast(Any, module)  # its macros are attributes made at run time
        self.page = environment.get_template(PAGE)
        self.estimation = environment.get_template(ESTIMATION)
        self.other_help = environment.get_template(OTHER_HELP)
        self.reasons_start = line(self.macros.reasons_start())
        # Only the answers a person picks among the content's options may be kept.
        self.chosen_answers = frozenset(
            question.id for question in q.questions if question.type in CHOSEN
        )
        self.kept: dict[Hashable, Markup] = {}
        self.quoted: dict[str, str] = {}  # content text -> its URL quoting

    def piece(self, key: Hashable, keep: bool, draw: Callable[[], Markup]) -> Markup:
        """The piece under ``key``, drawn once when it may be kept, on each call otherwise."""
        if keep:
            found = self.kept.get(key)
            if found is not None:
                return found
        html = draw()
        if keep and len(self.kept) < MAX_KEPT:
            self.kept[key] = html
        return html

    def quoted_summary(self, rows: Sequence[SummaryRow]) -> str:
        """``quote(summarize(q, walked, rows))``, for the link to ask a question: quoting goes
        character by character, so the text is quoted in parts, and the parts that are content
        (the introduction, each question's label, each answer picked among the options) are
        quoted once and kept."""
        parts = [self.quote_text(self.site.questionnaire.texts.summary_intro, True)]
        for row in rows:
            parts.append(self.quote_text(f"\n- {row.label} : ", True))
            parts.append(self.quote_text(row.answer, row.question_id in self.chosen_answers))
        return "".join(parts)

    def quote_text(self, text: str, keep: bool) -> str:
        found = self.quoted.get(text) if keep else None
        if found is None:
            found = quote(text)
            if keep and len(self.quoted) < MAX_KEPT:
                self.quoted[text] = found
        return found

    def draw(self, context: dict[str, Any]) -> str:
        """The whole page: its frame (the layout of ``base.html`` around the content, kept per
        version for print or screen), and its ``content`` block drawn for this person."""
        page = self.page
        frame = self.piece(("frame", context["pdf"]), True, lambda: self.frame(context))
        before, after = str.split(frame, CONTENT_MARK)  # as text: Markup would escape the rest
        return before + "".join(page.blocks["content"](page.new_context(context))) + after

    def frame(self, context: dict[str, Any]) -> Markup:
        """The page with a mark in place of its ``content`` block. Nothing else of the page
        can show the person's answers: the title, head and header are the same for all."""
        page = self.page
        framed = page.new_context(context)
        framed.blocks["content"] = [lambda _context: iter([CONTENT_MARK])]
        html = "".join(page.root_render_func(framed))
        assert html.count(CONTENT_MARK) == 1, "le gabarit du résultat n'a pas un seul contenu"
        return already_html(html)

    def for_page(self, result: Result, estimate: object, estimate_right: str) -> PagePieces:
        estimation = None
        if estimate is not None:
            text = self.estimation.render(estimate=estimate, result=result, fr=french_spacing)
            estimation = already_html(text)
        return PagePieces(self, estimation, estimate_right)


class PagePieces:
    """What ``result.html`` calls for one page: the kept pieces, and this person's estimate."""

    def __init__(self, pieces: ResultPieces, estimation: Markup | None, right_id: str) -> None:
        self.pieces = pieces
        self.estimation = estimation
        self.estimation_right = right_id

    # A macro's output ends with its last line's newline; the page puts each item of a list
    # on its own line after the tag that opens the list (``{{- … }}``).

    def overview(self, rights: Sequence[RightResult]) -> Markup:
        return items(self.overview_item(right) for right in rights)

    def sections(self, rights: Sequence[RightResult]) -> Markup:
        return already_html("\n".join(self.section(right) for right in rights))

    def how_to_apply(self, steps: Sequence[str]) -> Markup:
        return items(self.how_to_apply_item(step) for step in steps)

    def situation(self, rows: Sequence[SummaryRow]) -> Markup:
        return items(self.situation_row(row) for row in rows)

    def mail_form_start(self, sent: bool, errors: Mapping[str, str]) -> Markup:
        """The title of the e-mail form, whether it was sent, and its error summary."""
        pieces = self.pieces
        return pieces.piece(
            ("mail_form_start", sent),
            not errors,
            lambda: line(pieces.macros.mail_form_start(sent, errors)),
        )

    def email_input(self, value: str, errors: Mapping[str, str]) -> Markup:
        """The address field; kept as long as nothing was typed in it."""
        pieces = self.pieces
        return pieces.piece(
            ("email",),
            not value and not errors,
            lambda: line(pieces.macros.email_input(value, errors)),
        )

    def overview_item(self, right: RightResult) -> Markup:
        pieces = self.pieces
        key = ("overview", right.id, right.status)
        return pieces.piece(key, True, lambda: line(pieces.macros.overview_item(right)))

    def section(self, right: RightResult) -> Markup:
        pieces, day = self.pieces, self.pieces.day
        start = pieces.piece(
            ("start", right.id, right.status, right.amount),
            not (right.amount and pieces.personal_category),
            lambda: pieces.macros.section_start(right, day),
        )
        reasons = [self.reason_item(reason) for reason in right.reasons]
        end = pieces.piece(
            ("end", right.id, right.exemptions, right.next_steps, right.fiches),
            right.id not in pieces.personal_rights,
            lambda: line(pieces.macros.section_end(right, day)),
        )
        estimation = self.estimation if right.id == self.estimation_right else None
        opening = f"{start}{estimation or ''}{pieces.reasons_start}"
        return already_html("\n".join([opening, *reasons, end]))

    def reason_item(self, reason: Reason) -> Markup:
        pieces = self.pieces
        return pieces.piece(
            ("reason", reason.kind, reason.text, reason.since),
            reason.rule not in pieces.personal_reasons,
            lambda: line(pieces.macros.reason_item(reason)),
        )

    def other_help(self, shown: Sequence[ShownHelp], pdf: bool) -> Markup:
        """« Les aides d'autres organismes »: on a day, an id names one version of an entry."""
        pieces = self.pieces
        return pieces.piece(
            ("other_help", tuple(help_.entry.id for help_ in shown), pdf),
            True,
            lambda: already_html(
                pieces.other_help.render(other_help=shown, pdf=pdf, fr=french_spacing)
            ),
        )

    def how_to_apply_item(self, step: str) -> Markup:
        pieces = self.pieces
        return pieces.piece(
            ("step", step), True, lambda: line(pieces.macros.how_to_apply_item(step))
        )

    def situation_row(self, row: SummaryRow) -> Markup:
        pieces = self.pieces
        return pieces.piece(
            ("row", row.question_id, row.answer),
            row.question_id in pieces.chosen_answers,
            lambda: line(pieces.macros.situation_row(row)),
        )


def already_html(text: str) -> Markup:
    """Pieces drawn by the autoescaped templates, joined as plain text: not escaped again."""
    return Markup(text)  # noqa: S704 - only output of the autoescaped templates


def line(html: Markup) -> Markup:
    return already_html(html.removesuffix("\n"))


def items(lines: Iterable[Markup]) -> Markup:
    """Each item on a line of its own."""
    return already_html("".join(f"\n{item}" for item in lines))


def pieces_for(
    holder: Any,
    environment: Environment,
    site: SiteQuestionnaire,
    library: Library,
    day: dt.date,
    site_url: str,
) -> ResultPieces:
    """The pieces kept on ``holder`` (the app's state), anew when the content or the day
    changed."""
    pieces: ResultPieces | None = getattr(holder, "result_pieces", None)
    if (
        pieces is None
        or pieces.site is not site
        or pieces.library is not library
        or pieces.day != day
    ):
        pieces = ResultPieces(environment, site, library, day, site_url)
        holder.result_pieces = pieces
    return pieces
