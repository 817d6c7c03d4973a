"""One of our people and one of theirs: the relationship's level (current and target) and a
strength set by hand; and the team's words for buying roles (the lead's choice).

The same services as the API's PUT /levels, /overrides and /vocabulary. Those records carry
no version: each form carries when the record it shows was written, and a save after someone
else's change is refused (409) with the user's input kept.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kam.core.formviews import put_errors
from kam.core.versions import EditConflict
from kam.relationships import services
from kam.relationships.forms import ClearForm, LevelForm, OverrideForm, VocabularyForm
from kam.relationships.models import (
    BuyingRole,
    RelationshipLevel,
    RelationshipOverride,
    RoleVocabulary,
    role_label,
)
from kam.relationships.views._common import get_contact, people_of, require_writer, safe_next

FORMS = {"level": LevelForm, "override": OverrideForm}


def _add_errors(form: Any, error: Exception) -> int:
    if isinstance(error, EditConflict):
        form.add_error(None, str(error))
        return 409
    assert isinstance(error, ValidationError)
    put_errors(form, error)
    return 422


def _stored(contact: Any, user: Any) -> tuple[Any, Any]:
    level = RelationshipLevel.objects.filter(contact=contact, user=user).first()
    override = RelationshipOverride.objects.filter(contact=contact, user=user).first()
    return level, override


def _blank(kind: str, level: Any, override: Any) -> Any:
    if kind == "level":
        initial = (
            {
                "current": level.current,
                "target": level.target,
                "note": level.note,
                "seen": LevelForm.stamp(level.updated_at),
            }
            if level
            else {}
        )
        return LevelForm(initial=initial, prefix="level")
    initial = (
        {
            "value": override.value,
            "reason": override.reason,
            "seen": OverrideForm.stamp(override.set_at),
        }
        if override
        else {}
    )
    return OverrideForm(initial=initial, prefix="override")


def _rebased(kind: str, data: Any, level: Any, override: Any) -> Any:
    """The user's input again, drawn on what is stored now."""
    data = data.copy()
    moment = level.updated_at if kind == "level" and level else None
    if kind == "override" and override:
        moment = override.set_at
    data[f"{kind}-seen"] = LevelForm.stamp(moment)
    form = FORMS[kind](data, prefix=kind)
    form.is_valid()
    return form


@require_http_methods(["GET", "POST"])
def pair(request: HttpRequest, public_id: Any, user_id: int) -> HttpResponse:
    """Set or clear the level and the hand-set strength of one (our user, their contact)."""
    contact, account = get_contact(request, public_id)
    team = {u.pk: u for u in people_of(account, with_objectives=False).users}
    user = team.get(user_id)
    if user is None:
        raise Http404
    require_writer(request, account)
    back = reverse("relationships:contact_detail", kwargs={"public_id": contact.public_id})
    level, override = _stored(contact, user)
    forms = {kind: _blank(kind, level, override) for kind in FORMS}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        kind = action.removeprefix("clear_")
        if kind not in FORMS:
            raise Http404
        form = (ClearForm if action.startswith("clear_") else FORMS[kind])(
            request.POST, prefix=kind
        )
        if form.is_valid():
            try:
                _save(action, form, contact=contact, user=user, by=request.user)
            except (EditConflict, ValidationError) as error:
                status = _add_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(safe_next(request, back))
        else:
            status = 422
        if status == 409:
            level, override = _stored(contact, user)
            again = _rebased(kind, request.POST, level, override)
            for error in form.non_field_errors():
                again.add_error(None, error)
            form = again
        if action.startswith("clear_"):
            errors[kind] = " ".join(form.non_field_errors()) or _("Reload the page and try again.")
        else:
            forms[kind] = form
    context = {
        "account": account,
        "contact": contact,
        "member": user,
        "level": level,
        "override": override,
        "forms": forms,
        "clear_errors": errors,
        "level_seen": LevelForm.stamp(level.updated_at) if level else "",
        "override_seen": OverrideForm.stamp(override.set_at) if override else "",
        "next": safe_next(request, back),
    }
    return render(request, "relationships/pair.html", context, status=status)


def _save(action: str, form: Any, *, contact: Any, user: Any, by: Any) -> None:
    data = form.cleaned_data
    seen = data.get("seen")
    if action == "level":
        services.level_set(
            user=user,
            contact=contact,
            current=data["current"],
            target=data["target"],
            note=data["note"],
            by=by,
            expected_updated_at=seen,
        )
    elif action == "override":
        services.override_set(
            user=user,
            contact=contact,
            value=data["value"],
            reason=data["reason"],
            by=by,
            expected_set_at=seen,
        )
    else:
        model = RelationshipLevel if action == "clear_level" else RelationshipOverride
        stored = model.objects.filter(contact=contact, user=user).first()
        moment = None
        if stored is not None:
            moment = stored.updated_at if action == "clear_level" else stored.set_at
        if stored is None or seen is None or moment != seen:
            raise EditConflict()
        if action == "clear_level":
            services.level_delete(level=stored, by=by)
        else:
            services.override_clear(override=stored, by=by)


@require_http_methods(["GET", "POST"])
def vocabulary(request: HttpRequest) -> HttpResponse:
    """The words the whole team uses for buying roles: anyone reads them; the lead sets them."""
    stored = RoleVocabulary.load()
    saved = RoleVocabulary.objects.filter(pk=stored.pk).exists()
    initial = {
        "style": stored.style,
        "seen": VocabularyForm.stamp(stored.updated_at) if saved else "",
        **{f"label_{role}": label for role, label in stored.custom_labels.items()},
    }
    status = 200
    if request.method == "POST":
        if not request.user.is_lead:
            raise PermissionDenied(_("Only the programme lead chooses the role vocabulary."))
        form = VocabularyForm(request.POST, initial=initial)
        if form.is_valid():
            try:
                services.role_vocabulary_update(
                    by=request.user,
                    style=form.cleaned_data["style"],
                    custom_labels=form.custom_labels(),
                    expected_updated_at=form.cleaned_data["seen"],
                )
            except (EditConflict, ValidationError) as error:
                status = _add_errors(form, error)
                if status == 409:
                    data = request.POST.copy()
                    data["seen"] = VocabularyForm.stamp(RoleVocabulary.load().updated_at)
                    again = VocabularyForm(data)
                    again.is_valid()
                    for message in form.non_field_errors():
                        again.add_error(None, message)
                    form = again
            else:
                messages.success(request, _("Saved."))
                return redirect("relationships:vocabulary")
        else:
            status = 422
    else:
        form = VocabularyForm(initial=initial)
    rows = [(name, role_label(role, vocabulary=stored)) for role, name in BuyingRole.choices]
    context = {"form": form if request.user.is_lead else None, "rows": rows}
    return render(request, "relationships/vocabulary.html", context, status=status)
