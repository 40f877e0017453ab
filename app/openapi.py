"""The OpenAPI document (``/api/openapi.json``) as the site really answers.

FastAPI describes every route as JSON. Here the pages are described as what they are (HTML,
or PDF for ``….pdf``), with their French error pages; every operation lists the answers the
site's own layers can give (404 for a path that names nothing, 405 for a method it does not
take, 413 for a body past the limit, 422 for parameters that are not valid, 503 during a
database outage), and the JSON answers mark every key they always carry as required.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.errors import MESSAGES

ERROR_BODY = {
    "type": "object",
    "required": ["detail"],
    "properties": {"detail": {"type": "string", "description": "Le message, en français."}},
}
HTML = {"text/html": {"schema": {"type": "string"}}}
PDF = {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}


def media_of(path: str) -> dict[str, Any]:
    return PDF if path.endswith(".pdf") else HTML


def error_answer(status: int, api: bool) -> dict[str, Any]:
    title, message = MESSAGES[status]
    content = {"application/json": {"schema": ERROR_BODY}} if api else HTML
    return {"description": f"{title} : {message}", "content": content}


def describe_operation(operation: dict[str, Any], path: str) -> None:
    api = path.startswith("/api/")
    answers: dict[str, Any] = operation["responses"]
    if not api:
        answers["200"]["content"] = media_of(path)
        # The pages answer their French 422 page, not FastAPI's JSON.
        if "422" in answers:
            answers["422"] = error_answer(422, api=False)
    has_parameters = bool(operation.get("parameters")) or "requestBody" in operation
    statuses = [404, 405, 503]
    if has_parameters:
        statuses.append(422)
    if "requestBody" in operation:
        statuses.append(413)
    for status in statuses:
        answers.setdefault(str(status), error_answer(status, api))


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """The document, built once and kept."""
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    for path, operations in document["paths"].items():
        for operation in operations.values():
            describe_operation(operation, path)
    app.openapi_schema = document
    return document
