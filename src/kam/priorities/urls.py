"""Pages of priorities, one module per concern so they can be built side by side: time and
money measured (``urls_time``), the allocation of hours (``urls_allocation``)."""

from django.urls import include, path

app_name = "priorities"
urlpatterns = [
    path("", include("kam.priorities.urls_time")),
    path("", include("kam.priorities.urls_allocation")),
    path("", include("kam.priorities.urls_week")),
    path("", include("kam.priorities.urls_fit")),
    path("", include("kam.priorities.urls_calendar")),
    path("", include("kam.priorities.urls_workload")),
    path("", include("kam.priorities.urls_settings")),
]
