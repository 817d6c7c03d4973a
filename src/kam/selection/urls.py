from django.urls import path

from kam.selection import views

app_name = "selection"
urlpatterns = [
    path("", views.key_account_list, name="key_accounts"),
    path("export.<str:fmt>", views.key_account_export, name="export"),
    path("accounts/<uuid:public_id>/", views.scorecard, name="scorecard"),
    path("accounts/<uuid:public_id>/ratings/", views.rating_add, name="rating_add"),
    path("accounts/<uuid:public_id>/override/", views.override_set, name="override"),
    path("accounts/<uuid:public_id>/cost-to-serve/", views.cost_to_serve_set, name="cost_to_serve"),
    path("register/", views.key_account_register, name="register"),
    path("portfolio/", views.portfolio, name="portfolio"),
    path("concentration/", views.concentration, name="concentration"),
    path("settings/", views.programme_settings, name="settings"),
    path("settings/window/", views.scoring_period_set, name="scoring_period"),
    path("rescore/", views.rescore, name="rescore"),
    path("jobs/<uuid:public_id>/", views.job_status, name="job"),
    path("jobs/<uuid:public_id>/run-again/", views.job_run_again, name="job_run_again"),
]
