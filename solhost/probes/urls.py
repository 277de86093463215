from django.urls import path

from solhost.probes import views

app_name = "probes"

urlpatterns = [
    path("status/", views.status_page, name="status"),
    path("manage/<slug:slug>/status/", views.partner_status, name="partner"),
]
