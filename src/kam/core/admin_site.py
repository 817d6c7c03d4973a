from __future__ import annotations

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class KamAdminSite(AdminSite):
    """The admin sees every account, so only the programme lead (or a superuser) may enter."""

    site_header = _("kam administration")
    site_title = _("kam administration")

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and (user.is_superuser or user.is_lead))


class KamAdminConfig(AdminConfig):
    """Django's admin, with KamAdminSite as the default site."""

    default_site = "kam.core.admin_site.KamAdminSite"
