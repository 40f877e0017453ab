"""The daily digest: each staff member gets what waits on their roles and what is late, once
a day, unless they switched it off; written to var/outbox when there is no SMTP server."""

from __future__ import annotations

import datetime as dt

from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.db import utcnow
from app.mail import deliver_queued, take_queued_ids
from app.questions import digest
from app.staff.models import Role, StaffUser
from tests.questions.test_work_queue import account, approved, asked
from tests.questions.thread_helpers import form_data, login, outbox, text_of


def send(app: FastAPI, now: dt.datetime | None = None) -> int:
    with Session(app.state.engine) as session:
        count = digest.send_digests(
            session, settings=app.state.settings, path_for=app.url_path_for, now=now
        )
        deliver_queued(session, app.state.settings, ids=take_queued_ids(session))
    return count


def test_each_person_gets_what_waits_on_their_roles_once_a_day(app: FastAPI) -> None:
    now = utcnow()
    with Session(app.state.engine) as session:
        moderator = account(session, "Malik", Role.moderator)
        account(session, "Pia", Role.professional)
        account(session, "Ada", Role.admin)
        old = approved(app, session, asked(app, session, at=now - dt.timedelta(days=20)), moderator)
        asked(app, session, at=now - dt.timedelta(hours=2), pseudo="Noa")
        old_id = old.id
    before = len(outbox(app.state.settings))
    assert send(app) == 2  # Malik and Pia; Ada (admin only) has no queue
    mails = {m["To"]: m for m in outbox(app.state.settings)[before:]}
    assert set(mails) == {"malik@equipe.example.be", "pia@equipe.example.be"}
    pia = text_of(mails["pia@equipe.example.be"])
    assert mails["pia@equipe.example.be"]["Subject"] == "1 élément en attente, dont 1 en retard"
    assert "Question à répondre (EN RETARD" in pia
    assert f"http://testserver/staff/fils/{old_id}" in pia
    assert "Noa" not in pia  # to moderate: Malik's work, not Pia's
    malik = text_of(mails["malik@equipe.example.be"])
    assert "Question à modérer (0 jour ouvrable)" in malik and "Noa" in malik
    assert "lina@example.be" not in malik + pia
    assert send(app) == 0  # not twice the same day
    assert send(app, now=utcnow() + dt.timedelta(days=1)) == 2


def test_a_person_switches_it_off_on_the_home_page(app: FastAPI, client: TestClient) -> None:
    with Session(app.state.engine) as session:
        pia = account(session, "Pia", Role.professional)
        pia_id = pia.id
        approved(app, session, asked(app, session, at=utcnow()), pia)
    login(client, "pia@equipe.example.be")
    home = client.get("/staff")
    form = BeautifulSoup(home.text, "html.parser").find("form", action="/staff/resume-quotidien")
    assert form is not None and "Résumé quotidien par e-mail\u202f: activé" in form.get_text(" ")
    done = client.post("/staff/resume-quotidien", data=form_data(home, 0, actif="non"))
    assert "Résumé quotidien par e-mail\u202f: désactivé" in BeautifulSoup(
        done.text, "html.parser"
    ).get_text(" ")
    assert send(app) == 0
    with Session(app.state.engine) as session:
        user = session.get(StaffUser, pia_id)
        assert user is not None and user.digest_enabled is False
