"""The fiche a thread belongs to (a file of content/fiches/): found by slug, its title, the list."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from app.config import Settings

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def fiche_file(settings: Settings, slug: str) -> Path | None:
    """The fiche's Markdown file, or None when ``slug`` names no fiche."""
    if not SLUG.match(slug) or len(slug) > 120:
        return None
    path = settings.content_dir / "fiches" / f"{slug}.md"
    return path if path.is_file() else None


@lru_cache(maxsize=256)
def _front_matter_title(path: Path, _mtime: float) -> str | None:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return None
    header = text.split("---", 2)[1]
    try:
        data = yaml.safe_load(header)
    except yaml.YAMLError:
        return None
    title = data.get("title") if isinstance(data, dict) else None
    return str(title) if title else None


def fiche_title(settings: Settings, slug: str | None) -> str | None:
    """The title of the fiche ``slug`` (read from its front matter), or None."""
    path = fiche_file(settings, slug) if slug else None
    return _front_matter_title(path, path.stat().st_mtime) if path else None


def fiche_choices(settings: Settings) -> list[tuple[str, str]]:
    """(slug, title) of every fiche, by title: the fiche picker of the answer form."""
    found = []
    for path in sorted((settings.content_dir / "fiches").glob("*.md")):
        title = fiche_title(settings, path.stem)
        if title:
            found.append((path.stem, title))
    return sorted(found, key=lambda choice: choice[1].lower())
