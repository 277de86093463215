from django.urls import path

from solhost.governance import views

app_name = "governance"

urlpatterns = [
    path("governance/", views.index, name="index"),
    path("governance/propose/", views.propose, name="propose"),
    path("governance/decisions/<int:pk>/", views.decision, name="decision"),
    path("governance/decisions/<int:pk>/vote/", views.vote, name="vote"),
    path("governance/decisions/<int:pk>/draft/", views.draft, name="draft"),
    path("governance/decisions/<int:pk>/changes/", views.add_change, name="add_change"),
    path(
        "governance/decisions/<int:pk>/changes/<int:change_pk>/remove/",
        views.remove_change,
        name="remove_change",
    ),
    path("governance/decisions/<int:pk>/open/", views.open_for_votes, name="open"),
    path("governance/parameters/", views.parameters, name="parameters"),
    path("governance/parameters/<slug:key>/", views.parameter_history, name="parameter"),
]
