from datetime import date, datetime
from uuid import UUID

from ninja import Schema

from kam.accounts.models import Account, TeamMembership
from kam.api.fields import Day, Text, text_of, unset
from kam.api.support import BasedOnVersion


class UserOut(Schema):
    username: str
    name: str
    role: str

    @staticmethod
    def resolve_name(user) -> str:
        return str(user)


class AccountOut(Schema):
    id: UUID
    code: str
    name: str
    country: str
    currency: str
    industry: str
    coverage: str
    stage: str
    parent_id: UUID | None
    owner: UserOut | None
    updated_at: datetime
    version: int

    @staticmethod
    def resolve_id(account) -> UUID:
        return account.public_id

    @staticmethod
    def resolve_country(account) -> str:
        return account.country.code

    @staticmethod
    def resolve_parent_id(account) -> UUID | None:
        return account.parent.public_id if account.parent_id else None


class TeamMemberOut(Schema):
    user: UserOut
    role: str
    since: date
    version: int


class MentorOut(Schema):
    mentor: UserOut
    since: date


class TeamOut(Schema):
    owner: UserOut | None
    members: list[TeamMemberOut]
    mentors: list[MentorOut]


class StageChangeOut(Schema):
    from_stage: str
    to_stage: str
    changed_at: datetime
    changed_by: str | None
    note: str

    @staticmethod
    def resolve_changed_by(change) -> str | None:
        return change.changed_by.username if change.changed_by_id else None


# --- writes (the admin's account, team and mentor operations, for scripts) ------------------


class AccountIn(Schema):
    code: text_of(Account, "code")
    name: text_of(Account, "name")
    country: Text
    currency: text_of(Account, "currency")
    industry: text_of(Account, "industry")
    coverage: text_of(Account, "coverage") = "local"
    parent: UUID | None = None
    owner: Text | None = None


class AccountPatch(Schema):
    """Only the fields sent change; ``null`` clears the parent or the owner."""

    code: text_of(Account, "code") = unset()
    name: text_of(Account, "name") = unset()
    country: Text = unset()
    currency: text_of(Account, "currency") = unset()
    industry: text_of(Account, "industry") = unset()
    coverage: text_of(Account, "coverage") = unset()
    parent: UUID | None = None
    owner: Text | None = None
    version: BasedOnVersion = None


class StageChangeIn(Schema):
    to_stage: text_of(Account, "stage")
    expected_stage: text_of(Account, "stage") | None = None
    note: Text = ""
    version: BasedOnVersion = None


class TeamMemberIn(Schema):
    user: Text
    role: text_of(TeamMembership, "role")
    since: Day | None = None


class TeamMemberPatch(Schema):
    role: text_of(TeamMembership, "role") = unset()
    since: Day = unset()
    version: BasedOnVersion = None


class MentorIn(Schema):
    mentor: Text
    since: Day | None = None
