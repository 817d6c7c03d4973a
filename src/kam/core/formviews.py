"""The one shape of a page's write: a valid form goes to the API's own service; its refusal
comes back on the form (a ValidationError beside the field it names, 422; a stale edit above
the form, 409) and the page is drawn again with what the user typed; a success is said and
the user sent on. The service decides who may and what is valid, as it does for the API.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from kam.core.versions import EditConflict


def put_errors(
    form: forms.Form, error: ValidationError, aliases: Mapping[str, str] | None = None
) -> None:
    """A service's refusal beside the field it names (``aliases``: the service's name of a
    field -> the form's), else above the form."""
    if hasattr(error, "error_dict"):
        for name, messages_ in error.message_dict.items():
            name = (aliases or {}).get(name, name)
            target = name if name in form.fields else None
            for message in messages_:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def form_write(
    request: HttpRequest,
    form: forms.Form,
    write: Callable[[], Any],
    *,
    again: Callable[[int], HttpResponse],
    done: str | Callable[[Any], HttpResponse],
    success: str = "",
    stale: Callable[[EditConflict], HttpResponse] | None = None,
    aliases: Mapping[str, str] | None = None,
) -> HttpResponse:
    """Validate ``form``, then ``write()`` (the service, reading ``form.cleaned_data``).

    Success: the ``success`` message, then a redirect to ``done`` (or ``done(what write
    returned)``). A bad form or a ValidationError: ``again(422)``, the errors on the form
    (``aliases`` as in put_errors). A stale edit: ``stale`` (to draw the form again on the
    stored version), else the conflict above the form and ``again(409)``."""
    if not form.is_valid():
        return again(422)
    try:
        result = write()
    except ValidationError as error:
        put_errors(form, error, aliases)
        return again(422)
    except EditConflict as conflict:
        if stale is not None:
            return stale(conflict)
        form.add_error(None, str(conflict))
        return again(409)
    if success:
        messages.success(request, success)
    return redirect(done) if isinstance(done, str) else done(result)
