from django.urls import path

from kam.plans import views_plan as views

account = "accounts/<uuid:public_id>/"
plan = "<uuid:plan_id>/"
urlpatterns = [
    path(account, views.account_plan, name="account_plan"),
    path(f"{account}start/", views.plan_start, name="plan_start"),
    path(f"{account}periods/", views.period_add, name="period_add"),
    path(f"{plan}sections/<slug:section>/", views.section_edit, name="section_edit"),
    path(f"{plan}items/<slug:kind>/", views.item_edit, name="item_add"),
    path(f"{plan}items/<slug:kind>/<uuid:item_id>/", views.item_edit, name="item_edit"),
    path(f"{plan}account-items/<slug:kind>/", views.account_item_edit, name="account_item_add"),
    path(
        f"{plan}account-items/<slug:kind>/<uuid:item_id>/",
        views.account_item_edit,
        name="account_item_edit",
    ),
    path(f"{plan}steps/<slug:step>/", views.workflow_step, name="workflow_step"),
    path(f"{plan}versions/<int:number>/", views.version_detail, name="version_detail"),
    path(f"{plan}diff/", views.version_diff, name="version_diff"),
]
