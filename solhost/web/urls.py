from django.urls import path

from solhost.web import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.directory, name="directory"),
    path("services/<slug:slug>/", views.service_detail, name="service"),
    path("partners/", views.partner_list, name="partners"),
    path("partners/<slug:slug>/", views.partner_detail, name="partner"),
    path("region/", views.region_map, name="region"),
    path("health", views.health, name="health"),
]
