from django.urls import path

from solhost.backups import views

app_name = "backups"

urlpatterns = [
    path("steward/backups/", views.steward_page, name="steward"),
]
