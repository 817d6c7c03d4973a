from django.urls import path

from kam.accounts import edit_views, views

app_name = "accounts"
ACCOUNT = "accounts/<uuid:public_id>/"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/new/", edit_views.account_new, name="account_new"),
    path("accounts/users/", edit_views.user_search, name="user_search"),
    path(ACCOUNT, views.account_detail, name="account_detail"),
    path(f"{ACCOUNT}stage/", views.account_stage, name="account_stage"),
    path(f"{ACCOUNT}edit/", edit_views.account_edit, name="account_edit"),
    path(f"{ACCOUNT}team/", edit_views.account_team, name="account_team"),
    path(f"{ACCOUNT}team/add/", edit_views.team_add, name="team_add"),
    path(f"{ACCOUNT}team/members/<str:username>/", edit_views.team_change, name="team_change"),
    path(
        f"{ACCOUNT}team/members/<str:username>/remove/", edit_views.team_remove, name="team_remove"
    ),
    path(f"{ACCOUNT}mentors/add/", edit_views.mentor_add, name="mentor_add"),
    path(
        f"{ACCOUNT}mentors/<str:username>/remove/",
        edit_views.mentor_remove,
        name="mentor_remove",
    ),
]
