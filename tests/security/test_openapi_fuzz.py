"""schemathesis against the site's own OpenAPI document (``/api/openapi.json``).

Every operation it describes, the pages included, is called with generated requests, valid
ones and invalid ones, and every answer is checked against the document with every check of
schemathesis on: never a 5xx, the status code listed, the content type, the headers, the body's
schema, invalid data refused and valid data accepted. Bounded: a few hundred examples in all,
well under a minute on each database.
"""

from __future__ import annotations

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import CHECKS
from schemathesis.generation import GenerationMode

EXAMPLES = 15  # per operation and per mode: 10 operations, about 300 requests


def test_the_api_answers_as_its_documentation_says(app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    every_check = CHECKS.get_all()
    # One check is left out for the evaluation only: a question asked under a condition
    # (« Posée si ») is required only when its condition holds, which JSON Schema cannot say
    # here; a schema-valid situation may thus miss an answer and rightly get its French 422.
    all_but_acceptance = [c for c in every_check if c.__name__ != "positive_data_acceptance"]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    for operation in operations:
        raw = operation.definition.raw
        modes = [GenerationMode.POSITIVE]
        if raw.get("parameters") or "requestBody" in raw:  # something to get wrong
            modes.append(GenerationMode.NEGATIVE)
        for mode in modes:

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            def call(case: schemathesis.Case) -> None:
                conditional = case.operation.path == "/api/questionnaire/evaluate"
                case.call_and_validate(checks=all_but_acceptance if conditional else every_check)

            try:
                call()
            except Unsatisfiable:
                # No invalid request exists (a path of any text, say): nothing to refuse.
                assert mode is GenerationMode.NEGATIVE, operation.label
