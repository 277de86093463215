from django.urls import path

from solhost.residents import views

app_name = "residents"

# Beside allauth's pages under accounts/, none of which these names take.
urlpatterns = [
    path("accounts/", views.overview, name="overview"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/data/", views.your_data, name="data"),
    path("accounts/export/", views.export, name="export"),
    path("accounts/export/files/<str:token>/", views.export_file, name="export_file"),
    path("accounts/delete/", views.delete, name="delete"),
    path("accounts/delete/cancel/", views.cancel_deletion, name="cancel_deletion"),
]
