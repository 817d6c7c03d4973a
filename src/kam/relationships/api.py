"""The relationships API at /api/v1/contacts: contacts, assessments, links, interactions,
interests, practices, strengths and levels, the analyses, the map, the audit trail.

Every operation resolves what it touches inside the caller's scope first (404 outside it),
then calls one service, whose refusal (a mentor writing) is a 403 and whose validation error
is a 422 naming the field. No ``from __future__ import annotations`` here: ninja reads the
annotations at import time.
"""

from datetime import date
from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import paginate

from kam.accounts.access import AUDIT, VIEW, account_or_404, can
from kam.accounts.models import Account
from kam.api.fields import Day, Days
from kam.api.openapi import answers
from kam.api.pagination import LimitOffsetPagination
from kam.api.support import (
    account_filter,
    empty_if_hidden,
    expected_version,
    field_error,
    service_errors,
    users_named,
    version_to_delete,
    visible_object,
)
from kam.relationships import queries, services
from kam.relationships.lookups import contact_of, contacts_of
from kam.relationships.models import (
    Assessment,
    BuyingRole,
    Contact,
    ContactLink,
    EntrenchedInterest,
    EntrenchedPractice,
    Interaction,
    RelationshipLevel,
    RelationshipOverride,
    RoleVocabulary,
    role_label,
)
from kam.relationships.schemas import (
    AnalysesOut,
    AssessmentIn,
    AssessmentOut,
    AssessmentPatch,
    AuditOut,
    ContactDetailOut,
    ContactIn,
    ContactOut,
    ContactPatch,
    DepartureIn,
    DepartureOut,
    EraseIn,
    InteractionIn,
    InteractionOut,
    InteractionPatch,
    InterestChangeOut,
    InterestIn,
    InterestOut,
    InterestPatch,
    LevelIn,
    LevelOut,
    LinkIn,
    LinkOut,
    LinkPatch,
    OverrideOut,
    PairOut,
    PracticeIn,
    PracticeOut,
    PracticePatch,
    RejoinIn,
    StrengthOverrideIn,
    SuccessorIn,
    VocabularyIn,
    VocabularyOut,
)

router = Router(tags=["contacts"])


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def _contact(request: HttpRequest, contact_id: UUID) -> Contact:
    return visible_object(
        request,
        Contact.objects.with_current_assessment().select_related(
            "account", "reports_to", "successor", "previous"
        ),
        contact_id,
    )


# --- contacts ------------------------------------------------------------------------------


@router.get("", response=list[ContactOut])
@paginate(LimitOffsetPagination)
@empty_if_hidden
def contact_list(request: HttpRequest, account: UUID | None = None):
    """Contacts of the accounts the caller may see; ``account`` narrows to one of them."""
    return queries.contacts_for(user=request.auth, account=account_filter(request, account))


@router.post("", response={201: ContactOut})
@service_errors
def contact_create(request: HttpRequest, payload: ContactIn):
    account = account_or_404(request.auth, payload.account)
    fields = payload.dict(exclude={"account", "name", "reports_to"})
    fields["reports_to"] = contact_of(account, payload.reports_to, "reports_to")
    contact = services.contact_create(account=account, by=request.auth, name=payload.name, **fields)
    return Status(201, _contact(request, contact.public_id))


@router.get("/{uuid:contact_id}", response=ContactDetailOut)
def contact_detail(request: HttpRequest, contact_id: UUID):
    contact = _contact(request, contact_id)
    out = ContactDetailOut.from_orm(contact)
    # The person's record at another account is shown only to those who may see that one.
    if contact.previous_id and can(request.auth, VIEW, contact.previous.account):
        out.previous_id = contact.previous.public_id
    return out


