"""``/staff/tableau-de-bord`` and its CSV exports ``/staff/tableau-de-bord.csv?vue=…``: the
figures of the questions for the staff who moderate or answer (``app.questions.dashboard``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from app.db import SessionDep, utcnow
from app.fiches.library import Library
from app.fiches.routes import LibraryDep
from app.questions import charts
from app.questions.dashboard import Dashboard, Period, figures, read_period
from app.questions.routes import SettingsDep
from app.staff.auth import require_role, require_staff
from app.staff.models import Role
from app.staff.pages import STAFF_HEADERS, staff_page
from app.templating import BELGIUM

router = APIRouter(
    prefix="/staff",
    dependencies=[Depends(require_staff), Depends(require_role(Role.moderator, Role.professional))],
    include_in_schema=False,
)
# The longest text of a date field kept to be shown back in the form.
TYPED_MAX = 40
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _titles(library: Library) -> dict[str, str]:
    return {slug: fiche.title for slug, fiche in library.fiches.items()}


def _figures(
    request: Request, session: SessionDep, settings: SettingsDep, library: Library
) -> tuple[Dashboard, dict[str, str], dict[str, str]]:
    """The dashboard for the period of the query string; the errors and the typed values."""
    typed = {name: request.query_params.get(name, "")[:TYPED_MAX].strip() for name in ("du", "au")}
    now = utcnow()
    period, errors = read_period(typed["du"], typed["au"], today=now.astimezone(BELGIUM).date())
    found = figures(
        session,
        period=period,
        usual_days=settings.usual_answer_days,
        fiche_titles=_titles(library),
        now=now,
    )
    if not errors:
        typed = {"du": f"{period.start:%d/%m/%Y}", "au": f"{period.end:%d/%m/%Y}"}
    return found, errors, typed


@router.get("/tableau-de-bord", name="staff_dashboard")
def dashboard_page(
    request: Request, session: SessionDep, settings: SettingsDep, library: LibraryDep
) -> Response:
    """The figures of a period (the last twelve weeks unless ``du`` and ``au`` say otherwise)."""
    return _page(request, *_figures(request, session, settings, library))


def _page(
    request: Request, figures: Dashboard, errors: dict[str, str], typed: dict[str, str]
) -> Response:
    weeks = figures.weeks
    context = {
        "figures": figures,
        "errors": errors,
        "values": typed,
        "week_chart": charts.columns(
            [f"{w.monday.day}/{w.monday.month}" for w in weeks],
            [[w.received for w in weeks], [w.answered for w in weeks]],
            names=["reçues", "répondues"],
        ),
        "delay_chart": charts.columns(
            [row.bucket.short for row in figures.delay_rows],
            [[row.count for row in figures.delay_rows]],
            names=["questions"],
            late=[row.bucket.late for row in figures.delay_rows],
        ),
        "open_chart": charts.columns(
            [row.bucket.short for row in figures.open_rows],
            [[row.count for row in figures.open_rows]],
            names=["questions"],
            late=[row.bucket.late for row in figures.open_rows],
        ),
        "fiche_chart": charts.rows(
            [row.title for row in figures.fiches],
            [row.delays.received for row in figures.fiches],
            name="questions reçues",
        ),
        "professional_chart": charts.rows(
            [row.name for row in figures.professionals],
            [row.answers for row in figures.professionals],
            name="réponses",
        ),
        "exports": _export_links(request, figures.period),
    }
    status = 400 if errors else 200
    return staff_page(request, "questions/staff/dashboard.html", context, status_code=status)


# --- CSV ----------------------------------------------------------------------------------------


def _days(value: int | None) -> str:
    return "" if value is None else str(value)


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}".replace(".", ",")


def _weeks(figures: Dashboard) -> Iterable[Sequence[object]]:
    yield ("semaine du", "questions reçues", "questions répondues (première réponse)")
    for week in figures.weeks:
        yield (week.monday.isoformat(), week.received, week.answered)


def _delays(figures: Dashboard) -> Iterable[Sequence[object]]:
    yield ("délai de première réponse (jours ouvrables)", "questions", "au-delà du délai habituel")
    for row in figures.delay_rows:
        yield (row.bucket.label, row.count, "oui" if row.bucket.late else "non")


def _fiches(figures: Dashboard) -> Iterable[Sequence[object]]:
    usual = figures.usual_days
    yield (
        "fiche",
        "adresse de la fiche",
        "questions reçues",
        "questions répondues",
        "délai médian (jours ouvrables)",
        "90e centile (jours ouvrables)",
        f"part répondue en {usual} jours ouvrables ou moins (%)",
    )
    for row in figures.fiches:
        delays = row.delays
        yield (
            row.title,
            row.slug or "",
            delays.received,
            delays.answered_count,
            _days(delays.median),
            _days(delays.p90),
            _share(delays.share_within(usual)),
        )


def _professionals(figures: Dashboard) -> Iterable[Sequence[object]]:
    yield (
        "professionnel",
        "réponses publiées",
        "premières réponses",
        "délai médian de ses premières réponses (jours ouvrables)",
    )
    for row in figures.professionals:
        yield (
            row.name,
            row.answers,
            row.first_answers.answered_count,
            _days(row.first_answers.median),
        )


def _waiting(figures: Dashboard) -> Iterable[Sequence[object]]:
    yield ("attente (jours ouvrables)", "questions en attente de réponse", "en retard")
    for row in figures.open_rows:
        yield (row.bucket.label, row.count, "oui" if row.bucket.late else "non")


EXPORTS = {
    "semaines": ("Par semaine", _weeks),
    "delais": ("Délais de première réponse", _delays),
    "fiches": ("Par fiche", _fiches),
    "professionnels": ("Par professionnel", _professionals),
    "attente": ("Questions en attente, par âge", _waiting),
}


def _export_links(request: Request, period: Period) -> dict[str, dict[str, str]]:
    path = request.app.url_path_for("staff_dashboard_csv")
    bounds = {"du": period.start.isoformat(), "au": period.end.isoformat()}
    return {
        key: {"label": label, "url": f"{path}?{urlencode({'vue': key, **bounds})}"}
        for key, (label, _rows) in EXPORTS.items()
    }


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading quote."""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: Iterable[Sequence[object]]) -> str:
    """Semicolons and a byte-order mark: what a spreadsheet set to French opens as columns."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return "\ufeff" + out.getvalue()


def _file_name(view: str, period: Period) -> str:
    return f"tableau-de-bord-{view}-{period.start.isoformat()}-{period.end.isoformat()}.csv"


@router.get("/tableau-de-bord.csv", name="staff_dashboard_csv")
def dashboard_csv(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    library: LibraryDep,
    vue: str = "semaines",
) -> Response:
    """One table of the dashboard as a CSV file; a bad period shows the page and its error."""
    if vue not in EXPORTS:
        raise HTTPException(status_code=404, detail="Cet export n'existe pas.")
    figures, errors, typed = _figures(request, session, settings, library)
    if errors:
        return _page(request, figures, errors, typed)
    body = csv_text(EXPORTS[vue][1](figures))
    headers = {
        **STAFF_HEADERS,
        "Content-Disposition": f'attachment; filename="{_file_name(vue, figures.period)}"',
        "X-Content-Type-Options": "nosniff",
    }
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
