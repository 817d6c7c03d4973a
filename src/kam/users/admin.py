from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

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
