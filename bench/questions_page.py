"""A page with 200 published messages in its thread, against nginx serving the same HTML.

Builds a SQLite database with the demo data plus 10 threads of 20 published messages each
(question, answers, replies: 200 messages, all on the first page) in the general questions and
under a fiche, serves it with 2 workers in production mode, saves each page's HTML, serves that
with nginx and loads both with wrk in the same run.

    python bench/questions_page.py [--duration 10] [--connections 32]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

import run as site_bench  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from app.config import Settings  # noqa: E402
from app.db import make_engine, utcnow  # noqa: E402
from app.questions import answering, asking, moderation  # noqa: E402
from app.questions.mails import MailLinks  # noqa: E402
from app.questions.routes import router  # noqa: E402
from app.staff.models import StaffUser  # noqa: E402

FICHE = "piis-contrat-integration"
THREADS, MESSAGES = 10, 20
ANSWER = (
    "Bonjour,\n\nLe CPAS examine **ta situation** et décide. Tu peux demander un rendez-vous "
    "avec ton assistante sociale et venir avec une personne de confiance :\n\n"
    "- garde une copie de chaque document ;\n- demande un accusé de réception ;\n"
    "- note la date de chaque rendez-vous.\n\nBien à toi,"
)


def seed_threads(database_url: str, fiche: str | None) -> None:
    """10 threads of 20 published messages each, through the same functions as the site."""
    settings = Settings(database_url=database_url, posting_limit_per_hour=10**6)
    engine = make_engine(database_url)
    links = MailLinks(base_url=settings.base_url, path_for=router.url_path_for)
    # The newest threads, so that the first page shows all 10 of them (200 messages).
    start = utcnow() - dt.timedelta(minutes=15)
    with Session(engine) as session:
        staff = session.exec(select(StaffUser).where(StaffUser.email == "pro@demo.invalid")).one()
        for number in range(THREADS):
            moment = start + dt.timedelta(seconds=number)
            asked = asking.ask(
                session,
                settings=settings,
                links=links,
                pseudonym=f"Jeune{number}",
                email=f"jeune{number}@example.be",
                body=f"Question {number} ({fiche}) : le CPAS peut-il suspendre mon RIS si je "
                "rate un rendez-vous ?\nJe n'ai pas reçu la lettre.",
                fiche_slug=fiche,
                address=f"bench-{number}",
                now=moment,
            )
            moderation.approve(
                session,
                settings=settings,
                links=links,
                message=asked.question,
                version=asked.question.version,
                staff=staff,
                now=moment,
            )
            for turn in range(1, MESSAGES):
                moment += dt.timedelta(seconds=30)
                if turn % 2:
                    answering.answer(
                        session,
                        settings=settings,
                        links=links,
                        thread=asked.thread,
                        parent_id=None,
                        body=f"{ANSWER}\n\n(réponse {turn})",
                        staff=staff,
                        now=moment,
                    )
                else:
                    asking.reply(
                        session,
                        settings=settings,
                        thread=asked.thread,
                        parent_id=None,
                        body=f"Merci ! Et si je déménage ? (message {fiche} {number}-{turn})",
                        address=f"bench-{number}",
                        now=moment,
                    )
    engine.dispose()


def start_site(tmp: Path, port: int) -> tuple[subprocess.Popen[bytes], str]:
    """Demo data and the 2 x 200 messages, then the site served as in production."""
    database_url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    env = {
        **os.environ,
        "APP_DATABASE_URL": database_url,
        "APP_VAR_DIR": str(tmp / "var"),
        "APP_LOG_LEVEL": "warning",
    }
    python = sys.executable
    project = BENCH.parent
    subprocess.run([python, "-m", "app", "db", "upgrade"], env=env, check=True, cwd=project)
    subprocess.run(
        [python, "-m", "app", "seed-demo"], env=env, check=True, cwd=project, capture_output=True
    )
    seed_threads(database_url, None)
    seed_threads(database_url, FICHE)
    production = {**env, "APP_ENV": "production", "APP_SECRET_KEY": secrets.token_urlsafe(48)}
    process = subprocess.Popen(
        [python, "-m", "app", "serve", "--port", str(port), "--workers", "2"],
        env=production,
        cwd=project,
        start_new_session=True,
    )
    return process, database_url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    for tool in ("nginx", "wrk"):
        if not shutil.which(tool):
            sys.exit(f"{tool} est absent : apt-get install nginx-light wrk")
    pages = {"questions": "/questions", "fiche": f"/fiches/{FICHE}"}
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        tmp.chmod(0o755)
        site_port, nginx_port = site_bench.free_port(), site_bench.free_port()
        site, _ = start_site(tmp, site_port)
        nginx = None
        try:
            base = f"http://127.0.0.1:{site_port}"
            site_bench.wait_for(base + "/healthz")
            static = tmp / "static"
            static.mkdir()
            for page, path in pages.items():
                html = site_bench.fetch(base + path)
                (static / f"{page}.html").write_bytes(html)
                shown = html.count(b'class="message ')
                print(f"{path} : {len(html) // 1024} Kio, {shown} messages affichés")
            nginx = site_bench.start_nginx(static, nginx_port, tmp)
            site_bench.wait_for(f"http://127.0.0.1:{nginx_port}/questions")
            print(
                f"{'page':<10} {'app req/s':>10} {'app p99':>10} {'nginx req/s':>12} "
                f"{'nginx p99':>10} {'ratio':>7}"
            )
            for page, path in pages.items():
                app = site_bench.wrk(base + path, args.duration, args.connections)
                ngx = site_bench.wrk(
                    f"http://127.0.0.1:{nginx_port}/{page}", args.duration, args.connections
                )
                note = f"  ({app[2]} réponses non 2xx)" if app[2] else ""
                print(
                    f"{page:<10} {app[0]:>10.0f} {app[1]:>8.1f}ms {ngx[0]:>12.0f} "
                    f"{ngx[1]:>8.1f}ms {app[0] / ngx[0]:>7.3f}{note}"
                )
        finally:
            site_bench.stop(site)
            if nginx:
                site_bench.stop(nginx)


if __name__ == "__main__":
    main()