@router.patch("/{uuid:contact_id}", response=ContactOut)
@service_errors
def contact_update(request: HttpRequest, contact_id: UUID, payload: ContactPatch):
    contact = _contact(request, contact_id)
    changes = payload.dict(exclude_unset=True)
    seen_at = changes.pop("expected_updated_at", None)
    expected = expected_version(request, changes)
    if "reports_to" in changes:
        changes["reports_to"] = contact_of(contact.account, changes["reports_to"], "reports_to")
    services.contact_update(
        contact=contact,
        by=request.auth,
        expected_version=expected,
        expected_updated_at=seen_at,
        **changes,
    )
    return _contact(request, contact_id)


@router.delete("/{uuid:contact_id}", response={204: None})
@service_errors
def contact_delete(request: HttpRequest, contact_id: UUID, version: int | None = None):
    services.contact_delete(
        contact=_contact(request, contact_id),
        by=request.auth,
        expected_version=version_to_delete(request, version),
    )
    return Status(204, None)


@router.post("/{uuid:contact_id}/departure", response=ContactOut)
@service_errors
def contact_departure(request: HttpRequest, contact_id: UUID, payload: DepartureIn):
    """Record that the contact left (or will leave), with their successor, in one action."""
    contact = _contact(request, contact_id)
    services.contact_record_departure(
        contact=contact,
        left_on=payload.left_on,
        successor=contact_of(contact.account, payload.successor, "successor"),
        note=payload.note,
        hand_over=payload.hand_over,
        by=request.auth,
    )
    return _contact(request, contact_id)


@router.post("/{uuid:contact_id}/rejoin", response={201: ContactOut})
@service_errors
def contact_rejoin(request: HttpRequest, contact_id: UUID, payload: RejoinIn):
    """The person moved to another account: a new contact there, linked to this one."""
    contact = _contact(request, contact_id)
    account = account_or_404(request.auth, payload.account)
    joined = services.contact_rejoin(
        contact=contact,
        account=account,
        by=request.auth,
        **payload.dict(exclude={"account"}),
    )
    return Status(201, _contact(request, joined.public_id))


@router.get("/{uuid:contact_id}/export")
def contact_export(request: HttpRequest, contact_id: UUID):
    """Everything held about the person (a subject access request), as JSON."""
    contact = _contact(request, contact_id)
    return services.contact_export(contact=contact, by=request.auth)


@router.post("/{uuid:contact_id}/erase", response=ContactOut)
@service_errors
def contact_erase(request: HttpRequest, contact_id: UUID, payload: EraseIn):
    """Erase the person on request; anonymous facts stay (see the service)."""
    contact = _contact(request, contact_id)
    services.contact_erase(contact=contact, by=request.auth, reason=payload.reason)
    return _contact(request, contact_id)


# --- assessments ---------------------------------------------------------------------------


@router.get("/{uuid:contact_id}/assessments", response=list[AssessmentOut])
def assessment_list(request: HttpRequest, contact_id: UUID):
    """The contact's assessments, newest first: the history that shows drift."""
    contact = _contact(request, contact_id)
    return list(queries.assessment_history(contact=contact).select_related("contact"))


@router.post("/{uuid:contact_id}/assessments", response={201: AssessmentOut})
@service_errors
def assessment_record(request: HttpRequest, contact_id: UUID, payload: AssessmentIn):
    contact = _contact(request, contact_id)
    fields = payload.dict(exclude_unset=True)
    known = fields.pop("known_in_person_by", None)
    assessed_at = fields.pop("assessed_at", None)
    assessment = services.assessment_record(
        contact=contact,
        by=request.auth,
        assessed_at=assessed_at,
        known_in_person_by=None if known is None else users_named(known, "known_in_person_by"),
        **{k: v for k, v in fields.items() if v is not None or k == "influence"},
    )
    return Status(201, assessment)


def _assessment(request: HttpRequest, assessment_id: UUID) -> Assessment:
    return visible_object(
        request, Assessment.objects.select_related("contact__account"), assessment_id
    )


