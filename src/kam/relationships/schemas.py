"""Input and output shapes of the relationships API (django-ninja).

Inputs name other objects by public id (contacts, objectives) or username (our users); the
operations resolve them inside the account and answer 422 on the field when they are not
there. Text is never cut: a value over a field's length is a 422 naming the field. A PATCH
field may be left out (unchanged); it is null only where the record stores null (a date, a
link to another object), never for text, which is cleared with "".
"""

from datetime import date, datetime
from typing import Annotated
from uuid import UUID

from ninja import Field, Schema

from kam.api.fields import Day, Moment, Text, text_of, unset
from kam.api.support import BasedOnVersion
from kam.relationships.models import (
    MAX_INTERACTION_MINUTES,
    Assessment,
    Contact,
    EntrenchedInterest,
    Interaction,
    RelationshipLevel,
    RoleVocabulary,
)

# An interaction's length: a minute to a day.
Minutes = Annotated[int, Field(ge=1, le=MAX_INTERACTION_MINUTES)]


def _uuid(obj) -> UUID | None:
    return obj.public_id if obj is not None else None


class AssessmentOut(Schema):
    id: UUID
    contact_id: UUID
    assessed_at: datetime
    assessed_by: str | None
    buying_role: str
    influence: int | None
    influence_trend: str
    attitude: str
    standing: str
    buy_in_needed: bool
    known_in_person_by: list[str]
    planned_step: str
    planned_step_due: date | None
    note: str
    version: int

    @staticmethod
    def resolve_id(a) -> UUID:
        return a.public_id

    @staticmethod
    def resolve_contact_id(a) -> UUID:
        return a.contact.public_id

    @staticmethod
    def resolve_assessed_by(a) -> str | None:
        return a.assessed_by.username if a.assessed_by_id else None

    @staticmethod
    def resolve_known_in_person_by(a) -> list[str]:
        return sorted(u.username for u in a.known_in_person_by.all())


class CurrentAssessmentOut(Schema):
    """The current assessment inside a contact (without the repeated contact id)."""

    assessed_at: datetime
    buying_role: str
    influence: int | None
    influence_trend: str
    attitude: str
    standing: str
    buy_in_needed: bool
    known_in_person_by: list[str]
    planned_step: str
    planned_step_due: date | None

    @staticmethod
    def resolve_known_in_person_by(a) -> list[str]:
        return sorted(u.username for u in a.known_in_person_by.all())


class ContactOut(Schema):
    id: UUID
    account_id: UUID
    name: str
    other_name: str
    title: str
    department: str
    site: str
    level: str
    reports_to_id: UUID | None
    email: str
    phone: str
    notes: str
    status: str
    left_on: date | None
    successor_id: UUID | None
    departure_note: str
    external_id: str
    erased: bool
    current_assessment: CurrentAssessmentOut | None
    updated_at: datetime
    version: int

    @staticmethod
    def resolve_id(c) -> UUID:
        return c.public_id

    @staticmethod
    def resolve_account_id(c) -> UUID:
        return c.account.public_id

    @staticmethod
    def resolve_reports_to_id(c) -> UUID | None:
        return _uuid(c.reports_to)

    @staticmethod
    def resolve_successor_id(c) -> UUID | None:
        return _uuid(c.successor)

    @staticmethod
    def resolve_erased(c) -> bool:
        return c.is_erased


class ContactDetailOut(ContactOut):
    previous_id: UUID | None = None  # set by the operation when the caller may see it


class ContactIn(Schema):
    account: UUID
    name: text_of(Contact, "name")
    other_name: text_of(Contact, "other_name") = ""
    title: text_of(Contact, "title") = ""
    department: text_of(Contact, "department") = ""
    site: text_of(Contact, "site") = ""
    level: text_of(Contact, "level") = ""
    reports_to: UUID | None = None
    email: text_of(Contact, "email") = ""
    phone: text_of(Contact, "phone") = ""
    notes: Text = ""
    external_id: text_of(Contact, "external_id") = ""


