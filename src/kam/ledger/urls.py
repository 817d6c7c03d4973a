from django.urls import path

from kam.ledger import views

app_name = "ledger"
urlpatterns = [
    path("import/", views.import_upload, name="import"),
    path("import/<uuid:public_id>/rejects.csv", views.import_rejects, name="rejects"),
]
