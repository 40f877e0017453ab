"""The links of a fiche: ``fiche:`` links rewritten, external ones marked, others refused."""

from __future__ import annotations

import re

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from app.fiches.glossary import GLOSSARY_PATH
from app.fiches.tokens import FicheLink, RenderContext, child_lines, context_of, inline_tokens

FICHES_PATH = "/fiches"
SITE_PATHS = frozenset(
    {"/ai-je-droit", "/questions", GLOSSARY_PATH, FICHES_PATH, "/recherche", "/trouver-mon-cpas"}
)
FICHE_LINK = re.compile(r"fiche:([a-z0-9]+(?:-[a-z0-9]+)*)(?:#([a-z0-9]+(?:-[a-z0-9]+)*))?")
EXTERNAL_LINK = re.compile(r"https?://[^/\s?#]+\S*", re.IGNORECASE)


def check_links(state: StateCore) -> None:
    """Rewrite ``fiche:`` links, mark external ones, and unlink (with a problem) the others."""
    context = context_of(state)
    for inline in inline_tokens(state.tokens):
        kept: list[Token] = []
        opened: list[bool] = []
        for child, line in zip(inline.children or [], child_lines(inline), strict=True):
            if child.type == "link_open":
                opened.append(accept_link(child, line=line, context=context))
                if opened[-1]:
                    kept.append(child)
            elif child.type == "link_close":
                if opened.pop():
                    kept.append(child)
            elif child.type == "image":
                context.problem(line, "pas d'image dans une fiche")
                kept.append(Token("text", "", 0, content=child.content))
            else:
                kept.append(child)
        inline.children = kept


def accept_link(token: Token, *, line: int, context: RenderContext) -> bool:
    """Whether a link may stay a link; fix its href and attributes on the way."""
    href = str(token.attrGet("href") or "")
    if match := FICHE_LINK.fullmatch(href):
        slug, anchor = match.groups()
        context.fiche_links.append(FicheLink(slug, anchor, line))
        token.attrSet("href", f"{FICHES_PATH}/{slug}" + (f"#{anchor}" if anchor else ""))
        return True
    if href.startswith("#") and len(href) > 1:
        context.local_links.append((href[1:], line))
        return True
    if href.startswith("/") and not href.startswith("//"):
        path, _hash, fragment = href.partition("#")
        if path.partition("?")[0] not in SITE_PATHS:
            context.problem(line, f"lien vers une page inconnue du site : « {href} »")
            return False
        anchors = {term.entry.ancre for term in context.terms}
        if path == GLOSSARY_PATH and fragment and fragment not in anchors:
            context.problem(line, f"mot inconnu du glossaire : « {href} »")
        return True
    if EXTERNAL_LINK.fullmatch(href):
        token.attrSet("class", "external")
        token.attrSet("rel", "noopener")
        return True
    context.problem(line, f"lien non permis « {href} » : fiche:…, une page du site ou https://…")
    return False
