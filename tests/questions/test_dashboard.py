"""The staff dashboard (``/staff/tableau-de-bord``): its figures on a seeded history, checked
against figures computed here in plain Python from the seeded list (own working-day count, own
holidays, own percentiles); its CSV exports; who may see it; the period form."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections import Counter
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import insert
from sqlmodel import Session, col, select

from app.questions import answering, asking, moderation, threads
from app.questions.dashboard import Dashboard, Period, belgian_day, compute
from app.questions.dashboard import figures as dashboard_figures
from app.questions.models import Author, Message, MessageState, Thread
from app.staff.models import Role, StaffUser
from tests.questions.test_work_queue import account, session
from tests.questions.thread_helpers import links_for, login, signed_in

__all__ = ["session"]  # the fixture, shared with the work queue's tests

BRUSSELS = ZoneInfo("Europe/Brussels")
USUAL = 3  # the default APP_USUAL_ANSWER_DAYS
# Belgium's legal holidays in 2026, written out (Easter Sunday is 5 April 2026).
HOLIDAYS = {
    dt.date(2026, 1, 1),
    dt.date(2026, 4, 6),
    dt.date(2026, 5, 1),
    dt.date(2026, 5, 14),
    dt.date(2026, 5, 25),
    dt.date(2026, 7, 21),
    dt.date(2026, 8, 15),
    dt.date(2026, 11, 1),
    dt.date(2026, 11, 11),
    dt.date(2026, 12, 25),
}
FIRST_DAY, LAST_DAY = dt.date(2026, 10, 5), dt.date(2026, 11, 29)  # a Monday, a Sunday
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=BRUSSELS)  # a Wednesday
PIIS, STUDENT = "piis-contrat-integration", "etudiant-cpas"
# The buckets the page promises for a usual delay of 3 days: each day to 3, then 4–6, 7–12, 13+.
BUCKETS = [(0, 0), (1, 1), (2, 2), (3, 3), (4, 6), (7, 12), (13, None)]


def at(day: str, clock: str) -> dt.datetime:
    """A moment in Brussels, as people there read it."""
    return dt.datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=BRUSSELS)


@dataclass
class Seed:
    """One question of the history and what happened to it."""

    asked: dt.datetime
    fiche: str | None
    fate: str  # answered, open (published, no answer), pending, rejected, spam
    answers: list[tuple[dt.datetime, str]] = field(default_factory=list)
    hide_first_answer: bool = False
    follow_up: dt.datetime | None = None


HISTORY = [
    # answered the same day
    Seed(at("2026-10-05", "09:00"), PIIS, "answered", [(at("2026-10-05", "15:00"), "Alice")]),
    # Friday evening, answered Monday morning: 1 working day
    Seed(at("2026-10-09", "18:00"), PIIS, "answered", [(at("2026-10-12", "09:00"), "Alice")]),
    # Saturday 23:30 in summer time, answered on Monday in winter time: 1 working day
    Seed(at("2026-10-24", "23:30"), None, "answered", [(at("2026-10-26", "08:30"), "Bruno")]),
    # Tuesday, answered Thursday across Armistice (Wednesday 11 November): 1 working day; then
    # a second answer by a colleague, which is not a first answer
    Seed(
        at("2026-11-10", "11:00"),
        STUDENT,
        "answered",
        [(at("2026-11-12", "10:00"), "Alice"), (at("2026-11-13", "16:00"), "Bruno")],
    ),
    # Monday 00:30 in Brussels is still Sunday in UTC: received in the week of 12 October
    Seed(at("2026-10-12", "00:30"), None, "answered", [(at("2026-10-19", "10:00"), "Bruno")]),
    # across All Saints (a Sunday in 2026): 5 working days; the answer is hidden later
    Seed(
        at("2026-10-29", "10:00"),
        PIIS,
        "answered",
        [(at("2026-11-05", "10:00"), "Bruno")],
        hide_first_answer=True,
    ),
    Seed(at("2026-11-18", "14:00"), STUDENT, "open"),  # published, never answered
    Seed(at("2026-11-25", "09:00"), None, "pending"),  # never moderated
    Seed(at("2026-11-27", "10:00"), None, "open"),  # published on a Friday, not late on Wednesday
    Seed(at("2026-10-06", "10:00"), PIIS, "spam"),
    Seed(at("2026-10-07", "10:00"), None, "rejected"),
    # asked before the period, first answered in it
    Seed(at("2026-09-28", "10:00"), PIIS, "answered", [(at("2026-10-06", "10:00"), "Alice")]),
    # asked in the period, answered after it
    Seed(at("2026-11-26", "10:00"), STUDENT, "answered", [(at("2026-11-30", "10:00"), "Alice")]),
    # answered, then the asker wrote again: a follow-up waiting since 20 November
    Seed(
        at("2026-11-02", "10:00"),
        None,
        "answered",
        [(at("2026-11-02", "12:00"), "Alice")],
        follow_up=at("2026-11-20", "10:00"),
    ),
]


# --- The expected figures, computed from HISTORY alone ------------------------------------------


def working_days(start: dt.date, end: dt.date) -> int:
    """Days after ``start`` up to ``end`` that are neither weekend nor holiday, one by one."""
    days = (start + dt.timedelta(days=n) for n in range(1, (end - start).days + 1))
    return sum(1 for day in days if day.weekday() < 5 and day not in HOLIDAYS)


def rank(values: list[int], fraction: float) -> int | None:
    """Nearest-rank percentile: the value at position ceil(fraction × n) of the sorted list."""
    if not values:
        return None
    return sorted(values)[math.ceil(fraction * len(values)) - 1]


def bucket_of(days: int) -> tuple[int, int | None]:
    return next(b for b in BUCKETS if b[0] <= days and (b[1] is None or days <= b[1]))


def in_period(moment: dt.datetime) -> bool:
    return FIRST_DAY <= moment.date() <= LAST_DAY


def delay(seed: Seed) -> int:
    return working_days(seed.asked.date(), seed.answers[0][0].date())


def counted(seeds: list[Seed], today: dt.date) -> dict[str, object]:
    """Received, answered, median, 90th percentile, within the usual delay, base of the share."""
    received = [s for s in seeds if s.fate != "spam" and in_period(s.asked)]
    delays = [delay(s) for s in received if s.answers]
    late = [
        s
        for s in received
        if not s.answers
        and s.fate in ("open", "pending")
        and working_days(s.asked.date(), today) > USUAL
    ]
    return {
        "received": len(received),
        "answered": len(delays),
        "median": rank(delays, 0.5),
        "p90": rank(delays, 0.9),
        "within": sum(1 for d in delays if d <= USUAL),
        "base": len(delays) + len(late),
    }


def expected(today: dt.date) -> dict[str, object]:
    weeks: dict[dt.date, list[int]] = {}
    monday = FIRST_DAY
    while monday <= LAST_DAY:
        weeks[monday] = [0, 0]
        monday += dt.timedelta(weeks=1)
    for seed in HISTORY:
        if seed.fate != "spam" and in_period(seed.asked):
            weeks[seed.asked.date() - dt.timedelta(days=seed.asked.weekday())][0] += 1
        if seed.answers and in_period(seed.answers[0][0]):
            first = seed.answers[0][0].date()
            weeks[first - dt.timedelta(days=first.weekday())][1] += 1
    fiches = {
        slug for slug in (s.fiche for s in HISTORY if s.fate != "spam" and in_period(s.asked))
    }
    answers_given: Counter[str] = Counter(
        name for s in HISTORY for moment, name in s.answers if in_period(moment)
    )
    first_by: dict[str, list[int]] = {}
    for seed in HISTORY:
        if seed.answers and seed.fate != "spam" and in_period(seed.asked):
            first_by.setdefault(seed.answers[0][1], []).append(delay(seed))
    # Waiting for an answer now: never answered, or the asker wrote again, or the only answer
    # was hidden (the question waits again since it was asked).
    waiting = Counter(
        bucket_of(working_days((s.follow_up or s.asked).date(), today))
        for s in HISTORY
        if s.fate == "open" or s.follow_up or (s.hide_first_answer and len(s.answers) == 1)
    )
    received = [s for s in HISTORY if s.fate != "spam" and in_period(s.asked)]
    return {
        "weeks": {m: tuple(v) for m, v in weeks.items()},
        "overall": counted(HISTORY, today),
        "fiches": {
            slug: counted([s for s in HISTORY if s.fiche == slug], today) for slug in fiches
        },
        "professionals": {
            name: (
                answers_given[name],
                len(first_by.get(name, [])),
                rank(first_by.get(name, []), 0.5),
            )
            for name in set(answers_given) | set(first_by)
        },
        "delays": Counter(bucket_of(delay(s)) for s in received if s.answers),
        "waiting": waiting,
    }


# --- Seeding through the services, at the seeded moments ---------------------------------------


def seed_history(app: FastAPI, session: Session) -> None:
    settings, links = app.state.settings, links_for(app)
    moderator = account(session, "Modération", Role.moderator)
    staff = {
        "Alice": account(session, "Alice", Role.professional),
        "Bruno": account(session, "Bruno", Role.professional, Role.moderator),
    }
    for number, seed in enumerate(HISTORY):
        asked = asking.ask(
            session,
            settings=settings,
            links=links,
            pseudonym=f"Jeune{number}",
            email=f"jeune{number}@example.be",
            body=f"Bonjour, question numéro {number} : le CPAS peut-il refuser mon dossier ?",
            fiche_slug=seed.fiche,
            address=f"192.0.2.{number + 1}",
            now=seed.asked,
        )
        thread = asked.thread
        question = threads.question_row(session, thread)
        decided = seed.asked + dt.timedelta(minutes=10)
        if seed.fate == "spam":
            moderation.change_state(
                session,
                message=question,
                action="spam",
                version=question.version,
                staff=moderator,
                now=decided,
            )
        elif seed.fate == "rejected":
            moderation.reject(
                session,
                settings=settings,
                links=links,
                message=question,
                version=question.version,
                reason="Hors sujet.",
                staff=moderator,
                now=decided,
            )
        elif seed.fate != "pending":
            moderation.approve(
                session,
                settings=settings,
                links=links,
                message=question,
                version=question.version,
                staff=moderator,
                now=decided,
            )
        for index, (moment, name) in enumerate(seed.answers):
            answer = answering.answer(
                session,
                settings=settings,
                links=links,
                thread=thread,
                parent_id=None,
                body=f"Réponse {index} à la question {number}.",
                staff=staff[name],
                now=moment.astimezone(dt.UTC),
            )
            if index == 0 and seed.hide_first_answer:
                moderation.change_state(
                    session,
                    message=answer,
                    action="hide",
                    version=answer.version,
                    staff=moderator,
                    now=moment + dt.timedelta(days=1),
                )
        if seed.follow_up:
            asking.reply(
                session,
                settings=settings,
                thread=thread,
                parent_id=None,
                body=f"Merci ! Et si je déménage ? ({number})",
                address=f"192.0.2.{number + 1}",
                now=seed.follow_up,
            )


def figures(session: Session, now: dt.datetime = NOW) -> Dashboard:
    return compute(
        session,
        period=Period(FIRST_DAY, LAST_DAY),
        usual_days=USUAL,
        fiche_titles={PIIS: "Le PIIS", STUDENT: "Étudiant"},
        now=now,
    )


def measured(board: Dashboard) -> dict[str, object]:
    """The dashboard's figures in the shape of :func:`expected`."""

    def counts(delays: object) -> dict[str, object]:
        from app.questions.dashboard import Delays

        assert isinstance(delays, Delays)
        return {
            "received": delays.received,
            "answered": delays.answered_count,
            "median": delays.median,
            "p90": delays.p90,
            "within": delays.within(USUAL),
            "base": delays.base(),
        }

    return {
        "weeks": {w.monday: (w.received, w.answered) for w in board.weeks},
        "overall": counts(board.overall),
        "fiches": {row.slug: counts(row.delays) for row in board.fiches},
        "professionals": {
            row.name: (row.answers, row.first_answers.answered_count, row.first_answers.median)
            for row in board.professionals
        },
        "delays": Counter(
            {(r.bucket.low, r.bucket.high): r.count for r in board.delay_rows if r.count}
        ),
        "waiting": Counter(
            {(r.bucket.low, r.bucket.high): r.count for r in board.open_rows if r.count}
        ),
    }


