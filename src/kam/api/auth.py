"""How the API knows who is calling: a bearer token (scripts) or the browser's session."""

from __future__ import annotations

import re
from functools import wraps

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja.security import HttpBearer, django_auth

from kam.api.errors import error_response
from kam.users.models import ApiToken

# What ApiToken.issue makes: anything else cannot match, and is not worth a query.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,200}")


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        if not TOKEN_SHAPE.fullmatch(token):
            return None
        found = ApiToken.objects.authenticate(token)
        if found is None:
            return None
        # One cheap UPDATE, so an admin can see which tokens are still in use.
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


bearer_token = BearerToken()
API_AUTH = [bearer_token, django_auth]


def api_login_required(view):
    """For the OpenAPI document and docs page: a session or a token, else 401."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and bearer_token.authenticate(request, token.strip()):
            return view(request, *args, **kwargs)
        return error_response(401, gettext("Sign in, or send a valid API token."))

    return wrapper
