from django.urls import path

from kam.priorities import views_settings as views

urlpatterns = [path("settings/", views.my_settings, name="settings")]