# --- The figures --------------------------------------------------------------------------------


def test_figures_match_the_history_computed_by_hand(app: FastAPI, session: Session) -> None:
    seed_history(app, session)
    board = figures(session)
    want = expected(NOW.date())
    got = measured(board)
    for key in want:
        assert got[key] == want[key], key
    # A few of them written out, so that a mistake in both computations would show.
    assert want["overall"] == {
        "received": 12,
        "answered": 8,
        "median": 1,
        "p90": 5,
        "within": 6,
        "base": 10,
    }
    assert board.overall.share_within(USUAL) == pytest.approx(60.0)
    # The Monday 00:30 question is in the week of 12 October, not in the Sunday before.
    assert want["weeks"] == {
        **want["weeks"],
        dt.date(2026, 10, 5): (3, 2),
        dt.date(2026, 10, 12): (1, 1),
    }
    assert want["waiting"] == Counter({(7, 12): 2, (3, 3): 1, (13, None): 1})
    assert [b.label for b in (r.bucket for r in board.open_rows)][-1] == "13 jours ou plus"


def test_open_questions_age_with_the_day(app: FastAPI, session: Session) -> None:
    seed_history(app, session)
    later = dt.datetime(2026, 12, 28, 9, 0, tzinfo=BRUSSELS)  # after Christmas
    assert measured(figures(session, later))["waiting"] == expected(later.date())["waiting"]


