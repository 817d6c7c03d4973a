"""One error shape for the whole API, whatever went wrong and wherever it was raised.

Every answer with an error status (4xx, 5xx) is a JSON object::

    {"status": 422, "message": "...", "field": "name", "detail": [...]}

- ``status``: the HTTP status again, for clients that keep only the body;
- ``message``: what went wrong, in the caller's language (the language chosen in kam, else
  the ``Accept-Language`` header);
- ``field``: the first field of the request the error is about (a body field, or a query or
  path parameter), or ``null``;
- ``detail``: for a 422, one ``{"loc": [...], "msg": ..., "type": ...}`` per problem (ninja's
  own shape, ``loc`` starting with ``body``, ``query`` or ``path``); otherwise the message;
- ``version``: on a 409, the version of the record now stored, when known.

Exceptions map to statuses here, once: a request that does not validate, or a service's
Django ``ValidationError`` -> 422; ``PermissionDenied`` -> 403; ``EditConflict`` -> 409 naming
who changed the record and when; ``Http404`` -> 404; no or a bad token -> 401; ninja's
``HttpError`` -> its own status; anything else -> 500 with a generic message, logged with its
traceback, never shown. Operations therefore raise what the services raise and catch nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from kam.core.versions import EditConflict

logger = logging.getLogger("kam.api")

API_PREFIX = "/api/"
UNPARSEABLE = "Cannot parse request body"  # ninja's words for a body that is not JSON


class ValidationIssueOut(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ErrorOut(Schema):
    """The body of every error answer (see the module docstring)."""

    status: int
    message: str
    field: str | None
    detail: list[ValidationIssueOut] | str
    version: int | None = None


class ApiError(HttpError):
    """An error status with a message and, optionally, the request field it is about."""

    def __init__(self, status_code: int, message: str, *, field: str | None = None) -> None:
        super().__init__(status_code, message)
        self.field = field


def error_body(
    status: int, message: str, *, field: str | None = None, detail: Any = None, **extra: Any
) -> dict[str, Any]:
    return {
        "status": status,
        "message": message,
        "field": field,
        "detail": message if detail is None else detail,
        **extra,
    }


def error_response(status: int, message: str, **kwargs: Any) -> JsonResponse:
    """The error shape outside ninja (the docs' login check, Django's 404 and 500 handlers)."""
    return JsonResponse(
        error_body(status, message, **kwargs),
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


# --- 422: what the request got wrong -------------------------------------------------------


def _problem(issue: dict[str, Any]) -> str:
    """Pydantic's English wording of common problems, said in the caller's language."""
    ctx = issue.get("ctx") or {}
    kind = str(issue.get("type", ""))
    if kind.startswith("text_") or kind == "value_error":
        return str(issue.get("msg", ""))  # our own messages, translated when raised
    if kind == "missing":
        return _("This field is required.")
    if kind in {"less_than_equal", "less_than"}:
        return _("Enter a value no greater than %(limit)s.") % {
            "limit": ctx.get("le", ctx.get("lt"))
        }
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Enter a value no less than %(limit)s.") % {"limit": ctx.get("ge", ctx.get("gt"))}
    if kind in {"string_too_long", "too_long"}:
        return _("Enter at most %(limit)s characters.") % {
            "limit": ctx.get("max_length", ctx.get("max_items", "?"))
        }
    if kind == "string_too_short":
        return _("Enter at least %(limit)s characters.") % {"limit": ctx.get("min_length", 1)}
    if kind == "string_type":
        return _("Enter text.")
    if kind.startswith(("date_", "datetime_")):
        return _("Enter a valid date.")
    if kind.startswith("uuid_"):
        return _("Enter a valid id.")
    if kind.startswith(("int_", "decimal_", "float_")):
        return _("Enter a number.")
    if kind.startswith("bool_"):
        return _("Enter true or false.")
    if kind in {"enum", "literal_error"}:
        return _("Select a valid choice.")
    if kind in {"list_type", "dict_type", "model_type", "model_attributes_type"}:
        return _("This value has the wrong type.")
    return _("Enter a valid value.")


def _field(loc: list[Any] | tuple[Any, ...]) -> str | None:
    """The request field a ``loc`` points at: ``["body", "payload", "name"]`` -> ``name``,
    ``["query", "limit"]`` -> ``limit``; ``None`` for the body as a whole."""
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:] if len(parts) > 2 else []
    elif parts:
        parts = parts[1:]
    return parts[0] if parts else None


def _issues(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"loc": list(e.get("loc", [])), "msg": _problem(e), "type": e.get("type", "value_error")}
        for e in errors
    ]


def validation_issues(error: DjangoValidationError) -> list[dict[str, Any]]:
    """A service's ``ValidationError`` as ninja's 422 list, each located on its body field."""
    messages = (
        error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
    )
    out = []
    for field, texts in messages.items():
        loc = ["body", "payload"] if field == NON_FIELD_ERRORS else ["body", "payload", field]
        out.extend({"loc": loc, "msg": text, "type": "value_error"} for text in texts)
    return out


def validation_as_text(view: Callable) -> Callable:
    """For operations whose clients read a 422's ``detail`` as text (the selection API's, from
    before the one shape): the same answer, with the messages as ``detail``."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except DjangoValidationError as error:
            issues = validation_issues(error)
            field = _field(issues[0]["loc"]) if issues else None
            raise ApiError(422, "; ".join(error.messages), field=field) from error

    return wrapper


