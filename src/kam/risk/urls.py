from django.urls import path

from kam.risk import views

app_name = "risk"
urlpatterns = [
    path("", views.programme, name="overview"),
    path("health/", views.health_recompute_all, name="health_recompute_all"),
    path("settings/", views.risk_settings, name="settings"),
    path("power/", views.power, name="power"),
    path("power/export.<str:fmt>", views.power_export, name="power_export"),
    path("export.<str:fmt>", views.risk_export, name="export"),
    path("scenarios/", views.scenarios, name="scenarios"),
    path("scenarios/compare/", views.scenarios_compare, name="scenarios_compare"),
    path("scenarios/<uuid:public_id>/delete/", views.scenario_delete, name="scenario_delete"),
    path("simulate/", views.simulate, name="simulate"),
    path("jobs/<uuid:public_id>/", views.job_status, name="job"),
    path("accounts/<uuid:public_id>/", views.account_risk, name="account"),
    path("accounts/<uuid:public_id>/panel/", views.account_panel, name="account_panel"),
    path("accounts/<uuid:public_id>/override/", views.loss_override, name="loss_override"),
    path("accounts/<uuid:public_id>/health/", views.health_recompute, name="health_recompute"),
]
