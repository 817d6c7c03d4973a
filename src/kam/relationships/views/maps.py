"""The relationship map: the page with its filters, a person's panel, SVG and PNG exports."""

from __future__ import annotations

import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kam.accounts.access import account_or_404
from kam.accounts.models import Account
from kam.relationships import queries
from kam.relationships.forms import MapFilterForm
from kam.relationships.mapdraw import MapDrawing, MapOptions
from kam.relationships.models import Contact, ContactLink
from kam.relationships.rendering import RenderingUnavailable, svg_to_png
from kam.relationships.views.contacts import contact_context

# Past this many people our team's lines start hidden (hundreds of them would fill the
# channels); everyone is always drawn unless the reader filters.
LARGE_MAP = 60
# Past this many people a bare link opens the map collapsed below the second level (the page
# says so, with Show everyone beside it): drawing and routing 2,000 people takes seconds, and
# no one reads them all at once on a screen.
HUGE_MAP = 300
HUGE_MAP_DEPTH = 2
OVERLAYS = ("links", "team")
# Past this many links a bare link shows the riskiest kinds first (tensions, restrictions,
# then influence, then alliances) while they stay under it; the others are a tick away.
DENSE_LINKS = 60
KINDS = tuple(value for value, _label in MapFilterForm.base_fields["kinds"].choices)
# A printed sheet: A3 landscape less the print stylesheet's 8 mm margins, in CSS pixels, and
# the height left under the title. A print never shrinks the map below PRINT_SCALE (12 px
# names print at 8 pt); a map taller than a sheet goes on as many sheets as it needs, each
# ending between two shelves of departments where it can.
PRINT_W = 1527
PRINT_H = 1000
PRINT_SCALE = 0.9
A3_WIDTH = int(PRINT_W / PRINT_SCALE) - 60  # 'Lay out for A3 paper': shelves this wide


@dataclass(frozen=True)
class MapRequest:
    """The map as the user asked for it: the form, the drawing options, what is left out."""

    form: MapFilterForm
    options: MapOptions
    overlays: frozenset[str]
    people: int  # everyone on the account
    reasons: tuple[str, ...]  # why people are left out, in words
    matches: tuple[Contact, ...]  # a search naming several people: the reader picks one
    query: str
    kinds: frozenset[str]  # the kinds of link shown


def _find(contacts: list[Contact], text: str) -> tuple[Contact | None, list[Contact]]:
    """The person a search names (any script, any case), or the candidates when it is
    ambiguous."""
    needle = unicodedata.normalize("NFKC", text).casefold().strip()
    if not needle:
        return None, []
    found = [c for c in contacts if needle in unicodedata.normalize("NFKC", c.name).casefold()]
    exact = [c for c in found if unicodedata.normalize("NFKC", c.name).casefold() == needle]
    if exact:
        return exact[0], []
    if len(found) == 1:
        return found[0], []
    return None, found


