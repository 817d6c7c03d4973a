"""One error shape for every error status of the API, and no server error on what a careful
tester sends: huge pages, nulls, NUL characters, lone surrogates, bad dates."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.core.exceptions import PermissionDenied
from ninja import Router
from ninja.testing import TestClient

from kam.api.openapi import KamAPI
from kam.core.versions import EditConflict
from kam.relationships.models import Contact
from kam.users.models import ApiToken

SHAPE = {"status", "message", "field", "detail"}


@pytest.fixture
def call(client):
    """``call(user, method, path, body=None, **headers)`` with the user's bearer token."""

    def send(user, method, path, body=None, **headers):
        headers["HTTP_AUTHORIZATION"] = f"Bearer {ApiToken.issue(user=user)[1]}"
        if body is None:
            return getattr(client, method)(path, **headers)
        data = body if isinstance(body, str) else json.dumps(body)
        return getattr(client, method)(path, data, content_type="application/json", **headers)

    return send


@pytest.fixture
def budi(account):
    return Contact.objects.get(account=account, name="Budi Santoso")


def error(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) >= SHAPE, body
    assert body["status"] == status
    return body


# --- the shape, status by status -----------------------------------------------------------


def test_a_request_that_does_not_validate_is_a_422_naming_the_field(call, alice, account):
    body = error(call(alice, "post", "/api/v1/contacts", {"account": str(account.public_id)}), 422)
    assert body["field"] == "name"
    assert body["detail"][0]["loc"] == ["body", "payload", "name"]
    assert body["message"] == "name: This field is required."


def test_a_services_refusal_is_a_422_on_its_field(call, alice, budi):
    body = error(call(alice, "patch", f"/api/v1/contacts/{budi.public_id}", {"level": "tsar"}), 422)
    assert body["field"] == "level"
    assert [e["loc"][-1] for e in body["detail"]] == ["level"]


def test_a_mentors_write_is_a_403_with_the_reason(call, mia, budi):
    body = error(call(mia, "patch", f"/api/v1/contacts/{budi.public_id}", {"title": "CEO"}), 403)
    assert body["message"] and body["field"] is None
    assert Contact.objects.get(pk=budi.pk).title != "CEO"


def test_another_users_account_is_a_404_that_names_nothing(call, charlie, budi):
    body = error(call(charlie, "get", f"/api/v1/contacts/{budi.public_id}"), 404)
    assert "Budi" not in json.dumps(body)
    assert body["message"] == "Not found, or not yours to see."


def test_a_malformed_id_in_the_path_is_the_same_json_404(call, alice, db):
    error(call(alice, "get", "/api/v1/contacts/not-a-uuid/assessments"), 404)


def test_no_token_is_a_401_in_the_same_shape(client, db):
    error(client.get("/api/v1/contacts"), 401)
    error(client.get("/api/v1/openapi.json"), 401)


def test_a_body_that_is_not_json_is_a_400(call, alice, account):
    body = error(call(alice, "post", "/api/v1/contacts", "{not json"), 400)
    assert body["message"] == "The request body is not valid JSON."


def test_a_stale_edit_is_a_409_in_the_same_shape(call, alice, budi):
    seen = call(alice, "get", f"/api/v1/contacts/{budi.public_id}").json()["updated_at"]
    call(alice, "patch", f"/api/v1/contacts/{budi.public_id}", {"title": "Director"})
    stale = {"title": "CEO", "expected_updated_at": seen}
    body = error(call(alice, "patch", f"/api/v1/contacts/{budi.public_id}", stale), 409)
    assert "reload" in body["message"].lower()


def test_the_message_is_in_the_callers_language(call, charlie, budi):
    path = f"/api/v1/contacts/{budi.public_id}"
    chinese = error(call(charlie, "get", path, HTTP_ACCEPT_LANGUAGE="zh-hant"), 404)
    indonesian = error(call(charlie, "get", path, HTTP_ACCEPT_LANGUAGE="id"), 404)
    assert chinese["message"] == "找不到，或您無權查看。"  # noqa: RUF001
    assert indonesian["message"] == "Tidak ditemukan, atau Anda tidak berhak melihatnya."


def test_selection_422s_keep_their_text_detail_in_the_shape(call, alice, scored, account):
    path = f"/api/v1/selection/accounts/{account.public_id}/ratings"
    body = error(call(alice, "post", path, {"key": "openness", "value": "6"}), 422)
    assert body["field"] == "value"
    assert body["message"] == body["detail"] == "Enter a value from 1 to 5."


# --- what only a broken operation raises: a small API of its own ---------------------------


@pytest.fixture
def broken():
    api = KamAPI(urls_namespace="broken")
    router = Router()

    @router.get("/conflict")
    def conflict(request):
        raise EditConflict(by="Siti Rahayu", at=datetime(2026, 11, 2, 9, 30, tzinfo=UTC), current=7)

    @router.get("/refused")
    def refused(request):
        raise PermissionDenied

    @router.get("/crash")
    def crash(request):
        raise RuntimeError("secret internals at /srv/kam/settings.py")

    api.add_router("/", router)
    return TestClient(api)


