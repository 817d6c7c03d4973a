"""The API object and its OpenAPI document: the error answers every operation can give are
declared from what the operation takes, not by hand on each decorator.

- 401 for every operation that needs a caller (all of them);
- 400 (a body that is not JSON) and 422 for an operation with a body; 422 with parameters;
- 404 for an operation with a path id, an ``account`` parameter, or a write (a write's body
  names an account or contact, and one outside the caller's scope is a 404);
- 403 and 409 for writes (POST, PUT, PATCH, DELETE);
- anything else an operation can answer it says with ``@answers(404)`` under its route.

Every one refers to the shared ``Error`` schema (kam.api.errors). The document also records
two different schemas registered under one name (``clashes``): ninja keeps only the last, so
an operation would be documented with another's body; a test keeps it empty.
"""

from __future__ import annotations

from collections.abc import Callable
from http.client import responses as reasons
from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.operation import Operation
from ninja.schema import NinjaGenerateJsonSchema

from kam.api.errors import ErrorOut, install

ERROR_REF = {"$ref": REF_TEMPLATE.format(model="Error")}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
BODY_SOURCES = {"body", "form", "file"}


def answers(*statuses: int) -> Callable:
    """Declare error statuses an operation gives beyond the standard ones (see above)."""

    def mark(view: Callable) -> Callable:
        view.kam_answers = (*getattr(view, "kam_answers", ()), *statuses)  # type: ignore[attr-defined]
        return view

    return mark


def _parameter_names(model: Any) -> set[str]:
    flat = getattr(model, "__ninja_flatten_map__", None)
    return set(flat) if flat else set(model.model_fields)


def error_statuses(operation: Operation) -> set[int]:
    """The error statuses ``operation`` can answer."""
    sources = {model.__ninja_param_source__ for model in operation.models}
    names = set().union(*(_parameter_names(m) for m in operation.models)) if sources else set()
    writes = bool(set(operation.methods) & WRITES)
    statuses: set[int] = set(getattr(operation.view_func, "kam_answers", ()))
    if operation.auth_callbacks:
        statuses.add(401)
    if sources:
        statuses.add(422)
    if sources & BODY_SOURCES:
        statuses.add(400)
    if "path" in sources or "account" in names or writes:
        statuses.add(404)
    if writes:
        statuses |= {403, 409}
    return statuses


def error_schema() -> dict[str, Any]:
    schema = ErrorOut.model_json_schema(
        ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema
    )
    definitions = schema.pop("$defs", {})
    schema["title"] = "Error"
    return {"Error": schema, **definitions}


class KamOpenAPISchema(OpenAPISchema):
    def __init__(self, api: NinjaAPI, path_prefix: str) -> None:
        self.clashes: dict[str, list[dict[str, Any]]] = {}
        super().__init__(api, path_prefix)
        self.add_schema_definitions(error_schema())

    def operation_details(self, operation: Operation) -> dict[str, Any]:
        details = super().operation_details(operation)
        responses = details["responses"]
        for status in sorted(error_statuses(operation)):
            responses.setdefault(
                status,
                {
                    "description": reasons.get(status, "Error"),
                    "content": {"application/json": {"schema": ERROR_REF}},
                },
            )
        return details

    def add_schema_definitions(self, definitions: dict) -> None:
        for name, schema in definitions.items():
            known = self.schemas.get(name)
            if known is not None and known != schema:
                variants = self.clashes.setdefault(name, [known])
                if schema not in variants:
                    variants.append(schema)
        super().add_schema_definitions(definitions)


class KamAPI(NinjaAPI):
    """kam's NinjaAPI: one error shape (kam.api.errors), error answers in the document."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        install(self)

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> KamOpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        return KamOpenAPISchema(self, path_prefix)
