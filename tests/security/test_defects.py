"""The defects of issue 12, each shown the way it was found: a request a visitor (or an
attacker) can send, and the answer the site must give. Every test runs on SQLite and, with
TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from app.logsafe import RedactingFormatter
from app.main import create_app
from app.questions import asking
from app.staff.models import Role
from tests.questions.thread_helpers import (
    QUESTION,
    ask,
    error_messages,
    form_data,
    login,
    published_question,
    signed_in,
    staff_account,
)

INVISIBLE = "caractère invisible ou illisible"
BEYOND_64_BITS = "9223372036854775808"
BEYOND_32_BITS = "2147483648"
ADDRESS = "secrete.lina@example.be"


def page_of(response_text: str) -> BeautifulSoup:
    return BeautifulSoup(response_text, "html.parser")


def field_value(html: str, name: str) -> str:
    """What a form field shows: an input's value or a textarea's text."""
    field = page_of(html).find(attrs={"name": name})
    assert field is not None, f"pas de champ {name}"
    if field.name == "textarea":
        return field.get_text().lstrip("\n")
    return str(field.get("value", ""))


def french_error_page(html: str) -> str:
    """The lead of an error page, checked to be in French and to offer a way on."""
    page = page_of(html)
    assert page.html is not None and page.html["lang"] == "fr"
    text = page.get_text(" ")
    for english in ("Not Found", "Method Not Allowed", "Internal Server Error", "boundary"):
        assert english not in text
    links = {str(a["href"]) for a in page.find_all("a", href=True)}
    assert {"/fiches", "/questions"} <= links
    assert page.find("form", attrs={"role": "search", "action": "/recherche"}) is not None
    lead = page.find(class_="lead")
    assert lead is not None
    return lead.get_text()


# --- 1. A NUL byte in any text field -----------------------------------------------------------


@pytest.mark.parametrize("field", ["pseudo", "email", "question"])
def test_a_nul_byte_in_the_ask_form_is_refused_on_the_same_page(
    client: TestClient, field: str
) -> None:
    typed = {"pseudo": "Lina", "email": "lina@example.be", "question": QUESTION}
    typed[field] = typed[field][:4] + "\x00" + typed[field][4:]
    response = ask(client, **typed)
    assert response.status_code == 400
    assert any(INVISIBLE in message for message in error_messages(response.text))
    assert field_value(response.text, field) == typed[field].replace("\x00", "")


def test_a_nul_byte_in_a_reply_is_refused_on_the_private_page(
    app: FastAPI, client: TestClient
) -> None:
    _, private = published_question(app, client)
    page = client.get(private)
    text = "Merci, et pour le\x00 logement ?"
    response = client.post(
        f"{private}/repondre", data=form_data(page, message=text), follow_redirects=False
    )
    assert response.status_code == 400
    assert any(INVISIBLE in message for message in error_messages(response.text))
    assert field_value(response.text, "message") == text.replace("\x00", "")


def test_a_nul_byte_in_the_login_email_is_refused_on_the_login_page(
    app: FastAPI, client: TestClient
) -> None:
    staff_account(app, Role.moderator)
    response = login(client, "moderator@equipe.exa\x00mple.be")
    assert response.status_code == 400
    assert any(INVISIBLE in message for message in error_messages(response.text))
    assert field_value(response.text, "email") == "moderator@equipe.example.be"


def test_a_nul_byte_in_a_staff_answer_is_refused_on_the_thread_page(
    app: FastAPI, client: TestClient
) -> None:
    thread_id, _ = published_question(app, client)
    staff = TestClient(app)
    signed_in(staff, app, Role.professional)
    page = staff.get(f"/staff/fils/{thread_id}")
    text = "Oui, le PIIS est\x00 obligatoire pour un étudiant."
    response = staff.post(
        f"/staff/fils/{thread_id}/repondre", data=form_data(page, 1, reponse=text)
    )
    assert response.status_code == 400
    assert any(INVISIBLE in message for message in error_messages(response.text))
    assert field_value(response.text, "reponse") == text.replace("\x00", "")


# --- 2. multipart/form-data without a boundary ---------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/questions/poser",
        "/staff/connexion",
        "/questions/desabonnement/x",
        "/ai-je-droit/question/age",
    ],
)
def test_multipart_without_boundary_is_a_french_400(client: TestClient, path: str) -> None:
    client.get("/questions/poser")  # a CSRF cookie, as a browser would have
    response = client.post(path, content=b"x", headers={"Content-Type": "multipart/form-data"})
    assert response.status_code == 400
    assert "n'a pas pu être lu" in french_error_page(response.text)


# --- 3. Ids past the columns' range ---------------------------------------------------------------


@pytest.mark.parametrize("number", [BEYOND_64_BITS, BEYOND_32_BITS, "9" * 40])
def test_a_thread_id_past_the_range_is_a_404(client: TestClient, number: str) -> None:
    response = client.get(f"/questions/{number}")
    assert response.status_code == 404
    french_error_page(response.text)


def test_a_reply_parent_past_the_range_is_a_404(app: FastAPI, client: TestClient) -> None:
    _, private = published_question(app, client)
    assert client.get(f"{private}?parent={BEYOND_64_BITS}").status_code == 404
    page = client.get(private)
    data = form_data(page, message="Merci pour la réponse.", parent=BEYOND_64_BITS)
    response = client.post(f"{private}/repondre", data=data, follow_redirects=False)
    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        f"/staff/messages/{BEYOND_64_BITS}",
        f"/staff/fils/{BEYOND_64_BITS}",
        f"/staff/fils/1?parent={BEYOND_64_BITS}",
        f"/staff/comptes/{BEYOND_32_BITS}",
    ],
)
def test_staff_ids_past_the_range_are_404(app: FastAPI, client: TestClient, path: str) -> None:
    signed_in(client, app, Role.admin, Role.moderator, Role.professional)
    if "parent=" in path:
        thread_id, _ = published_question(app, TestClient(app))
        path = path.replace("/fils/1", f"/fils/{thread_id}")
    method = client.post if path.startswith("/staff/comptes/") else client.get
    page = client.get("/staff")
    response = method(path, data=form_data(page)) if method == client.post else method(path)
    assert response.status_code == 404


# --- 4. JSON nested thousands of levels deep ----------------------------------------------------


def test_deeply_nested_json_is_a_422_in_json(client: TestClient) -> None:
    depth = 20_000  # 40 kB: under the body limit
    for body in ("[" * depth + "]" * depth, '{"answers":' * 5000 + "1" + "}" * 5000):
        response = client.post(
            "/api/questionnaire/evaluate",
            content=body.encode(),
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 422
        assert "imbriqué trop profondément" in response.json()["erreurs"][0]["message"]


# --- 8. No token, text or address in any log line -------------------------------------------------


def test_a_failing_private_page_logs_neither_its_token_nor_the_typed_text(
    app: FastAPI,
    client: TestClient,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    caplog.set_level(logging.DEBUG)
    _, private = published_question(app, client, email=ADDRESS)
    token = private.rsplit("/", 1)[-1]

    def broken(*_args: object, **kwargs: object) -> object:
        raise ValueError(" / ".join(["bogue", str(kwargs.get("body")), token, ADDRESS]))

    monkeypatch.setattr(asking, "reply", broken)
    page = client.get(private)
    typed = "Mon numéro de dossier est le 4711, merci de regarder."
    response = client.post(f"{private}/repondre", data=form_data(page, message=typed))
    assert response.status_code == 500
    assert "Erreur de notre côté" in response.text
    # What the site and its server log (the test client's own httpx lines are not the site's).
    records = [r for r in caplog.records if r.name.startswith(("app", "uvicorn"))]
    handler_text = logging.Formatter("%(message)s")
    logged = "\n".join(handler_text.format(r) for r in records)
    assert "/questions/suivi/{token}" in logged  # the route's template is logged
    for secret in (token, "4711", "secrete.lina", "dossier"):
        assert secret not in logged


def test_sql_values_never_reach_an_error_text(app: FastAPI, client: TestClient) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    with app.state.engine.connect() as connection, pytest.raises(DBAPIError) as raised:
        connection.execute(text("SELECT * FROM absente WHERE x = :v"), {"v": "texte-secret-42"})
    assert "texte-secret-42" not in str(raised.value)


def test_the_servers_log_formatter_masks_tokens_addresses_and_sql_values() -> None:
    formatter = RedactingFormatter("%(levelname)s %(message)s")
    detail = "DETAIL: Key (email)=(lina@example.be) already exists."
    try:
        raise RuntimeError(detail)
    except RuntimeError:
        import sys

        exc_info = sys.exc_info()
    record = logging.LogRecord(
        "uvicorn.error",
        logging.ERROR,
        __file__,
        1,
        "Exception in ASGI application GET /questions/suivi/%s for %s [parameters: ('Lina',)]",
        ("AbCdEf123_secret", "lina@example.be"),
        exc_info,
    )
    line = formatter.format(record)
    for secret in ("AbCdEf123_secret", "lina@example.be", "'Lina'", "Key (email)"):
        assert secret not in line
    assert "/questions/suivi/[masqué]" in line
    assert "RuntimeError (texte masqué)" in line


# --- 11. HEAD, unknown methods, the API's content type --------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/healthz",
        "/questions/poser",
        "/ai-je-droit",
        "/recherche?q=cpas",
        "/fiches/piis-contrat-integration",
        "/api/questionnaire",
        "/staff/connexion",
    ],
)
def test_head_answers_wherever_get_does(client: TestClient, path: str) -> None:
    got = client.get(path)
    head = client.head(path)
    assert got.status_code == head.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("PATCH", "/"), ("DELETE", "/questions"), ("POST", "/fiches"), ("PUT", "/questions/poser")],
)
def test_an_unknown_method_is_a_french_405_not_the_csrf_403(
    client: TestClient, method: str, path: str
) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]
    assert "ne permet pas cette action" in french_error_page(response.text)


def test_an_unknown_method_on_the_api_is_a_json_405(client: TestClient) -> None:
    response = client.put("/api/questionnaire/evaluate", json={"answers": {}})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert "ne permet pas" in response.json()["detail"]


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""],
)
def test_the_api_without_json_answers_json(client: TestClient, content_type: str) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post(
        "/api/questionnaire/evaluate", content=b'{"answers": {}}', headers=headers
    )
    assert response.status_code == 415
    assert response.headers["content-type"] == "application/json"
    assert "JSON" in response.json()["erreurs"][0]["message"]


# --- 12. The OpenAPI document -------------------------------------------------------------------


def test_openapi_describes_pages_as_html_and_lists_their_errors(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    fiche = document["paths"]["/fiches/{slug}"]["get"]["responses"]
    assert list(fiche["200"]["content"]) == ["text/html"]
    assert list(fiche["404"]["content"]) == ["text/html"]
    assert list(fiche["422"]["content"]) == ["text/html"]
    pdf = document["paths"]["/fiches/{slug}.pdf"]["get"]["responses"]
    assert list(pdf["200"]["content"]) == ["application/pdf"]
    evaluate = document["paths"]["/api/questionnaire/evaluate"]["post"]["responses"]
    assert {"200", "404", "405", "413", "415", "422", "503"} <= set(evaluate)
    assert all(list(answer["content"]) == ["application/json"] for answer in evaluate.values())


def test_openapi_marks_every_key_an_answer_always_has_as_required(client: TestClient) -> None:
    schemas = client.get("/api/openapi.json").json()["components"]["schemas"]
    for name in ("QuestionInfo", "Result", "RightResult", "ErrorBody", "AmountInfo"):
        assert set(schemas[name]["required"]) == set(schemas[name]["properties"]), name
    answer = client.get("/api/questionnaire").json()
    assert set(answer["questions"][0]) == set(schemas["QuestionInfo"]["required"])


# --- 14. HSTS over https ------------------------------------------------------------------------


def test_hsts_is_sent_when_the_site_is_served_over_https(
    tmp_path: Path, settings: Settings, database_url: str
) -> None:
    from app import migrate
    from tests.conftest import make_settings

    migrate.upgrade(database_url)
    over_http = TestClient(create_app(settings))
    assert "strict-transport-security" not in over_http.get("/").headers
    https_settings = make_settings(tmp_path, database_url, base_url="https://reperes.example.org")
    https_app = create_app(https_settings)
    with TestClient(https_app, base_url="https://reperes.example.org") as client:
        hsts = client.get("/").headers["strict-transport-security"]
    assert "max-age=31536000" in hsts
    # Behind a proxy that says https (uvicorn's proxy_headers sets the scheme).
    behind_proxy = TestClient(create_app(settings), base_url="https://testserver")
    assert "max-age" in behind_proxy.get("/").headers["strict-transport-security"]
    https_app.state.engine.dispose()


# --- 15. Every error page in French, with a way on ----------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/fiches/cette-fiche-nexiste-pas", "/questions/999999", "/nulle-part", "/questions/suivi/x"],
)
def test_every_404_is_french_with_a_way_on(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    lead = french_error_page(response.text)
    assert lead.strip()


def test_a_deleted_thread_is_a_french_410(app: FastAPI, client: TestClient) -> None:
    thread_id, private = published_question(app, client)
    assert client.get(f"/questions/{thread_id}").status_code == 200
    page = client.get(f"{private}/supprimer")
    client.post(f"{private}/supprimer", data=form_data(page))
    response = client.get(f"/questions/{thread_id}")
    assert response.status_code == 410  # its author deleted it: the page says so (issue 11)
    assert "supprimée" in french_error_page(response.text)


def test_result_json_is_untouched_by_the_api_checks(client: TestClient) -> None:
    answers = client.get("/api/questionnaire").json()
    assert answers["questions"]
    response = client.post(
        "/api/questionnaire/evaluate",
        content=json.dumps({"answers": {}}).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 422  # answers missing: a French JSON answer, not a 415


def test_the_method_check_fails_closed(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Were the middleware wrong about a route taking a method, no handler would run
    unchecked: the request reaches the router under a method that no route has."""
    from app import middleware

    monkeypatch.setattr(middleware, "accepts", lambda scope: False)
    page = client.get("/questions/poser")
    data = form_data(page, pseudo="Lina", email="lina@example.be", question=QUESTION)
    response = client.post("/questions/poser", data={**data, "consentement": "oui"})
    assert response.status_code == 405
    assert "GET" in response.headers["allow"]
