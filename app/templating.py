"""The one Jinja environment: where templates are found, French filters, and the globals."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    pass_context,
    select_autoescape,
)
from markupsafe import Markup
from starlette.routing import NoMatchFound

from app.config import PROJECT_DIR, Settings
from app.csrf import FIELD_NAME, csrf_token

MONTHS = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip
NARROW_NBSP = "\u202f"
BELGIUM = ZoneInfo("Europe/Brussels")
NBSP = "\u00a0"

# The layout lives in templates/; each part of the site keeps its pages in app/<part>/templates/.
TEMPLATE_DIRS = [PROJECT_DIR / "templates"] + sorted(PROJECT_DIR.glob("app/*/templates"))


def date_fr(value: dt.date | dt.datetime | None) -> str:
    """« 1er février 2025 », « 23 novembre 2026 » (a stored UTC time is shown in Belgian time)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(BELGIUM)
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def datetime_fr(value: dt.datetime | None) -> str:
    """« 23 novembre 2026 à 14 h 05 »."""
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(BELGIUM)
    return f"{date_fr(value)} à {value.hour}{NBSP}h{NBSP}{value.minute:02d}"


def euros(value: Decimal | float | int) -> str:
    """« 1 314,20 € »: a narrow no-break space between thousands, a comma for decimals."""
    whole, cents = f"{Decimal(value):.2f}".split(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{NARROW_NBSP.join(groups)},{cents}{NBSP}€"


def plain_text(value: str) -> Markup:
    """Text a person typed, escaped, with its line breaks kept (no HTML, no Markdown)."""
    escaped = Markup.escape(value)
    paragraphs = [p for p in escaped.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return Markup("\n").join(
        Markup("<p>{}</p>").format(Markup("<br>\n").join(p.split("\n"))) for p in paragraphs
    )


@pass_context
def csrf_field_global(context: dict[str, Any]) -> Markup:
    """``{{ csrf_field() }}`` in a form: the hidden field with this visitor's token."""
    return csrf_field(context["request"])


def csrf_field(request: Request) -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        FIELD_NAME, csrf_token(request)
    )


@pass_context
def pending_indexation(context: dict[str, Any], scale: str, day: dt.date) -> Any:
    """The indexation of ``scale`` in force on ``day`` whose figures ``montants.yaml`` lacks.

    Read from the amounts the app loaded at start (``app.state.questionnaire``); ``None`` when
    the amounts shown are up to date, or outside a request.
    """
    request = context.get("request")
    site = getattr(getattr(request, "app", None), "state", None)
    amounts = getattr(getattr(site, "questionnaire", None), "amounts", None)
    return amounts.pending_indexation(scale, day) if amounts is not None else None


@pass_context
def url_for(context: dict[str, Any], name: str, /, **params: Any) -> str:
    """The path of a named route: links stay relative, whatever host the site is behind."""
    request: Request = context["request"]
    return path_for(request, name, **params)


def path_for(request: Request, name: str, /, **params: Any) -> str:
    """``app.url_path_for`` remembered per app: routes do not change once the app is built."""
    cache: dict[tuple[str, tuple[tuple[str, Any], ...]], str] = request.app.state.paths
    key = (name, tuple(sorted(params.items())))
    if key not in cache:
        cache[key] = str(request.app.url_path_for(name, **params))
    return cache[key]


@lru_cache(maxsize=64)
def _static_version(path: str) -> str:
    file = PROJECT_DIR / "static" / path
    return hashlib.sha256(file.read_bytes()).hexdigest()[:10]


def static_url(path: str) -> str:
    """``/static/css/site.css?v=…``: the version changes with the file, so it can be cached."""
    return f"/static/{path}?v={_static_version(path)}"


# The header's sections, in order; a section shows once its part of the site is mounted.
SECTIONS = [
    ("Fiches", "fiches_index", "fiches"),
    ("Ai-je droit ?", "questionnaire_start", "questionnaire"),
    ("Questions", "questions_index", "questions"),
    ("Recherche", "search", "search"),
]


@pass_context
def main_sections(context: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(label, path, section id) of each main section the app serves."""
    request: Request = context["request"]
    sections: list[tuple[str, str, str]] | None = getattr(request.app.state, "sections", None)
    if sections is None:
        sections = []
        for label, route, section in SECTIONS:
            try:
                sections.append((label, path_for(request, route), section))
            except NoMatchFound:
                continue
        request.app.state.sections = sections
    return sections


def build_templates(settings: Settings, extra_dirs: list[Path] | None = None) -> Jinja2Templates:
    """The Jinja environment for this app: autoescaped, strict about undefined names."""
    loader = ChoiceLoader([FileSystemLoader([*(extra_dirs or []), *TEMPLATE_DIRS])])
    environment = Environment(
        loader=loader,
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=settings.env != "production",
    )
    environment.filters.update(
        date_fr=date_fr, datetime_fr=datetime_fr, euros=euros, plain_text=plain_text
    )
    environment.globals.update(
        settings=settings,
        csrf_field=csrf_field_global,
        url_for=url_for,
        static_url=static_url,
        main_sections=main_sections,
        pending_indexation=pending_indexation,
    )
    return Jinja2Templates(env=environment)


def render(
    request: Request, name: str, context: Mapping[str, object] | None = None, status_code: int = 200
) -> Response:
    """Render a page of the site with the app's templates."""
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, dict(context or {}), status_code=status_code)