def test_a_conflict_names_who_changed_it_and_when_and_the_version(broken, settings):
    settings.TIME_ZONE = "UTC"
    body = error(broken.get("/conflict"), 409)
    assert body["message"].startswith("Siti Rahayu changed this on 2026-11-02 09:30")
    assert body["version"] == 7


def test_a_bare_refusal_still_says_something(broken):
    assert error(broken.get("/refused"), 403)["message"] == "You cannot change this."


def test_a_crash_is_a_500_with_a_generic_message_and_is_logged(broken, caplog):
    response = broken.get("/crash")
    body = error(response, 500)
    assert body["message"] == "Something went wrong on our side; it has been logged."
    text = response.content.decode()
    assert "secret" not in text and "Traceback" not in text
    assert "secret internals" in caplog.text


# --- the reproductions of issue 9, on both databases --------------------------------------


@pytest.mark.parametrize("parameter", ["limit", "offset"])
def test_a_huge_page_is_a_422_naming_the_parameter(call, lee, account, parameter):
    response = call(lee, "get", f"/api/v1/accounts?{parameter}=27689227258572636160")
    body = error(response, 422)
    assert body["field"] == parameter


def test_the_largest_page_allowed_still_answers(call, lee, account):
    response = call(lee, "get", "/api/v1/accounts?limit=1000&offset=1000000000")
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"phone": None}, "phone"),
        ({"notes": "before\x00after"}, "notes"),
        ({"notes": "\ud800"}, "notes"),
        ({"name": "\udfff Budi"}, "name"),
        ({"title": None}, "title"),
    ],
    ids=["phone-null", "nul", "lone-surrogate", "surrogate-in-name", "title-null"],
)
def test_a_bad_text_is_a_422_and_changes_nothing(call, alice, budi, patch, field):
    before = Contact.objects.values().get(pk=budi.pk)
    body = error(call(alice, "patch", f"/api/v1/contacts/{budi.public_id}", patch), 422)
    assert body["field"] == field
    assert Contact.objects.values().get(pk=budi.pk) == before


def test_text_fields_are_cleared_with_an_empty_string(call, alice, budi):
    Contact.objects.filter(pk=budi.pk).update(phone="+62 21 555 0101")
    response = call(alice, "patch", f"/api/v1/contacts/{budi.public_id}", {"phone": ""})
    assert response.status_code == 200
    assert Contact.objects.get(pk=budi.pk).phone == ""


@pytest.mark.parametrize("kind", ["links", "interactions"])
def test_a_null_kind_is_refused_as_documented(call, alice, account, budi, kind):
    from tests.factories import ContactFactory
    from tests.relationships.factories import InteractionFactory, LinkFactory

    other = ContactFactory(account=account)
    record = (
        LinkFactory(source=budi, target=other)
        if kind == "links"
        else InteractionFactory(account=account, contacts=[budi])
    )
    path = f"/api/v1/contacts/{kind}/{record.public_id}"
    body = error(call(alice, "patch", path, {"kind": None}), 422)
    assert body["field"] == "kind"
    record.refresh_from_db()
    assert record.kind


def test_a_bad_as_of_is_a_422_naming_it(call, lee, db):
    body = error(call(lee, "post", "/api/v1/selection/runs?as_of=notadate"), 422)
    assert body["field"] == "as_of"
    assert body["message"] == "as_of: Enter a valid date."


def test_a_bad_date_in_the_query_is_a_422_naming_it(call, alice, account):
    path = f"/api/v1/contacts/analyses?account={account.public_id}&today=2026-13-01"
    assert error(call(alice, "get", path), 422)["field"] == "today"


@pytest.mark.parametrize("query", ["today=9999-12-31", "days=1000000000", "today=0001-01-01"])
def test_dates_and_periods_at_the_edges_are_422s_not_overflows(call, alice, account, query):
    response = call(alice, "get", f"/api/v1/contacts/analyses?account={account.public_id}&{query}")
    assert error(response, 422)["field"] in {"today", "days"}


def test_a_nul_in_a_query_filter_is_a_422(call, lee, account):
    assert error(call(lee, "get", "/api/v1/accounts?q=a%00b"), 422)["field"] == "q"


def test_scores_before_any_scoring_are_a_404_saying_so(call, alice, account):
    body = error(call(alice, "get", "/api/v1/selection/scores"), 404)
    assert body["message"] == "No scoring yet."


def test_no_active_tier_scheme_is_a_404_not_a_crash(call, alice, db):
    from kam.selection.models import TierScheme

    TierScheme.objects.update(active=False)
    error(call(alice, "get", "/api/v1/selection/tiers"), 404)
