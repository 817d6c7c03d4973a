"""The one place that decides which customer accounts a user may see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Exists, OuterRef, Q

if TYPE_CHECKING:
    from kam.users.models import User


class AccountQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> AccountQuerySet:
        """Accounts the user may see: the lead sees all; others the accounts they own, are on
        the team of, or mentor. Everything that shows account data starts here."""
        from kam.accounts.models import MentorAssignment, TeamMembership

        if not (user.is_authenticated and user.is_active):
            return self.none()
        if user.is_lead:
            return self.all()
        on_team = TeamMembership.objects.filter(account=OuterRef("pk"), user=user)
        mentors = MentorAssignment.objects.filter(account=OuterRef("pk"), mentor=user)
        return self.filter(Q(owner=user) | Exists(on_team) | Exists(mentors))

    def mine(self, user: User) -> AccountQuerySet:
        """The accounts the user works on or mentors, whatever their role (the dashboard)."""
        from kam.accounts.models import MentorAssignment, TeamMembership

        on_team = TeamMembership.objects.filter(account=OuterRef("pk"), user=user)
        mentors = MentorAssignment.objects.filter(account=OuterRef("pk"), mentor=user)
        return self.filter(Q(owner=user) | Exists(on_team) | Exists(mentors))