@router.patch("/assessments/{uuid:assessment_id}", response=AssessmentOut)
@service_errors
def assessment_update(request: HttpRequest, assessment_id: UUID, payload: AssessmentPatch):
    """Correct a recorded assessment (mistakes only: a change of opinion is a new one)."""
    assessment = _assessment(request, assessment_id)
    changes = payload.dict(exclude_unset=True)
    expected = expected_version(request, changes)
    if "known_in_person_by" in changes:
        changes["known_in_person_by"] = users_named(
            changes["known_in_person_by"] or [], "known_in_person_by"
        )
    return services.assessment_update(
        assessment=assessment, by=request.auth, expected_version=expected, **changes
    )


@router.delete("/assessments/{uuid:assessment_id}", response={204: None})
@service_errors
def assessment_delete(request: HttpRequest, assessment_id: UUID, version: int | None = None):
    services.assessment_delete(
        assessment=_assessment(request, assessment_id),
        by=request.auth,
        expected_version=version_to_delete(request, version),
    )
    return Status(204, None)


# --- links between contacts ----------------------------------------------------------------


@router.get("/links", response=list[LinkOut])
@paginate(LimitOffsetPagination)
@empty_if_hidden
def link_list(request: HttpRequest, account: UUID | None = None):
    return queries.links_for(user=request.auth, account=account_filter(request, account))


def _link(request: HttpRequest, link_id: UUID) -> ContactLink:
    return visible_object(
        request, ContactLink.objects.select_related("account", "source", "target"), link_id
    )


@router.post("/links", response={201: LinkOut})
@service_errors
def link_create(request: HttpRequest, payload: LinkIn):
    source = _contact(request, payload.source)
    target = contact_of(source.account, payload.target, "target")
    link = services.link_create(
        source=source, target=target, kind=payload.kind, note=payload.note, by=request.auth
    )
    return Status(201, _link(request, link.public_id))


@router.patch("/links/{uuid:link_id}", response=LinkOut)
@service_errors
def link_update(request: HttpRequest, link_id: UUID, payload: LinkPatch):
    changes = payload.dict(exclude_unset=True)
    expected = expected_version(request, changes)
    services.link_update(
        link=_link(request, link_id), by=request.auth, expected_version=expected, **changes
    )
    return _link(request, link_id)


@router.delete("/links/{uuid:link_id}", response={204: None})
@service_errors
def link_delete(request: HttpRequest, link_id: UUID, version: int | None = None):
    services.link_delete(
        link=_link(request, link_id),
        by=request.auth,
        expected_version=version_to_delete(request, version),
    )
    return Status(204, None)


# --- the interaction log -------------------------------------------------------------------


@router.get("/interactions", response=list[InteractionOut])
@paginate(LimitOffsetPagination)
@empty_if_hidden
def interaction_list(
    request: HttpRequest, account: UUID | None = None, contact: UUID | None = None
):
    """The log, newest first; ``contact`` narrows to the interactions they took part in."""
    who = None
    if contact is not None:
        who = Contact.objects.visible_to(request.auth).filter(public_id=contact).first()
        if who is None:
            return []
    return queries.interactions_for(
        user=request.auth, account=account_filter(request, account), contact=who
    )


def _interaction(request: HttpRequest, interaction_id: UUID) -> Interaction:
    return visible_object(
        request,
        Interaction.objects.select_related("account", "objective", "logged_by").prefetch_related(
            "our_participants", "their_participants"
        ),
        interaction_id,
    )


def _objective(account: Account, public_id: UUID | None):
    from kam.planning.models import Objective

    if public_id is None:
        return None
    found = Objective.objects.filter(account=account, public_id=public_id).first()
    if found is None:
        raise field_error("objective", "No objective of this account has this id.")
    return found


@router.post("/interactions", response={201: InteractionOut})
@service_errors
def interaction_log(request: HttpRequest, payload: InteractionIn):
    account = account_or_404(request.auth, payload.account)
    interaction = services.interaction_log(
        account=account,
        by=request.auth,
        kind=payload.kind,
        occurred_on=payload.occurred_on,
        their_participants=contacts_of(account, payload.their_participants, "their_participants"),
        our_participants=users_named(payload.our_participants, "our_participants"),
        notes=payload.notes,
        objective=_objective(account, payload.objective),
        duration_minutes=payload.duration_minutes,
    )
    return Status(201, _interaction(request, interaction.public_id))


