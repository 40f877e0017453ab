"""Every fiche of ``content/fiches``, loaded once, checked across the library, rendered."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from app.amounts import Amounts, load_amounts
from app.content import Problem
from app.fiches.changes import (
    Changes,
    indexation_problems,
    load_changes,
    next_box_change,
    reference_problems,
)
from app.fiches.directives import AmountNote
from app.fiches.french import sort_key, typography
from app.fiches.glossary import GLOSSARY_FILE, GlossaryEntry, Term, compile_terms, load_glossary
from app.fiches.markdown import fiche_parser
from app.fiches.meta import FicheMeta, Theme, load_themes, parse_meta
from app.fiches.outline import Outline, Section, TocEntry, outline
from app.fiches.tokens import FicheLink, RenderContext
from app.fiches.yaml_source import YamlDocument

FICHES_DIR = "fiches"
# Part of every ETag: change it when the rendering changes, so browsers drop their old copies.
ENGINE_VERSION = "1"


@dataclass(frozen=True)
class Fiche:
    """One fiche, rendered: ``html`` is safe to mark as Markup (raw HTML never passes)."""

    meta: FicheMeta
    title: str
    summary: str
    html: str
    toc: tuple[TocEntry, ...]
    sections: tuple[Section, ...]
    plain_text: str
    anchors: frozenset[str]
    amount_notes: tuple[AmountNote, ...]
    etag: str
    source_path: Path

    @property
    def slug(self) -> str:
        return self.meta.slug


class ThemeFiches(NamedTuple):
    """A theme of ``themes.yaml`` and its fiches, sorted by title (``for theme, fiches in``)."""

    theme: Theme
    fiches: tuple[Fiche, ...]


@dataclass(frozen=True)
class Library:
    """The fiches by slug (sorted by title), the themes in order, the glossary, the day used."""

    fiches: dict[str, Fiche]
    themes: tuple[ThemeFiches, ...]
    glossary: tuple[GlossaryEntry, ...]
    rendered_on: dt.date
    # The first day a new amount comes into force, or a change enters or leaves the fiches'
    # « Ce qui a changé » boxes: render the library again from that day.
    next_amounts_change: dt.date | None
    changes: Changes = Changes(())

    def get(self, slug: str) -> Fiche | None:
        return self.fiches.get(slug)

    def related(self, fiche: Fiche) -> list[Fiche]:
        """The fiches listed in ``related``, in their order."""
        return [self.fiches[slug] for slug in fiche.meta.related if slug in self.fiches]


@dataclass
class ParsedFiche:
    """A fiche file after its own checks, before the checks that need the whole library."""

    path: Path
    source: bytes
    meta: FicheMeta | None
    document: YamlDocument | None
    html: str
    outline: Outline
    context: RenderContext


def front_matter(document: YamlDocument | None) -> dict[str, object]:
    """The raw fields of a front matter, whatever their validity."""
    if document is None or not isinstance(document.data, dict):
        return {}
    return document.data


def read_fiche(
    path: Path, *, day: dt.date, amounts: Amounts | None, terms: list[Term]
) -> ParsedFiche | Problem:
    """Parse, validate and render one fiche file; its problems stay in its context."""
    source = path.read_bytes()
    try:
        text = source.decode("utf-8")
    except UnicodeDecodeError:
        return Problem(path, 1, "le fichier n'est pas enregistré en UTF-8")
    context = RenderContext(path=path, day=day, amounts=amounts, terms=terms)
    parser = fiche_parser()
    env = {"fiche": context}
    tokens = parser.parse(text, env)
    meta, document = None, None
    if tokens and tokens[0].type == "front_matter":
        header, tokens = (
            tokens[0],
            tokens[1:],
        )  # out of the body, which then starts with no blank line
        first_line = (header.map[0] if header.map else 0) + 2  # after the opening ---
        meta, document, problems = parse_meta(header.content, path=path, first_line=first_line)
        context.problems.extend(problems)
    else:
        context.problem(
            1, "en-tête YAML manquant ou non fermé : la fiche commence et finit son en-tête par ---"
        )
    slug = front_matter(document).get("slug")
    if isinstance(slug, str) and slug != path.stem and document is not None:
        message = f"le slug « {slug} » doit être le nom du fichier « {path.stem} »"
        context.problem(document.line_of(["slug"]), message)
    title = typography(meta.title) if meta else path.stem
    html = parser.renderer.render(tokens, parser.options, env)
    return ParsedFiche(path, source, meta, document, html, outline(tokens, title=title), context)


def library_problems(parsed: dict[str, ParsedFiche], *, theme_slugs: set[str]) -> list[Problem]:
    """The checks across fiches: links, anchors, related fiches, themes."""
    problems = []
    for fiche in parsed.values():
        context = fiche.context
        for link in context.fiche_links:
            problems.extend(link_problems(link, parsed=parsed, path=fiche.path))
        for anchor, line in context.local_links:
            if anchor not in fiche.outline.anchors:
                problems.append(
                    Problem(fiche.path, line, f"ancre inconnue dans cette fiche : « #{anchor} »")
                )
        # Read from the raw YAML: an unknown theme is worth reporting even when a date is wrong.
        fields = front_matter(fiche.document)
        for name, known, what in (
            ("related", parsed, "fiche inconnue"),
            ("themes", theme_slugs, "thème inconnu"),
        ):
            values = fields.get(name)
            for index, slug in enumerate(values if isinstance(values, list) else []):
                if isinstance(slug, str) and slug not in known and fiche.document is not None:
                    line = fiche.document.line_of([name, index])
                    problems.append(Problem(fiche.path, line, f"{name} : {what} « {slug} »"))
    return problems


def link_problems(link: FicheLink, *, parsed: dict[str, ParsedFiche], path: Path) -> list[Problem]:
    target = parsed.get(link.slug)
    if target is None:
        return [Problem(path, link.line, f"lien vers une fiche inconnue : « fiche:{link.slug} »")]
    if link.anchor is not None and link.anchor not in target.outline.anchors:
        message = f"ancre inconnue « #{link.anchor} » dans la fiche « {link.slug} »"
        return [Problem(path, link.line, message)]
    return []


def fiche_etag(parsed: ParsedFiche, *, glossary_digest: str) -> str:
    """A hash of what the HTML is made of: stable across restarts, new when a source changes."""
    digest = hashlib.sha256(parsed.source)
    digest.update(f"\n{ENGINE_VERSION}\n{glossary_digest}\n".encode())
    for note in parsed.context.amount_notes.values():
        indexed = note.indexation.depuis.isoformat() if note.indexation else ""
        digest.update(f"{note.scale}:{note.since.isoformat()}:{indexed}\n".encode())
    return digest.hexdigest()[:32]


def next_change(amounts: Amounts | None, day: dt.date) -> dt.date | None:
    if amounts is None:
        return None
    starts = [p.depuis for s in amounts.baremes.values() for p in s.periodes]
    # An indexation's notice appears on its first day, like a new amount.
    later = [start for start in (*starts, *amounts.indexation_dates()) if start > day]
    return min(later, default=None)


def load_library(content_dir: Path, *, day: dt.date) -> tuple[Library, list[Problem]]:
    """Read and render every fiche for ``day``; the good fiches and every problem found."""
    amounts, problems = load_amounts(content_dir)
    themes, theme_problems = load_themes(content_dir)
    # Editors leave hidden files (``.#fiche.md``) beside the ones being written.
    paths = sorted(p for p in (content_dir / FICHES_DIR).glob("*.md") if not p.name.startswith("."))
    glossary, glossary_problems = load_glossary(content_dir, fiche_slugs={p.stem for p in paths})
    problems += theme_problems + glossary_problems
    if not (content_dir / FICHES_DIR).is_dir():
        problems.append(Problem(content_dir / FICHES_DIR, 1, "dossier des fiches introuvable"))
    terms = compile_terms(glossary)
    parsed: dict[str, ParsedFiche] = {}
    for path in paths:
        result = read_fiche(path, day=day, amounts=amounts, terms=terms)
        if isinstance(result, Problem):
            problems.append(result)
        else:
            parsed[path.stem] = result
            problems += result.context.problems
    problems += library_problems(parsed, theme_slugs={theme.slug for theme in themes})
    changes, change_problems = load_changes(content_dir)
    metas = {slug: item.meta for slug, item in parsed.items() if item.meta is not None}
    problems += change_problems + reference_problems(
        changes,
        fiches=metas,
        fiche_paths={slug: item.path for slug, item in parsed.items()},
        fiche_documents={slug: item.document for slug, item in parsed.items()},
        scales=amounts.baremes if amounts is not None else (),
    )
    if amounts is not None:
        problems += indexation_problems(
            changes, amounts, amounts_path=content_dir / "montants.yaml"
        )
    glossary_path = content_dir / GLOSSARY_FILE
    glossary_bytes = glossary_path.read_bytes() if glossary_path.exists() else b""
    glossary_digest = hashlib.sha256(glossary_bytes).hexdigest()
    fiches = [
        build_fiche(item, meta=item.meta, glossary_digest=glossary_digest)
        for item in parsed.values()
        if item.meta is not None and item.meta.slug == item.path.stem
    ]
    fiches.sort(key=lambda fiche: sort_key(fiche.meta.title))
    library = Library(
        fiches={fiche.slug: fiche for fiche in fiches},
        themes=tuple(
            ThemeFiches(theme, tuple(f for f in fiches if theme.slug in f.meta.themes))
            for theme in themes
        ),
        glossary=tuple(glossary),
        rendered_on=day,
        next_amounts_change=min(
            (d for d in (next_change(amounts, day), next_box_change(changes, day=day)) if d),
            default=None,
        ),
        changes=changes,
    )
    return library, sorted(problems)


def build_fiche(parsed: ParsedFiche, *, meta: FicheMeta, glossary_digest: str) -> Fiche:
    return Fiche(
        meta=meta,
        title=typography(meta.title),
        summary=typography(meta.summary),
        html=parsed.html,
        toc=parsed.outline.toc,
        sections=parsed.outline.sections,
        plain_text=parsed.outline.plain_text,
        anchors=parsed.outline.anchors,
        amount_notes=tuple(parsed.context.amount_notes.values()),
        etag=fiche_etag(parsed, glossary_digest=glossary_digest),
        source_path=parsed.path,
    )


def check_fiches(content_dir: Path, *, day: dt.date) -> list[Problem]:
    """Every problem of the fiches, glossary, themes and amounts, sorted by file and line."""
    return load_library(content_dir, day=day)[1]
