"""What a fiche's Markdown becomes in HTML: safe, French, with callouts, amounts and glossary."""

from __future__ import annotations

import datetime as dt

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fiches.fiche_content import ContentFolder

NARROW = "\u202f"
NBSP = "\u00a0"


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>\n",
        "Un texte <script>alert(1)</script> dans la phrase.\n",
        '<div onclick="alert(1)">bloc</div>\n',
        "Une image <img src=x onerror=alert(1)>.\n",
    ],
)
def test_raw_html_is_escaped(content: ContentFolder, body: str) -> None:
    html = str(content.html(body))
    assert "<script" not in html and "<div" not in html and "<img" not in html
    assert "&lt;" in html


def test_headings_get_anchors_deduplicated(content: ContentFolder) -> None:
    page = content.html(
        "## Qui signe le PIIS ?\n\n## À quel âge ?\n\n## À quel âge ?\n\n### À quel âge ?\n"
    )
    ids = [heading["id"] for heading in page.find_all(["h2", "h3"])]
    assert ids == ["qui-signe-le-piis", "a-quel-age", "a-quel-age-2", "a-quel-age-3"]


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("Tu as droit ?", f"Tu as droit{NARROW}?"),
        ("Attention !", f"Attention{NARROW}!"),
        ("Deux choses : un ; deux", f"Deux choses{NARROW}: un{NARROW}; deux"),
        ('Il dit "bonjour"', f"Il dit «{NARROW}bonjour{NARROW}»"),
        ("Il dit « bonjour »", f"Il dit «{NARROW}bonjour{NARROW}»"),
        ("**Important** ?", f"Important{NARROW}?"),
    ],
)
def test_french_typography_in_text(content: ContentFolder, markdown: str, text: str) -> None:
    assert content.html(markdown + "\n").p.get_text() == text


def test_typography_leaves_code_and_urls_alone(content: ContentFolder) -> None:
    page = content.html("Tape `a : b ?` puis va sur <https://example.org/a?b=c:d>.\n")
    assert page.code.get_text() == "a : b ?"
    assert page.a["href"] == "https://example.org/a?b=c:d"
    assert page.a.get_text() == "https://example.org/a?b=c:d"


@pytest.mark.parametrize(
    ("name", "title"),
    [
        ("attention", "Attention"),
        ("bon-a-savoir", "Bon à savoir"),
        ("exemple", "Exemple"),
        ("a-cocher", "À cocher"),
    ],
)
def test_callouts(content: ContentFolder, name: str, title: str) -> None:
    page = content.html(f"::: {name}\nUn **point** à retenir.\n:::\n")
    aside = page.find("aside")
    assert aside["class"] == ["callout", f"callout-{name}"]
    assert aside["role"] == "note"
    assert aside.find("p", class_="callout-title").get_text() == title
    assert aside.find("strong").get_text() == "point"


@pytest.mark.parametrize(
    ("day", "isole", "since"),
    [
        (dt.date(2025, 3, 1), f"1{NARROW}314,20{NBSP}€", "1er février 2025"),
        (dt.date(2024, 6, 1), f"1{NARROW}288,46{NBSP}€", "1er mai 2024"),
    ],
)
def test_amount_table_for_the_day(
    content: ContentFolder, day: dt.date, isole: str, since: str
) -> None:
    page = content.html("Les montants :\n\n{{ tableau ris }}\n\nLa suite.\n", day=day)
    table = page.find("table")
    caption = table.caption.get_text()
    assert "Revenu d’intégration" in caption
    assert f"montants en vigueur depuis le {since}" in caption
    assert "par mois" in caption
    rows = {row.th.get_text(): row.td.get_text() for row in table.tbody.find_all("tr")}
    assert rows["Personne isolée (catégorie 2)"] == isole
    assert [th["scope"] for th in table.thead.find_all("th")] == ["col", "col"]
    source = page.find("p", class_="amounts-source")
    assert source.a["href"].startswith("https://") and "external" in source.a["class"]
    assert "{{" not in str(page)