@router.patch("/interactions/{uuid:interaction_id}", response=InteractionOut)
@service_errors
def interaction_update(request: HttpRequest, interaction_id: UUID, payload: InteractionPatch):
    interaction = _interaction(request, interaction_id)
    account = interaction.account
    changes = payload.dict(exclude_unset=True)
    expected = expected_version(request, changes)
    if "their_participants" in changes:
        changes["their_participants"] = contacts_of(
            account, changes["their_participants"] or [], "their_participants"
        )
    if "our_participants" in changes:
        changes["our_participants"] = users_named(
            changes["our_participants"] or [], "our_participants"
        )
    if "objective" in changes:
        changes["objective"] = _objective(account, changes["objective"])
    services.interaction_update(
        interaction=interaction, by=request.auth, expected_version=expected, **changes
    )
    return _interaction(request, interaction_id)


@router.delete("/interactions/{uuid:interaction_id}", response={204: None})
@service_errors
def interaction_delete(request: HttpRequest, interaction_id: UUID, version: int | None = None):
    services.interaction_delete(
        interaction=_interaction(request, interaction_id),
        by=request.auth,
        expected_version=version_to_delete(request, version),
    )
    return Status(204, None)


# --- entrenched interests and practices ----------------------------------------------------


@router.get("/interests", response=list[InterestOut])
@paginate(LimitOffsetPagination)
@empty_if_hidden
def interest_list(request: HttpRequest, account: UUID | None = None):
    return queries.interests_for(user=request.auth, account=account_filter(request, account))


def _interest(request: HttpRequest, interest_id: UUID) -> EntrenchedInterest:
    return visible_object(
        request,
        EntrenchedInterest.objects.select_related("account", "holder", "advocate"),
        interest_id,
    )


@router.post("/interests", response={201: InterestOut})
@service_errors
def interest_create(request: HttpRequest, payload: InterestIn):
    holder = _contact(request, payload.holder)
    fields = payload.dict(exclude={"holder", "advocate", "raised_on"})
    if payload.raised_on is not None:
        fields["raised_on"] = payload.raised_on
    interest = services.interest_create(
        holder=holder,
        by=request.auth,
        advocate=contact_of(holder.account, payload.advocate, "advocate"),
        **fields,
    )
    return Status(201, _interest(request, interest.public_id))


@router.patch("/interests/{uuid:interest_id}", response=InterestOut)
@service_errors
def interest_update(request: HttpRequest, interest_id: UUID, payload: InterestPatch):
    interest = _interest(request, interest_id)
    changes = payload.dict(exclude_unset=True)
    expected = expected_version(request, changes)
    note = changes.pop("note", "")
    if "advocate" in changes:
        changes["advocate"] = contact_of(interest.account, changes["advocate"], "advocate")
    services.interest_update(
        interest=interest, by=request.auth, note=note, expected_version=expected, **changes
    )
    return _interest(request, interest_id)


@router.get("/interests/{uuid:interest_id}/history", response=list[InterestChangeOut])
def interest_history(request: HttpRequest, interest_id: UUID):
    return list(queries.interest_history(interest=_interest(request, interest_id)))


@router.delete("/interests/{uuid:interest_id}", response={204: None})
@service_errors
def interest_delete(request: HttpRequest, interest_id: UUID, version: int | None = None):
    services.interest_delete(
        interest=_interest(request, interest_id),
        by=request.auth,
        expected_version=version_to_delete(request, version),
    )
    return Status(204, None)


@router.get("/practices", response=list[PracticeOut])
@paginate(LimitOffsetPagination)
@empty_if_hidden
def practice_list(request: HttpRequest, account: UUID | None = None):
    return queries.practices_for(user=request.auth, account=account_filter(request, account))


