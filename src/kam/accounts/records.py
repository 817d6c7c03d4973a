"""What every record of a customer account shares: its scoping to the accounts a user may
see, a public id, who created and last changed it, and a version (kam.core.versions).

It lives in ``accounts`` because everything here is scoped by an account: the queryset, the
per-role write rules (``accounts.access``) and the audit trail (``accounts.audit``).
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models

from kam.core.versions import Versioned

if TYPE_CHECKING:
    from kam.accounts.models import Account
    from kam.users.models import User


class AccountScopedQuerySet(models.QuerySet):
    """Rows that belong to one customer account, through the field named ``account_path``."""

    account_path = "account"

    def visible_to(self, user: User) -> Self:
        """Rows of the accounts the user may see, and nothing else."""
        from kam.accounts.models import Account

        return self.filter(**{f"{self.account_path}__in": Account.objects.visible_to(user)})

    def of_account(self, account: Account) -> Self:
        return self.filter(**{self.account_path: account})


class ContactScopedQuerySet(AccountScopedQuerySet):
    """Rows about one contact (an assessment, an interest change) scoped by its account."""

    account_path = "contact__account"


class AccountRecord(Versioned):
    """A record of one account that people edit: public id, account, created and updated
    (by and at), and the version every write bumps. Subclasses redeclare ``account`` to name
    their reverse relation."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = AccountScopedQuerySet.as_manager()

    class Meta:
        abstract = True
