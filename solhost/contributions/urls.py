from django.urls import path

from solhost.contributions import views

app_name = "contributions"

urlpatterns = [
    path("contribute/", views.contribute, name="contribute"),
    path("contribute/solidarity/", views.solidarity, name="solidarity"),
    path("contribute/payments/", views.payments, name="payments"),
    path("manage/<slug:slug>/sponsorship/", views.sponsorship, name="sponsorship"),
]
