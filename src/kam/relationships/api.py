from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from kam.relationships.models import Contact

router = Router(tags=["contacts"])


class ContactOut(Schema):
    id: UUID
    account_id: UUID
    name: str
    title: str
    department: str

    @staticmethod
    def resolve_id(contact) -> UUID:
        return contact.public_id

    @staticmethod
    def resolve_account_id(contact) -> UUID:
        return contact.account.public_id


@router.get("", response=list[ContactOut])
@paginate(LimitOffsetPagination)
def contact_list(request: HttpRequest, account: UUID | None = None):
    """Contacts of the accounts the caller may see; ``account`` narrows to one of them."""
    contacts = Contact.objects.visible_to(request.auth).select_related("account")
    if account is not None:
        contacts = contacts.filter(account__public_id=account)
    return contacts.order_by("account__name", "name", "pk")
