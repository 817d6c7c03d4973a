"""Contacts named in a request body, resolved inside one account (a 422 on the field when
one is not there): what the relationship and planning API operations share."""

from collections.abc import Iterable
from uuid import UUID

from django.utils.translation import gettext as _

from kam.accounts.models import Account
from kam.api.support import field_error
from kam.relationships.models import Contact


def contact_of(account: Account, public_id: UUID | None, field: str):
    """A contact of ``account`` named in a request body, or a 422 on that field."""
    if public_id is None:
        return None
    found = Contact.objects.filter(account=account, public_id=public_id).first()
    if found is None:
        raise field_error(field, _("No contact of this account has this id."))
    return found


def contacts_of(account: Account, public_ids: Iterable[UUID], field: str) -> list:
    wanted = list(dict.fromkeys(public_ids))
    found = {c.public_id: c for c in Contact.objects.filter(account=account, public_id__in=wanted)}
    missing = [str(p) for p in wanted if p not in found]
    if missing:
        raise field_error(
            field, _("No contact of this account has these ids: %(ids)s") % {"ids": missing}
        )
    return [found[p] for p in wanted]
