"""The application factory: ``create_app(settings)`` builds the whole site."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app.config import PROJECT_DIR, Environment, Settings
from app.cpas.routes import router as cpas_router
from app.db import make_engine
from app.errors import register_error_handlers
from app.fiches.changes_routes import router as changes_router
from app.fiches.live import LiveLibrary
from app.fiches.routes import router as fiches_router
from app.middleware import SiteMiddleware
from app.openapi import build_openapi
from app.pagecache import PageCache
from app.pages.routes import router as pages_router
from app.probleme.routes import router as probleme_router
from app.questionnaire.api import api_router as questionnaire_api_router
from app.questionnaire.express import router as questionnaire_express_router
from app.questionnaire.routes import router as questionnaire_router
from app.questionnaire.share import router as questionnaire_share_router
from app.questionnaire.site import load_site_questionnaire
from app.questions.dashboard_routes import router as questions_dashboard_router
from app.questions.routes import router as questions_router
from app.questions.staff_routes import router as questions_staff_router
from app.search.routes import router as search_router
from app.search.synonyms import load_synonyms
from app.staff.auth import COOKIE_NAME as STAFF_COOKIE
from app.staff.auth import LoginRequiredError, login_required_handler
from app.staff.freshness import router as staff_freshness_router
from app.staff.routes import public_router as staff_login_router
from app.staff.routes import router as staff_router
from app.templating import build_templates

log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the site from ``settings`` (read from the environment when not given)."""
    settings = settings or Settings()
    engine = make_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.library.reindex(engine)
        # What startup loaded (content, templates, routes) lives as long as the process: kept
        # out of the collector's full passes, which otherwise walk it all and add about 100 ms
        # to an unlucky request (the dashboard's p95, bench/README.md). Given back at shutdown.
        gc.collect()
        gc.freeze()
        yield
        gc.unfreeze()
        engine.dispose()

    app = FastAPI(
        title=f"{settings.site_name} — API",
        description="API publique du questionnaire « Ai-je droit ? ».",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.templates = build_templates(settings)
    app.state.paths = {}

    # Raises ContentError listing every problem of content/questionnaire/ and montants.yaml.
    app.state.questionnaire = load_site_questionnaire(settings.content_dir)
    app.state.search_synonyms = load_synonyms(settings.content_dir)[0]
    app.state.library = LiveLibrary(
        settings.content_dir, watch_files=settings.env == Environment.development
    )

    register_error_handlers(app)
    app.mount("/static", StaticFiles(directory=PROJECT_DIR / "static"), name="static")
    # The questionnaire's pages first: its result page is rendered on every request (most
    # other pages come from the page cache, before any routing), and routes are tried in order.
    app.include_router(questionnaire_router)
    app.include_router(questionnaire_share_router)
    app.include_router(questionnaire_express_router)
    app.include_router(pages_router)
    app.include_router(fiches_router)
    app.include_router(changes_router)
    app.include_router(probleme_router)
    app.include_router(questionnaire_api_router(app.state.questionnaire))
    app.include_router(cpas_router)
    app.include_router(search_router)
    app.include_router(questions_router)
    app.include_router(staff_login_router)
    app.include_router(staff_router)
    app.include_router(questions_staff_router)
    app.include_router(questions_dashboard_router)
    app.include_router(staff_freshness_router)
    app.add_exception_handler(LoginRequiredError, login_required_handler)
    app.openapi = lambda: build_openapi(app)  # type: ignore[method-assign]

    app.add_middleware(
        SiteMiddleware,
        max_body_bytes=settings.max_body_bytes,
        secure_cookies=settings.secure_cookies,
        page_cache=PageCache(
            enabled=settings.env != Environment.development, skip_cookie=STAFF_COOKIE.encode()
        ),
    )
    return app
