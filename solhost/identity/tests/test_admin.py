import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.urls import reverse

from solhost.core import audit
from solhost.core.models import AuditEvent
from solhost.identity.models import LogoutDelivery, ServiceClient, User
from solhost.identity.tests.oidc import make_client
from solhost.tests.crawling import FormFields


@pytest.mark.django_db
def test_verifying_addresses_in_bulk_is_audited_per_address(world, client):
    address = world.rita.emailaddress_set.get()
    address.verified = False
    address.save()
    client.force_login(world.sam)
    response = client.post(
        reverse("admin:account_emailaddress_changelist"),
        {"action": "make_verified", "_selected_action": [address.pk]},
    )
    assert response.status_code == 302
    assert EmailAddress.objects.get(pk=address.pk).verified
    event = AuditEvent.objects.get(action="admin.emailaddress.verify")
    assert event.actor == world.sam and event.changed_fields() == ["verified"]


@pytest.mark.django_db
def test_mfa_secrets_never_reach_the_audit_trail(world):
    authenticator = Authenticator.objects.create(
        user=world.rita, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXP"}
    )
    assert audit.snapshot(authenticator)["data"] == "(set)"


@pytest.mark.django_db
def test_user_admin_page_shows_the_regional_subject(world, client):
    client.force_login(world.sam)
    response = client.get(reverse("admin:identity_user_change", args=[world.rita.pk]))
    assert response.status_code == 200
    assert str(world.rita.sub) in response.content.decode()


