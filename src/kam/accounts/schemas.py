from datetime import date, datetime
from uuid import UUID

from ninja import Schema

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
    code: str
    name: str
    country: str
    currency: str
    industry: str
    coverage: str = "local"
    parent: UUID | None = None
    owner: str | None = None


class AccountPatch(Schema):
    """Only the fields sent change; ``null`` clears the parent or the owner."""

    code: str = None
    name: str = None
    country: str = None
    currency: str = None
    industry: str = None
    coverage: str = None
    parent: UUID | None = None
    owner: str | None = None
    version: BasedOnVersion = None


class StageChangeIn(Schema):
    to_stage: str
    expected_stage: str | None = None
    note: str = ""
    version: BasedOnVersion = None


class TeamMemberIn(Schema):
    user: str
    role: str
    since: date | None = None


class TeamMemberPatch(Schema):
    role: str = None
    since: date = None


class MentorIn(Schema):
    mentor: str
    since: date | None = None
