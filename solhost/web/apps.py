from django.apps import AppConfig


class WebConfig(AppConfig):
    """The public face of the region: home page, service directory, partner and service pages."""

    name = "solhost.web"
    label = "web"
    verbose_name = "Public pages"