class ContactPatch(Schema):
    name: text_of(Contact, "name") = unset()
    other_name: text_of(Contact, "other_name") = unset()
    title: text_of(Contact, "title") = unset()
    department: text_of(Contact, "department") = unset()
    site: text_of(Contact, "site") = unset()
    level: text_of(Contact, "level") = unset()
    reports_to: UUID | None = None
    email: text_of(Contact, "email") = unset()
    phone: text_of(Contact, "phone") = unset()
    notes: Text = unset()
    external_id: text_of(Contact, "external_id") = unset()
    expected_updated_at: datetime | None = None
    version: BasedOnVersion = None


class DepartureIn(Schema):
    left_on: Day
    successor: UUID | None = None
    note: Text = ""
    hand_over: bool = True


class RejoinIn(Schema):
    account: UUID
    left_on: Day | None = None
    title: text_of(Contact, "title") = ""
    department: text_of(Contact, "department") = ""
    site: text_of(Contact, "site") = ""
    level: text_of(Contact, "level") = ""
    email: text_of(Contact, "email") = ""
    phone: text_of(Contact, "phone") = ""


class AssessmentIn(Schema):
    """A change of opinion; fields left out are copied from the current assessment.
    ``influence`` null means not known; ``known_in_person_by`` null means nobody."""

    assessed_at: Moment = unset()
    buying_role: text_of(Assessment, "buying_role") = unset()
    influence: int | None = None
    influence_trend: text_of(Assessment, "influence_trend") = unset()
    attitude: text_of(Assessment, "attitude") = unset()
    standing: text_of(Assessment, "standing") = unset()
    buy_in_needed: bool = unset()
    known_in_person_by: list[Text] | None = None
    planned_step: text_of(Assessment, "planned_step") = unset()
    planned_step_due: Day | None = None
    note: Text = unset()


class AssessmentPatch(AssessmentIn):
    """A correction of a recorded assessment, based on the version the caller read."""

    version: BasedOnVersion = None


class EraseIn(Schema):
    reason: Text


class LinkOut(Schema):
    id: UUID
    account_id: UUID
    kind: str
    source_id: UUID
    target_id: UUID
    note: str
    version: int

    @staticmethod
    def resolve_id(link) -> UUID:
        return link.public_id

    @staticmethod
    def resolve_account_id(link) -> UUID:
        return link.account.public_id

    @staticmethod
    def resolve_source_id(link) -> UUID:
        return link.source.public_id

    @staticmethod
    def resolve_target_id(link) -> UUID:
        return link.target.public_id


class LinkIn(Schema):
    source: UUID
    target: UUID
    kind: Text
    note: Text = ""


class LinkPatch(Schema):
    kind: Text = unset()
    note: Text = unset()
    version: BasedOnVersion = None


class InteractionOut(Schema):
    id: UUID
    account_id: UUID
    kind: str
    occurred_on: date
    our_participants: list[str]
    their_participants: list[UUID]
    notes: str
    duration_minutes: int | None = Field(
        description="The duration entered; null: the kind's usual length."
    )
    minutes: int = Field(description="How long it counts for: the duration or the kind's usual.")
    objective_id: UUID | None
    logged_by: str | None
    version: int

    @staticmethod
    def resolve_id(i) -> UUID:
        return i.public_id

    @staticmethod
    def resolve_account_id(i) -> UUID:
        return i.account.public_id

    @staticmethod
    def resolve_our_participants(i) -> list[str]:
        return sorted(u.username for u in i.our_participants.all())

    @staticmethod
    def resolve_their_participants(i) -> list[UUID]:
        return [c.public_id for c in i.their_participants.all()]

    @staticmethod
    def resolve_objective_id(i) -> UUID | None:
        return _uuid(i.objective)

    @staticmethod
    def resolve_logged_by(i) -> str | None:
        return i.logged_by.username if i.logged_by_id else None


