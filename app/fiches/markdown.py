"""Markdown of a fiche to safe HTML: markdown-it with raw HTML off and the rules of the site."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererProtocol
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.front_matter import front_matter_plugin

from app.fiches.directives import (
    DirectiveError,
    amount_table,
    directive_rule,
    inline_amount,
    known_amounts,
    written_amounts,
)
from app.fiches.french import anchor_for, typography
from app.fiches.glossary import mark_terms
from app.fiches.links import check_links
from app.fiches.tokens import RenderContext, child_lines, context_of, inline_text, inline_tokens

CALLOUTS = {
    "attention": "Attention",
    "bon-a-savoir": "Bon à savoir",
    "exemple": "Exemple",
    # A list to print and tick by hand (the boxes are drawn by the stylesheet).
    "a-cocher": "À cocher",
}
TOC_LEVELS = (2, 3)


class FicheMarkdown(MarkdownIt):
    """markdown-it that lets every link through to the fiche rules, which report the bad ones."""

    def validateLink(self, url: str) -> bool:  # noqa: N802 - markdown-it's name
        # The default silently turns ``javascript:`` links into text; a writer must hear of it.
        return True


def heading_anchors(state: StateCore) -> None:
    """Give every heading its anchor, deduplicated with -2, -3; a ``#`` title is a problem."""
    context = context_of(state)
    seen: set[str] = set()
    for index, token in enumerate(state.tokens):
        if token.type != "heading_open":
            continue
        if token.tag == "h1":
            line = (token.map[0] if token.map else 0) + 1
            context.problem(line, "pas de titre « # » dans une fiche : le titre vient de l'en-tête")
        base = anchor_for(inline_text(state.tokens[index + 1])) or "section"
        anchor, number = base, 2
        while anchor in seen:
            anchor, number = f"{base}-{number}", number + 1
        seen.add(anchor)
        token.attrSet("id", anchor)


def stray_callouts(state: StateCore) -> None:
    """A ``:::`` line left as text is a callout with an unknown name or a missing opening."""
    context = context_of(state)
    for inline in inline_tokens(state.tokens):
        for offset, text in enumerate(inline.content.splitlines()):
            if text.lstrip().startswith(":::"):
                line = (inline.map[0] if inline.map else 0) + offset + 1
                names = ", ".join(CALLOUTS)
                context.problem(line, f"encadré inconnu ou mal ouvert « {text.strip()} » ({names})")
                break  # its closing ::: is part of the same mistake


def handwritten_amounts(state: StateCore) -> None:
    """An amount of ``montants.yaml`` typed in the text is a problem: use a directive."""
    context = context_of(state)
    known = known_amounts(context.amounts)
    for inline in inline_tokens(state.tokens):
        for child, line in zip(inline.children or [], child_lines(inline), strict=True):
            if child.type != "text":
                continue
            for written in written_amounts(child.content, known=known):
                message = f"montant écrit à la main « {written} » : utilise {{{{ montant … }}}}"
                context.problem(line, message)


def resolve_amounts(state: StateCore) -> None:
    """Replace each amount directive by its amount, or its paragraph by the amount table."""
    context = context_of(state)
    resolved: list[Token] = []
    tokens = state.tokens
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "inline" and any(
            c.type == "amount_directive" for c in token.children or []
        ):
            previous = resolved[-1] if resolved else None
            table = replace_directives(token, previous=previous, context=context)
            if table is not None:
                resolved[-1] = table  # the paragraph_open; its inline and close are skipped
                index += 2
                continue
        resolved.append(token)
        index += 1
    state.tokens = resolved