def _unprocessable(api: NinjaAPI, request: HttpRequest, issues: list[dict[str, Any]]):
    first = issues[0] if issues else {"loc": [], "msg": _("Enter a valid value.")}
    field = _field(first["loc"])
    message = first["msg"] if field is None else f"{field}: {first['msg']}"
    return api.create_response(
        request, error_body(422, message, field=field, detail=issues), status=422
    )


# --- the handlers --------------------------------------------------------------------------


def _conflict_message(error: EditConflict) -> str:
    if error.worded:  # kam.core.versions.stale_edit: the same sentence the pages show
        return str(error)
    if error.by is not None and error.at is not None:
        at = timezone.localtime(error.at) if timezone.is_aware(error.at) else error.at
        return _(
            "%(who)s changed this on %(when)s, after you opened it; reload it and try again."
        ) % {"who": error.by, "when": at.strftime("%Y-%m-%d %H:%M")}
    if error.by is not None:
        return _("%(who)s changed this after you opened it; reload it and try again.") % {
            "who": error.by
        }
    return str(error)


def install(api: NinjaAPI) -> None:
    """Register the handlers on ``api``: the most specific class wins (ninja walks the MRO)."""

    def send(request: HttpRequest, status: int, message: str, **kwargs: Any) -> HttpResponse:
        return api.create_response(request, error_body(status, message, **kwargs), status=status)

    @api.exception_handler(NinjaValidationError)
    def request_invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return _unprocessable(api, request, _issues(exc.errors))

    @api.exception_handler(DjangoValidationError)
    def service_invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        return _unprocessable(api, request, validation_issues(exc))

    @api.exception_handler(PermissionDenied)
    def refused(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return send(request, 403, str(exc) or _("You cannot change this."))

    @api.exception_handler(EditConflict)
    def conflict(request: HttpRequest, exc: EditConflict) -> HttpResponse:
        extra = {} if exc.current is None else {"version": exc.current}
        return send(request, 409, _conflict_message(exc), **extra)

    @api.exception_handler(Http404)
    @api.exception_handler(ObjectDoesNotExist)
    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        # Never str(exc): it can name the model or the id looked for.
        return send(request, 404, _("Not found, or not yours to see."))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return send(request, 401, _("Sign in, or send a valid API token."))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        message = str(exc)
        if exc.status_code == 400 and message.startswith(UNPARSEABLE):
            message = _("The request body is not valid JSON.")
        return send(request, exc.status_code, message, field=getattr(exc, "field", None))

    @api.exception_handler(Exception)
    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return send(request, 500, _("Something went wrong on our side; it has been logged."))


# --- outside ninja: Django's own 404 and 500 for API paths ---------------------------------


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A URL under /api/ that matches no operation (or a malformed id in it): the API's shape;
    any other URL: Django's page."""
    if request.path_info.startswith(API_PREFIX):
        return error_response(404, _("Not found, or not yours to see."))
    from django.views.defaults import page_not_found as django_page_not_found

    return django_page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path_info.startswith(API_PREFIX):
        return error_response(500, _("Something went wrong on our side; it has been logged."))
    from django.views.defaults import server_error as django_server_error

    return django_server_error(request)
