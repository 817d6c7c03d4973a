"""Pages of account plans. Split by concern so each module stays small: the plan itself and
its sign-off (``urls_plan``), its follow-up (monitoring, quality, mentor reviews, attachments,
capabilities: ``urls_follow``), and the programme's view of all plans (``urls_programme``)."""

from django.urls import include, path

app_name = "plans"
urlpatterns = [
    path("", include("kam.plans.urls_plan")),
    path("", include("kam.plans.urls_follow")),
    path("", include("kam.plans.urls_programme")),
]
