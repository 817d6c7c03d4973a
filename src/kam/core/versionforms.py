"""Page forms that edit versioned records: each carries the version it was drawn from in a
hidden field, and a stale submit is refused, the user's input kept, the stored values shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django import forms
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kam.core.versions import EditConflict, Versioned, check_version, lock_version


class VersionedModelForm(forms.ModelForm):
    """A model form with the record's version in a hidden ``version`` field (empty on an
    older page: then the last write wins)."""

    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and isinstance(self.instance, Versioned):
            self.fields["version"].initial = self.instance.version

    def has_changed(self) -> bool:
        # The version alone (a rebased form) is no change to save.
        return any(name != "version" for name in self.changed_data)


def stored_values(form: forms.ModelForm, fresh: Any) -> str:
    """The values now stored for the fields the form shows, to set beside the user's input."""
    shown = []
    for name, field in form.fields.items():
        if name in ("version", "id", "DELETE") or not hasattr(fresh, name):
            continue
        value = getattr(fresh, name)
        display = getattr(fresh, f"get_{name}_display", None)
        if value is None or value == "":
            value = "—"
        elif callable(display):
            value = display()
        elif isinstance(value, date):  # as the page's other dates, in the reader's format
            value = date_format(value, "SHORT_DATE_FORMAT")
        shown.append(f"{field.label}: {value}")
    return _("Stored now: %(values)s.") % {"values": "; ".join(shown)}


def save_versioned(forms_to_save: Iterable[Any], *, by: Any, save: Any) -> list[Any]:
    """Save the changed forms (of model forms and formsets) in one transaction, each checked
    against the version it was drawn from under a row lock. Returns the forms that were
    stale, each with the conflict and the stored values as an error, and saves nothing then.
    ``save`` is called (inside the transaction) to write once every check passed."""
    stale: list[Any] = []
    with transaction.atomic():
        for form in _changed(forms_to_save):
            fresh = lock_version(form.instance)
            try:
                check_version(fresh, form.cleaned_data.get("version"))
            except EditConflict as conflict:
                form.add_error(None, f"{conflict} {stored_values(form, fresh)}")
                form.fresh = fresh
                stale.append(form)
                continue
            form.instance.version = fresh.version
            form.instance.touch(by)
        if stale:
            transaction.set_rollback(True)
            return stale
        save()
    return []


def _changed(items: Iterable[Any]) -> list[VersionedModelForm]:
    out = []
    for item in items:
        for form in getattr(item, "forms", [item]):
            instance = form.instance
            if instance.pk is None or not isinstance(instance, Versioned):
                continue
            if form.has_changed() and not form.cleaned_data.get("DELETE"):
                out.append(form)
    return out


def rebased(data: Any, stale: Iterable[Any]) -> Any:
    """A copy of the submitted data with each stale form's version moved to the stored one:
    submitting it again is the user's deliberate choice over the other person's change."""
    data = data.copy()
    for form in stale:
        data[form.add_prefix("version")] = form.fresh.version
    return data
