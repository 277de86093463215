from django.urls import path

from solhost.energy import views

app_name = "energy"

urlpatterns = [
    path("energy/", views.region_energy, name="overview"),
    path("servers/<slug:slug>/energy/", views.server_energy, name="server"),
    path(
        "manage/<slug:slug>/servers/<slug:server_slug>/telemetry/",
        views.telemetry_upload,
        name="upload",
    ),
    path(
        "manage/<slug:slug>/servers/<slug:server_slug>/power/",
        views.power_edit,
        name="power_edit",
    ),
]
