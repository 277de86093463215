from django.urls import path

from solhost.sites import views

app_name = "sites"

urlpatterns = [
    path("sites/forward/", views.forward, name="forward"),
    path("steward/sites/", views.steward_page, name="steward"),
]
