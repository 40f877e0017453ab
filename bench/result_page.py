"""The result page of « Ai-je droit ? » for full situations, against nginx serving the same
bytes. The page carries a person's answers, so it is never cached: each request reads the
token, evaluates the rules, the estimate of the amount and renders the page.

The site runs with 2 workers in production mode. Each situation (the one below, with an
estimate, then the first ones of ``tests/questionnaire/scenarios.yaml``) is entered through
the counter mode (``/ai-je-droit/express``); each result's HTML is saved and served by nginx.
A wrk Lua script makes every connection cycle through the distinct result URLs, on the site
and on nginx alike, in the same run: a server that kept pages by token would not help itself
much with one URL among many, and the figures are for the mix of situations. The two servers
are loaded in turn, in short rounds, and the ratio is that of their mean rates.

    python bench/result_page.py [--duration 5] [--rounds 4] [--connections 32] [--situations 20]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import httpx
import yaml

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

import run as site_bench  # noqa: E402

from app.config import PROJECT_DIR  # noqa: E402
from app.questionnaire import form_values, normalize_answers  # noqa: E402
from app.questionnaire.site import load_site_questionnaire  # noqa: E402

SCENARIOS = PROJECT_DIR / "tests" / "questionnaire" / "scenarios.yaml"

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


def situations(count: int) -> list[dict[str, str | list[str]]]:
    """The situation above, then the first scenarios of the tests, as form fields."""
    q = load_site_questionnaire(PROJECT_DIR / "content").questionnaire
    found: list[dict[str, str | list[str]]] = [SITUATION]
    for scenario in yaml.safe_load(SCENARIOS.read_text(encoding="utf-8")):
        if len(found) >= count:
            break
        answers, errors = normalize_answers(q, scenario["answers"])
        assert not errors, (scenario["name"], errors)
        found.append({qid: form_values(q.by_id[qid], value) for qid, value in answers.items()})
    return found


def result_path(base: str, situation: dict[str, str | list[str]]) -> str:
    """The result's path and token, as the counter mode gives it."""
    with httpx.Client(base_url=base) as client:
        page = client.get("/ai-je-droit/express")
        match = CSRF.search(page.text)
        assert match, "pas de jeton CSRF"
        data = {**situation, "csrf_token": match.group(1), "action": "resultat"}
        response = client.post("/ai-je-droit/express", data=data)
        assert response.status_code == 303, response.text[:2000]
        return str(response.headers["location"])


def cycling_script(path: Path, urls: list[str]) -> Path:
    """A wrk script whose connections request ``urls`` in turn."""
    listed = ",\n".join(f'  "{url}"' for url in urls)
    path.write_text(
        f"local paths = {{\n{listed}\n}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n  return wrk.format(nil, paths[i])\nend\n",
        encoding="utf-8",
    )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=5, help="secondes par manche")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--situations", type=int, default=20)
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
            static = tmp / "static"
            (static / "resultat").mkdir(parents=True)
            paths, sizes, pages = [], [], set()
            for number, situation in enumerate(situations(args.situations)):
                path = result_path(base, situation)
                html = site_bench.fetch(base + path)
                if number == 0:
                    assert b'id="estimation"' in html, "pas d'estimation dans le résultat"
                (static / "resultat" / f"{number}.html").write_bytes(html)
                paths.append(path)
                sizes.append(len(html))
                pages.add(html.split(b'name="csrf_token"')[0])
            print(
                f"{len(paths)} situations, {len(pages)} pages différentes, "
                f"{min(sizes) // 1024} à {max(sizes) // 1024} Kio, "
                f"jetons de {min(len(p.split('=', 1)[1]) for p in paths)} à "
                f"{max(len(p.split('=', 1)[1]) for p in paths)} car."
            )
            app_script = cycling_script(tmp / "site.lua", paths)
            nginx_script = cycling_script(
                tmp / "nginx.lua", [f"/resultat/{number}" for number in range(len(paths))]
            )
            nginx = site_bench.start_nginx(static, nginx_port, tmp)
            site_bench.wait_for(f"http://127.0.0.1:{nginx_port}/resultat/0")
            # Alternate short rounds: a shared machine's load changes from minute to minute,
            # and both servers then see the same mix of it.
            apps, ngxs = [], []
            for _ in range(args.rounds):
                apps.append(site_bench.wrk(base + "/", args.duration, args.connections, app_script))
                ngxs.append(
                    site_bench.wrk(
                        f"http://127.0.0.1:{nginx_port}/",
                        args.duration,
                        args.connections,
                        nginx_script,
                    )
                )
            print(f"{'app req/s':>10} {'app p99':>10} {'nginx req/s':>12} {'nginx p99':>10} ratio")
            for app, ngx in zip(apps, ngxs, strict=True):
                note = f"  ({app[2]} réponses non 2xx)" if app[2] else ""
                print(
                    f"{app[0]:>10.0f} {app[1]:>8.1f}ms {ngx[0]:>12.0f} {ngx[1]:>8.1f}ms "
                    f"{app[0] / ngx[0]:.3f}{note}"
                )
            app_rps = statistics.mean(app[0] for app in apps)
            ngx_rps = statistics.mean(ngx[0] for ngx in ngxs)
            print(
                f"moyenne de {args.rounds} manches : {app_rps:.0f} req/s contre {ngx_rps:.0f}, "
                f"ratio {app_rps / ngx_rps:.3f}"
            )
        finally:
            site_bench.stop(site)
            if nginx:
                site_bench.stop(nginx)


if __name__ == "__main__":
    main()
