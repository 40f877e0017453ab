"""Time of one evaluation of « Ai-je droit ? », in-process, for every scenario of the tests.

Reads the questionnaire and the amounts as the site does at start, turns the answers of each
situation of ``tests/questionnaire/scenarios.yaml`` into values, then times ``evaluate`` on each
and prints the microseconds per evaluation (best of several rounds), and the same for the
token of the answers (``dump_state`` then ``load_state``).

    python bench/questionnaire.py [--rounds 7] [--number 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import timeit
from pathlib import Path
from typing import Any

import yaml

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from app.questionnaire import normalize_answers  # noqa: E402
from app.questionnaire.site import load_site_questionnaire  # noqa: E402
from app.questionnaire.state import dump_state, load_state  # noqa: E402

SCENARIOS = PROJECT / "tests" / "questionnaire" / "scenarios.yaml"
SECRET = "banc d'essai"  # noqa: S105 - signs throwaway tokens in this process only


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--number", type=int, default=200)
    args = parser.parse_args()

    site = load_site_questionnaire(PROJECT / "content")
    q = site.questionnaire
    scenarios: list[dict[str, Any]] = yaml.safe_load(SCENARIOS.read_text(encoding="utf-8"))
    evaluations: list[float] = []
    tokens: list[float] = []
    for scenario in scenarios:
        answers, errors = normalize_answers(q, scenario["answers"])
        assert not errors, (scenario["name"], errors)
        day = scenario.get("date") or dt.date(2025, 6, 1)
        timer = timeit.Timer(lambda a=answers, d=day: site.evaluate(a, d))
        evaluations.append(min(timer.repeat(args.rounds, args.number)) / args.number * 1e6)
        token = dump_state(SECRET, q, answers)
        timer = timeit.Timer(
            lambda a=answers, t=token: load_state(SECRET, q, dump_state(SECRET, q, a))
        )
        tokens.append(min(timer.repeat(args.rounds, args.number)) / args.number * 1e6)

    print(f"{len(scenarios)} situations, meilleur de {args.rounds} × {args.number} appels")
    for label, figures in (("evaluate", evaluations), ("jeton (écrire + lire)", tokens)):
        print(
            f"{label:>22} : médiane {statistics.median(figures):7.1f} µs, "
            f"min {min(figures):7.1f} µs, max {max(figures):7.1f} µs par situation"
        )


if __name__ == "__main__":
    main()
