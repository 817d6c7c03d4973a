from django.urls import path

from kam.priorities import views_time as views

urlpatterns = [
    path("time/", views.time_page, name="time"),
    path("time/log/", views.time_log, name="time_log"),
    path("time/<uuid:public_id>/", views.time_edit, name="time_edit"),
    path("time/<uuid:public_id>/delete/", views.time_delete, name="time_delete"),
    path("time/expenses/", views.expense_record, name="expense_record"),
    path("time/expenses/<uuid:public_id>/delete/", views.expense_delete, name="expense_delete"),
    path("time/capacity/", views.capacity_set, name="capacity_set"),
    path("time/absences/", views.absence_record, name="absence_record"),
    path("time/absences/<uuid:public_id>/delete/", views.absence_delete, name="absence_delete"),
    path("time/budgets/", views.budget_set, name="budget_set"),
]
