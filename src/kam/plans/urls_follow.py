from django.urls import path

from kam.plans import views_follow as views

urlpatterns = [
    path("follow/<uuid:public_id>/", views.plan_follow, name="plan_follow"),
    path("follow/<uuid:public_id>/reviews/", views.review_add, name="review_add"),
]
