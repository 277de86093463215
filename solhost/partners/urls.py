from django.urls import path

from solhost.partners import views

app_name = "partners"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("<slug:slug>/", views.organisation, name="organisation"),
    path("<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path("<slug:slug>/add-server/", views.server_add, name="server_add"),
    path("<slug:slug>/servers/<slug:server_slug>/", views.server_edit, name="server_edit"),
    path("<slug:slug>/add-service/", views.service_add, name="service_add"),
    path("<slug:slug>/services/<slug:service_slug>/", views.service_edit, name="service_edit"),
    path("<slug:slug>/tokens/", views.token_create, name="token_create"),
    path("<slug:slug>/tokens/<slug:prefix>/revoke/", views.token_revoke, name="token_revoke"),
]