def _default_kinds(account: Account) -> list[str]:
    """Every kind of link on a map with few; on a dense one, kinds in order of risk while they
    add up to at most DENSE_LINKS lines (tensions and restrictions always)."""
    counts = dict(
        ContactLink.objects.filter(account=account)
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    order = list(KINDS)
    if sum(counts.values()) <= DENSE_LINKS:
        return order
    kinds, total = [], 0
    for i, kind in enumerate(order):
        total += counts.get(kind, 0)
        if i < 2 or total <= DENSE_LINKS:
            kinds.append(kind)
    return kinds


def _map_request(request: HttpRequest, account: Account, *, for_page: bool) -> MapRequest:
    contacts = list(
        Contact.objects.filter(account=account)
        .only("pk", "public_id", "name", "title", "department", "status", "left_on")
        .order_by("name", "pk")
    )
    departments = sorted({c.department for c in contacts})
    today = timezone.localdate()
    query = request.GET.copy()
    if query.get("depth") == "all":  # the old 'show everyone' links
        query["depth"] = ""
    if "f" not in query:
        # Unticked checkboxes send nothing, so only the submitted filter form ('f') can
        # switch them off; a bare URL or a link shows the links and the people who left,
        # and our team's lines too unless the account is large (hundreds of lines hide it).
        large = sum(1 for c in contacts if not c.has_left(today)) > LARGE_MAP
        for name in ("links", "departed", *(() if large else ("team",))):
            query[name] = "on"
    if "k" not in query:
        # The form's own submissions carry 'k' (so no kind ticked means none); a bare link,
        # or an older one with 'f', gets the kinds a reader can take in at once.
        query.setlist("kinds", _default_kinds(account))
    if query.get("focus") and not query.get("q"):  # a link to one person: search for them
        chosen = next((c for c in contacts if str(c.public_id) == query["focus"]), None)
        if chosen is not None:
            query["q"] = chosen.name
    form = MapFilterForm(query, departments=departments, contacts=contacts)
    data = (
        form.cleaned_data
        if form.is_valid()
        else {**{n: True for n in (*OVERLAYS, "departed")}, "kinds": query.getlist("kinds")}
    )
    overlays = frozenset(o for o in OVERLAYS if data.get(o))
    kinds = frozenset(data.get("kinds") or ())
    include_departed = bool(data.get("departed"))
    depth_choice = data.get("depth", "")
    collapse = int(depth_choice) if depth_choice not in ("", None) else None
    active = sum(1 for c in contacts if not c.has_left(today))
    if collapse is None and "depth" not in request.GET and active > HUGE_MAP:
        collapse = HUGE_MAP_DEPTH
    found, matches = _find(contacts, data.get("q") or "")
    picked = next((c for c in contacts if str(c.public_id) == data.get("focus")), None)
    if picked is not None and (picked in matches or (found and found.name == picked.name)):
        found, matches = picked, []  # several people match: the link says which one
    hops = data.get("hops")
    reasons: list[str] = []
    if not include_departed:
        reasons.append(_("people who left are left out"))
    if data.get("department"):
        reasons.append(_("only the departments ticked"))
    if data.get("role"):
        reasons.append(_("only the buying roles ticked"))
    if collapse is not None:
        reasons.append(_("levels below %(depth)s are collapsed") % {"depth": collapse})
    if found is not None and hops is not None:
        reasons.append(_("only the people around %(name)s") % {"name": found.name})
    panel = reverse(
        "relationships:map_panel", kwargs={"public_id": account.public_id, "contact_id": 0}
    )
    page = reverse("relationships:map_detail", kwargs={"public_id": account.public_id})
    a3 = data.get("fit") == "a3"
    options = MapOptions(
        departments=frozenset(data["department"]) if data.get("department") else None,
        roles=frozenset(data["role"]) if data.get("role") else None,
        include_departed=include_departed,
        collapse_depth=collapse,
        focus_contact_id=found.pk if found else None,
        focus_hops=hops,
        max_width=A3_WIDTH if a3 else MapOptions.max_width,
        # On the page both overlays are drawn and CSS shows or hides them with the
        # checkboxes, so toggling needs no reload; an export draws only the chosen ones.
        overlays_shown=frozenset(OVERLAYS) if for_page else overlays,
        # Likewise every kind of link is drawn on the page (the toggles show or hide them).
        link_kinds=None if for_page else kinds,
        # Relative to the page (…/map/): the full path repeated for 150 people was 9 KiB.
        panel_url_template=panel.removeprefix(page).replace("/0/", "/{id}/") if for_page else None,
        panel_target="#contact-panel",
        label=_("Relationship map of %(account)s") % {"account": account.name},
    )
    return MapRequest(
        form,
        options,
        overlays,
        len(contacts),
        tuple(reasons),
        tuple(matches),
        data.get("q") or "",
        kinds,
    )


def print_sheets(drawing: MapDrawing) -> tuple[float, list[tuple[float, float]]]:
    """The print's scale and its sheets, each (top, height) in the drawing's pixels: as many
    shelves as fit on a sheet at that scale; a shelf taller than a sheet is cut where it must."""
    scale = min(PRINT_SCALE, PRINT_W / max(1, drawing.width))  # no larger: fewer sheets
    room = PRINT_H / scale
    cuts = [*drawing.breaks, float(drawing.height)]
    sheets: list[tuple[float, float]] = []
    top = 0.0
    while top < drawing.height - 1:
        fitting = [c for c in cuts if top < c <= top + room]
        end = fitting[-1] if fitting else min(top + room, float(drawing.height))
        sheets.append((top, end - top))
        top = end
    return scale, sheets


def _drawing(account: Account, wanted: MapRequest) -> MapDrawing:
    return queries.account_map_cached(
        account=account, today=timezone.localdate(), options=wanted.options
    )


@require_GET
def map_detail(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The account's map inline, with the filters and a panel for the person clicked."""
    account = account_or_404(request.user, public_id)
    wanted = _map_request(request, account, for_page=True)
    drawing = _drawing(account, wanted)
    query = request.GET.urlencode()
    drawn = len(drawing.contact_ids)
    scale, sheets = print_sheets(drawing)
    # What is switched off, as classes on the drawing (map.js keeps them in step with the
    # toggles): the cached drawing is the same for everyone, the classes are this page's.
    hide = [f"hide-{o}" for o in OVERLAYS if o not in wanted.overlays]
    hide += [f"hide-{k}" for k in KINDS if k not in wanted.kinds]
    svg = drawing.svg.replace(
        'class="relationship-map"', f'class="{" ".join(["relationship-map", *hide])}"', 1
    )
    context = {
        "account": account,
        "form": wanted.form,
        "drawing": drawing,
        "svg": svg,
        "overlays": wanted.overlays,
        "drawn": drawn,
        "people": wanted.people,
        "hidden": wanted.people - drawn,
        "reasons": wanted.reasons,
        "matches": wanted.matches,
        "searched": wanted.query,
        "not_found": bool(wanted.query)
        and not wanted.matches
        and wanted.options.focus_contact_id is None,
        "query": query,
        "a3": wanted.options.max_width == A3_WIDTH,
        "print_scale": scale,
        "sheets": [
            {"top": top, "height": height, "w": drawing.width * scale, "h": height * scale}
            for top, height in sheets
        ],
        "kind_boxes": [
            (box, drawing.link_counts.get(box.data["value"], 0)) for box in wanted.form["kinds"]
        ],
    }
    return render(request, "relationships/map.html", context)


@require_GET
def map_panel(request: HttpRequest, public_id: Any, contact_id: int) -> HttpResponse:
    """One person's panel beside the map (the map's people carry their integer id, which is
    looked up inside the already-resolved account only)."""
    account = account_or_404(request.user, public_id)
    contact = queries.contacts_for(user=request.user, account=account).filter(pk=contact_id).first()
    if contact is None:
        raise Http404
    if not request.htmx:  # a fragment opened directly: the person's own page
        return redirect("relationships:contact_detail", public_id=contact.public_id)
    context = contact_context(request, account, contact, brief=True)
    return render(request, "relationships/partials/_panel.html", context)


def _filename(account: Account, extension: str) -> str:
    safe = "".join(ch for ch in account.code if ch.isalnum() or ch in "-_") or "account"
    return f"{safe}-relationship-map.{extension}"


@require_GET
def map_export_svg(request: HttpRequest, public_id: Any) -> HttpResponse:
    account = account_or_404(request.user, public_id)
    drawing = _drawing(account, _map_request(request, account, for_page=False))
    response = HttpResponse(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + drawing.svg,
        content_type="image/svg+xml; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(account, "svg")}"'
    return response


@require_GET
def map_export_png(request: HttpRequest, public_id: Any) -> HttpResponse:
    """The same map as a PNG, rendered server-side by headless chromium (as `kam map`)."""
    account = account_or_404(request.user, public_id)
    drawing = _drawing(account, _map_request(request, account, for_page=False))
    with tempfile.TemporaryDirectory(prefix="kam-map-") as folder:
        path = Path(folder) / "map.png"
        try:
            svg_to_png(drawing.svg, width=drawing.width, height=drawing.height, path=path)
        except RenderingUnavailable as error:
            return HttpResponse(
                _("The PNG export is unavailable on this server: %(reason)s") % {"reason": error},
                status=503,
                content_type="text/plain; charset=utf-8",
            )
        data = path.read_bytes()
    response = HttpResponse(data, content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="{_filename(account, "png")}"'
    return response