def test_belgian_day_in_sql_matches_the_time_zone(app: FastAPI, session: Session) -> None:
    """Around every change of time from 2024 to 2027, and at each half hour of a few days."""
    moments = []
    for year in (2024, 2025, 2026, 2027):
        for month in (3, 10):
            last_sunday = max(
                dt.date(year, month, day)
                for day in range(25, 32)
                if dt.date(year, month, day).weekday() == 6
            )
            start = dt.datetime.combine(last_sunday, dt.time(), tzinfo=dt.UTC)
            moments += [start + dt.timedelta(minutes=30 * n - 120) for n in range(60)]
    moments += [dt.datetime(2026, 12, 31, 23, 0, 0, 1, tzinfo=dt.UTC)]
    session.exec(  # type: ignore[call-overload]
        insert(Thread),
        params=[
            {"token_seed": f"s{n}", "token_hash": f"h{n}", "created_at": m, "last_activity_at": m}
            for n, m in enumerate(moments)
        ],
    )
    session.commit()
    dialect = session.get_bind().dialect.name
    rows = session.exec(  # type: ignore[call-overload]
        select(
            col(Thread.created_at), belgian_day(col(Thread.created_at), dialect, range(2024, 2028))
        )
    ).all()
    assert len(rows) == len(moments)
    for moment, day in rows:
        assert str(day) == moment.astimezone(BRUSSELS).date().isoformat(), moment


