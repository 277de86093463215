from django.urls import path

from solhost.federation import feeds, views

app_name = "federation"

urlpatterns = [
    path("federation/", views.index, name="index"),
    path(
        "federation/chatonsinfos.properties",
        views.federation_properties,
        name="federation_properties",
    ),
    path(
        "partners/<slug:slug>/chatonsinfos.properties",
        views.partner_properties,
        name="partner_properties",
    ),
    path(
        "services/<slug:slug>/chatonsinfos.properties",
        views.service_properties,
        name="service_properties",
    ),
    path("partners/<slug:slug>/librehost.json", views.partner_librehost, name="librehost"),
    path("feeds/decisions.atom", feeds.DecisionsFeed(), name="decisions"),
    path("feeds/changes.atom", feeds.ChangesFeed(), name="changes"),
]