def test_a_group_number_no_database_could_hold_is_not_a_choice(world, client):
    client.force_login(world.sam)
    url = reverse("admin:identity_user_change", args=[world.rita.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields if form[name].value()}

    response = client.post(url, {**data, "groups": ["99999999999999999999"]})

    assert response.status_code == 200
    assert "99999999999999999999 is not one of the available choices." in str(
        response.context["errors"]
    )
    assert not world.rita.groups.exists()


def _change_client_in_admin(client, registered, **changes) -> None:
    """The steward saves the client's admin form with ``changes``."""
    url = reverse("admin:identity_serviceclient_change", args=[registered.pk])
    page = client.get(url).context
    form = page["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    # The audit trail shown under the form is a read-only inline; its management form
    # must come back as it was sent.
    for inline in page["inline_admin_formsets"]:
        management = inline.formset.management_form
        data |= {management.add_prefix(name): value for name, value in management.initial.items()}
    data.update(changes)
    response = client.post(url, {k: v for k, v in data.items() if v is not False})
    assert response.status_code == 302, response.context["errors"]


def test_the_steward_gives_a_service_the_public_sub_and_it_is_audited(world, client):
    registered = make_client(world.mcc_service).client
    assert registered.subject_type == ServiceClient.SubjectType.PAIRWISE
    client.force_login(world.sam)

    _change_client_in_admin(client, registered, subject_type=ServiceClient.SubjectType.PUBLIC)

    registered.refresh_from_db()
    assert registered.subject_type == ServiceClient.SubjectType.PUBLIC
    change = AuditEvent.objects.filter(object_id=str(registered.pk)).latest("pk")
    assert "subject_type" in str(change.before) + str(change.after)


def test_the_steward_marks_a_coops_resource_server_and_it_is_audited(world, client):
    from solhost.identity.tests.oidc import make_client

    api = make_client(world.mcc_service).client
    assert not api.introspects_its_coops_tokens
    client.force_login(world.sam)

    _change_client_in_admin(client, api, introspects_its_coops_tokens="on")

    api.refresh_from_db()
    assert api.introspects_its_coops_tokens
    change = AuditEvent.objects.filter(object_id=str(api.pk)).latest("pk")
    assert change.after["introspects_its_coops_tokens"] is True


def test_an_email_changed_in_the_admin_has_its_address_row_so_no_page_makes_it(world, client):
    client.force_login(world.sam)
    change = reverse("admin:identity_user_change", args=[world.rita.pk])
    page = FormFields()
    page.feed(client.get(change).content.decode())
    (form,) = [form for form in page.forms if "email" in form.fields]
    data = {**form.fields, "email": "rita.new@example.org", "_save": "Save"}
    # Only what the page had chosen: the form reader ticks every box and picks an option
    # in every list.
    for chosen in ("is_staff", "is_superuser", "groups", "user_permissions"):
        data.pop(chosen, None)

    saved = client.post(change, data)

    assert saved.status_code == 302, saved.content.decode()[:3000]
    assert EmailAddress.objects.filter(user=world.rita, email="rita.new@example.org").exists()
    assert AuditEvent.objects.filter(action="admin.emailaddress.add").count() == 1
    rows = EmailAddress.objects.count()
    client.force_login(world.rita)
    assert client.get(reverse("account_email")).status_code == 200
    assert EmailAddress.objects.count() == rows


def test_an_account_is_not_deleted_in_the_admin_and_the_page_says_how(world, client):
    client.force_login(world.sam)
    delete = reverse("admin:identity_user_delete", args=[world.rita.pk])
    change = reverse("admin:identity_user_change", args=[world.rita.pk])

    for refused in (client.get(delete), client.post(delete, {"post": "yes"})):
        assert refused.status_code == 302
        assert refused["Location"] == change
    page = client.get(change).content.decode()
    assert "A resident closes their account on their Delete account page" in page
    bulk = client.post(
        reverse("admin:identity_user_changelist"),
        {"action": "delete_selected", "_selected_action": [world.rita.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert User.objects.filter(pk=world.rita.pk).exists()
    assert delete not in page


def test_the_steward_reads_which_services_were_not_told_of_a_logout(world, client):
    from solhost.identity.models import LogoutDelivery
    from solhost.identity.tests.oidc import make_client

    registered = make_client(world.mcc_service).client
    owed = LogoutDelivery.objects.create(
        client=registered, subject="s", reason="logout", attempts=12, last_outcome="HTTP 503"
    )
    client.force_login(world.sam)

    listed = client.get(
        reverse("admin:identity_logoutdelivery_changelist"), {"delivered_at__isnull": "True"}
    )
    change_url = reverse("admin:identity_logoutdelivery_change", args=[owed.pk])

    assert listed.status_code == 200 and "HTTP 503" in listed.content.decode()
    assert client.get(reverse("admin:identity_logoutdelivery_add")).status_code == 403
    # Read only: no form to send back, and nothing deleted by hand.
    assert 'name="last_outcome"' not in client.get(change_url).content.decode()
    deleting = reverse("admin:identity_logoutdelivery_delete", args=[owed.pk])
    assert client.post(deleting, {"post": "yes"}).status_code == 403
    assert LogoutDelivery.objects.filter(pk=owed.pk).exists()


def test_the_steward_removes_a_client_as_its_co_op_would_and_never_one_owed_logout_tokens(
    world, client
):
    registered = make_client(world.mcc_service).client
    owed = LogoutDelivery.objects.create(
        client=registered,
        user=world.rita,
        subject=str(world.rita.sub),
        reason=LogoutDelivery.Reason.LOGOUT,
    )
    client.force_login(world.sam)
    url = reverse("admin:identity_serviceclient_delete", args=[registered.pk])
    asked = client.get(url)
    # Django's page asking to confirm, with its button: the deliveries, which no one
    # deletes by hand, go with the client.
    assert asked.status_code == 200 and not asked.context["perms_lacking"]
    assert 'type="submit"' in asked.content.decode()
    # What removing means, said before the button, as on the co-op's page.
    assert f"Every token issued to {registered} stops working at once" in asked.content.decode()

    refused = client.post(url, {"post": "yes"}, follow=True)

    assert ServiceClient.objects.filter(pk=registered.pk).exists()
    assert "is still owed 1 logout tokens" in refused.content.decode()
    owed.delivered_at = owed.created
    owed.save()

    removed = client.post(url, {"post": "yes"}, follow=True)

    assert not ServiceClient.objects.filter(pk=registered.pk).exists()
    assert "0 tokens went with it" in removed.content.decode()
    event = AuditEvent.objects.get(action="identity.client.remove")
    assert event.actor == world.sam
    assert not AuditEvent.objects.filter(action="admin.serviceclient.delete").exists()


def test_the_steward_has_no_bulk_delete_of_clients(world, client):
    client.force_login(world.sam)
    listing = client.get(reverse("admin:identity_serviceclient_changelist"))
    offered = [name for name, _label in listing.context["action_form"].fields["action"].choices]
    assert "approve" in offered and "delete_selected" not in offered
