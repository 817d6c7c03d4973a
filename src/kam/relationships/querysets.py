"""Scoping of relationship data: always through ``Account.objects.visible_to`` (DESIGN.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db import models

from kam.accounts.models import Account

if TYPE_CHECKING:
    from kam.users.models import User


class AccountScopedQuerySet(models.QuerySet):
    """Rows that belong to one customer account, through the field named ``account_path``."""

    account_path = "account"

    def visible_to(self, user: User) -> Self:
        """Rows of the accounts the user may see, and nothing else."""
        return self.filter(**{f"{self.account_path}__in": Account.objects.visible_to(user)})

    def of_account(self, account: Account) -> Self:
        return self.filter(**{self.account_path: account})


class ContactScopedQuerySet(AccountScopedQuerySet):
    """Rows about one contact (an assessment, an interest change) scoped by its account."""

    account_path = "contact__account"
