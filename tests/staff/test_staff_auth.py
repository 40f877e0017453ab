"""Staff login: every /staff page needs it, passwords, throttling, cookies, ending sessions."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from html import unescape
from typing import Any

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlmodel import Session, select

from app.config import Settings
from app.main import create_app
from app.staff import auth
from app.staff.accounts import AccountError, create_staff
from app.staff.auth import COOKIE_NAME, LOGIN_REFUSED, login_wait
from app.staff.models import AuditEntry, Role, StaffSession, StaffUser
from tests.conftest import make_settings
from tests.questions.thread_helpers import PASSWORD, form_data, login, staff_account


def routes_of(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) of every route of the app, included routers opened up."""
    for route in routes:
        if hasattr(route, "original_router"):
            inner = prefix + route.include_context.prefix
            yield from routes_of(route.original_router.routes, inner)
        elif isinstance(route, APIRoute):
            yield prefix + route.path, route


def staff_urls(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every guarded staff route, path parameters filled in."""
    urls = []
    for full_path, route in routes_of(app.routes):
        if not full_path.startswith("/staff"):
            continue
        if route.name in {"staff_login", "staff_login_post", "staff_logout"}:
            continue
        path = re.sub(r"\{[^}]+\}", "1", full_path)
        urls += [(method, path) for method in sorted(route.methods)]
    return urls


def test_a_visitor_gets_the_login_page_for_every_staff_url(
    app: FastAPI, client: TestClient
) -> None:
    urls = staff_urls(app)
    assert len(urls) >= 15  # the enumeration found the staff routes (more may come)
    token = form_data(client.get("/staff/connexion"))
    for method, path in urls:
        response = client.request(method, path, data=token, follow_redirects=False)
        assert response.status_code == 303, (method, path)
        assert response.headers["location"].startswith("/staff/connexion?suite=")
    page = client.get("/staff/moderation")
    assert page.url.path == "/staff/connexion"
    assert "Connexion de l'équipe" in unescape(page.text)
    assert page.headers["cache-control"] == "no-store"


def test_login_then_back_to_the_page_asked_for(app: FastAPI, client: TestClient) -> None:
    user = staff_account(app, Role.moderator)
    page = client.get("/staff/moderation")
    data = form_data(page, email=user.email.upper(), mot_de_passe=PASSWORD)
    response = client.post("/staff/connexion", data=data, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/moderation"
    assert client.get("/staff/moderation").status_code == 200


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/staff", "/questions", "/staff\\..\\x"]
)
def test_login_only_sends_back_to_a_staff_page(
    app: FastAPI, client: TestClient, target: str
) -> None:
    user = staff_account(app, Role.moderator)
    page = client.get("/staff/connexion")
    data = form_data(page, email=user.email, mot_de_passe=PASSWORD, suite=target)
    response = client.post("/staff/connexion", data=data, follow_redirects=False)
    assert response.headers["location"] == "/staff"


def test_the_session_cookie_is_safe_and_holds_only_a_random_key(
    app: FastAPI, client: TestClient
) -> None:
    user = staff_account(app, Role.moderator)
    response = login(client, user.email)
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    for flag in ("HttpOnly", "SameSite=lax", "Path=/staff", "Max-Age=28800"):
        assert flag.lower() in cookie.lower(), flag
    assert "secure" not in cookie.lower()
    value = cookie.split(";")[0].split("=", 1)[1].strip('"')
    secret = app.state.settings.secret_key.get_secret_value()
    data = URLSafeTimedSerializer(secret, salt="staff-session").loads(value)
    assert set(data) == {"s"} and len(data["s"]) >= 40
    with Session(app.state.engine) as session:
        stored = session.exec(select(StaffSession)).one()
    # The table keeps the key's hash only: reading it gives no usable cookie.
    assert stored.staff_id == user.id and data["s"] not in stored.key_hash


def test_the_session_cookie_is_secure_over_https(
    tmp_path: object, database_url: str, settings: Settings, app: FastAPI
) -> None:
    https = make_settings(
        settings.var_dir.parent, database_url, base_url="https://reperes.example.be"
    )
    user = staff_account(app, Role.moderator)
    with TestClient(create_app(https), base_url="https://testserver") as client:
        cookie = login(client, user.email).headers["set-cookie"]
    assert "secure" in cookie.lower()


def test_a_wrong_password_and_an_unknown_account_get_the_same_answer(
    app: FastAPI, client: TestClient
) -> None:
    user = staff_account(app, Role.moderator)
    wrong = login(client, user.email, "pas le bon mot de passe")
    unknown = login(client, "personne@example.be", "pas le bon mot de passe")
    assert wrong.status_code == unknown.status_code == 401
    assert LOGIN_REFUSED in unescape(wrong.text) and LOGIN_REFUSED in unescape(unknown.text)
    assert 'value="personne@example.be"' in unknown.text  # the address typed is kept
    with Session(app.state.engine) as session:
        actions = [e.action for e in session.exec(select(AuditEntry)).all()]
    assert actions == ["account_created", "login_failed", "login_failed"]


@pytest.mark.parametrize("empty", ["email", "mot_de_passe"])
def test_empty_login_fields_get_their_message(client: TestClient, empty: str) -> None:
    page = client.get("/staff/connexion")
    fields = {"email": "a@example.be", "mot_de_passe": "x", empty: ""}
    response = client.post("/staff/connexion", data=form_data(page, **fields))
    assert response.status_code == 400
    expected = {
        "email": "Indiquez votre adresse e-mail.",
        "mot_de_passe": "Indiquez votre mot de passe.",
    }
    assert expected[empty] in response.text


@pytest.mark.parametrize(
    ("failures", "most", "wait"),
    [(0, 60, 0), (4, 60, 0), (5, 60, 1), (6, 60, 2), (8, 60, 8), (11, 60, 60), (30, 900, 900)],
)
def test_the_wait_grows_after_four_failures_up_to_a_ceiling(
    failures: int, most: int, wait: int
) -> None:
    assert login_wait(failures, most=most) == wait


class Clock:
    """The login's clock, stopped: waits do not depend on how fast the machine is."""

    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    stopped = Clock()
    monkeypatch.setattr(auth, "utcnow", stopped)
    return stopped


def test_failures_on_an_account_slow_it_down_but_never_lock_it(
    app: FastAPI, client: TestClient, clock: Clock
) -> None:
    user = staff_account(app, Role.moderator)
    for _ in range(5):
        assert login(client, user.email, "mauvais mot de passe").status_code == 401
    # From a new browser and another address, the right password must wait a little…
    other = TestClient(app, client=("203.0.113.5", 4000))
    early = login(other, user.email)
    assert early.status_code == 401
    assert "attendez 1 seconde avant de réessayer" in unescape(early.text)
    # … a second, not fifteen minutes.
    clock.advance(1)
    assert login(other, user.email).status_code == 303


def test_an_unknown_account_is_slowed_down_the_same_way(client: TestClient, clock: Clock) -> None:
    for _ in range(6):
        login(client, "personne@example.be", "mauvais mot de passe")
        clock.advance(1)  # each try waits its turn, so each one counts
    refused = login(TestClient(client.app, client=("203.0.113.9", 1)), "personne@example.be")
    assert "attendez 1 seconde avant" in unescape(refused.text)  # 2 s after the 6th, 1 s ago


def test_a_stranger_cannot_keep_staff_out_of_their_usual_browser(
    app: FastAPI, client: TestClient, clock: Clock
) -> None:
    user = staff_account(app, Role.moderator)
    login(client, user.email)  # this browser has signed in before: it keeps its device cookie
    client.post("/staff/deconnexion", data=form_data(client.get("/staff")))
    for number in range(12):
        clock.advance(60)
        login(TestClient(app, client=(f"198.51.100.{number}", 1)), user.email, "je devine")
    # Any new browser now waits a minute per try on this account…
    accomplice = TestClient(app, client=("198.51.100.99", 1))
    assert "attendez 60 secondes" in unescape(login(accomplice, user.email, "je devine").text)
    # … but the staff member's usual browser signs in at once.
    assert login(client, user.email).status_code == 303


def test_a_refused_try_is_answered_before_any_password_is_hashed(
    app: FastAPI, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = staff_account(app, Role.moderator)
    for _ in range(5):
        login(client, user.email, "mauvais mot de passe")
    calls: list[str] = []
    real = auth.verify_password

    def counting(stored: str, password: str) -> bool:
        calls.append(password)
        return real(stored, password)

    monkeypatch.setattr(auth, "verify_password", counting)
    assert login(client, user.email).status_code == 401
    assert calls == []


def test_failures_from_an_address_slow_that_address_whatever_the_account(
    app: FastAPI, client: TestClient
) -> None:
    user = staff_account(app, Role.moderator)
    for number in range(5):
        login(client, f"inconnu{number}@example.be", "mauvais mot de passe")
    refused = login(client, user.email)
    assert refused.status_code == 401 and "attendez 1 seconde" in unescape(refused.text)
    elsewhere = TestClient(app, client=("203.0.113.6", 4000))
    assert login(elsewhere, user.email).status_code == 303


def test_a_wrong_password_gets_the_plain_refusal(app: FastAPI, client: TestClient) -> None:
    user = staff_account(app, Role.moderator)
    refused = login(client, user.email, "mauvais mot de passe")
    assert LOGIN_REFUSED in unescape(refused.text)


def test_logout_ends_the_session(app: FastAPI, client: TestClient) -> None:
    user = staff_account(app, Role.moderator)
    login(client, user.email)
    home = client.get("/staff")
    out = client.post("/staff/deconnexion", data=form_data(home), follow_redirects=False)
    assert out.status_code == 303
    assert (
        f"{COOKIE_NAME}=" in out.headers["set-cookie"] and "Max-Age=0" in out.headers["set-cookie"]
    )
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_a_saved_session_cookie_stops_working_after_logout(
    app: FastAPI, client: TestClient
) -> None:
    user = staff_account(app, Role.moderator)
    login(client, user.email)
    saved = client.cookies.get(COOKIE_NAME)
    client.post("/staff/deconnexion", data=form_data(client.get("/staff")))
    # Someone who copied the cookie before the logout (another worker, another machine: the
    # same table) gets the login page.
    thief = TestClient(app)
    thief.cookies.set(COOKIE_NAME, saved or "", path="/staff")
    assert thief.get("/staff", follow_redirects=False).status_code == 303


def test_end_my_other_sessions(app: FastAPI, client: TestClient) -> None:
    user = staff_account(app, Role.moderator)
    phone, laptop = TestClient(app), TestClient(app)
    for browser in (client, phone, laptop):
        login(browser, user.email)
    home = client.get("/staff")
    assert "3 sessions ouvertes" in unescape(home.text)
    done = client.post("/staff/sessions/fermer-les-autres", data=form_data(home))
    assert "Vos autres sessions sont fermées" in unescape(done.text)
    assert "1 session ouverte" in unescape(done.text)
    assert phone.get("/staff", follow_redirects=False).status_code == 303
    assert laptop.get("/staff", follow_redirects=False).status_code == 303
    with Session(app.state.engine) as session:
        actions = session.exec(select(AuditEntry.action)).all()
    assert "sessions_ended" in actions


def test_a_password_change_ends_the_other_sessions(app: FastAPI, client: TestClient) -> None:
    user = staff_account(app, Role.moderator)
    other_device = TestClient(app)
    login(client, user.email)
    login(other_device, user.email)
    page = client.get("/staff/mot-de-passe")
    new = "une nouvelle phrase de passe"
    changed = client.post(
        "/staff/mot-de-passe",
        data=form_data(page, actuel=PASSWORD, nouveau=new, confirmation=new),
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert "Mot de passe changé" in unescape(client.get(changed.headers["location"]).text)
    assert client.get("/staff", follow_redirects=False).status_code == 200
    assert other_device.get("/staff", follow_redirects=False).status_code == 303
    assert login(TestClient(app), user.email, new).status_code == 303


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"actuel": "faux"}, "Le mot de passe actuel n'est pas le bon."),
        ({"nouveau": "court", "confirmation": "court"}, "au moins 12 caractères"),
        (
            {"confirmation": "autre chose encore"},
            "Les deux nouveaux mots de passe ne sont pas identiques.",
        ),
    ],
)
def test_password_change_errors(
    app: FastAPI, client: TestClient, fields: dict[str, str], message: str
) -> None:
    user = staff_account(app, Role.moderator)
    login(client, user.email)
    values = {
        "actuel": PASSWORD,
        "nouveau": "une phrase assez longue",
        "confirmation": "une phrase assez longue",
    }
    values.update(fields)
    page = client.get("/staff/mot-de-passe")
    response = client.post("/staff/mot-de-passe", data=form_data(page, **values))
    assert response.status_code == 400
    assert message in unescape(response.text)
    assert client.get("/staff", follow_redirects=False).status_code == 200