# --- The page and the CSV -----------------------------------------------------------------------

PERIOD_QUERY = "du=05/10/2026&au=29/11/2026"


def rows_of(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_page_and_csv_show_the_same_figures(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    seed_history(app, session)
    signed_in(client, app, Role.professional)
    today = dt.datetime.now(BRUSSELS).date()
    want = expected(today)

    page = client.get(f"/staff/tableau-de-bord?{PERIOD_QUERY}")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    soup = BeautifulSoup(page.text, "html.parser")
    svgs = soup.find_all("svg", class_="chart")
    assert len(svgs) == 5
    for svg in svgs:
        assert svg["role"] == "img"
        assert svg.find("title").get_text().strip()
        assert svg.find_next_sibling("table") is not None or svg.find_next("table") is not None
        assert "style" not in str(svg)
    figures_text = soup.find("dl", class_="key-figures").get_text(" ")
    overall = want["overall"]
    assert isinstance(overall, dict)
    assert f"Questions reçues {overall['received']}" in " ".join(figures_text.split())
    assert "jours ouvrables" in page.text

    weeks = client.get(f"/staff/tableau-de-bord.csv?vue=semaines&{PERIOD_QUERY}")
    assert weeks.status_code == 200
    assert weeks.headers["content-type"] == "text/csv; charset=utf-8"
    assert weeks.headers["content-disposition"] == (
        'attachment; filename="tableau-de-bord-semaines-2026-10-05-2026-11-29.csv"'
    )
    table = rows_of(weeks.text)
    assert table[0][0] == "semaine du"
    week_want = want["weeks"]
    assert isinstance(week_want, dict)
    assert {dt.date.fromisoformat(r[0]): (int(r[1]), int(r[2])) for r in table[1:]} == week_want

    fiches = rows_of(client.get(f"/staff/tableau-de-bord.csv?vue=fiches&{PERIOD_QUERY}").text)
    by_slug = {r[1] or None: r for r in fiches[1:]}
    fiche_want = want["fiches"]
    assert isinstance(fiche_want, dict)
    assert set(by_slug) == set(fiche_want)
    for slug, counts in fiche_want.items():
        row = by_slug[slug]
        assert (int(row[2]), int(row[3])) == (counts["received"], counts["answered"])
        assert row[4] == ("" if counts["median"] is None else str(counts["median"]))
        share = None if not counts["base"] else 100 * counts["within"] / counts["base"]
        assert row[6] == ("" if share is None else f"{share:.1f}".replace(".", ","))

    for view in ("semaines", "delais", "fiches", "professionnels", "attente"):
        export = client.get(f"/staff/tableau-de-bord.csv?vue={view}&{PERIOD_QUERY}")
        assert export.status_code == 200
        assert "@example.be" not in export.text  # askers' e-mails, never
    assert "@example.be" not in page.text


def test_csv_cells_never_run_as_formulas(
    app: FastAPI, client: TestClient, session: Session
) -> None:
    seed_history(app, session)
    trap = session.exec(select(StaffUser).where(col(StaffUser.display_name) == "Alice")).one()
    trap.display_name = '=HYPERLINK("http://evil.example","clic")'
    session.add(trap)
    session.commit()
    signed_in(client, app, Role.moderator)
    export = client.get(f"/staff/tableau-de-bord.csv?vue=professionnels&{PERIOD_QUERY}")
    names = [row[0] for row in rows_of(export.text)[1:]]
    assert '\'=HYPERLINK("http://evil.example","clic")' in names
    assert all(not name.startswith(("=", "+", "-", "@")) for name in names)


def test_an_unknown_export_is_a_404(app: FastAPI, client: TestClient) -> None:
    signed_in(client, app, Role.professional)
    assert client.get("/staff/tableau-de-bord.csv?vue=courriels").status_code == 404


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("du=31/02/2026", "du", "La date de début n'existe pas"),
        ("au=demain", "au", "La date de fin n'est pas écrite comme une date"),
        ("du=01/01/2099", "du", "La date de début est dans le futur"),
        ("du=01/01/1990", "du", "La date de début est trop ancienne"),
        ("du=10/11/2026&au=01/11/2026", "au", "La date de fin est avant la date de début"),
        ("du=01/01/2025&au=01/12/2026", "du", "La période dépasse un an"),
    ],
)
def test_a_bad_period_is_explained_on_the_page(
    app: FastAPI, client: TestClient, query: str, field: str, message: str
) -> None:
    signed_in(client, app, Role.moderator)
    for path in ("/staff/tableau-de-bord", "/staff/tableau-de-bord.csv"):
        page = client.get(f"{path}?{query}")
        assert page.status_code == 400
        assert page.headers["content-type"].startswith("text/html")
        soup = BeautifulSoup(page.text, "html.parser")
        summary = " ".join(soup.find(class_="error-summary").get_text(" ").split())
        assert message.replace(" :", "\u202f:") in summary or message in summary
        typed = dict(part.split("=") for part in query.split("&"))
        assert soup.find("input", id=field)["value"] == typed[field]
        assert soup.find("input", id=field)["aria-invalid"] == "true"


