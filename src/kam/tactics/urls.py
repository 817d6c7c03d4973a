from django.urls import path

from kam.tactics import views

app_name = "tactics"
urlpatterns = [
    path("accounts/<uuid:public_id>/", views.account_tactics, name="account"),
    path("accounts/<uuid:public_id>/tactic/", views.tactic_save, name="tactic_save"),
    path("accounts/<uuid:public_id>/rebates/", views.agreement_save, name="agreement_save"),
    path("accounts/<uuid:public_id>/contingency/", views.contingency_save, name="contingency_save"),
    path("tiers/", views.tiers, name="tiers"),
    path("export.<str:fmt>", views.tactics_export, name="export"),
    path("tiers/tactic/", views.tier_tactic_save, name="tier_tactic_save"),
    path("contingency/", views.contingency_missing, name="contingency_missing"),
]
