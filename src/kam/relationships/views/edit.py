"""Correcting and deleting what the team recorded (assessments, interactions, links,
interests, practices): one page per record, with the same service as the API behind it.

The record is found inside the account, and the account inside the user's scope (404 for
anyone else); readers (mentors) get 403. Each form carries the version it was drawn from: a
stale save is refused (409) with the user's input kept and the stored values named.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from kam.accounts.access import account_or_404
from kam.accounts.models import Account
from kam.core.formviews import form_write
from kam.core.versionforms import stored_values
from kam.planning import services as planning
from kam.planning.models import Objective, Opportunity
from kam.relationships import services
from kam.relationships.forms import (
    AssessmentEditForm,
    ContactEditForm,
    DealForm,
    DeleteForm,
    InteractionEditForm,
    InterestEditForm,
    LinkEditForm,
    ObjectiveStatusForm,
    PracticeEditForm,
)
from kam.relationships.models import (
    Assessment,
    Contact,
    ContactLink,
    EntrenchedInterest,
    EntrenchedPractice,
    Interaction,
)
from kam.relationships.views._common import People, people_of, require_writer, safe_next


def _contact_page(contact: Any) -> str:
    return reverse("relationships:contact_detail", kwargs={"public_id": contact.public_id})


def _tab(account: Account, tab: str) -> str:
    url = reverse("relationships:account_detail", kwargs={"public_id": account.public_id})
    return f"{url}?tab={tab}"


# --- what each kind reads, shows and calls ---------------------------------------------------


def _assessment_initial(item: Assessment) -> dict[str, Any]:
    return {
        "buying_role": item.buying_role,
        "influence": item.influence,
        "influence_trend": item.influence_trend,
        "attitude": item.attitude,
        "standing": item.standing,
        "buy_in_needed": item.buy_in_needed,
        "known_in_person_by": [str(u.pk) for u in item.known_in_person_by.all()],
        "planned_step": item.planned_step,
        "planned_step_due": item.planned_step_due,
        "note": item.note,
        "assessed_on": timezone.localdate(item.assessed_at),
    }


def _interaction_initial(item: Interaction) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "occurred_on": item.occurred_on,
        "their_participants": [str(c.public_id) for c in item.their_participants.all()],
        "our_participants": [str(u.pk) for u in item.our_participants.all()],
        "duration_minutes": item.duration_minutes,
        "objective": str(item.objective.public_id) if item.objective_id else "",
        "notes": item.notes,
    }


def _interest_initial(item: EntrenchedInterest) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "threat_level": item.threat_level,
        "description": item.description,
        "strategy": item.strategy,
        "advocate": str(item.advocate.public_id) if item.advocate_id else "",
        "status": item.status,
    }


def _fields(*names: str) -> Callable[[Any], dict[str, Any]]:
    return lambda item: {name: getattr(item, name) for name in names}


@dataclass(frozen=True)
class Editable:
    """One kind of record the pages correct and delete."""

    label: Any  # what the page calls it
    rows: Callable[[Account], QuerySet]  # the account's records of this kind
    form: type
    initial: Callable[[Any], dict[str, Any]]
    update: Callable[[Any, Any, Any, int | None], Any]  # (record, form, by, version)
    delete: Callable[[Any, Any, int | None], None] | None  # (record, by, version)
    back: Callable[[Any], str]  # where the user returns to
    deleted: Any  # the message after a deletion
    gone: Callable[[Any], str] | None = None  # where to go after a deletion, if not back


EDITABLE: dict[str, Editable] = {
    "contact": Editable(
        label=_("Person"),
        rows=lambda account: Contact.objects.filter(account=account).select_related(
            "account", "reports_to"
        ),
        form=ContactEditForm,
        initial=lambda item: {
            **{
                name: getattr(item, name)
                for name in (
                    "name",
                    "other_name",
                    "title",
                    "department",
                    "site",
                    "level",
                    "email",
                    "phone",
                    "notes",
                )
            },
            "reports_to": str(item.reports_to.public_id) if item.reports_to_id else "",
        },
        update=lambda item, form, by, version: services.contact_update(
            contact=item, by=by, expected_version=version, **form.changes()
        ),
        delete=lambda item, by, version: services.contact_delete(
            contact=item, by=by, expected_version=version
        ),
        back=_contact_page,
        deleted=_("The person was deleted, with their assessments, interests and links."),
        gone=lambda item: _tab(item.account, "overview"),
    ),
    "assessment": Editable(
        label=_("Assessment"),
        rows=lambda account: (
            Assessment.objects.filter(contact__account=account)
            .select_related("contact", "contact__account")
            .prefetch_related("known_in_person_by")
        ),
        form=AssessmentEditForm,
        initial=_assessment_initial,
        update=lambda item, form, by, version: services.assessment_update(
            assessment=item, by=by, expected_version=version, **form.changes()
        ),
        delete=lambda item, by, version: services.assessment_delete(
            assessment=item, by=by, expected_version=version
        ),
        back=lambda item: _contact_page(item.contact),
        deleted=_("Assessment deleted; the previous one is current again."),
    ),
    "interaction": Editable(
        label=_("Interaction"),
        rows=lambda account: (
            Interaction.objects.filter(account=account)
            .select_related("account", "objective")
            .prefetch_related("our_participants", "their_participants")
        ),
        form=InteractionEditForm,
        initial=_interaction_initial,
        update=lambda item, form, by, version: services.interaction_update(
            interaction=item, by=by, expected_version=version, **form.changes(by)
        ),
        delete=lambda item, by, version: services.interaction_delete(
            interaction=item, by=by, expected_version=version
        ),
        back=lambda item: _tab(item.account, "log"),
        deleted=_("Interaction deleted."),
    ),
    "link": Editable(
        label=_("Link between two people"),
        rows=lambda account: ContactLink.objects.filter(account=account).select_related(
            "account", "source", "target"
        ),
        form=LinkEditForm,
        initial=_fields("kind", "note"),
        update=lambda item, form, by, version: services.link_update(
            link=item, by=by, expected_version=version, **form.changes()
        ),
        delete=lambda item, by, version: services.link_delete(
            link=item, by=by, expected_version=version
        ),
        back=lambda item: _contact_page(item.source),
        deleted=_("Link deleted."),
    ),
    "interest": Editable(
        label=_("Entrenched interest"),
        rows=lambda account: EntrenchedInterest.objects.filter(account=account).select_related(
            "account", "holder", "advocate"
        ),
        form=InterestEditForm,
        initial=_interest_initial,
        update=lambda item, form, by, version: services.interest_update(
            interest=item,
            by=by,
            expected_version=version,
            note=form.cleaned_data["why"],
            **form.changes(),
        ),
        delete=lambda item, by, version: services.interest_delete(
            interest=item, by=by, expected_version=version
        ),
        back=lambda item: _tab(item.account, "threats"),
        deleted=_("Entrenched interest deleted."),
    ),
    "practice": Editable(
        label=_("Entrenched practice"),
        rows=lambda account: EntrenchedPractice.objects.filter(account=account).select_related(
            "account"
        ),
        form=PracticeEditForm,
        initial=_fields("description", "effect_on_us", "workaround", "recorded_on"),
        update=lambda item, form, by, version: services.practice_update(
            practice=item, by=by, expected_version=version, **form.changes()
        ),
        delete=lambda item, by, version: services.practice_delete(
            practice=item, by=by, expected_version=version
        ),
        back=lambda item: _tab(item.account, "threats"),
        deleted=_("Entrenched practice deleted."),
    ),
    # An opportunity's whole record is the plan's; here only what the three questions ask.
    "deal": Editable(
        label=_("Opportunity"),
        rows=lambda account: (
            Opportunity.objects.filter(account=account)
            .select_related("account")
            .prefetch_related("buy_in_needed_from")
        ),
        form=DealForm,
        initial=lambda item: {
            "significant": item.significant,
            "buy_in_needed_from": [str(c.public_id) for c in item.buy_in_needed_from.all()],
        },
        update=lambda item, form, by, version: planning.opportunity_update(
            opportunity=item, by=by, expected_version=version, **form.changes()
        ),
        delete=lambda item, by, version: planning.opportunity_delete(
            opportunity=item, by=by, expected_version=version
        ),
        back=lambda item: _tab(item.account, "plan"),
        deleted=_("Opportunity deleted."),
        gone=lambda item: _tab(item.account, "plan"),
    ),
    "objective": Editable(
        label=_("The customer's objective"),
        rows=lambda account: Objective.objects.filter(account=account).select_related("account"),
        form=ObjectiveStatusForm,
        initial=lambda item: {"status": item.status},
        update=lambda item, form, by, version: planning.objective_update(
            objective=item, by=by, expected_version=version, **form.changes()
        ),
        delete=lambda item, by, version: planning.objective_delete(
            objective=item, by=by, expected_version=version
        ),
        back=lambda item: _tab(item.account, "plan"),
        deleted=_("Objective deleted."),
        gone=lambda item: _tab(item.account, "plan"),
    ),
}


def _resolve(request: HttpRequest, public_id: Any, kind: str, record_id: Any):
    """The account in the user's scope, the record inside it (404 otherwise), then the right
    to write (403): strangers learn nothing, readers see a refusal."""
    account = account_or_404(request.user, public_id)
    spec = EDITABLE.get(kind)
    if spec is None:
        raise Http404
    item = spec.rows(account).filter(public_id=record_id).first()
    if item is None:
        raise Http404
    require_writer(request, account)
    return account, spec, item


def _people(account: Account, item: Any) -> People:
    """The account's people for the form, plus anyone the record names who is no longer
    offered (a closed objective, a user who left the team), so saving keeps them."""
    people = people_of(account)
    users, objectives = list(people.users), list(people.objectives)
    if isinstance(item, Interaction):
        known = {u.pk for u in users}
        users += [u for u in item.our_participants.all() if u.pk not in known]
        if item.objective_id and all(o.pk != item.objective_id for o in objectives):
            objectives.append(item.objective)
    if isinstance(item, Assessment):
        known = {u.pk for u in users}
        users += [u for u in item.known_in_person_by.all() if u.pk not in known]
    return People(people.contacts, users, objectives, people.search_url)


def _form(spec: Editable, item: Any, people: People, data: Any = None) -> Any:
    initial = {**spec.initial(item), "version": item.version}
    return spec.form(data, initial=initial, **people.form_kwargs())


def _page(request, account, spec, item, form, delete_form, *, status=200, delete_error=""):
    context = {
        "delete_error": delete_error,
        "account": account,
        "item": item,
        "label": spec.label,
        "kind": next(k for k, v in EDITABLE.items() if v is spec),
        "form": form,
        "delete_form": delete_form,
        "next": safe_next(request, spec.back(item)),
    }
    return render(request, "relationships/edit.html", context, status=status)


ALIASES = {"assessed_at": "assessed_on"}  # the service's name -> the form's


def _stale(request, account, spec: Editable, item, form, people: People, conflict) -> HttpResponse:
    """The user's input kept, drawn again on the version now stored with the stored values
    named: saving it once more is their deliberate choice over the other person's change."""
    fresh = spec.rows(account).filter(pk=item.pk).first()
    if fresh is None:  # deleted meanwhile: nothing to draw it on
        form.add_error(None, str(conflict))
        return _page(request, account, spec, item, form, None, status=409)
    data = request.POST.copy()
    data["version"] = fresh.version
    again = _form(spec, fresh, people, data)
    again.is_valid()
    again.add_error(None, f"{conflict} {stored_values(again, fresh)}")
    delete_form = _delete_form(spec, fresh)
    return _page(request, account, spec, fresh, again, delete_form, status=409)


