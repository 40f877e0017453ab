"""``python -m app``: serve the site, migrate, create staff accounts, check content, seed a demo."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated

import typer
from sqlmodel import Session

from app import migrate
from app.config import Settings
from app.db import make_engine
from app.staff.accounts import AccountError, create_staff
from app.staff.models import Role

cli = typer.Typer(help="Repères CPAS : commandes d'exploitation.", no_args_is_help=True)
db_cli = typer.Typer(help="Base de données.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")


def log_config(level: str) -> dict[str, object]:
    """Uvicorn's logging, with the site's own loggers; uvicorn's access log is off (ours is on).

    Every line goes through ``RedactingFormatter``: no token, typed text or address."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {
                "()": "app.logsafe.RedactingFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(process)d %(message)s",
            }
        },
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
        "loggers": {
            "app": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
            "uvicorn": {"handlers": ["stderr"], "level": level.upper(), "propagate": False},
        },
    }


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Adresse d'écoute")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
    workers: Annotated[int | None, typer.Option(help="Nombre de processus")] = None,
    reload: Annotated[bool, typer.Option(help="Recharger quand le code change")] = False,
) -> None:
    """Serve the site with uvicorn (graceful shutdown on SIGTERM)."""
    import uvicorn

    settings = Settings()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=None if reload else (workers or settings.workers),
        reload=reload,
        access_log=False,
        proxy_headers=True,
        timeout_graceful_shutdown=20,
        log_config=log_config(settings.log_level),
    )


@db_cli.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    migrate.upgrade(Settings().database_url)
    typer.echo("Base de données à jour.")


@cli.command("create-staff")
def create_staff_command(
    email: Annotated[str, typer.Option(help="Adresse e-mail de connexion")],
    name: Annotated[str, typer.Option(help="Nom affiché dans l'équipe")],
    role: Annotated[list[Role], typer.Option(help="Rôle (répéter pour plusieurs)")],
) -> None:
    """Create a staff account; the password is asked on the terminal or read from stdin."""
    if sys.stdin.isatty():
        password = typer.prompt("Mot de passe", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    engine = make_engine(Settings().database_url)
    try:
        with Session(engine) as session:
            user = create_staff(
                session, email=email, display_name=name, password=password, roles=role
            )
    except AccountError as error:
        typer.echo(f"Erreur : {error}", err=True)
        raise typer.Exit(1) from error
    finally:
        engine.dispose()
    typer.echo(f"Compte créé : {user.email} ({', '.join(sorted(user.role_set))}).")


@cli.command("check-content")
def check_content_command() -> None:
    """Check every file of the content folder; print ``file:line: message`` for each problem.

    Fiches past their review date or behind a change are printed as warnings (exit code 0).
    """
    from app.checks import content_report

    settings = Settings()
    problems, warnings = content_report(settings.content_dir)
    for warning in warnings:
        typer.echo(f"attention : {warning}")
    for problem in problems:
        typer.echo(str(problem))
    if problems:
        typer.echo(f"{len(problems)} problème(s) dans le contenu.", err=True)
        raise typer.Exit(1)
    typer.echo("Contenu valide.")


@cli.command("actualiser-fiches")
def refresh_fiches_command() -> None:
    """After editing fiches: raise version and updated of each fiche whose text changed."""
    from app.checks import fiches_and_paths
    from app.fiches.fingerprints import refresh
    from app.fiches.library import FICHES_DIR, load_library
    from app.fiches.live import today

    content_dir = Settings().content_dir
    library, _problems = load_library(content_dir, day=today())
    lines = refresh(content_dir / FICHES_DIR, fiches_and_paths(library), day=today())
    for line in lines:
        typer.echo(line)
    typer.echo(f"{len(lines)} fiche(s) actualisée(s) ; empreintes à jour.")


@cli.command("seed-demo")
def seed_demo_command() -> None:
    """Fill the database with demonstration accounts and threads (development only)."""
    from app.demo import seed_demo

    settings = Settings()
    if settings.env == "production":
        typer.echo("Refusé : pas de données de démonstration en production.", err=True)
        raise typer.Exit(1)
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            for line in seed_demo(session, settings):
                typer.echo(line)
    finally:
        engine.dispose()


@cli.command()
def maintenance() -> None:
    """Close idle threads, purge deleted messages, erase old e-mails, retry the mail queue."""
    from app import ratelimit
    from app.mail import deliver_pending, deliver_queued, take_queued_ids
    from app.questions import upkeep
    from app.questions.digest import send_digests
    from app.questions.staff_routes import router as staff_routes
    from app.staff.sessions import forget_old_sessions

    staff_path = staff_routes.url_path_for

    settings = Settings()
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            closed = upkeep.close_idle(session, settings=settings)
            purged = upkeep.purge(session, settings=settings)
            erased = upkeep.erase_old_emails(session, settings=settings)
            pruned = upkeep.prune_outbox(session, settings=settings)
            counters = ratelimit.forget_expired(session, older_than=dt.timedelta(hours=1))
            upkeep.forget_used_forms(session)
            forget_old_sessions(session)
            digests = send_digests(session, settings=settings, path_for=staff_path)
            sent = deliver_queued(session, settings, ids=take_queued_ids(session))
            sent += deliver_pending(session, settings, limit=1000)
    finally:
        engine.dispose()
    typer.echo(
        f"Fils fermés : {closed} ; messages effacés : {purged} ; adresses effacées : {erased} ; "
        f"e-mails retirés de la boîte d'envoi : {pruned} ; compteurs oubliés : {counters} ; "
        f"résumés de l'équipe : {digests} ; e-mails envoyés : {sent}."
    )


@cli.command("staff-digest")
def staff_digest() -> None:
    """Send each staff member their daily e-mail of what waits (also done by maintenance)."""
    from app.mail import deliver_queued, take_queued_ids
    from app.questions.digest import send_digests
    from app.questions.staff_routes import router as staff_routes

    settings = Settings()
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            digests = send_digests(session, settings=settings, path_for=staff_routes.url_path_for)
            sent = deliver_queued(session, settings, ids=take_queued_ids(session))
    finally:
        engine.dispose()
    typer.echo(f"Résumés de l'équipe : {digests} ; e-mails envoyés : {sent}.")
