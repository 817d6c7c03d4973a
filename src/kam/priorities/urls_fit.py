from django.urls import path

from kam.priorities import views_fit as views

urlpatterns = [
    path("people/", views.people_time, name="people_time"),
    path("expected-activities/", views.expected_activities, name="expected_activities"),
    path("accounts/<uuid:public_id>/", views.account_priorities, name="account"),
    path(
        "accounts/<uuid:public_id>/senior-visit/accept/",
        views.visit_accept,
        name="visit_accept",
    ),
    path(
        "accounts/<uuid:public_id>/senior-visit/dismiss/",
        views.visit_dismiss,
        name="visit_dismiss",
    ),
    path("tasks/<uuid:public_id>/done/", views.task_done, name="task_done"),
]
