from django.contrib import admin

from kam.accounts.models import Account, MentorAssignment, StageChange, TeamMembership


class TeamInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    raw_id_fields = ("user",)


class MentorInline(admin.TabularInline):
    model = MentorAssignment
    extra = 0
    raw_id_fields = ("mentor",)


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "country", "industry", "owner", "stage")
    list_filter = ("stage", "industry", "coverage", "country")
    search_fields = ("name", "code")
    raw_id_fields = ("parent", "owner")
    inlines = [TeamInline, MentorInline]
    list_select_related = ("owner",)


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
    list_display = ("account", "from_stage", "to_stage", "changed_by", "changed_at")
    list_select_related = ("account", "changed_by")
    raw_id_fields = ("account",)
