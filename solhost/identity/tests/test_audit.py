"""The audit trail of signing in: success, failure, sign-out and MFA changes."""

from allauth.mfa import signals as mfa_signals
from django.test import RequestFactory
from django.urls import reverse

from solhost.core.models import AuditEvent
from solhost.test import PASSWORD


def test_a_login_and_a_failed_one_are_recorded(client, world):
    client.post(reverse("account_login"), {"login": "rita@example.org", "password": "wrong one!"})
    client.post(reverse("account_login"), {"login": "rita@example.org", "password": PASSWORD})

    failed = AuditEvent.objects.get(action="identity.login_failed")
    assert "rita@example.org" in failed.note
    assert "wrong" not in failed.note
    assert AuditEvent.objects.filter(action="identity.login", actor=world.rita).count() == 1


def test_signing_out_is_recorded(client, world):
    client.force_login(world.rita)

    client.post(reverse("account_logout"))

    assert AuditEvent.objects.filter(action="identity.logout", actor=world.rita).exists()


def test_mfa_changes_are_recorded(world):
    request = RequestFactory().get("/")

    class Authenticator:
        type = "totp"

    mfa_signals.authenticator_added.send(
        None, request=request, user=world.rita, authenticator=Authenticator()
    )
    mfa_signals.authenticator_removed.send(
        None, request=request, user=world.rita, authenticator=Authenticator()
    )
    mfa_signals.authenticator_reset.send(
        None, request=request, user=world.rita, authenticator=Authenticator()
    )

    assert list(
        AuditEvent.objects.filter(actor=world.rita).order_by("id").values_list("action", "note")
    ) == [
        ("identity.mfa.add", "totp"),
        ("identity.mfa.remove", "totp"),
        ("identity.mfa.reset", "totp"),
    ]
