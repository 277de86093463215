from django.urls import path

from solhost.contributions import statement_views, views

app_name = "contributions"

urlpatterns = [
    path("contribute/", views.contribute, name="contribute"),
    path("contribute/pledge/", views.pledge, name="pledge"),
    path("contribute/solidarity/", views.solidarity, name="solidarity"),
    path("contribute/payments/", views.payments, name="payments"),
    path("contribute/payments/statement/", statement_views.statement, name="statement"),
    path("contribute/payments/queue/", statement_views.statement_queue, name="statement_queue"),
    path("manage/<slug:slug>/sponsorship/", views.sponsorship, name="sponsorship"),
]
