"""Every public and staff form attacked with the same table of bad inputs.

For each form, each row sends one bad input the way a browser or a script would, and checks
the answer: its status, the French message the person reads, and that what they typed is still
in the form (where the form comes back). Never a 500. The rows: empty, blanks, too long, NUL,
invalid UTF-8, HTML and script, invalid e-mail, missing or wrong CSRF token, honeypot, too
fast, over the limit, unknown and repeated fields, wrong method, wrong content type.
Forms are reached by their URLs, as a person reaches them.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import quote, urlencode

import pytest
from bs4 import BeautifulSoup
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import Session, select

from app.staff.models import Role, StaffUser
from tests.questions.thread_helpers import (
    QUESTION,
    form_data,
    login,
    published_question,
    staff_account,
)

INVISIBLE = "caractère invisible ou illisible"
STAFF = "equipe-complete@equipe.example.be"
SCRIPT = '<script>alert("xss")</script><img src=x onerror=alert(1)>'


@dataclass
class Form:
    """One form of the site: how to reach it, a valid filling, its main text field."""

    name: str
    open: Callable[[FastAPI, TestClient], tuple[str, Response]]  # (target, page with the form)
    valid: dict[str, str]
    text: str  # the field a person writes in
    max_length: int
    empty_message: str
    success: int = 303
    form_index: int = 0
    email: str | None = None  # the e-mail field, if any
    public: bool = True  # the honeypot, the minimum time and the posting limit apply
    limit_message: str = ""
    too_long: tuple[int, str] = (400, "dépasser")
    extra: dict[str, str] = field(default_factory=dict)


NUMBERS = itertools.count(1)


def another_question() -> str:
    """A question not asked yet (the same text twice in a day is refused as a duplicate)."""
    return f"{QUESTION} Précision numéro {next(NUMBERS)}."


def ask_form(app: FastAPI, client: TestClient) -> tuple[str, Response]:
    return "/questions/poser", client.get("/questions/poser")


def reply_form(app: FastAPI, client: TestClient) -> tuple[str, Response]:
    _, private = published_question(app, client, question=another_question())
    return f"{private}/repondre", client.get(private)


def report_form(app: FastAPI, client: TestClient) -> tuple[str, Response]:
    thread_id, _ = published_question(app, client, question=another_question())
    thread = BeautifulSoup(client.get(f"/questions/{thread_id}").text, "html.parser")
    link = next(a for a in thread.find_all("a") if "Signaler ce message" in a.get_text())
    return str(link["href"]), client.get(str(link["href"]))


def login_form(app: FastAPI, client: TestClient) -> tuple[str, Response]:
    return "/staff/connexion", client.get("/staff/connexion")


def sign_in(app: FastAPI, client: TestClient) -> None:
    """A member of staff with every role, signed in (the account made once)."""
    with Session(app.state.engine) as session:
        exists = session.exec(select(StaffUser).where(StaffUser.email == STAFF)).first()
    if exists is None:
        staff_account(app, Role.admin, Role.moderator, Role.professional, email=STAFF)
    assert login(client, STAFF).status_code == 303


def staff_thread(app: FastAPI, client: TestClient) -> int:
    thread_id, _ = published_question(app, TestClient(app), question=another_question())
    sign_in(app, client)
    return thread_id


def answer_form(app: FastAPI, client: TestClient) -> tuple[str, Response]:
    thread_id = staff_thread(app, client)
    return f"/staff/fils/{thread_id}/repondre", client.get(f"/staff/fils/{thread_id}")


def pending_message(app: FastAPI, client: TestClient) -> int:
    """A reply waiting for moderation, and a moderator signed in."""
    _, private = published_question(app, client, question=another_question())
    page = client.get(private)
    reply = f"Et pour le loyer ? (réponse {next(NUMBERS)})"
    sent = client.post(f"{private}/repondre", data=form_data(page, message=reply))
    assert sent.status_code == 200
    sign_in(app, client)
    queue = client.get("/staff/moderation").text
    ids = re.findall(r'href="/staff/messages/(\d+)"', queue)
    assert ids, "la file de modération est vide"
    return int(ids[-1])


def reject_form(app: FastAPI, client: TestClient) -> tuple[str, Response]:
    message_id = pending_message(app, client)
    return f"/staff/messages/{message_id}/decision", client.get(f"/staff/messages/{message_id}")


def edit_form(app: FastAPI, client: TestClient) -> tuple[str, Response]:
    message_id = pending_message(app, client)
    return f"/staff/messages/{message_id}/modifier", client.get(f"/staff/messages/{message_id}")


def account_form(app: FastAPI, client: TestClient) -> tuple[str, Response]:
    sign_in(app, client)
    return "/staff/comptes", client.get("/staff/comptes")


FORMS = [
    Form(
        "poser une question",
        ask_form,
        {"pseudo": "Lina", "email": "lina@example.be", "question": QUESTION, "consentement": "oui"},
        text="question",
        max_length=3000,
        empty_message="Écris ta question.",
        email="email",
        limit_message="Tu as déjà envoyé",
    ),
    Form(
        "répondre sur la page privée",
        reply_form,
        {"message": "Merci, et pour le loyer ?"},
        text="message",
        max_length=3000,
        empty_message="Écris ta réponse.",
        success=303,
        limit_message="Tu as déjà envoyé",
    ),
    Form(
        "signaler un message",
        report_form,
        {"raison": "personal_data", "precision": "Son nom de famille est dans le texte."},
        text="precision",
        max_length=300,
        empty_message="",  # the text is optional
        limit_message="Tu as déjà envoyé",
    ),
    Form(
        "connexion de l'équipe",
        login_form,
        {"email": "personne@equipe.example.be", "mot_de_passe": "un mot de passe assez long"},
        text="email",
        max_length=254,
        empty_message="Indiquez votre adresse e-mail.",
        success=401,  # an unknown account: refused, the same page again
        public=False,
        too_long=(401, "Connexion refusée"),
    ),
    Form(
        "réponse d'un professionnel",
        answer_form,
        {"reponse": "Bonjour, oui : le PIIS est obligatoire dans ton cas."},
        text="reponse",
        max_length=10000,
        empty_message="Écrivez votre réponse.",
        form_index=1,
        public=False,
    ),
    Form(
        "refus d'un message (raison)",
        reject_form,
        {"action": "reject", "raison": "Ton message contient ton adresse."},
        text="raison",
        max_length=500,
        empty_message="Indiquez la raison du refus",
        form_index=1,
        public=False,
    ),
    Form(
        "modifier un message",
        edit_form,
        {"texte": "Et pour le loyer, comment faire ?", "pseudo": "Lina"},
        text="texte",
        max_length=3000,
        empty_message="",
        form_index=2,
        public=False,
    ),
    Form(
        "créer un compte",
        account_form,
        {
            "email": "nouvelle@equipe.example.be",
            "nom": "Nouvelle",
            "mot_de_passe": "un mot de passe assez long",
            "roles": "moderator",
        },
        text="nom",
        max_length=120,
        empty_message="Indiquez un nom de 1 à 120 caractères.",
        too_long=(400, "Indiquez un nom de 1 à 120 caractères."),
        form_index=1,
        email="email",
        public=False,
    ),
]


def shown(response: Response) -> str:
    return re.sub(r"\s+", " ", unescape(BeautifulSoup(response.text, "html.parser").get_text()))


def kept(response: Response, name: str) -> str | None:
    tag = BeautifulSoup(response.text, "html.parser").find(attrs={"name": name})
    if tag is None:
        return None
    if tag.name == "textarea":
        return tag.get_text().removeprefix("\n")
    return str(tag.get("value", ""))


def french_page(response: Response) -> None:
    page = BeautifulSoup(response.text, "html.parser")
    assert page.html is not None and page.html["lang"] == "fr"
    assert page.h1 is not None and page.h1.get_text().strip()
    for english in ("Not Found", "Method Not Allowed", "Forbidden", "Internal Server Error"):
        assert english not in response.text


@pytest.mark.parametrize("form", FORMS, ids=[f.name for f in FORMS])
def test_every_bad_input_gets_a_french_answer(app: FastAPI, client: TestClient, form: Form) -> None:
    app.state.settings.posting_limit_per_hour = 50
    target, page = form.open(app, client)
    assert page.status_code == 200
    base = form_data(page, form.form_index, **form.valid)
    problems: list[str] = []

    def row(
        label: str,
        status: int,
        message: str,
        *,
        data: dict[str, str] | list[tuple[str, str]] | None = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
        method: str = "POST",
        keep: tuple[str, str] | None = None,
    ) -> None:
        if isinstance(data, list):  # a field sent twice
            content = urlencode(data).encode()
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            data = None
        response = client.request(
            method,
            target,
            data=data if content is None else None,
            content=content,
            headers=headers,
            follow_redirects=False,
        )
        try:
            assert response.status_code == status, (
                f"statut {response.status_code} : " + shown(response)[:300]
            )
            if status != form.success or status >= 400:
                french_page(response)
            assert message in shown(response), f"message « {message} » absent"
            if keep is not None:
                assert kept(response, keep[0]) == keep[1], f"texte non gardé : {keep[1]!r}"
            assert "<script>alert" not in response.text
        except AssertionError as error:
            problems.append(f"{label} : {error}")

    text = form.text
    with_text = lambda value: {**base, text: value}  # noqa: E731 - reads like the table
    if form.empty_message:
        row("vide", 400, form.empty_message, data=with_text(""))
        row("espaces", 400, form.empty_message, data=with_text("  \n\t "))
    long_text = "Mon loyer " * (form.max_length // 10 + 1)
    status, message = form.too_long
    row("trop long", status, message, data=with_text(long_text))
    typed = base[text][:5] + "\x00" + base[text][5:]
    row("NUL", 400, INVISIBLE, data=with_text(typed), keep=(text, typed.replace("\x00", "")))
    encoded = "&".join(
        f"{quote(k)}={quote(v)}" if k != text else f"{quote(k)}={quote(v[:5])}%FF%FE{quote(v[5:])}"
        for k, v in base.items()
    )
    row(
        "UTF-8 invalide",
        400,
        INVISIBLE,
        content=encoded.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        keep=(text, base[text]),
    )
    if form.email:
        row(
            "e-mail invalide",
            400,
            "valable",
            data={**base, form.email: "lina@@exemple"},
            keep=(form.email, "lina@@exemple"),
        )
    row("sans jeton CSRF", 403, "", data={k: v for k, v in base.items() if k != "csrf_token"})
    row("mauvais jeton CSRF", 403, "", data={**base, "csrf_token": "0" * 64})
    row("mauvaise méthode", 405, "ne permet pas cette action", method="PUT", data=base)
    row(
        "mauvais type de contenu",
        403,
        "",
        content=b'{"question": "x"}',
        headers={"Content-Type": "application/json"},
    )
    row(
        "trop volumineux",
        413,
        "dépasse la taille permise",
        content=b"x=" + b"a" * 70_000,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    if form.public:
        row(
            "pot de miel",
            400,
            "Ne pas remplir",
            data={**base, "site_web": "http://spam.example"},
            keep=(text, base[text]),
        )
        app.state.settings.min_fill_seconds = 60
        fresh = form_data(client.get(page.url.path), form.form_index, **form.valid)
        row("trop rapide", 400, "très vite", data=fresh, keep=(text, base[text]))
        app.state.settings.min_fill_seconds = 0
    # HTML and script: kept as text, escaped wherever it is shown back.
    if form.empty_message:
        html_text = SCRIPT + " " + base[text]
        row(
            "HTML et script",
            400,
            INVISIBLE,
            data=with_text(html_text + "\x00"),
            keep=(text, html_text),
        )
    # Unknown and repeated fields: ignored or the last one wins; the form still works.
    row("champ inconnu", form.success, "", data={**base, "inconnu": "1", "admin": "oui"})
    if form.public:
        app.state.settings.posting_limit_per_hour = 0
        # A fresh form: each form is sent once (the one above was).
        other = form_data(client.get(page.url.path), form.form_index, **form.valid)
        other[text] = base[text] + " Une autre question."
        row("au-delà de la limite", 429, form.limit_message, data=other, keep=(text, other[text]))
        app.state.settings.posting_limit_per_hour = 50
    target, page = form.open(app, client)  # a fresh form: the one above may have been used
    base = form_data(page, form.form_index, **form.valid)
    if form.email:
        base[form.email] = "deux." + base[form.email]
    repeated = [*base.items(), (text, base[text] + " Encore une précision.")]
    row("champ répété", form.success, "", data=repeated)
    assert problems == []


def test_the_questionnaire_step_answers_every_bad_input_in_french(client: TestClient) -> None:
    page = client.get("/ai-je-droit/question/age")
    form = BeautifulSoup(page.text, "html.parser").find("form", method="post")
    assert form is not None
    target = str(form["action"])
    base = form_data(page)
    message = "Indique ton âge"
    table: list[tuple[str, dict[str, str] | bytes, int, str, str | None]] = [
        ("vide", {**base, "age": ""}, 400, message, ""),
        ("espaces", {**base, "age": "   "}, 400, message, None),
        ("NUL", {**base, "age": "2\x000"}, 400, "en chiffres", None),
        ("HTML et script", {**base, "age": SCRIPT}, 400, "en chiffres", SCRIPT),
        ("trop long", {**base, "age": "9" * 3000}, 400, "en chiffres", "9" * 3000),
        (
            "UTF-8 invalide",
            urlencode({**base, "age": "x"}).replace("age=x", "age=%FF2").encode(),
            400,
            "en chiffres",
            None,
        ),
        ("champ inconnu", {**base, "age": "20", "inconnu": "1"}, 303, "", None),
    ]
    problems = []
    for label, data, status, expected, value in table:
        if isinstance(data, bytes):
            response = client.post(
                target,
                content=data,
                headers={"Content-Type": "application/x-www-form-urlencoded"},
                follow_redirects=False,
            )
        else:
            response = client.post(target, data=data, follow_redirects=False)
        if response.status_code != status or expected not in shown(response):
            problems.append(f"{label} : {response.status_code}")
        elif value is not None and kept(response, "age") != value:
            problems.append(f"{label} : valeur non gardée")
        if "<script>alert" in response.text:
            problems.append(f"{label} : script non échappé")
    repeated = urlencode([*base.items(), ("age", "abc"), ("age", "20")]).encode()
    twice = client.post(
        target,
        content=repeated,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        follow_redirects=False,
    )
    if twice.status_code not in (303, 400):
        problems.append(f"champ répété : {twice.status_code}")
    no_token = client.post(target, data={k: v for k, v in base.items() if k != "csrf_token"})
    wrong_token = client.post(target, data={**base, "csrf_token": "0" * 64, "age": "20"})
    as_json = client.post(target, json={"age": 20})
    for label, response, status in [
        ("sans jeton CSRF", no_token, 403),
        ("mauvais jeton CSRF", wrong_token, 403),
        ("mauvais type de contenu", as_json, 403),
        ("mauvaise méthode", client.put(target, data=base), 405),
    ]:
        if response.status_code != status:
            problems.append(f"{label} : {response.status_code}")
        else:
            french_page(response)
    assert problems == []


@pytest.mark.parametrize(
    "query",
    ["", "   ", "cpas\x00logement", "%FF%FE", SCRIPT, "loyer " * 1000, "'; DROP TABLE x; --"],
    ids=["vide", "espaces", "NUL", "UTF-8 invalide", "script", "trop long", "SQL"],
)
def test_the_search_form_answers_every_bad_input(client: TestClient, query: str) -> None:
    response = client.get("/recherche?q=" + (query if query.startswith("%") else quote(query)))
    assert response.status_code == 200
    french_page(response)
    assert "<script>alert" not in response.text
    assert client.post("/recherche", data={"q": "cpas"}).status_code == 405
