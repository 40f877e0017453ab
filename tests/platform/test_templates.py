"""Every template keeps French typography: no line may break before ? ! : ; or inside « »."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.config import PROJECT_DIR
from app.templating import TEMPLATE_DIRS

TEMPLATES = sorted(p for folder in TEMPLATE_DIRS for p in folder.rglob("*.html"))
JINJA = re.compile(r"{[{%#].*?[}%#]}", re.S)
BREAKABLE = re.compile(r"[\w»)’'.…] [?!:;](?=[\s<]|$)|« | »")


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(PROJECT_DIR)))
def test_no_ordinary_space_before_french_punctuation(path: Path) -> None:
    text = JINJA.sub("", path.read_text(encoding="utf-8"))
    found = [m.group() for m in BREAKABLE.finditer(text)]
    assert found == [], "espace insécable attendue (U+202F avant ? ! : ;, U+00A0 dans « »)"
