"""What every API operation on account records shares: scoped lookups that answer 404
outside the caller's accounts, versions read from ``If-Match``, and the 422 on a field that
names an object not there. Errors themselves are answered by kam.api.errors."""

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import wraps
from typing import Annotated, Any
from uuid import UUID

from django.db import models
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field
from ninja.errors import ValidationError as NinjaValidationError

from kam.accounts.models import Account
from kam.core.versions import parse_if_match
from kam.users.models import User

# The version a change is based on (README, "Editing at the same time").
BasedOnVersion = Annotated[
    int | None,
    Field(
        ge=1,
        le=2_147_483_647,
        description=(
            "The version of the record this change is based on (or send If-Match). A stale "
            "one is refused with 409 naming who changed the record and when; left out, the "
            "last write wins."
        ),
    ),
]


def service_errors(view: Callable) -> Callable:
    """Nothing left to do: the API's one exception handling (kam.api.errors) answers a
    service's refusal (403), conflict (409) and validation error (422 on the field) for every
    operation. Kept so the operations that still name it need no edit."""
    return view


def field_error(field: str, message: str) -> NinjaValidationError:
    return NinjaValidationError(
        [{"loc": ["body", "payload", field], "msg": message, "type": "value_error"}]
    )


def visible_object(request: HttpRequest, queryset: models.QuerySet, public_id: UUID):
    """One row of ``queryset`` (a model with ``visible_to``) that the caller may see, or 404."""
    try:
        return queryset.visible_to(request.auth).get(public_id=public_id)
    except queryset.model.DoesNotExist as missing:
        raise Http404 from missing


def account_filter(request: HttpRequest, account_id: UUID | None) -> Account | None:
    """An optional ``account`` filter of a list: an account the caller cannot see lists
    nothing (an empty page reveals no more than a 404 would)."""
    if account_id is None:
        return None
    found = Account.objects.visible_to(request.auth).filter(public_id=account_id).first()
    if found is None:
        raise _EmptyList
    return found


class _EmptyList(Exception):
    pass


def empty_if_hidden(view: Callable) -> Callable:
    """For list operations: an invisible ``account`` filter gives an empty list."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except _EmptyList:
            return []

    return wrapper


def users_named(usernames: Iterable[str], field: str) -> list[User]:
    wanted = list(dict.fromkeys(usernames))
    found = {u.username: u for u in User.objects.filter(username__in=wanted, is_active=True)}
    missing = [u for u in wanted if u not in found]
    if missing:
        raise field_error(field, _("Unknown users: %(names)s") % {"names": missing})
    return [found[u] for u in wanted]


def jsonable(value: Any) -> Any:
    """Analysis facts as JSON: dates as ISO text, money as text, tuples as lists."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str):
        return value.value  # enums
    return value


def expected_version(request: HttpRequest, changes: dict[str, Any]) -> int | None:
    """The version the caller based a write on: ``version`` in the body (popped from
    ``changes``), else the ``If-Match`` header. None means the caller chose last write wins."""
    body = changes.pop("version", None)
    if body is not None:
        return body
    return parse_if_match(request.headers.get("If-Match"))


def version_to_delete(request: HttpRequest, version: int | None) -> int | None:
    """The version a DELETE is based on: the ``version`` query parameter, else ``If-Match``."""
    if version is not None:
        return version
    return parse_if_match(request.headers.get("If-Match"))
