from django.urls import path

from kam.priorities import views_calendar as views

urlpatterns = [
    path("time/calendar/", views.calendar_page, name="calendar"),
    path("time/calendar/resolve/", views.calendar_resolve, name="calendar_resolve"),
    path(
        "time/calendar/<uuid:public_id>/dismiss/", views.calendar_dismiss, name="calendar_dismiss"
    ),
]