def _practice(request: HttpRequest, practice_id: UUID) -> EntrenchedPractice:
    return visible_object(
        request, EntrenchedPractice.objects.select_related("account"), practice_id
    )


@router.post("/practices", response={201: PracticeOut})
@service_errors
def practice_create(request: HttpRequest, payload: PracticeIn):
    account = account_or_404(request.auth, payload.account)
    fields = payload.dict(exclude={"account", "description", "recorded_on"})
    if payload.recorded_on is not None:
        fields["recorded_on"] = payload.recorded_on
    practice = services.practice_create(
        account=account, by=request.auth, description=payload.description, **fields
    )
    return Status(201, practice)


@router.patch("/practices/{uuid:practice_id}", response=PracticeOut)
@service_errors
def practice_update(request: HttpRequest, practice_id: UUID, payload: PracticePatch):
    changes = payload.dict(exclude_unset=True)
    expected = expected_version(request, changes)
    return services.practice_update(
        practice=_practice(request, practice_id),
        by=request.auth,
        expected_version=expected,
        **changes,
    )


@router.delete("/practices/{uuid:practice_id}", response={204: None})
@service_errors
def practice_delete(request: HttpRequest, practice_id: UUID, version: int | None = None):
    services.practice_delete(
        practice=_practice(request, practice_id),
        by=request.auth,
        expected_version=version_to_delete(request, version),
    )
    return Status(204, None)


# --- relationship strength and levels ------------------------------------------------------


@router.get("/strengths", response=list[PairOut])
def strength_list(request: HttpRequest, account: UUID, today: Day | None = None):
    """Strength of every (our user, their contact) pair, with overrides and levels."""
    found = account_or_404(request.auth, account)
    rows = queries.relationship_pairs(account=found, today=_today(today))
    return [
        {**row, "contact_id": row["contact"].public_id, "contact_name": row["contact"].name}
        for row in rows
    ]


@router.get("/overrides", response=list[OverrideOut])
@paginate(LimitOffsetPagination)
@empty_if_hidden
def override_list(request: HttpRequest, account: UUID | None = None):
    return queries.overrides_for(user=request.auth, account=account_filter(request, account))


@router.put("/overrides", response=OverrideOut)
@service_errors
def override_set(request: HttpRequest, payload: StrengthOverrideIn):
    """Set a pair's strength by hand (replacing any earlier override of the pair)."""
    contact = _contact(request, payload.contact)
    (user,) = users_named([payload.user], "user")
    override = services.override_set(
        user=user, contact=contact, value=payload.value, reason=payload.reason, by=request.auth
    )
    return queries.overrides_for(user=request.auth).get(pk=override.pk)


@router.delete("/overrides/{uuid:override_id}", response={204: None})
@service_errors
def override_clear(request: HttpRequest, override_id: UUID):
    override = visible_object(
        request, RelationshipOverride.objects.select_related("account", "contact"), override_id
    )
    services.override_clear(override=override, by=request.auth)
    return Status(204, None)


@router.get("/levels", response=list[LevelOut])
@paginate(LimitOffsetPagination)
@empty_if_hidden
def level_list(request: HttpRequest, account: UUID | None = None):
    return queries.levels_for(user=request.auth, account=account_filter(request, account))


@router.put("/levels", response=LevelOut)
@service_errors
def level_set(request: HttpRequest, payload: LevelIn):
    contact = _contact(request, payload.contact)
    (user,) = users_named([payload.user], "user")
    level = services.level_set(
        user=user,
        contact=contact,
        current=payload.current,
        target=payload.target,
        note=payload.note,
        by=request.auth,
    )
    return queries.levels_for(user=request.auth).get(pk=level.pk)


@router.delete("/levels/{uuid:level_id}", response={204: None})
@service_errors
def level_delete(request: HttpRequest, level_id: UUID):
    level = visible_object(
        request, RelationshipLevel.objects.select_related("account", "contact"), level_id
    )
    services.level_delete(level=level, by=request.auth)
    return Status(204, None)


