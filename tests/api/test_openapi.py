"""The OpenAPI document says what the API does: one schema per name, every error answer
declared with the shared Error schema, bounds and nullability as the API enforces them."""

from __future__ import annotations

import pytest
from django.apps import apps
from ninja import Router, Schema
from pydantic import create_model

from kam.api.api import api
from kam.api.openapi import KamAPI

DOC = api.get_openapi_schema()
SCHEMAS = DOC["components"]["schemas"]
OPERATIONS = [
    (method.upper(), path, details)
    for path, methods in DOC["paths"].items()
    for method, details in methods.items()
]
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _ids(operations):
    return [f"{method} {path}" for method, path, _ in operations]


def _nullable(schema: dict) -> bool:
    return any(option.get("type") == "null" for option in schema.get("anyOf", []))


def test_no_two_schemas_share_a_name():
    assert DOC.clashes == {}


# Two bodies under one name, as relationships' and selection's OverrideIn were.
FIRST = create_model("OverrideIn", __base__=Schema, reason=(str, ...))
SECOND = create_model("OverrideIn", __base__=Schema, tier=(int, ...))


def test_a_name_shared_by_two_schemas_is_caught():
    first, second = Router(), Router()

    @first.put("/a")
    def put_a(request, payload: FIRST):
        return None

    @second.put("/b")
    def put_b(request, payload: SECOND):
        return None

    clashing = KamAPI(urls_namespace="clashing")
    clashing.add_router("/first", first)
    clashing.add_router("/second", second)
    assert list(clashing.get_openapi_schema(path_prefix="").clashes) == ["OverrideIn"]


def test_each_override_is_documented_with_its_own_body():
    def body(method, path):
        ref = DOC["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
        return set(SCHEMAS[ref["$ref"].rsplit("/", 1)[-1]]["properties"])

    assert body("put", "/api/v1/contacts/overrides") == {"user", "contact", "value", "reason"}
    override = "/api/v1/selection/accounts/{account_id}/override"
    assert body("post", override) == {"tier", "reason", "clear"}


@pytest.mark.parametrize(("method", "path", "details"), OPERATIONS, ids=_ids(OPERATIONS))
def test_every_error_answer_is_declared_with_the_error_schema(method, path, details):
    declared = {int(status) for status in details["responses"]}
    expected = {401}
    if details.get("parameters") or details.get("requestBody"):
        expected.add(422)
    if details.get("requestBody"):
        expected.add(400)
    if "{" in path or method in WRITES:
        expected.add(404)
    if method in WRITES:
        expected |= {403, 409}
    assert expected <= declared
    for status in declared - {200, 201, 202, 204}:
        content = details["responses"][status]["content"]["application/json"]
        assert content["schema"] == {"$ref": "#/components/schemas/Error"}


def test_the_error_schema_is_the_one_shape():
    error = SCHEMAS["Error"]
    assert set(error["required"]) == {"status", "message", "field", "detail"}


PAGED = [op for op in OPERATIONS if {"limit", "offset"} & {p["name"] for p in op[2]["parameters"]}]


def test_every_list_is_paged():
    paged = {path for _, path, _ in PAGED}
    lists = {
        path
        for method, path, details in OPERATIONS
        if method == "GET"
        and "items"
        in SCHEMAS.get(
            details["responses"][200]
            .get("content", {})
            .get("application/json", {})
            .get("schema", {})
            .get("$ref", "/")
            .rsplit("/", 1)[-1],
            {},
        ).get("properties", {})
    }
    assert lists and lists <= paged


@pytest.mark.parametrize(("method", "path", "details"), PAGED, ids=_ids(PAGED))
def test_every_page_is_bounded(method, path, details):
    bounds = {p["name"]: p["schema"].get("maximum") for p in details["parameters"]}
    assert bounds["limit"] == 1000
    assert bounds["offset"] == 1_000_000_000


# Schema name -> model, where the name does not say it.
MODELS = {
    "LinkPatch": "relationships.ContactLink",
    "InterestPatch": "relationships.EntrenchedInterest",
    "PracticePatch": "relationships.EntrenchedPractice",
    "CriterionPatch": "selection.SelectionCriterion",
    "AssessmentIn": "relationships.Assessment",
    "TeamMemberPatch": "accounts.TeamMembership",
    "TacticPatch": "tactics.AccountTactic",
    "AgreementPatch": "tactics.RebateAgreement",
}
# Not fields of the record: how the caller names the version it read.
NOT_STORED = {"expected_updated_at", "version"}


def _model_of(name: str):
    if name in MODELS:
        return apps.get_model(MODELS[name])
    wanted = name.removesuffix("Patch").lower()
    found = [m for m in apps.get_models() if m.__name__.lower() == wanted]
    assert found, f"{name}: say which model it edits in MODELS"
    return found[0]


PATCHES = [*sorted(n for n in SCHEMAS if n.endswith("Patch")), "AssessmentIn"]


@pytest.mark.parametrize("name", PATCHES)
def test_a_patch_field_is_nullable_only_where_the_record_stores_null(name):
    """Null on a text or a required field was a server error (NOT NULL): it is refused now,
    and the document says so; null stays allowed where it clears a date or a link."""
    model = _model_of(name)
    for field, schema in SCHEMAS[name]["properties"].items():
        if field in NOT_STORED or not _nullable(schema):
            continue
        stored = model._meta.get_field(field)
        assert stored.null or stored.many_to_many, f"{name}.{field} is documented nullable"


def test_kind_and_phone_are_documented_as_never_null():
    assert not _nullable(SCHEMAS["LinkPatch"]["properties"]["kind"])
    assert not _nullable(SCHEMAS["InteractionPatch"]["properties"]["kind"])
    assert not _nullable(SCHEMAS["ContactPatch"]["properties"]["phone"])
    assert SCHEMAS["ContactPatch"]["properties"]["phone"]["maxLength"] == 64
