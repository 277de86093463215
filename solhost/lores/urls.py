from django.urls import path

from solhost.lores import views

app_name = "lores"

urlpatterns = [
    path("steward/lores/", views.steward_page, name="steward"),
    path("steward/lores/nodes/<int:pk>/link/", views.link, name="link"),
    path("steward/lores/nodes/<int:pk>/dismiss/", views.dismiss, name="dismiss"),
]