# --- analyses, the map, the audit trail, the vocabulary ------------------------------------


@router.get("/analyses", response=AnalysesOut)
def analyses(request: HttpRequest, account: UUID, today: Day | None = None, days: Days = 90):
    """Every finding of the relationship analyses (threading, coverage, deals, threats,
    introductions, drift over ``days``, departments), risks first, each with the sentence
    the account's page shows, in the caller's language (``Accept-Language``). Contacts,
    opportunities, interests and objectives in the facts are named by their public ids, our
    users by username."""
    from datetime import timedelta

    from kam.relationships.public_findings import (
        PublicIds,
        account_explainer,
        analysis_users,
        public_finding,
    )

    found = account_or_404(request.auth, account)
    day = _today(today)
    result = queries.account_analyses(account=found, today=day, period=timedelta(days=days))
    snapshot = result.context.account
    users = analysis_users(result)
    ids = PublicIds.of(account=found, users=users)
    explainer = account_explainer(account=found, analysis=result, users=users)
    return {
        "as_of": day,
        "findings": [public_finding(f, ids=ids, explainer=explainer) for f in result.findings],
        "contacts": {
            c.id: {"id": ids.public("contacts", c.id), "name": c.name} for c in snapshot.contacts
        },
        "users": {m.id: m.name for m in snapshot.team},
    }


@router.get("/map.svg")
def map_svg(request: HttpRequest, account: UUID, today: Day | None = None):
    """The account's relationship map as SVG (org chart, attitude colours, overlays)."""
    found = account_or_404(request.auth, account)
    drawing = queries.account_map(account=found, today=_today(today))
    return HttpResponse(drawing.svg, content_type="image/svg+xml; charset=utf-8")


@router.get("/audit", response=list[AuditOut])
@paginate(LimitOffsetPagination)
@answers(403)
def audit_list(request: HttpRequest, account: UUID):
    """Who changed what on the account: for its team and the lead, not its mentors."""
    found = account_or_404(request.auth, account, AUDIT)
    return queries.audit_for(user=request.auth, account=found)


def _vocabulary_out(vocabulary: RoleVocabulary) -> dict:
    return {
        "style": vocabulary.style,
        "custom_labels": vocabulary.custom_labels,
        "labels": {role: role_label(role, vocabulary=vocabulary) for role in BuyingRole.values},
    }


@router.get("/vocabulary", response=VocabularyOut)
def vocabulary(request: HttpRequest):
    """The words the team uses for buying roles (plain or chess pieces)."""
    return _vocabulary_out(RoleVocabulary.load())


@router.put("/vocabulary", response=VocabularyOut)
@service_errors
def vocabulary_update(request: HttpRequest, payload: VocabularyIn):
    return _vocabulary_out(
        services.role_vocabulary_update(
            by=request.auth, style=payload.style, custom_labels=payload.custom_labels
        )
    )


# --- departures and successors -------------------------------------------------------------


@router.get("/departures", response={200: list[DepartureOut]})
@paginate(LimitOffsetPagination)
def departure_list(request: HttpRequest, account: UUID):
    """Contacts of the account who left or are leaving: when, why, their successor, and
    what was handed over to them."""
    found = account_or_404(request.auth, account)
    request.handover_names = queries.handover_names(account=found)
    return queries.departures_for(account=found)


@router.put(
    "/{uuid:contact_id}/successor",
    response={200: ContactOut},
)
@service_errors
def contact_successor(request: HttpRequest, contact_id: UUID, payload: SuccessorIn):
    """Name or change the successor of a contact whose departure is recorded, with the same
    hand-over as a departure recorded with its successor."""
    contact = _contact(request, contact_id)
    services.contact_name_successor(
        contact=contact,
        successor=contact_of(contact.account, payload.successor, "successor"),
        hand_over=payload.hand_over,
        by=request.auth,
    )
    return _contact(request, contact_id)
