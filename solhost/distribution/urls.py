from django.urls import path, register_converter

from solhost.distribution import views


class PeriodConverter:
    regex = r"\d{4}-(?:0[1-9]|1[0-2])"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(PeriodConverter, "period")

app_name = "distribution"

urlpatterns = [
    path("transparency/", views.transparency_index, name="transparency_index"),
    path("transparency/<period:period>/", views.transparency, name="transparency"),
    path(
        "transparency/<period:period>/scenario.json",
        views.transparency_scenario,
        name="transparency_scenario",
    ),
    path("contribute/where-it-went/", views.where_it_went, name="where_it_went"),
    path("statements/<slug:slug>/", views.statements, name="statements"),
    path("statements/<slug:slug>/bank-account/", views.bank_account, name="bank_account"),
    path("payouts/", views.payouts, name="payouts"),
    path("payouts/batches/", views.batch_new, name="batch_new"),
    path("payouts/batches/<int:pk>/", views.batch, name="batch"),
    path("payouts/batches/<int:pk>/payouts.aba", views.batch_download, name="batch_download"),
    path("payouts/batches/<int:pk>/sent/", views.batch_sent, name="batch_sent"),
    path("contribute/payments/<int:pk>/give-back/", views.give_back, name="give_back"),
    path("contribute/payments/<int:pk>/receipt/", views.receipt, name="receipt"),
    path(
        "contribute/where-it-went/<int:year>-statement/",
        views.yearly_statement,
        name="yearly_statement",
    ),
    path("closes/", views.close_index, name="close_index"),
    path("closes/<period:period>/", views.close_preview, name="close_preview"),
    path("closes/<period:period>/close/", views.close_month, name="close_month"),
    path("statements/<slug:slug>/<period:period>/", views.statement, name="statement"),
    path("statements/<slug:slug>/<period:period>.csv", views.statement_csv, name="statement_csv"),
]
