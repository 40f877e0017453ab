"""The front matter of a fiche and the themes of ``themes.yaml``, as pydantic models."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from app.content import Problem
from app.fiches.yaml_source import YamlDocument, parse_yaml, validation_problems

THEMES_FILE = "themes.yaml"
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

Text = Annotated[str, Field(min_length=1, max_length=200)]


def check_slug(value: str) -> str:
    """A slug is lowercase ASCII words joined by dashes: it is a file name and a URL."""
    if not SLUG.fullmatch(value):
        raise ValueError(f"« {value} » n'est pas un slug (minuscules, chiffres et tirets)")
    return value


Slug = Annotated[str, Field(max_length=80), AfterValidator(check_slug)]


# A fiche is reviewed at least once a year (a little more, so that a yearly review fits).
LONGEST_REVIEW = dt.timedelta(days=400)


class FicheSource(BaseModel):
    """A public page the fiche's facts come from: the date the page gives, the day we read it.

    A page with no date of its own cannot be cited (``date`` is required): a reader must be able
    to tell how old the fact is, apart from how recently we looked at it (``consulte``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Text
    url: HttpUrl
    date: dt.date
    consulte: dt.date

    @field_validator("consulte")
    @classmethod
    def _read_after_written(cls, consulte: dt.date, info: ValidationInfo) -> dt.date:
        date = info.data.get("date")
        if date is not None and consulte < date:
            raise ValueError(
                f"la page a été lue le {consulte}, avant sa propre date ({date}) : "
                "date est la date de la page, consulte le jour où tu l'as lue"
            )
        return consulte


class FicheChange(BaseModel):
    """A change of ``changements.yaml`` as this fiche tells it (its « Ce qui a changé » box)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    texte: Annotated[str, Field(min_length=10, max_length=400)] | None = None


class FicheMeta(BaseModel):
    """The YAML front matter of a fiche (see ``content/README.md``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Annotated[str, Field(min_length=3, max_length=150)]
    slug: Slug
    summary: Annotated[str, Field(min_length=1, max_length=300)]
    themes: Annotated[list[Slug], Field(min_length=1)]
    version: Annotated[int, Field(ge=1, strict=True)]
    published: dt.date
    updated: dt.date
    sources: Annotated[list[FicheSource], Field(min_length=1)]
    related: list[Slug] = []
    relire_avant: dt.date
    changements: list[FicheChange] = []

    @field_validator("themes", "related")
    @classmethod
    def _no_repeats(cls, values: list[str]) -> list[str]:
        if len(set(values)) != len(values):
            raise ValueError("un même slug est répété")
        return values

    @field_validator("updated")
    @classmethod
    def _not_before_published(cls, updated: dt.date, info: ValidationInfo) -> dt.date:
        published = info.data.get("published")
        if published is not None and updated < published:
            raise ValueError(
                f"la date de mise à jour ({updated}) précède la mise en ligne ({published})"
            )
        return updated

    @field_validator("relire_avant")
    @classmethod
    def _review_within_a_year(cls, relire_avant: dt.date, info: ValidationInfo) -> dt.date:
        updated = info.data.get("updated")
        if updated is None:
            return relire_avant
        if relire_avant <= updated:
            raise ValueError(
                f"la date de relecture ({relire_avant}) doit suivre la mise à jour ({updated})"
            )
        if relire_avant - updated > LONGEST_REVIEW:
            raise ValueError(
                f"la date de relecture ({relire_avant}) est à plus d'un an de la mise à jour "
                f"({updated}) : relis la fiche au moins une fois par an"
            )
        return relire_avant

    @field_validator("changements")
    @classmethod
    def _each_change_once(cls, changes: list[FicheChange]) -> list[FicheChange]:
        ids = [change.id for change in changes]
        if len(set(ids)) != len(ids):
            raise ValueError("un même changement est cité deux fois")
        return changes

    @field_validator("related")
    @classmethod
    def _not_itself(cls, related: list[str], info: ValidationInfo) -> list[str]:
        if info.data.get("slug") in related:
            raise ValueError("une fiche ne peut pas se citer elle-même dans related")
        return related


class Theme(BaseModel):
    """A group of fiches on ``/fiches``, in the order of ``themes.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slug: Slug
    titre: Text
    description: Annotated[str, Field(min_length=1, max_length=300)]


def parse_meta(
    text: str, *, path: Path, first_line: int
) -> tuple[FicheMeta | None, YamlDocument | None, list[Problem]]:
    """Validate the YAML between the ``---`` lines; the document is kept for later line lookups."""
    document, syntax_problem = parse_yaml(text, path=path, first_line=first_line)
    if document is None:
        return None, None, [syntax_problem] if syntax_problem else []
    try:
        return FicheMeta.model_validate(document.data), document, []
    except ValidationError as error:
        return None, document, validation_problems(path, error, document=document)


def load_themes(content_dir: Path) -> tuple[list[Theme], list[Problem]]:
    """Read ``themes.yaml``: the themes in display order, or the problems found."""
    path = content_dir / THEMES_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], [Problem(path, 1, "fichier des thèmes introuvable")]
    document, syntax_problem = parse_yaml(text, path=path)
    if document is None:
        return [], [syntax_problem] if syntax_problem else []
    try:
        themes = TypeAdapter(list[Theme]).validate_python(document.data)
    except ValidationError as error:
        return [], validation_problems(path, error, document=document)
    seen: set[str] = set()
    problems = []
    for index, theme in enumerate(themes):
        if theme.slug in seen:
            line = document.line_of([index, "slug"])
            problems.append(Problem(path, line, f"thème « {theme.slug} » défini deux fois"))
        seen.add(theme.slug)
    return themes, problems
