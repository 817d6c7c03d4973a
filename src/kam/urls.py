from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from kam.api.api import api

urlpatterns = [
    path("", include("kam.accounts.urls")),
    path("ledger/", include("kam.ledger.urls")),
    path("selection/", include("kam.selection.urls")),
    path("relationships/", include("kam.relationships.urls")),
    path("planning/", include("kam.planning.urls")),
    path("plans/", include("kam.plans.urls")),
    path("risk/", include("kam.risk.urls")),
    path("priorities/", include("kam.priorities.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]

# Under /api/ the API's error shape (kam.api.errors); elsewhere Django's pages.
handler404 = "kam.api.errors.page_not_found"
handler500 = "kam.api.errors.server_error"
