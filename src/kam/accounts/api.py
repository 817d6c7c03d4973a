from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from kam.accounts import queries
from kam.accounts.access import account_or_404
from kam.accounts.filters import accounts_filter
from kam.accounts.schemas import AccountOut, StageChangeOut, TeamOut
from kam.api.fields import Text
from kam.api.pagination import LimitOffsetPagination

router = Router(tags=["accounts"])


class AccountFilters(Schema):
    q: Text = ""
    stage: Text = ""
    industry: Text = ""
    coverage: Text = ""
    country: Text = ""


@router.get("", response=list[AccountOut])
@paginate(LimitOffsetPagination)
def account_list(request: HttpRequest, filters: Query[AccountFilters]):
    return accounts_filter(queries.account_list_rows(user=request.auth), **filters.dict())


@router.get("/{account_id}", response=AccountOut)
def account_detail(request: HttpRequest, account_id: UUID):
    return account_or_404(request.auth, account_id)


@router.get("/{account_id}/team", response=TeamOut)
def account_team(request: HttpRequest, account_id: UUID):
    detail = queries.account_detail(account=account_or_404(request.auth, account_id))
    return {"owner": detail.account.owner, "members": detail.team, "mentors": detail.mentors}


@router.get("/{account_id}/stage-history", response=list[StageChangeOut])
def account_stage_history(request: HttpRequest, account_id: UUID):
    return queries.account_detail(account=account_or_404(request.auth, account_id)).stage_history
