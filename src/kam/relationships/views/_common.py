"""What every relationship view shares: resolving the account and contact in the user's scope,
the account's people for the forms, and the refusal of writes from readers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from kam.accounts.access import CHANGE, account_or_404, can
from kam.accounts.models import Account
from kam.relationships import queries
from kam.relationships.models import Contact
from kam.users.models import User


def get_contact(request: HttpRequest, public_id: Any) -> tuple[Contact, Account]:
    """The contact and its account, both through the user's scope (404 otherwise)."""
    try:
        contact = queries.contact_for(user=request.user, public_id=public_id)
    except Contact.DoesNotExist as missing:
        raise Http404 from missing
    return contact, account_or_404(request.user, contact.account.public_id)


def require_writer(request: HttpRequest, account: Account) -> None:
    """Mentors and other readers get a 403: they see the page, never change it."""
    if not can(request.user, CHANGE, account):
        raise PermissionDenied


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Where to go after a form: the page it came from, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@dataclass(frozen=True)
class People:
    """The account's contacts and our users, read once for every form on a page."""

    contacts: list[Contact]
    users: list[User]
    objectives: list[Any]
    search_url: str = ""

    def form_kwargs(self) -> dict[str, Any]:
        return {
            "contacts": self.contacts,
            "users": self.users,
            "objectives": self.objectives,
            "search_url": self.search_url,
        }


def people_of(account: Account, *, with_objectives: bool = True) -> People:
    """Three queries whatever the account's size: contacts, team users, open objectives."""
    from kam.planning.models import Objective, ObjectiveStatus

    contacts = list(
        Contact.objects.filter(account=account)
        .only("pk", "public_id", "name", "title", "department", "status", "left_on")
        .order_by("name", "pk")
    )
    users = list(
        User.objects.filter(Q(pk=account.owner_id) | Q(memberships__account=account))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    objectives = (
        list(Objective.objects.filter(account=account, status=ObjectiveStatus.OPEN).order_by("pk"))
        if with_objectives
        else []
    )
    search = reverse("relationships:people_search", kwargs={"public_id": account.public_id})
    return People(contacts, users, objectives, search)
