from django.urls import path

from kam.priorities import views_workload as views

urlpatterns = [
    path("workload/", views.workload_page, name="workload"),
    path("workload/move/", views.workload_move, name="workload_move"),
]
