from django.apps import AppConfig


class QualificationConfig(AppConfig):
    """The charter as code: every criterion's check, and the reports that explain the results."""

    name = "solhost.qualification"
    label = "qualification"
    verbose_name = "Qualification"

    def ready(self) -> None:
        from solhost.partners.signals import partner_records_changed
        from solhost.qualification.receivers import re_evaluate_partner

        partner_records_changed.connect(
            re_evaluate_partner, dispatch_uid="qualification.re_evaluate_partner"
        )
