from django.contrib import admin

from kam.relationships.models import Contact


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "department", "account")
    search_fields = ("name", "title", "department", "account__name")
    list_select_related = ("account",)
    raw_id_fields = ("account",)
