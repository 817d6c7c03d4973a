from __future__ import annotations

from django.urls import path

from kam.relationships import views

app_name = "relationships"
account = "accounts/<uuid:public_id>/"
urlpatterns = [
    path(account, views.account_relationships, name="account_detail"),
    path(f"{account}summary/", views.account_summary, name="account_summary"),
    path(f"{account}interactions/", views.interaction_list, name="interaction_list"),
    path(f"{account}people/", views.people_search, name="people_search"),
    path(
        f"{account}record/<str:kind>/",
        views.record,
        name="record",
    ),
    path(
        f"{account}<str:kind>/<uuid:record_id>/edit/",
        views.edit,
        name="edit",
    ),
    path(
        f"{account}<str:kind>/<uuid:record_id>/delete/",
        views.delete,
        name="delete",
    ),
    path(f"{account}map/", views.map_detail, name="map_detail"),
    path(f"{account}map/contacts/<int:contact_id>/", views.map_panel, name="map_panel"),
    path(f"{account}map/export.svg", views.map_export_svg, name="map_export_svg"),
    path(f"{account}map/export.png", views.map_export_png, name="map_export_png"),
    path("contacts/<uuid:public_id>/", views.contact_detail, name="contact_detail"),
    path("contacts/<uuid:public_id>/team/<int:user_id>/", views.pair, name="pair"),
    path("vocabulary/", views.vocabulary, name="vocabulary"),
    path("contacts/<uuid:public_id>/rejoin/", views.contact_rejoin, name="contact_rejoin"),
    path("contacts/<uuid:public_id>/successor/", views.contact_successor, name="contact_successor"),
    path("contacts/<uuid:public_id>/export/", views.contact_export, name="contact_export"),
    path("contacts/<uuid:public_id>/erase/", views.contact_erase, name="contact_erase"),
]