def test_a_deactivated_account_loses_its_session(app: FastAPI, client: TestClient) -> None:
    admin = staff_account(app, Role.admin)
    moderator = staff_account(app, Role.moderator)
    moderator_client = TestClient(app)
    login(moderator_client, moderator.email)
    login(client, admin.email)
    page = client.get("/staff/comptes")
    done = client.post(
        f"/staff/comptes/{moderator.id}",
        data=form_data(page, roles="moderator"),
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert moderator_client.get("/staff", follow_redirects=False).status_code == 303
    assert login(TestClient(app), moderator.email).status_code == 401
    with Session(app.state.engine) as session:
        stored = session.get(StaffUser, moderator.id)
        assert stored is not None and not stored.active


def test_every_rule_of_a_new_account_is_checked_once_for_the_form_and_the_command(
    app: FastAPI, client: TestClient
) -> None:
    admin = staff_account(app, Role.admin)
    with Session(app.state.engine) as session, pytest.raises(AccountError) as refused:
        create_staff(session, email=admin.email, display_name=" ", password="court", roles=[])
    assert set(refused.value.errors) == {"email", "nom", "mot_de_passe", "roles"}
    # The admin's form shows each on its field, the typed values kept.
    login(client, admin.email)
    page = client.get("/staff/comptes")
    sent = client.post(
        "/staff/comptes",
        data=form_data(
            page, 1, email="nouvelle@equipe.example.be", nom="Nouvelle", mot_de_passe="court"
        ),
    )
    assert sent.status_code == 400
    shown = BeautifulSoup(sent.text, "html.parser")
    assert "au moins 12 caractères" in shown.select_one("#mot_de_passe-erreur").get_text()
    assert "au moins un rôle" in shown.select_one("#erreurs").get_text()
    assert shown.find("input", attrs={"name": "nom"})["value"] == "Nouvelle"
    with Session(app.state.engine) as session:
        emails = session.exec(select(StaffUser.email)).all()
    assert "nouvelle@equipe.example.be" not in emails
