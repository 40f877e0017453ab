"""The platform: factory, settings, health check, error pages, security headers, CSRF."""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi import APIRouter, Request
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.config import DEVELOPMENT_SECRET, Settings
from app.main import create_app
from tests.conftest import csrf_from, make_settings


def test_factory_builds_the_app_from_given_settings(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path, f"sqlite:///{tmp_path / 'x.sqlite3'}", site_name="Site Essai Namur"
    )
    app = create_app(settings)
    assert app.state.settings is settings
    with TestClient(app) as client:
        page = client.get("/")
    assert page.status_code == 200
    assert "Site Essai Namur" in page.text


def test_home_page_is_french_and_has_the_layout(client: TestClient) -> None:
    page = BeautifulSoup(client.get("/").text, "html.parser")
    assert page.html is not None and page.html["lang"] == "fr"
    skip = page.find("a", class_="skip-link")
    assert skip is not None and skip["href"] == "#contenu"
    assert page.find(id="contenu") is not None
    footer = page.find("footer")
    assert footer is not None
    assert "Aucun droit ne peut être réclamé" in footer.get_text()
    assert footer.find("a", href="/confidentialite") is not None


@pytest.mark.parametrize("path", ["/confidentialite", "/accessibilite"])
def test_site_pages(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert "<h1>" in response.text


def test_healthz_answers_200_when_the_database_answers(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, f"sqlite:///{tmp_path / 'absent' / 'x.sqlite3'}")
    app = create_app(settings)
    (tmp_path / "absent").rmdir()  # the folder made by the engine goes away: no database
    with TestClient(app) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "indisponible"


def test_404_is_a_french_page_in_the_layout(client: TestClient) -> None:
    response = client.get("/cette-page-nexiste-pas")
    assert response.status_code == 404
    page = BeautifulSoup(response.text, "html.parser")
    assert page.h1 is not None and page.h1.get_text() == "Page introuvable"
    assert page.find("footer") is not None
    assert response.headers["content-type"].startswith("text/html")


def test_405_is_a_french_page(tmp_path: Path, database_url: str) -> None:
    with csrf_app(tmp_path, database_url) as client:
        token = csrf_from(client.get("/formulaire").text)
        response = client.post("/", data={"csrf_token": token})
    assert response.status_code == 405
    assert "Action impossible sur cette page" in response.text


def test_unsafe_request_without_token_is_refused_before_routing(client: TestClient) -> None:
    assert client.post("/questions/poser", data={"question": "x"}).status_code == 403
    # A method that no route takes there is the router's 405, not the CSRF page.
    assert client.delete("/").status_code == 405


def test_413_when_the_body_is_too_large(tmp_path: Path, database_url: str) -> None:
    settings = make_settings(tmp_path, database_url, max_body_bytes=2048)
    app = create_app(settings)
    router = APIRouter()

    @router.post("/essai")
    async def essai(request: Request) -> dict[str, int]:
        return {"taille": len(await request.body())}

    app.include_router(router)
    with TestClient(app) as client:
        response = client.post("/essai", content=b"x" * 5000)
    assert response.status_code == 413
    assert "Envoi trop volumineux" in response.text


def test_500_is_a_french_page_with_the_security_headers(tmp_path: Path) -> None:
    app = create_app(make_settings(tmp_path, f"sqlite:///{tmp_path / 'x.sqlite3'}"))
    router = APIRouter()

    @router.get("/panne")
    async def panne() -> None:
        raise RuntimeError("panne simulée")

    app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/panne")
    assert response.status_code == 500
    assert "Erreur de notre côté" in response.text
    assert "panne simulée" not in response.text
    assert "Traceback" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/").headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


def csrf_app(tmp_path: Path, database_url: str, base_url: str = "http://testserver") -> TestClient:
    """An app with one form, to test the CSRF protection every form gets."""
    app = create_app(make_settings(tmp_path, database_url, base_url=base_url))
    router = APIRouter()

    @router.get("/formulaire")
    async def formulaire(request: Request) -> object:
        from app.templating import csrf_field

        return __import__("fastapi").responses.HTMLResponse(
            f'<form method="post">{csrf_field(request)}<textarea name="message"></textarea></form>'
        )

    @router.post("/formulaire")
    async def envoyer(request: Request) -> dict[str, str]:
        form = await request.form()
        return {"message": str(form["message"])}

    app.include_router(router)
    return TestClient(app)


def test_csrf_token_accepted(tmp_path: Path, database_url: str) -> None:
    with csrf_app(tmp_path, database_url) as client:
        token = csrf_from(client.get("/formulaire").text)
        response = client.post("/formulaire", data={"csrf_token": token, "message": "bonjour"})
    assert response.status_code == 200
    assert response.json() == {"message": "bonjour"}


SAME_SITE = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}