def test_inline_amount_and_its_note(content: ContentFolder) -> None:
    content.fiche("essai", "Seul, tu reçois au plus {{ montant ris isole }} par mois.\n")
    library, problems = content.load(dt.date(2024, 6, 1))
    fiche = library.fiches["essai"]
    assert problems == []
    assert f"au plus 1{NARROW}288,46{NBSP}€ par mois" in fiche.html
    assert [(note.scale, note.since) for note in fiche.amount_notes] == [
        ("ris", dt.date(2024, 5, 1))
    ]
    assert fiche.amount_notes[0].in_force == "montants en vigueur depuis le 1er mai 2024"


def test_glossary_marks_the_first_occurrence_only(content: ContentFolder) -> None:
    page = content.html(
        "## Le PIIS et le cohabitant\n\n"
        "Le PIIS se signe. Encore le PIIS. Une Cohabitante et un cohabitant.\n\n"
        "Un piis en minuscules n'est pas le sigle.\n"
    )
    assert page.h2.find("abbr") is None and page.h2.find("a") is None
    abbrs = page.find_all("abbr")
    assert [(abbr.get_text(), abbr["title"]) for abbr in abbrs] == [
        ("PIIS", "Projet individualisé d'intégration sociale")
    ]
    links = page.find_all("a", class_="glossary")
    assert [(link.get_text(), link["href"]) for link in links] == [
        ("Cohabitante", "/glossaire#cohabitant")
    ]


def test_glossary_skips_links_and_whole_words_only(content: ContentFolder) -> None:
    page = content.html("Lis [le PIIS](https://example.org) et les cohabitantes. Puis le PIIS.\n")
    assert page.find("a", class_="external").find("abbr") is None
    assert page.find("a", class_="glossary") is None  # « cohabitantes » is not a form
    assert page.find("abbr").get_text() == "PIIS"


def test_links(content: ContentFolder) -> None:
    content.fiche("autre", "## À quel âge ?\n\nTexte.\n")
    page = content.html(
        "[une fiche](fiche:autre), [une ancre](fiche:autre#a-quel-age), "
        "[le questionnaire](/ai-je-droit), [un site](https://example.org/page), "
        "[plus bas](#la-suite).\n\n## La suite\n"
    )
    hrefs = [(a.get_text(), a["href"], a.get("class"), a.get("rel")) for a in page.find_all("a")]
    assert hrefs == [
        ("une fiche", "/fiches/autre", None, None),
        ("une ancre", "/fiches/autre#a-quel-age", None, None),
        ("le questionnaire", "/ai-je-droit", None, None),
        ("un site", "https://example.org/page", ["external"], ["noopener"]),
        ("plus bas", "#la-suite", None, None),
    ]


def test_table_alignment_is_a_class_not_a_style(content: ContentFolder) -> None:
    page = content.html("| Mot | Nombre |\n|:--|--:|\n| a | 1 |\n")
    assert "style=" not in str(page)
    assert page.find("td", class_="align-right").get_text() == "1"


ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "code", "pre", "a",
    "abbr", "blockquote", "hr", "br", "aside", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
MARKDOWN_PIECES = st.sampled_from(
    [
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[a](javascript:x)",
        "<a href='javascript:x'>a</a>", "[b](https://example.org)", "**gras**", "`code`",
        "::: attention\n", ":::\n", "## Titre\n", "- item\n", "> cite\n", "\n\n", " ", "«", "?",
        '"', "'", "{{ montant ris isole }}", "<!-- c -->", "&lt;", "&#60;script&#62;", "\\",
    ]
)  # fmt: skip


@settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(pieces=st.lists(st.one_of(MARKDOWN_PIECES, st.text(max_size=8)), max_size=12))
def test_no_markdown_lets_html_or_scripts_through(
    content: ContentFolder, pieces: list[str]
) -> None:
    content.fiche("essai", "".join(pieces) + "\n")
    library, _problems = content.load()
    page = BeautifulSoup(library.fiches["essai"].html, "html.parser")
    for tag in page.find_all(True):
        assert tag.name in ALLOWED_TAGS
        assert not any(name.startswith("on") for name in tag.attrs)
        assert not str(tag.get("href", "")).lower().startswith("javascript")
