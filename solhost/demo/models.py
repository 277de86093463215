from django.conf import settings
from django.db import models


class DemoInstallation(models.Model):
    """The demo's mark on a database it loaded: its logins' password and the accounts it made.

    One row at most. The password is kept readable on purpose: it guards demo accounts
    only, and ``load-demo`` prints it again on every run.
    """

    password = models.CharField(max_length=64)
    accounts = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="one_demo_installation")
        ]

    def __str__(self) -> str:
        return f"Demo installation of {self.created_at:%Y-%m-%d}"