@pytest.mark.parametrize("token", [None, "", "faux-jeton"])
def test_an_expired_form_of_the_site_gives_back_the_text_without_resending_it(
    tmp_path: Path, database_url: str, token: str | None
) -> None:
    with csrf_app(tmp_path, database_url) as client:
        client.get("/formulaire")
        data = {"message": "Mon texte <b>important</b>"}
        if token is not None:
            data["csrf_token"] = token
        headers = {**SAME_SITE, "Referer": "http://testserver/formulaire?fiche=piis"}
        response = client.post("/formulaire", data=data, headers=headers)
    assert response.status_code == 403
    page = BeautifulSoup(response.text, "html.parser")
    assert page.h1 is not None and page.h1.get_text() == "Le formulaire n'a pas été envoyé"
    shown = page.find("textarea", attrs={"readonly": True})
    assert shown is not None and shown.get_text() == "Mon texte <b>important</b>"
    assert "<b>important</b>" not in response.text  # shown as text, escaped
    # Nothing to resend: no form carrying the text, no fresh token, no "Renvoyer" button.
    assert page.find("textarea", attrs={"name": True}) is None
    assert page.find("input", attrs={"name": "csrf_token"}) is None
    assert "Renvoyer" not in response.text
    back = page.find("a", string="la page du formulaire")
    assert back is not None and back["href"] == "/formulaire?fiche=piis"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "https://attaquant.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "http://testserver"},
    ],
)
def test_a_form_sent_from_elsewhere_gets_a_plain_403(
    tmp_path: Path, database_url: str, headers: dict[str, str]
) -> None:
    with csrf_app(tmp_path, database_url) as client:
        client.get("/formulaire")
        response = client.post("/formulaire", data={"message": "cache ce message"}, headers=headers)
    assert response.status_code == 403
    assert "cache ce message" not in response.text
    page = BeautifulSoup(response.text, "html.parser")
    assert page.find("form", method="post") is None


def test_a_staff_form_never_echoes_a_password(client: TestClient) -> None:
    client.get("/staff/connexion")
    response = client.post(
        "/staff/connexion",
        data={"email": "moi@example.be", "mot_de_passe": "mon secret 1234"},
        headers=SAME_SITE,
    )
    assert response.status_code == 403
    assert "mon secret 1234" not in response.text and "moi@example.be" not in response.text


def test_csrf_refused_without_cookie(tmp_path: Path, database_url: str) -> None:
    with csrf_app(tmp_path, database_url) as client:
        token = csrf_from(client.get("/formulaire").text)
        client.cookies.clear()
        response = client.post("/formulaire", data={"csrf_token": token, "message": "x"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("base_url", "secure"), [("http://127.0.0.1:8000", False), ("https://cpas.example.org", True)]
)
def test_csrf_cookie_flags(tmp_path: Path, database_url: str, base_url: str, secure: bool) -> None:
    with csrf_app(tmp_path, database_url, base_url=base_url) as client:
        cookie = client.get("/formulaire").headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert ("Secure" in cookie) is secure


def test_pages_without_forms_set_no_cookie(client: TestClient) -> None:
    assert "set-cookie" not in client.get("/").headers


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="APP_SECRET_KEY"):
        Settings(_env_file=None, env="production")  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="APP_SECRET_KEY"):
        Settings(_env_file=None, env="production", secret_key=DEVELOPMENT_SECRET)  # type: ignore[call-arg]
    ok = Settings(_env_file=None, env="production", secret_key="x" * 40)  # type: ignore[call-arg]
    assert ok.secret_key.get_secret_value() == "x" * 40


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_SITE_NAME", "Repères Namur")
    monkeypatch.setenv("APP_DATABASE_URL", "postgresql://u@h/db")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.site_name == "Repères Namur"
    assert settings.database_url == "postgresql://u@h/db"
