from django.urls import path

from kam.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/<uuid:public_id>/", views.account_detail, name="account_detail"),
    path("accounts/<uuid:public_id>/stage/", views.account_stage, name="account_stage"),
]
