"""The PDF of a fiche: WeasyPrint draws the page's own HTML with the print stylesheet.

Each PDF is cached on disk under the hash of what it is made from, so only the first request
after a change pays for drawing it.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
from pathlib import Path
from typing import Any

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from app.config import PROJECT_DIR

STATIC_DIR = PROJECT_DIR / "static"


class StaticFetcher(URLFetcher):  # type: ignore[misc]
    """WeasyPrint's fetcher: the site's own ``/static/`` files come from disk, nothing else.

    A PDF never makes a network request, not even to the site itself.
    """

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url.rstrip("/")

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = url.removeprefix(self.base_url).split("?", 1)[0]
        file = (STATIC_DIR / path.removeprefix("/static/")).resolve()
        if not path.startswith("/static/") or STATIC_DIR.resolve() not in file.parents:
            raise ValueError(f"ressource refusée dans le PDF : {url}")
        content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, file.read_bytes(), {"Content-Type": content_type})


def render_pdf(html: str, *, base_url: str, cache_dir: Path) -> Path:
    """The PDF for ``html`` (from the cache when the same HTML was drawn before)."""
    digest = hashlib.sha256(html.encode()).hexdigest()[:32]
    target = cache_dir / f"{digest}.pdf"
    if target.exists():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    document = HTML(
        string=html, base_url=base_url, url_fetcher=StaticFetcher(base_url), media_type="print"
    )
    # Written beside the target then renamed: a reader never sees half a file.
    handle, temporary = tempfile.mkstemp(dir=cache_dir, suffix=".part")
    os.close(handle)
    document.write_pdf(temporary)
    os.replace(temporary, target)
    return target