def test_a_good_period_is_kept_in_the_form(app: FastAPI, client: TestClient) -> None:
    signed_in(client, app, Role.professional)
    page = client.get("/staff/tableau-de-bord?du=2026-10-05&au=29.11.2026")
    soup = BeautifulSoup(page.text, "html.parser")
    assert soup.find("input", id="du")["value"] == "05/10/2026"
    assert soup.find("input", id="au")["value"] == "29/11/2026"
    assert "Du 5 octobre 2026 au 29 novembre 2026" in " ".join(soup.get_text(" ").split())


# --- Who sees it --------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/staff/tableau-de-bord", "/staff/tableau-de-bord.csv"])
def test_a_visitor_is_sent_to_the_login_page(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/staff/connexion?suite=")


def test_only_staff_who_moderate_or_answer_see_it(app: FastAPI, client: TestClient) -> None:
    admin = create_admin_only(app)
    assert login(client, admin).status_code == 303
    assert client.get("/staff/tableau-de-bord").status_code == 403
    assert client.get("/staff/tableau-de-bord.csv").status_code == 403
    home = client.get("/staff")
    assert "Tableau de bord" not in home.text


@pytest.mark.parametrize("role", [Role.moderator, Role.professional])
def test_the_staff_navigation_links_to_it(app: FastAPI, client: TestClient, role: Role) -> None:
    signed_in(client, app, role)
    home = client.get("/staff")
    link = BeautifulSoup(home.text, "html.parser").find("a", string="Tableau de bord")
    assert link is not None and link["href"] == "/staff/tableau-de-bord"
    assert client.get(link["href"]).status_code == 200


def create_admin_only(app: FastAPI) -> str:
    with Session(app.state.engine) as session:
        return account(session, "Admin", Role.admin).email


def test_the_public_site_never_links_to_it(client: TestClient) -> None:
    for path in ("/", "/questions", "/fiches"):
        assert "tableau-de-bord" not in client.get(path).text


def test_professional_answers_are_the_ones_counted(app: FastAPI, session: Session) -> None:
    """An asker's reply is never an answer: only professionals' published messages count."""
    seed_history(app, session)
    replies = session.exec(
        select(Message).where(
            col(Message.author) == Author.asker, col(Message.parent_id).is_not(None)
        )
    ).all()
    assert replies and all(r.state == MessageState.published for r in replies)
    board = figures(session)
    assert {row.name for row in board.professionals} == {"Alice", "Bruno"}


def test_kept_figures_follow_every_change(app: FastAPI, session: Session) -> None:
    """The page reuses its figures while nothing changed, and never after a change."""
    seed_history(app, session)
    before = kept_figures(session)
    assert kept_figures(session) is before  # nothing changed: the same figures
    waiting = session.exec(
        select(Thread).where(
            col(Thread.fiche_slug) == STUDENT, col(Thread.state) == "awaiting_answer"
        )
    ).first()
    assert waiting is not None
    bruno = session.exec(select(StaffUser).where(col(StaffUser.display_name) == "Bruno")).one()
    answering.answer(
        session,
        settings=app.state.settings,
        links=links_for(app),
        thread=waiting,
        parent_id=None,
        body="Une réponse tardive.",
        staff=bruno,
        now=at("2026-11-27", "09:00"),
    )
    after = kept_figures(session)
    assert after is not before
    assert after.overall.answered_count == before.overall.answered_count + 1
    asking.ask(
        session,
        settings=app.state.settings,
        links=links_for(app),
        pseudonym="Nouvelle",
        email="nouvelle@example.be",
        body="Bonjour, une question arrivée après le premier calcul du tableau de bord ?",
        fiche_slug=None,
        address="192.0.2.200",
        now=at("2026-11-20", "09:00"),
    )
    assert kept_figures(session).overall.received == after.overall.received + 1


def kept_figures(session: Session) -> Dashboard:
    return dashboard_figures(
        session,
        period=Period(FIRST_DAY, LAST_DAY),
        usual_days=USUAL,
        fiche_titles={PIIS: "Le PIIS", STUDENT: "Étudiant"},
        now=NOW,
    )
