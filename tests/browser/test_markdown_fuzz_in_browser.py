"""Fuzzing the question text and the Markdown of staff answers, then reading the thread in a
real Chromium: nothing the visitor or the professional wrote ever runs.

hypothesis mixes plain French with the classic vectors (script tags, event handlers,
``javascript:`` and ``data:`` links in Markdown and in HTML, SVG, entities that decode to
markup, broken tags). Each example is stored through the site's own functions (a question,
approved, answered), then its public page is opened in Chromium. Nothing may run: no dialog, no
page error, no change of a marker the payloads try to set; and the thread's HTML holds no script
element, no ``on…`` attribute and no ``javascript:``/``data:`` link. Bounded: a few dozen
examples.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from playwright.sync_api import Browser
from sqlmodel import Session, select

from app.main import create_app
from app.questions import asking, moderation
from app.staff.models import Role, StaffUser
from tests.browser.conftest import LiveServer
from tests.questions.thread_helpers import QUESTION, answered, links_for, staff_account

pytestmark = pytest.mark.browser

MARK = "window.__pwned"
VECTORS = [
    f"<script>{MARK}=1</script>",
    f"<img src=x onerror={MARK}=1>",
    f"<svg onload={MARK}=1>",
    f'<a href="javascript:{MARK}=1">lien</a>',
    f"[clique](javascript:{MARK}=1)",
    f"[clique](JaVaScRiPt:{MARK}=1)",
    f"[clique](  javascript&#58;{MARK}=1)",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    f"![image](javascript:{MARK}=1)",
    f"<javascript:{MARK}=1>",
    f'<iframe srcdoc="<script>parent.{MARK}=1</script>">',
    f"&lt;script&gt;{MARK}=1&lt;/script&gt;",
    f"`<script>{MARK}=1</script>`",
    f"```html\n<script>{MARK}=1</script>\n```",
    f'<div style="background:url(javascript:{MARK}=1)">x</div>',
    f"<details open ontoggle={MARK}=1>",
    f'"><script>{MARK}=1</script>',
    f"<scr<script>ipt>{MARK}=1</script>",
    f"[a]: javascript:{MARK}=1\n\n[lien][a]",
    f"<form action=javascript:{MARK}=1><button>ok</button></form>",
    f"<math><mtext><table><mglyph><style><img src=x onerror={MARK}=1>",
]
WORDS = st.sampled_from(
    ["Bonjour", "le CPAS", "mon loyer", "**gras**", "*PIIS*", "\n\n", "- liste"]
)
PIECES = st.lists(st.one_of(st.sampled_from(VECTORS), WORDS), min_size=1, max_size=6)
NUMBERS = itertools.count(1)


@pytest.fixture(scope="module")
def site(live_server: LiveServer) -> Iterator[FastAPI]:
    """The served site's own functions, on its database, to store what is fuzzed."""
    app = create_app(live_server.settings)
    staff_account(app, Role.professional, email="fuzz@equipe.example.be")
    yield app
    app.state.engine.dispose()


def store_thread(app: FastAPI, question: str, answer: str) -> int:
    """A question (text as given), approved, then answered in Markdown; its thread id."""
    number = next(NUMBERS)
    settings_ = app.state.settings
    with Session(app.state.engine) as session:
        member = session.exec(
            select(StaffUser).where(StaffUser.email == "fuzz@equipe.example.be")
        ).one()
        asked = asking.ask(
            session,
            settings=settings_,
            links=links_for(app),
            pseudonym="Fuzz",
            email=f"fuzz{number}@example.be",
            body=f"{question}\n\n{QUESTION} ({number})",
            fiche_slug=None,
            address=f"fuzz-{number}",
        )
        moderation.approve(
            session,
            settings=settings_,
            links=links_for(app),
            message=asked.question,
            version=asked.question.version,
            staff=member,
        )
        answered(app, session, member, asked.thread, body=answer)
        assert asked.thread.id is not None
        return asked.thread.id


@given(question=PIECES, answer=PIECES)
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_nothing_written_in_a_thread_runs_in_chromium(
    site: FastAPI, live_server: LiveServer, browser: Browser, question: list[str], answer: list[str]
) -> None:
    thread_id = store_thread(site, " ".join(question), "\n".join(answer))
    context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=True)
    page = context.new_page()
    ran: list[str] = []
    page.on("dialog", lambda dialog: (ran.append(f"dialogue : {dialog.message}"), dialog.dismiss()))
    page.on("pageerror", lambda error: ran.append(f"erreur : {error}"))
    try:
        response = page.goto(live_server.url(f"/questions/{thread_id}"))
        assert response is not None and response.status == 200
        assert page.evaluate(f"typeof {MARK}") == "undefined"
        # Click every link of the thread that could run something: none may.
        thread = page.locator("main")
        found = thread.evaluate(
            """main => ({
                scripts: [...main.querySelectorAll('script, iframe, object, embed, form')].length,
                handlers: [...main.querySelectorAll('*')].flatMap(e =>
                    [...e.attributes].filter(a => a.name.startsWith('on')).map(a => a.name)),
                links: [...main.querySelectorAll('[href], [src]')]
                    .map(e => e.getAttribute('href') || e.getAttribute('src'))
                    .filter(u => /^\\s*(javascript|data|vbscript):/i.test(u)),
                styles: [...main.querySelectorAll('[style]')].length,
            })"""
        )
        assert found == {"scripts": 0, "handlers": [], "links": [], "styles": 0}, found
        assert ran == []
    finally:
        context.close()