class InteractionIn(Schema):
    account: UUID
    kind: text_of(Interaction, "kind")
    occurred_on: Day
    their_participants: list[UUID]
    our_participants: list[Text] = []
    notes: Text = ""
    duration_minutes: Minutes | None = None
    objective: UUID | None = None


class InteractionPatch(Schema):
    """``their_participants`` and ``our_participants`` null mean nobody."""

    kind: text_of(Interaction, "kind") = unset()
    occurred_on: Day = unset()
    their_participants: list[UUID] | None = None
    our_participants: list[Text] | None = None
    notes: Text = unset()
    duration_minutes: Minutes | None = None
    objective: UUID | None = None
    version: BasedOnVersion = None


class InterestOut(Schema):
    id: UUID
    account_id: UUID
    holder_id: UUID
    kind: str
    description: str
    threat_level: int
    strategy: str
    advocate_id: UUID | None
    status: str
    raised_on: date
    closed_on: date | None
    version: int

    @staticmethod
    def resolve_id(i) -> UUID:
        return i.public_id

    @staticmethod
    def resolve_account_id(i) -> UUID:
        return i.account.public_id

    @staticmethod
    def resolve_holder_id(i) -> UUID:
        return i.holder.public_id

    @staticmethod
    def resolve_advocate_id(i) -> UUID | None:
        return _uuid(i.advocate)


class InterestIn(Schema):
    holder: UUID
    kind: text_of(EntrenchedInterest, "kind")
    threat_level: int
    description: Text = ""
    strategy: text_of(EntrenchedInterest, "strategy") = ""
    advocate: UUID | None = None
    raised_on: Day | None = None
    note: Text = ""


class InterestPatch(Schema):
    kind: text_of(EntrenchedInterest, "kind") = unset()
    description: Text = unset()
    threat_level: int = unset()
    strategy: text_of(EntrenchedInterest, "strategy") = unset()
    advocate: UUID | None = None
    status: text_of(EntrenchedInterest, "status") = unset()
    note: Text = ""
    version: BasedOnVersion = None


class InterestChangeOut(Schema):
    changed_at: datetime
    changed_by: str | None
    kind: str
    threat_level: int
    strategy: str
    advocate_id: UUID | None
    status: str
    note: str

    @staticmethod
    def resolve_changed_by(c) -> str | None:
        return c.changed_by.username if c.changed_by_id else None

    @staticmethod
    def resolve_advocate_id(c) -> UUID | None:
        return _uuid(c.advocate)


class PracticeOut(Schema):
    id: UUID
    account_id: UUID
    description: str
    effect_on_us: str
    workaround: str
    recorded_on: date
    version: int

    @staticmethod
    def resolve_id(p) -> UUID:
        return p.public_id

    @staticmethod
    def resolve_account_id(p) -> UUID:
        return p.account.public_id


class PracticeIn(Schema):
    account: UUID
    description: Text
    effect_on_us: Text = ""
    workaround: Text = ""
    recorded_on: Day | None = None


class PracticePatch(Schema):
    description: Text = unset()
    effect_on_us: Text = unset()
    workaround: Text = unset()
    version: BasedOnVersion = None


class OverrideOut(Schema):
    id: UUID
    user: str
    contact_id: UUID
    value: int
    reason: str
    set_by: str | None
    set_at: datetime

    @staticmethod
    def resolve_id(o) -> UUID:
        return o.public_id

    @staticmethod
    def resolve_user(o) -> str:
        return o.user.username

    @staticmethod
    def resolve_contact_id(o) -> UUID:
        return o.contact.public_id

    @staticmethod
    def resolve_set_by(o) -> str | None:
        return o.set_by.username if o.set_by_id else None


class StrengthOverrideIn(Schema):
    user: Text
    contact: UUID
    value: int
    reason: Text


