"""How the API knows who is calling: a bearer token (scripts) or the browser's session."""

from __future__ import annotations

from functools import wraps

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from kam.users.models import ApiToken


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
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
        return JsonResponse({"detail": "Unauthorized"}, status=401)

    return wrapper
