from django.urls import path

from solhost.winddown import views

app_name = "winddown"

urlpatterns = [
    path("manage/<slug:slug>/wind-down/", views.partner_page, name="partner"),
    path("manage/<slug:slug>/wind-down/exported/", views.mark_exported, name="mark_exported"),
    path("manage/<slug:slug>/wind-down/offers/", views.offer, name="offer"),
    path("manage/<slug:slug>/incoming-moves/", views.incoming_moves, name="incoming"),
    path(
        "manage/<slug:slug>/incoming-moves/<int:pk>/accept/",
        views.accept_move,
        name="accept_move",
    ),
    path("steward/wind-downs/", views.steward_list, name="steward"),
    path("steward/wind-downs/<int:pk>/complete/", views.complete, name="complete"),
    path("steward/handovers/<int:pk>/record/", views.record_handover, name="record_handover"),
    path("handover/", views.handover_offers, name="handover"),
    path("handover/<int:pk>/ask/", views.ask, name="ask"),
    path("leaving/cases/", views.my_cases, name="my_cases"),
    path("leaving/cases/<int:pk>/move/", views.move_me, name="move_me"),
    path("leaving/cases/<int:pk>/decline/", views.decline, name="decline"),
    path("closing/<slug:slug>/", views.public, name="public"),
]