def replace_directives(
    inline: Token, *, previous: Token | None, context: RenderContext
) -> Token | None:
    """Resolve the directives of one inline token; return a table token when it is a table."""
    children = inline.children or []
    visible = [c for c in children if c.type != "text" or c.content.strip()]
    alone = previous is not None and previous.type == "paragraph_open" and len(visible) == 1
    kept: list[Token] = []
    for child, line in zip(children, child_lines(inline), strict=True):
        if child.type != "amount_directive":
            kept.append(child)
            continue
        words: list[str] = child.meta["words"]
        try:
            if words[:1] == ["tableau"] and len(words) == 2:
                html, text, note = amount_table(words, amounts=context.amounts, day=context.day)
                if not alone:
                    raise DirectiveError(f"« {child.content} » doit être seul sur sa ligne")
                context.amount_notes.setdefault(note.scale, note)
                table = Token(
                    "amount_table", "", 0, content=text, map=inline.map, meta={"html": html}
                )
                table.block = True
                return table
            if words[:1] == ["montant"] and len(words) == 3:
                amount, note = inline_amount(words, amounts=context.amounts, day=context.day)
                context.amount_notes.setdefault(note.scale, note)
                kept.append(Token("text", "", 0, content=amount))
                continue
            raise DirectiveError(
                f"directive inconnue « {child.content} » : "
                "{{ tableau barème }} ou {{ montant barème catégorie }}"
            )
        except DirectiveError as error:
            context.problem(line, str(error))
            kept.append(Token("text", "", 0, content=child.content))
    inline.children = kept
    return None


def mark_glossary(state: StateCore) -> None:
    """Mark the first occurrence of each glossary word, outside headings and links."""
    remaining = {term.entry.ancre: term for term in context_of(state).terms}
    for inline in inline_tokens(state.tokens, headings=False):
        if not remaining:
            return
        inline.children = mark_terms(inline.children or [], remaining)


def french_typography(state: StateCore) -> None:
    """No-break spaces in text tokens only: code, URLs and attributes stay as written."""
    for inline in inline_tokens(state.tokens):
        in_autolink = False
        for child in inline.children or []:
            if child.type == "link_open":
                in_autolink = child.markup == "autolink"
            elif child.type == "link_close":
                in_autolink = False
            elif child.type == "text" and not in_autolink:
                child.content = typography(child.content)


def table_alignment(state: StateCore) -> None:
    """Column alignment as a class: the site's CSP forbids ``style`` attributes."""
    for token in state.tokens:
        if token.type in ("th_open", "td_open"):
            style = str(token.attrs.pop("style", ""))
            if style.startswith("text-align:"):
                token.attrSet("class", "align-" + style.removeprefix("text-align:"))


def render_callout(
    self: RendererProtocol, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[index]
    if token.nesting == -1:
        return "</aside>\n"
    name = token.type.removeprefix("container_").removesuffix("_open")
    return (
        f'<aside class="callout callout-{name}" role="note">\n'
        f'<p class="callout-title">{CALLOUTS[name]}</p>\n'
    )


def render_amount_table(
    self: RendererProtocol, tokens: Sequence[Token], index: int, options: OptionsDict, env: EnvType
) -> str:
    html: str = tokens[index].meta["html"]
    return html


def callout_validator(name: str) -> Callable[[str, str], bool]:
    """Only the exact name opens a callout: ``::: attention Délai`` is reported, not guessed."""
    return lambda params, _markup: params.strip() == name


@cache
def fiche_parser() -> MarkdownIt:
    """The one parser of fiches; everything that varies per fiche travels in ``env``."""
    parser = FicheMarkdown("commonmark", {"html": False, "typographer": True, "quotes": "«»“”"})
    parser.enable(["table", "replacements", "smartquotes"])
    parser.use(front_matter_plugin)
    for name in CALLOUTS:
        parser.use(
            container_plugin, name=name, validate=callout_validator(name), render=render_callout
        )
    parser.inline.ruler.after("text", "amount_directive", directive_rule)
    # Anchors come before amounts: an anchor must not change when an amount is indexed.
    for rule in (
        heading_anchors,
        stray_callouts,
        handwritten_amounts,  # before the directives become text
        resolve_amounts,
        check_links,
        mark_glossary,
        french_typography,
        table_alignment,
    ):
        parser.core.ruler.push(rule.__name__, rule)
    parser.add_render_rule("amount_table", render_amount_table)
    return parser
