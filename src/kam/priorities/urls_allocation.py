from django.urls import path

from kam.priorities import views_allocation as views

urlpatterns = [
    path("allocation/", views.allocation_page, name="allocation"),
    path("allocation/solve/", views.allocation_solve, name="allocation_solve"),
    path("allocation/jobs/<uuid:public_id>/", views.allocation_job, name="allocation_job"),
    path("allocation/pins/", views.pin_set, name="pin_set"),
    path("allocation/pins/<uuid:public_id>/clear/", views.pin_clear, name="pin_clear"),
    path("allocation/value-model/", views.value_settings_set, name="value_settings"),
]
