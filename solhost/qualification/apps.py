from django.apps import AppConfig


class QualificationConfig(AppConfig):
    """The charter as code: every criterion's check, and the reports that explain the results."""

    name = "solhost.qualification"
    label = "qualification"
    verbose_name = "Qualification"
