from django.urls import path

from kam.plans import views_periods
from kam.plans import views_programme as views

urlpatterns = [
    path("", views.programme_list, name="programme"),
    path("periods/", views_periods.period_list, name="periods"),
    path("periods/<int:period_id>/", views_periods.period_edit, name="period_edit"),
    path("periods/<int:period_id>/delete/", views_periods.period_delete, name="period_delete"),
    path("export.<str:fmt>", views.programme_export, name="programme_export"),
    path("plan/<uuid:public_id>/print/", views.plan_print, name="plan_print"),
    path("plan/<uuid:public_id>/pdf/", views.plan_pdf, name="plan_pdf"),
    path("plan/<uuid:public_id>/attachments/", views.plan_attachments, name="plan_attachments"),
    path(
        "opportunities/<uuid:public_id>/attachments/",
        views.opportunity_attachments,
        name="opportunity_attachments",
    ),
    path(
        "attachments/<uuid:public_id>/download/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "attachments/<uuid:public_id>/comments/",
        views.attachment_comment,
        name="attachment_comment",
    ),
    path("attachments/<uuid:public_id>/delete/", views.attachment_delete, name="attachment_delete"),
    path(
        "capabilities/accounts/<uuid:public_id>/",
        views.account_capabilities,
        name="account_capabilities",
    ),
    path("capabilities/kams/<str:username>/", views.kam_capabilities, name="kam_capabilities"),
]
