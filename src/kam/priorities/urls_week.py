from django.urls import path

from kam.priorities import views_week

urlpatterns = [path("", views_week.week, name="week")]
