from django.urls import path

from kam.ledger import views

app_name = "ledger"
urlpatterns = [
    path("import/", views.import_upload, name="import"),
]
