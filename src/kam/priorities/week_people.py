"""Whose "my week" a request reads: the caller's own; the programme lead also any KAM's or
team member's (the lead sees the same list per person)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from kam.users.models import Role, User


def people_of_the_programme():
    """The people whose week the lead may open: KAMs and team members."""
    return User.objects.filter(
        is_active=True, role__in=[Role.KEY_ACCOUNT_MANAGER, Role.TEAM_MEMBER]
    ).order_by("first_name", "username")


def week_subject(user: User, username: str | None) -> User:
    """The person named (the lead only; anyone else may name only themselves)."""
    if not username or username == user.username:
        return user
    if not user.is_lead:
        raise PermissionDenied(_("Only the programme lead reads another person's week."))
    found = people_of_the_programme().filter(username=username).first()
    if found is None:
        raise Http404
    return found
