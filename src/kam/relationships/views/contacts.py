"""One person: their page (and the map's panel), the export of their data, their erasure."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kam.accounts.access import AUDIT, CHANGE, ERASE, can
from kam.accounts.models import Account
from kam.planning.queries import objectives_for
from kam.relationships import queries, services
from kam.relationships.forms import EraseForm, RejoinForm, SuccessorForm
from kam.relationships.models import Contact, RoleVocabulary, role_label
from kam.relationships.views._common import get_contact, people_of, require_writer
from kam.users.models import User

HISTORY_IN_PANEL = 5
INTERACTIONS_SHOWN = 20
AUDIT_SHOWN = 50


def contact_context(
    request: HttpRequest, account: Account, contact: Contact, *, brief: bool = False
) -> dict[str, Any]:
    """What the contact page and the map panel show about one person, in a fixed number of
    queries (the strengths come from the analyses' snapshot)."""
    user = request.user
    today = timezone.localdate()
    history = list(queries.assessment_history(contact=contact))
    interests = list(
        queries.interests_for(user=user, account=account).filter(
            Q(holder=contact) | Q(advocate=contact)
        )
    )
    links = list(
        queries.links_for(user=user, account=account).filter(Q(source=contact) | Q(target=contact))
    )
    facts = queries.relationship_context(account=account, today=today)
    table = facts.strengths
    pairs = {u: v for (u, c), v in table.pairs.items() if c == contact.pk}
    assessment = contact.current_assessment
    known = set(facts.known_in_person_by(contact.pk))  # assessment or in-person meetings
    names = {u.pk: str(u) for u in User.objects.filter(pk__in=set(pairs) | known)}
    knows = sorted(
        (
            {
                "user": names.get(u, "?"),
                "strength": round(pairs.get(u, 0)),
                "in_person": u in known,
                "overridden": (u, contact.pk) in table.overridden,
            }
            for u in set(pairs) | known
        ),
        key=lambda row: (-row["strength"], row["user"]),
    )
    vocabulary = RoleVocabulary.load()
    context: dict[str, Any] = {
        "account": account,
        "contact": contact,
        "assessment": assessment,
        "role": role_label(assessment.buying_role, vocabulary=vocabulary) if assessment else "",
        "history": history[:HISTORY_IN_PANEL] if brief else history,
        "history_count": len(history),
        "interests": interests,
        "links": links,
        "knows": knows,
        "known_in_person": sorted(names.get(u, "?") for u in known),
        "departed": contact.has_left(today),
        "brief": brief,
        "can_write": can(user, CHANGE, account),
        "map_url": reverse("relationships:map_detail", kwargs={"public_id": account.public_id}),
    }
    if brief:
        return context
    context.update(
        interactions=list(
            queries.interactions_for(user=user, account=account, contact=contact)[
                :INTERACTIONS_SHOWN
            ]
        ),
        objectives=list(objectives_for(user=user, account=account).filter(source_contact=contact)),
        opportunities=list(contact.opportunities_needing_buy_in.order_by("expected_on", "pk")),
        reports=list(contact.reports.order_by("name")),
        levels=list(queries.levels_for(user=user, account=account).filter(contact=contact)),
        audit=list(
            queries.audit_for(user=user, account=account).filter(contact=contact)[:AUDIT_SHOWN]
        )
        if can(user, AUDIT, account)
        else None,
        can_erase=can(user, ERASE, account),
    )
    return context


@require_GET
def contact_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Everything about one person: assessment timeline, interests, links, who knows them."""
    from kam.relationships.views.account import blank_forms

    contact, account = get_contact(request, public_id)
    context = contact_context(request, account, contact)
    if context["can_write"]:
        me = str(contact.public_id)
        people = people_of(account)
        levels = {level.user_id: level for level in context["levels"]}
        overrides = {
            o.user_id: o
            for o in queries.overrides_for(user=request.user, account=account).filter(
                contact=contact
            )
        }
        context["team"] = [
            {"user": u, "level": levels.get(u.pk), "override": overrides.get(u.pk)}
            for u in people.users
        ]
        context["forms"] = blank_forms(
            people,
            initial={
                "assessment": {"contact": me},
                "departure": {"contact": me},
                "interest": {"holder": me},
                "link": {"source": me},
                "interaction": {"their_participants": [me]},
            },
        )
        for kind in ("practice", "contact"):  # the account's, not this person's: on its page
            context["forms"].pop(kind)
        context["next"] = request.get_full_path()
    return render(request, "relationships/contact.html", context)


def _require_eraser(request: HttpRequest, account: Account) -> None:
    # Export and erasure are the data controller's acts: the account's KAM or the lead.
    if not can(request.user, ERASE, account):
        raise PermissionDenied


@require_POST
def contact_export(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Everything held about the person as a JSON download (a subject access request). A POST,
    because the export is itself recorded in the audit trail."""
    contact, account = get_contact(request, public_id)
    _require_eraser(request, account)
    data = services.contact_export(contact=contact, by=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.public_id}.json"'
    return response


@require_http_methods(["GET", "POST"])
def contact_erase(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Erase the person on request, after a confirmation step naming what goes and stays."""
    contact, account = get_contact(request, public_id)
    _require_eraser(request, account)
    form = EraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_erase(
                contact=contact, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The contact was erased."))
            return redirect(
                reverse("relationships:contact_detail", kwargs={"public_id": contact.public_id})
            )
    status = 400 if request.method == "POST" else 200
    context = {"account": account, "contact": contact, "form": form}
    return render(request, "relationships/erase.html", context, status=status)


@require_http_methods(["GET", "POST"])
def contact_rejoin(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The person now works at another of our accounts: the API's rejoin, on a page."""
    contact, account = get_contact(request, public_id)
    require_writer(request, account)
    accounts = [
        a
        for a in Account.objects.visible_to(request.user).exclude(pk=account.pk).order_by("name")
        if can(request.user, CHANGE, a)
    ]
    form = RejoinForm(request.POST or None, accounts=accounts)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            fields = {k: v for k, v in form.cleaned_data.items() if k != "account"}
            try:
                joined = services.contact_rejoin(
                    contact=contact, account=form.chosen_account(), by=request.user, **fields
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for name, errors in error.error_dict.items():
                        form.add_error(name if name in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                messages.success(
                    request, _("Their record at the new account is linked to this one.")
                )
                return redirect(
                    reverse("relationships:contact_detail", kwargs={"public_id": joined.public_id})
                )
    context = {"account": account, "contact": contact, "form": form}
    return render(request, "relationships/rejoin.html", context, status=status)


@require_http_methods(["GET", "POST"])
def contact_successor(request: HttpRequest, public_id: Any) -> HttpResponse:
    """Name or change the successor of a person whose departure is already recorded: the
    API's PUT .../successor on a page, with the same hand-over."""
    contact, account = get_contact(request, public_id)
    require_writer(request, account)
    people = people_of(account, with_objectives=False)
    initial = {"successor": str(contact.successor.public_id) if contact.successor_id else ""}
    form = SuccessorForm(request.POST or None, initial=initial, **people.form_kwargs())
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.contact_name_successor(
                    contact=contact,
                    successor=form.contact("successor"),
                    hand_over=form.cleaned_data["hand_over"],
                    by=request.user,
                )
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for name, errors in error.error_dict.items():
                        form.add_error(name if name in form.fields else None, errors)
                else:
                    form.add_error(None, error)
            else:
                messages.success(request, _("Successor named."))
                return redirect(
                    reverse("relationships:contact_detail", kwargs={"public_id": contact.public_id})
                )
    context = {"account": account, "contact": contact, "form": form}
    return render(request, "relationships/successor.html", context, status=status)
