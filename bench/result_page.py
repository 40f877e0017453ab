"""The result page of « Ai-je droit ? » for a full situation, against nginx serving the same
bytes. The page carries a person's answers, so it is never cached: each request evaluates the
rules, the estimate of the amount and renders the page.

The site runs with 2 workers in production mode; the situation is entered through the counter
mode (``/ai-je-droit/express``), the result's HTML is saved and served by nginx, and both are
loaded with wrk in the same run.

    python bench/result_page.py [--duration 10] [--connections 32]
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

import httpx

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

import run as site_bench  # noqa: E402

# A full situation: works part-time while on the RIS (estimate with an exemption), debts.
SITUATION: dict[str, str | list[str]] = {
    "age": "23",
    "statut": "belge",
    "enceinte": "non",
    "vit_en_belgique": "oui",
    "logement": "domicile",
    "menage": ["autres"],
    "frais_partages": "non",
    "enfant_mineur": "non",
    "etudiant": "non",
    "handicap": "non",
    "revenus": ["salaire"],
    "temps_travail": "temps_partiel",
    "revenus_montant": "700",
    "non_demandees": ["aucune"],
    "prestations_perdues": ["aucune"],
    "capable_travailler": "oui",
    "deja_cpas": "ris",
    "dettes": "oui",
    "garantie_locative": "oui",
}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def result_path(base: str) -> str:
    """The result's path and token, as the counter mode gives it."""
    with httpx.Client(base_url=base) as client:
        page = client.get("/ai-je-droit/express")
        match = CSRF.search(page.text)
        assert match, "pas de jeton CSRF"
        data = {**SITUATION, "csrf_token": match.group(1), "action": "resultat"}
        response = client.post("/ai-je-droit/express", data=data)
        assert response.status_code == 303, response.text[:2000]
        return str(response.headers["location"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    for tool in ("nginx", "wrk"):
        if not shutil.which(tool):
            sys.exit(f"{tool} est absent : apt-get install nginx-light wrk")
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        tmp.chmod(0o755)
        site_port, nginx_port = site_bench.free_port(), site_bench.free_port()
        site = site_bench.start_site(tmp, site_port, {})
        nginx = None
        try:
            base = f"http://127.0.0.1:{site_port}"
            site_bench.wait_for(base + "/healthz")
            path = result_path(base)
            html = site_bench.fetch(base + path)
            assert b'id="estimation"' in html, "pas d'estimation dans le résultat"
            static = tmp / "static"
            static.mkdir()
            (static / "resultat.html").write_bytes(html)
            print(f"résultat : {len(html) // 1024} Kio, jeton de {len(path.split('=', 1)[1])} car.")
            nginx = site_bench.start_nginx(static, nginx_port, tmp)
            site_bench.wait_for(f"http://127.0.0.1:{nginx_port}/resultat")
            app = site_bench.wrk(base + path, args.duration, args.connections)
            ngx = site_bench.wrk(
                f"http://127.0.0.1:{nginx_port}/resultat", args.duration, args.connections
            )
            note = f"  ({app[2]} réponses non 2xx)" if app[2] else ""
            print(f"{'app req/s':>10} {'app p99':>10} {'nginx req/s':>12} {'nginx p99':>10} ratio")
            print(
                f"{app[0]:>10.0f} {app[1]:>8.1f}ms {ngx[0]:>12.0f} {ngx[1]:>8.1f}ms "
                f"{app[0] / ngx[0]:.3f}{note}"
            )
        finally:
            site_bench.stop(site)
            if nginx:
                site_bench.stop(nginx)


if __name__ == "__main__":
    main()
