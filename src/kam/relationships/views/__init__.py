"""HTML and HTMX views of the relationship map (METHOD.md M3, M4): thin, one module per page."""

from kam.relationships.views.account import (
    account_relationships,
    account_summary,
    interaction_list,
    people_search,
    record,
)
from kam.relationships.views.contacts import (
    contact_detail,
    contact_erase,
    contact_export,
    contact_rejoin,
    contact_successor,
)
from kam.relationships.views.edit import delete, edit
from kam.relationships.views.maps import map_detail, map_export_png, map_export_svg, map_panel
from kam.relationships.views.team import pair, vocabulary

__all__ = [
    "account_relationships",
    "account_summary",
    "contact_detail",
    "contact_erase",
    "contact_export",
    "contact_rejoin",
    "contact_successor",
    "delete",
    "edit",
    "interaction_list",
    "map_detail",
    "map_export_png",
    "map_export_svg",
    "map_panel",
    "pair",
    "people_search",
    "record",
    "vocabulary",
]
