from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The invented demo region and the commands that load and serve it; nothing else imports it."""

    name = "solhost.demo"
    label = "demo"
    verbose_name = "Demo region"
