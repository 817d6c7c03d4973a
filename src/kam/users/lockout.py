"""Login protection: django-axes counts failed logins per user name and per address.

After ``KAM_LOGIN_FAILURE_LIMIT`` failures within ``KAM_LOGIN_COOLOFF_MINUTES`` for one user
name, or from one address, further logins for that name, or from that address, are refused
until the cool-off has passed; a try during the lockout starts the cool-off again. The
programme lead unlocks in the admin (access attempts) or with ``kam axes_reset_username``.
API tokens never pass through here, so a lockout does not stop a script.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_cool_off
from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext

# What the programme lead may do in the admin to see and lift lockouts.
LEAD_PERMISSIONS = frozenset(
    {
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
    }
)


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' lockout check, for logins that come with a request (the login forms).

    ``authenticate()`` without a request comes from code, not from a browser (a management
    command, a test); axes would raise there, and there is no address to count.
    """

    def authenticate(self, request: HttpRequest | None, *args, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


class LeadUnlocksLogins(BaseBackend):
    """Lets the programme lead see and delete axes' access attempts in the admin."""

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if obj is None and user_obj.is_active and getattr(user_obj, "is_lead", False):
            return set(LEAD_PERMISSIONS)
        return set()

    def has_module_perms(self, user_obj, app_label: str) -> bool:
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))


def client_address(request: HttpRequest) -> str | None:
    """The caller's address: behind ``KAM_PROXY_COUNT`` proxies, the one they saw.

    Each proxy appends the address it received from to X-Forwarded-For, so the entry that
    many places from the right is the client's; anything further left the client wrote.
    Without a proxy the header is ignored, else anyone could pick their own address.
    """
    proxies = settings.KAM_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def lockout_message(request: HttpRequest) -> str:
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else 0
    return ngettext(
        "Too many failed log-ins for this user name or from this address. Logging in is "
        "locked for %(minutes)d minute. Wait and try again, or ask the programme lead to "
        "unlock it.",
        "Too many failed log-ins for this user name or from this address. Logging in is "
        "locked for %(minutes)d minutes. Wait and try again, or ask the programme lead to "
        "unlock it.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """The login page again, with the lockout explained (axes' AXES_LOCKOUT_CALLABLE)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {
        "form": form,
        "next": request.POST.get("next", ""),
        "locked_out": lockout_message(request),
    }
    return render(
        request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