def _delete_form(spec: Editable, item: Any) -> DeleteForm | None:
    return DeleteForm(initial={"version": item.version}, prefix="delete") if spec.delete else None


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, public_id: Any, kind: str, record_id: Any) -> HttpResponse:
    """The record's form, filled with what is stored; saving calls the API's service."""
    account, spec, item = _resolve(request, public_id, kind, record_id)
    people = _people(account, item)
    delete_form = _delete_form(spec, item)
    if request.method == "GET":
        return _page(request, account, spec, item, _form(spec, item, people), delete_form)
    form = _form(spec, item, people, request.POST)
    return form_write(
        request,
        form,
        lambda: spec.update(item, form, request.user, form.cleaned_data.get("version")),
        again=lambda status: _page(request, account, spec, item, form, delete_form, status=status),
        done=safe_next(request, spec.back(item)),
        success=_("Saved."),
        stale=lambda conflict: _stale(request, account, spec, item, form, people, conflict),
        aliases=ALIASES,
    )


@require_POST
def delete(request: HttpRequest, public_id: Any, kind: str, record_id: Any) -> HttpResponse:
    """Delete a record made by mistake, after an explicit yes, if nobody changed it since."""
    account, spec, item = _resolve(request, public_id, kind, record_id)
    if spec.delete is None:
        raise Http404
    people = _people(account, item)
    form = DeleteForm(request.POST, prefix="delete")
    return form_write(
        request,
        form,
        lambda: spec.delete(item, request.user, form.cleaned_data.get("version")),
        again=lambda status: _page(
            request, account, spec, item, _form(spec, item, people), form, status=status
        ),
        done=spec.gone(item) if spec.gone else safe_next(request, spec.back(item)),
        success=spec.deleted,
        stale=lambda conflict: _stale_delete(request, account, spec, item, people, conflict),
    )


def _stale_delete(request, account, spec: Editable, item, people: People, conflict) -> HttpResponse:
    """Drawn again on the stored version and the stored values: still to confirm."""
    fresh = spec.rows(account).filter(pk=item.pk).first() or item
    return _page(
        request,
        account,
        spec,
        fresh,
        _form(spec, fresh, people),
        _delete_form(spec, fresh),
        status=409,
        delete_error=str(conflict),
    )