class LevelOut(Schema):
    id: UUID
    user: str
    contact_id: UUID
    current: str
    target: str
    note: str

    @staticmethod
    def resolve_id(level) -> UUID:
        return level.public_id

    @staticmethod
    def resolve_user(level) -> str:
        return level.user.username

    @staticmethod
    def resolve_contact_id(level) -> UUID:
        return level.contact.public_id


class LevelIn(Schema):
    user: Text
    contact: UUID
    current: text_of(RelationshipLevel, "current")
    target: text_of(RelationshipLevel, "target") = ""
    note: Text = ""


class PairOut(Schema):
    user: str
    contact_id: UUID
    contact_name: str
    strength: float
    overridden: bool
    override_reason: str
    level: str
    target_level: str


class FindingOut(Schema):
    code: str
    severity: str
    contact_id: UUID | None
    sentence: str = Field(description="The finding in words, as the account's page shows it.")
    facts: dict = Field(
        description="Names, numbers and dates; contacts, opportunities, interests and "
        "objectives by public id, our users by username."
    )


class AnalysesOut(Schema):
    as_of: date
    findings: list[FindingOut]
    contacts: dict[int, dict] = Field(
        description="Kept for older clients: the findings carry public ids and names now."
    )
    users: dict[int, str] = Field(
        description="Kept for older clients: the findings name our users by username now."
    )


class AuditOut(Schema):
    at: datetime
    by: str | None
    action: str
    object_type: str
    object_label: str
    changes: dict
    redacted: bool

    @staticmethod
    def resolve_by(e) -> str | None:
        return e.by.username if e.by_id else None

    @staticmethod
    def resolve_object_type(e) -> str:
        return e.content_type.model


class VocabularyOut(Schema):
    style: str
    custom_labels: dict[str, str]
    labels: dict[str, str]


class VocabularyIn(Schema):
    style: text_of(RoleVocabulary, "style")
    custom_labels: dict[Text, Text] = {}


class SuccessorIn(Schema):
    successor: UUID
    hand_over: bool = Field(
        True,
        description="Move the leaver's reports to the successor and add the successor to "
        "the open opportunities that needed the leaver's buy-in.",
    )


class NamedRecordOut(Schema):
    id: UUID
    name: str


class HandoverOut(Schema):
    at: datetime
    by: str | None
    successor: NamedRecordOut | None
    reports: list[NamedRecordOut]
    opportunities: list[NamedRecordOut]

    @staticmethod
    def resolve_by(h) -> str | None:
        return h.by.username if h.by_id else None

    @staticmethod
    def resolve_successor(h) -> dict | None:
        return {"id": h.successor.public_id, "name": h.successor.name} if h.successor else None

    @staticmethod
    def resolve_reports(h, context) -> list[dict]:
        return _named(h.reports, context, "contacts")

    @staticmethod
    def resolve_opportunities(h, context) -> list[dict]:
        return _named(h.opportunities, context, "opportunities")


def _named(public_ids: list[str], context, kind: str) -> list[dict]:
    # The names were read once for the whole list by the operation (queries.handover_names);
    # a record deleted since is left out.
    names = context["request"].handover_names[kind]
    return [{"id": p, "name": names[p]} for p in public_ids if p in names]


class DepartureOut(Schema):
    id: UUID
    account_id: UUID
    name: str
    status: str
    left_on: date
    reason: str
    successor: NamedRecordOut | None
    handovers: list[HandoverOut]

    @staticmethod
    def resolve_id(c) -> UUID:
        return c.public_id

    @staticmethod
    def resolve_account_id(c) -> UUID:
        return c.account.public_id

    @staticmethod
    def resolve_reason(c) -> str:
        return c.departure_note

    @staticmethod
    def resolve_successor(c) -> dict | None:
        return {"id": c.successor.public_id, "name": c.successor.name} if c.successor else None

    @staticmethod
    def resolve_handovers(c) -> list:
        return list(c.handovers.all())
