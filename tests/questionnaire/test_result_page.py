"""The result page is put together from pieces kept per content version and day
(``app/questionnaire/result_page.py``): each page must be the same as when every piece is drawn
anew, whatever pages were shown before it, and no kept piece may hold what a person typed."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from app.questionnaire import normalize_answers, result_page, summarize, summary_rows
from app.questionnaire.token import dump_token, read_token
from app.templating import euros
from tests.questionnaire.test_share import ALONE

DAYS = (dt.date(2025, 6, 1), dt.date(2026, 3, 15))  # before and after the 2026-03-01 rules
CSRF = re.compile(r'name="csrf_token" value="[^"]+"')


def result_paths(client: TestClient, scenarios: list[dict[str, Any]]) -> list[str]:
    q = client.app.state.questionnaire.questionnaire  # type: ignore[attr-defined]
    secret = client.app.state.settings.secret_key.get_secret_value()  # type: ignore[attr-defined]
    paths = []
    for scenario in scenarios:
        answers, errors = normalize_answers(q, scenario["answers"])
        assert not errors, (scenario["name"], errors)
        paths.append(f"/ai-je-droit/resultat?etat={dump_token(secret, q, answers)}")
    return paths


def page(client: TestClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return CSRF.sub('name="csrf_token" value=""', response.text)


@pytest.mark.parametrize("day", DAYS)
def test_kept_pieces_give_the_pages_that_pieces_drawn_anew_give(
    client: TestClient,
    scenarios: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    day: dt.date,
) -> None:
    monkeypatch.setattr("app.questionnaire.routes.today", lambda: day)
    paths = result_paths(client, scenarios)
    with monkeypatch.context() as nothing_kept:
        nothing_kept.setattr(result_page, "MAX_KEPT", 0)
        drawn = [page(client, path) for path in paths]
        assert not client.app.state.result_pieces.kept  # type: ignore[attr-defined]
    for path in reversed(paths):  # other pages first, in another order
        page(client, path)
    kept = client.app.state.result_pieces.kept  # type: ignore[attr-defined]
    assert len(kept) > len(scenarios)
    for scenario, path, expected in zip(scenarios, paths, drawn, strict=True):
        assert page(client, path) == expected, scenario["name"]


def test_the_kept_frame_gives_the_page_that_the_whole_template_gives(
    client: TestClient, scenarios: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The layout around the content (``base.html``) is kept per content version, day and
    print or screen; the content block alone is drawn per request."""
    paths = result_paths(client, scenarios)
    with monkeypatch.context() as whole:
        whole.setattr(
            result_page.ResultPieces, "draw", lambda self, context: self.page.render(context)
        )
        drawn = [page(client, path) for path in paths]
    for scenario, path, expected in zip(scenarios, paths, drawn, strict=True):
        assert page(client, path) == expected, scenario["name"]
    kept = client.app.state.result_pieces.kept  # type: ignore[attr-defined]
    assert ("frame", False) in kept
    assert "etat=" not in kept[("frame", False)]


def test_no_kept_piece_holds_what_the_person_typed(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The income (shown in a reason and in « Ta situation ») and the age are drawn on each
    request; the options the person picked are content and may be kept."""
    monkeypatch.setattr("app.questionnaire.routes.today", lambda: DAYS[1])
    answers = {
        **ALONE,
        "age": 37,
        "revenus": ["salaire"],
        "temps_travail": "temps_partiel",
        "revenus_montant": 1987.65,
    }
    situation = {"name": "salaire au-dessus du montant", "answers": answers}
    (path,) = result_paths(client, [situation])
    html = page(client, path)
    typed_income = euros(Decimal("1987.65"))
    assert html.count(typed_income) >= 2  # a reason of the RIS, and « Ta situation »
    assert "37 ans" in html
    kept = client.app.state.result_pieces.kept.values()  # type: ignore[attr-defined]
    assert any('summary-answer">belge<' in piece for piece in kept)
    assert not any(typed_income in piece or "37 ans" in piece for piece in kept)


@pytest.mark.parametrize("day", DAYS)
def test_the_summary_quoted_in_parts_is_the_summary_quoted_whole(
    client: TestClient,
    scenarios: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    day: dt.date,
) -> None:
    """The link « Poser une question » carries the summary of the situation, quoted from parts
    kept per content version (``ResultPieces.quoted_summary``)."""
    monkeypatch.setattr("app.questionnaire.routes.today", lambda: day)
    site = client.app.state.questionnaire  # type: ignore[attr-defined]
    for path in result_paths(client, scenarios):
        page(client, path)
        walked = read_token(
            client.app.state.settings.secret_key.get_secret_value(),  # type: ignore[attr-defined]
            site.questionnaire,
            path.split("etat=", 1)[1],
        )
        rows = summary_rows(site.questionnaire, walked)
        pieces = client.app.state.result_pieces  # type: ignore[attr-defined]
        assert pieces.quoted_summary(rows) == quote(summarize(site.questionnaire, walked, rows))
    assert pieces.quoted
