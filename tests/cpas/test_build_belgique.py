"""The generator of ``content/cpas_belgique.yaml``'s communes, on a small Statbel-like table."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from app.config import PROJECT_DIR
from app.cpas.build_belgique import main
from app.cpas.directory import load_directory

CONTENT_DIR = PROJECT_DIR / "content"


def statbel(folder: Path, towns: list[dict], codes: list[tuple[str, str]]) -> Path:
    folder.mkdir()
    (folder / "municipalities.json").write_text(json.dumps(towns), encoding="utf-8")
    records = [{"id": f"{c}-{r}", "postalCode": c, "municipality": r} for c, r in codes]
    (folder / "postal-codes.json").write_text(json.dumps(records), encoding="utf-8")
    return folder


def test_the_communes_part_is_rebuilt_and_the_rest_kept(tmp_path: Path) -> None:
    target = tmp_path / "cpas_belgique.yaml"
    shutil.copy(CONTENT_DIR / "cpas_belgique.yaml", target)
    head = target.read_text(encoding="utf-8").split("\ncommunes:\n")[0]
    towns = [
        {"id": "62063", "name": {"nl": "Luik", "fr": "Liège"}, "region": "03000"},
        {"id": "44021", "name": {"nl": "Gent", "fr": "Gand"}, "region": "02000"},
        {"id": "63067", "name": {"nl": "Sankt Vith", "fr": "Saint-Vith"}, "region": "03000"},
        {"id": "21004", "name": {"nl": "Brussel", "fr": "Bruxelles"}, "region": "04000"},
    ]
    codes = [("9000", "44021"), ("4020", "62063"), ("4000", "62063"), ("4780", "63067")]
    codes.append(("1000", "21004"))
    assert main([str(statbel(tmp_path / "data", towns, codes))], target) == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith(head)
    communes = yaml.safe_load(text)["communes"]
    gent = {"refnis": "44021", "nom": "Gent", "nom_fr": "Gand", "region": "flandre"}
    liege = {"refnis": "62063", "nom": "Liège", "region": "wallonie"}
    vith = {"refnis": "63067", "nom": "Sankt Vith", "nom_fr": "Saint-Vith"}
    # Sorted by name, Brussels left to cpas.yaml, French name only when it differs, the
    # German-speaking flag from the file's own list, postcodes sorted.
    assert communes == [
        {**gent, "codes_postaux": [9000]},
        {**liege, "codes_postaux": [4000, 4020]},
        {**vith, "region": "germanophone", "codes_postaux": [4780]},
    ]


def test_the_committed_communes_have_the_generator_form() -> None:
    """Each line of the committed communes part has the generator's form, and loads."""
    text = (CONTENT_DIR / "cpas_belgique.yaml").read_text(encoding="utf-8")
    lines = text.split("\ncommunes:\n", 1)[1].splitlines()
    assert len(lines) == 546
    for line in lines:
        item = yaml.safe_load(line[4:])
        assert list(item)[:2] == ["refnis", "nom"] and list(item)[-2:] == [
            "region",
            "codes_postaux",
        ]
        assert item["codes_postaux"] == sorted(item["codes_postaux"])
    assert load_directory(CONTENT_DIR)[1] == []
