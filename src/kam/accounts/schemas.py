from datetime import date, datetime
from uuid import UUID

from ninja import Schema


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
