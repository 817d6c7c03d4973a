"""The ``ETag`` of an API answer about one versioned record: ``W/"<version>"``.

A middleware rather than a line in each operation: every operation that answers one record
(read or written) carries its ``version`` in the body, so the header follows from it, and a
new operation gets it without doing anything. Lists (a JSON array, or a page of ``items``)
carry no top-level version and get no ETag.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kam.core.middleware import API_PREFIX
from kam.core.versions import etag


class VersionETagMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path_info.startswith(API_PREFIX)
            and response.status_code in (200, 201)
            and not response.has_header("ETag")
            and not getattr(response, "streaming", False)
            and response.get("Content-Type", "").startswith("application/json")
            and response.content[:1] == b"{"
        ):
            version = _version(response.content)
            if version is not None:
                response["ETag"] = etag(version)
        return response


def _version(body: bytes) -> int | None:
    try:
        found = json.loads(body).get("version")
    except (ValueError, AttributeError):
        return None
    return found if isinstance(found, int) and not isinstance(found, bool) else None
