"""The page write shape: a service's refusal lands on the form (422, 409), a success
redirects with its message."""

from __future__ import annotations

from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.test import RequestFactory

from kam.core.formviews import form_write
from kam.core.versions import EditConflict


class NoteForm(forms.Form):
    note = forms.CharField()
    assessed_on = forms.DateField(required=False)


def _request():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)
    return request


def _submit(write, data=None, **kwargs):
    form = NoteForm(data if data is not None else {"note": "a"})
    response = form_write(
        _request(),
        form,
        write,
        again=lambda status: HttpResponse(status=status),
        done="/back/",
        success="Saved.",
        **kwargs,
    )
    return response, form


def _refuse(error):
    def write():
        raise error

    return write


def test_a_success_redirects():
    response, _form = _submit(lambda: None)
    assert (response.status_code, response.url) == (302, "/back/")


def test_a_bad_form_never_reaches_the_service():
    called = []
    response, form = _submit(lambda: called.append(1), data={})
    assert response.status_code == 422 and not called and "note" in form.errors


def test_a_refusal_lands_on_the_field_it_names_through_an_alias():
    error = ValidationError({"assessed_at": "In the future.", "other": "Not here."})
    response, form = _submit(_refuse(error), aliases={"assessed_at": "assessed_on"})
    assert response.status_code == 422
    assert form.errors["assessed_on"] == ["In the future."]
    assert form.non_field_errors() == ["Not here."]


def test_a_stale_edit_is_a_conflict_on_the_form():
    response, form = _submit(_refuse(EditConflict("Lena changed this.")))
    assert response.status_code == 409 and form.non_field_errors() == ["Lena changed this."]
    drawn, _form = _submit(
        _refuse(EditConflict()), stale=lambda conflict: HttpResponse("again", status=409)
    )
    assert drawn.content == b"again"
