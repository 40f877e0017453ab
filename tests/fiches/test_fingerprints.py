"""« Dernière actualisation » follows the text: check-content and ``actualiser-fiches``."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.checks import fiches_and_paths
from app.config import PROJECT_DIR
from app.fiches.fingerprints import (
    Record,
    fingerprint,
    fingerprint_problems,
    record_problem,
    refresh,
)
from app.fiches.meta import FicheMeta
from tests.fiches.fiche_content import FUTURE_CHANGE, ContentFolder

DAY = dt.date(2026, 12, 2)
META = FicheMeta.model_validate(
    {
        "title": "Une fiche",
        "slug": "essai",
        "summary": "À quoi elle sert.",
        "themes": ["piis"],
        "version": 2,
        "published": "2026-11-01",
        "updated": "2026-11-23",
        "sources": [
            {
                "title": "Une source",
                "url": "https://example.org/",
                "date": "2026-01-01",
                "consulte": "2026-11-20",
            }
        ],
        "relire_avant": "2027-06-01",
    }
)
BODY = "Une introduction.\n\n## Une question ?\n\nUne réponse.\n"
SAME = fingerprint(META, BODY)


@pytest.mark.parametrize(
    ("body", "record", "message"),
    [
        (BODY, Record(SAME, 2, dt.date(2026, 11, 23)), None),
        (BODY + "  \n\n", Record(SAME, 2, dt.date(2026, 11, 23)), None),  # blank edges only
        (BODY, None, "fiche sans empreinte enregistrée"),
        (
            BODY + "Une phrase de plus.\n",
            Record(SAME, 2, dt.date(2026, 11, 23)),
            "le texte a changé",
        ),
        (BODY + "Une phrase de plus.\n", Record(SAME, 1, dt.date(2026, 11, 1)), "texte et version"),
        (BODY, Record(SAME, 1, dt.date(2026, 11, 1)), "version ou updated changés sans"),
    ],
)
def test_a_fiche_and_its_record_must_agree(
    body: str, record: Record | None, message: str | None
) -> None:
    found = record_problem(META, fingerprint(META, body), record)
    if message is None:
        assert found is None
    else:
        assert found is not None and found.startswith(message)
        assert "python -m app actualiser-fiches" in found


def fiche_fields(path: Path) -> dict[str, str]:
    front = path.read_text(encoding="utf-8").split("---\n")[1]
    return dict(line.split(": ", 1) for line in front.splitlines() if ": " in line)


def test_refresh_records_then_bumps_only_the_fiches_whose_text_changed(
    content: ContentFolder,
) -> None:
    edited = content.fiche("edite", "Avant.\n", relire_avant="2026-12-01")
    kept = content.fiche("garde", "Rien ne change.\n")
    library, problems = content.load(DAY)
    assert problems == []
    fiches_dir = content.root / "fiches"
    assert {
        p.message[:30] for p in fingerprint_problems(fiches_dir, fiches_and_paths(library))
    } == {"fiche sans empreinte enregistr"}
    assert len(refresh(fiches_dir, fiches_and_paths(library), day=DAY)) == 2
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("Avant.", "Après, avec une phrase nouvelle."), encoding="utf-8")

    library, _problems = content.load(DAY)
    problems = fingerprint_problems(fiches_dir, fiches_and_paths(library))
    assert [(p.path.name, p.message[:20]) for p in problems] == [
        ("edite.md", "le texte a changé ma")
    ]
    assert refresh(fiches_dir, fiches_and_paths(library), day=DAY) == [
        "edite : texte changé, version 2, actualisée le 2026-12-02, à relire avant le 2027-06-02"
    ]
    fields = fiche_fields(edited)
    assert (fields["version"], fields["updated"], fields["relire_avant"]) == (
        "2",
        "2026-12-02",
        "2027-06-02",
    )
    assert fiche_fields(kept)["version"] == "1"
    library, problems = content.load(DAY)
    assert problems == []
    assert fingerprint_problems(fiches_dir, fiches_and_paths(library)) == []


def test_refresh_keeps_a_version_the_writer_already_raised(content: ContentFolder) -> None:
    path = content.fiche("essai", "Avant.\n")
    library, _problems = content.load(DAY)
    refresh(content.root / "fiches", fiches_and_paths(library), day=DAY)
    text = path.read_text(encoding="utf-8").replace("Avant.", "Après.")
    path.write_text(text.replace("version: 1", "version: 2"), encoding="utf-8")
    library, _problems = content.load(DAY)
    report = refresh(content.root / "fiches", fiches_and_paths(library), day=DAY)
    assert report == ["essai : texte changé, actualisée le 2026-12-02"]
    assert fiche_fields(path)["version"] == "2"


def run_app(*args: str, content_dir: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "APP_ENV": "test",
        "APP_CONTENT_DIR": str(content_dir),
        "APP_DATABASE_URL": f"sqlite:///{home}/x.sqlite3",
    }
    return subprocess.run(
        [sys.executable, "-m", "app", *args], capture_output=True, text=True, env=env, check=False
    )


def test_the_commands_as_a_writer_runs_them(tmp_path: Path) -> None:
    """check-content fails on an undated source and on an edit left undated; the command fixes
    the second."""
    root = tmp_path / "content"
    shutil.copytree(PROJECT_DIR / "content", root)
    assert run_app("check-content", content_dir=root, home=tmp_path).returncode == 0
    with (root / "changements.yaml").open("a", encoding="utf-8") as changes:
        changes.write(FUTURE_CHANGE)
    result = run_app("check-content", content_dir=root, home=tmp_path)
    assert result.returncode == 0, result.stdout  # a warning, not a failure
    assert "attention : " in result.stdout
    assert "aide-gratuite.md" in result.stdout and "« test-futur »" in result.stdout

    fiche = root / "fiches" / "piis-contrat-integration.md"
    original = fiche.read_text(encoding="utf-8")
    undated = original.replace("    date: 2024-10-01\n", "", 1)
    fiche.write_text(undated, encoding="utf-8")
    result = run_app("check-content", content_dir=root, home=tmp_path)
    assert result.returncode == 1
    assert "sources.0.date : champ obligatoire manquant" in result.stdout

    fiche.write_text(original + "\nUne phrase ajoutée.\n", encoding="utf-8")
    result = run_app("check-content", content_dir=root, home=tmp_path)
    assert result.returncode == 1
    assert "piis-contrat-integration.md:1: le texte a changé" in result.stdout
    result = run_app("actualiser-fiches", content_dir=root, home=tmp_path)
    assert "piis-contrat-integration : texte changé, version" in result.stdout
    assert run_app("check-content", content_dir=root, home=tmp_path).returncode == 0
