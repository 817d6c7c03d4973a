from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kam.users.models import ApiToken, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "is_active")
    list_filter = ("role", "is_active")
    fieldsets = (*DjangoUserAdmin.fieldsets, ("kam", {"fields": ("role",)}))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("__str__", "name", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key", "digest", "created_at", "last_used_at")


class LoginLockoutAdmin(AccessAttemptAdmin):
    """axes' failed-login records, with a plain way for the programme lead to unlock."""

    actions = [*AccessAttemptAdmin.actions, "unlock"]

    @admin.action(description=_("Unlock: forget these failed log-ins"), permissions=["delete"])
    def unlock(self, request: HttpRequest, queryset) -> None:
        count = queryset.count()
        queryset.delete()
        self.message_user(
            request,
            ngettext(
                "%(count)d record of failed log-ins removed; logging in works again.",
                "%(count)d records of failed log-ins removed; logging in works again.",
                count,
            )
            % {"count": count},
        )


# axes' own registration is off (AXES_ENABLE_ADMIN) so that it lands here, on kam's site.
admin.site.register(AccessAttempt, LoginLockoutAdmin)
admin.site.register(AccessLog, AccessLogAdmin)
admin.site.register(AccessFailureLog, AccessFailureLogAdmin)
