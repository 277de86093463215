from django.urls import path

from solhost.qualification import views

app_name = "qualification"

urlpatterns = [
    path("manage/<slug:slug>/dossier/", views.dossier, name="dossier"),
    path(
        "manage/<slug:slug>/dossier/declarations/",
        views.declarations_edit,
        name="declarations_edit",
    ),
    path("manage/<slug:slug>/dossier/years/add/", views.year_edit, name="year_add"),
    path("manage/<slug:slug>/dossier/years/<str:ends>/", views.year_edit, name="year_edit"),
    path("manage/<slug:slug>/dossier/evidence/add/", views.evidence_add, name="evidence_add"),
    path("manage/<slug:slug>/dossier/export.json", views.dossier_export, name="dossier_export"),
    path("manage/<slug:slug>/dossier/import/", views.dossier_import, name="dossier_import"),
    path("qualification/evidence/<int:pk>/file", views.evidence_file, name="evidence_file"),
    path("qualification/review/", views.review_queue, name="review_queue"),
    path("qualification/review/evidence/<int:pk>/", views.review_evidence, name="review_evidence"),
    path(
        "qualification/review/applications/<int:pk>/",
        views.application_decide,
        name="application_decide",
    ),
    path("apply/", views.apply, name="apply"),
    path("apply/<int:pk>/", views.application_status, name="application_status"),
    path("partners/<slug:slug>/qualification/", views.public_qualification, name="public"),
]
