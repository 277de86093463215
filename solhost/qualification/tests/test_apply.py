from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from solhost.core.models import AuditEvent
from solhost.partners.models import Membership, Organisation
from solhost.qualification.actions.applications import (
    approve_application,
    reject_application,
    submit_application,
)
from solhost.qualification.models import Application, QualificationRun
from solhost.test import PASSWORD
from solhost.web.tests.pages import assert_clean_page

EXAMPLES = Path("docs/examples")


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def form_data(**changes):
    data = {
        "name": "Merri Creek Hosting Co-operative",
        "slug": "mch",
        "legal_form": "cooperative",
        "registration_number": "C0012345",
        "summary": "Files and chat for Brunswick households.",
        "locality": "Brunswick East",
        "website": "mch.example.org",
        "contact_email": "hello@mch.example.org",
    }
    data.update(changes)
    return data


def dossier_upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (EXAMPLES / name).read_bytes(), content_type="application/json")


def apply_as(world, **changes) -> Application:
    data = form_data(**changes)
    data["website"] = "https://mch.example.org"
    return submit_application(applicant=world.rita, data={**data, "dossier": None})


def test_the_apply_form_needs_a_sign_in(client, world):
    response = client.get("/apply/")
    assert response.status_code == 302
    assert "/apply/" in response["Location"]


def test_any_resident_can_open_the_apply_form(client, world):
    login(client, world.rita)
    response = client.get("/apply/")
    assert response.status_code == 200
    assert_clean_page(response)
    assert b"Apply to become a partner" in response.content
    assert b'<label for="id_dossier_file">' in response.content


def test_applying_without_a_dossier_keeps_the_application_apart(client, world):
    login(client, world.rita)
    response = client.post("/apply/", form_data())
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/apply/{application.pk}/"
    assert application.applicant == world.rita
    assert application.state == Application.State.SUBMITTED
    assert application.locality == "Brunswick East"
    assert application.website == "https://mch.example.org"
    assert application.dossier is None
    assert not Organisation.objects.filter(slug="mch").exists()
    assert AuditEvent.objects.filter(action="qualification.application.submit").count() == 1

    page = client.get(response["Location"])
    assert_clean_page(page)
    assert b"Your application was sent to the steward." in page.content
    assert b"What happens next" in page.content
    assert b"Awaiting review" in page.content


def test_applying_with_a_valid_dossier_stores_it(client, world):
    login(client, world.rita)
    client.post(
        "/apply/", {**form_data(), "dossier_file": dossier_upload("dossier-qualifies.json")}
    )
    application = Application.objects.get()
    assert application.dossier["partner"]["name"] == "Merri Creek Hosting Co-operative"


def test_a_malformed_dossier_lists_every_problem_by_path_and_stores_nothing(client, world):
    login(client, world.rita)
    response = client.post(
        "/apply/", {**form_data(), "dossier_file": dossier_upload("dossier-malformed.json")}
    )
    assert response.status_code == 200
    assert_clean_page(response)
    html = response.content.decode()
    assert "Nothing was sent" in html
    assert "<code>$.partner.run_by</code>" in html
    assert "<code>$.financial_years[1].gross_revenue_cents</code>" in html
    assert "<code>$.servers[0].ips[2]</code>" in html
    assert not Application.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="qualification.application").exists()


def test_a_file_that_is_not_json_is_refused_on_its_field(client, world):
    login(client, world.rita)
    upload = SimpleUploadedFile("dossier.json", b"{not json", content_type="application/json")
    response = client.post("/apply/", {**form_data(), "dossier_file": upload})
    assert response.status_code == 200
    assert "Dossier file (JSON): This file is not JSON" in response.content.decode()
    assert not Application.objects.exists()


def test_missing_fields_are_named(client, world):
    login(client, world.rita)
    response = client.post("/apply/", form_data(name="", contact_email="not an address"))
    html = response.content.decode()
    assert 'href="#id_name"' in html
    assert "Contact email: Enter a valid email address." in html
    assert not Application.objects.exists()


def test_the_short_name_of_a_partner_is_refused(client, world):
    login(client, world.rita)
    response = client.post("/apply/", form_data(slug="mcc"))
    assert response.status_code == 200
    assert "Short name: The short name “mcc” belongs to a partner already." in (
        response.content.decode()
    )
    assert not Application.objects.exists()


def test_the_short_name_of_a_waiting_application_is_refused(client, world):
    apply_as(world)
    login(client, world.carol)
    response = client.post("/apply/", form_data(name="Another co-op"))
    assert "is already waiting for review" in response.content.decode()
    assert Application.objects.count() == 1


def test_a_declined_applications_short_name_is_free_again(world):
    first = apply_as(world)
    reject_application(application=first, reviewer=world.sam, note="No dossier yet.")
    second = apply_as(world)
    assert second.pk != first.pk


def test_the_name_of_an_organisation_in_the_region_is_refused(client, world):
    login(client, world.rita)
    response = client.post("/apply/", form_data(name=world.mcc.name.upper()))
    assert "is already in the region" in response.content.decode()
    assert not Application.objects.exists()


def test_only_the_applicant_and_the_steward_see_an_application(client, world):
    application = apply_as(world)
    url = f"/apply/{application.pk}/"
    assert client.get(url).status_code == 302
    for stranger in (world.alice, world.carol, world.bob):
        login(client, stranger)
        assert client.get(url).status_code == 404
    login(client, world.rita)
    assert client.get(url).status_code == 200
    login(client, world.sam)
    assert client.get(url).status_code == 200
    assert client.get("/apply/999999/").status_code == 404


def test_the_apply_page_lists_the_residents_own_applications_only(client, world):
    apply_as(world)
    login(client, world.rita)
    assert b"Your applications" in client.get("/apply/").content
    login(client, world.carol)
    assert b"Your applications" not in client.get("/apply/").content


def test_approval_through_the_review_queue_makes_the_applicant_partner_admin(client, world):
    login(client, world.rita)
    client.post(
        "/apply/", {**form_data(), "dossier_file": dossier_upload("dossier-qualifies.json")}
    )
    application = Application.objects.get()

    login(client, world.sam)
    queue = client.get("/qualification/review/")
    assert f"/apply/{application.pk}/".encode() in queue.content
    response = client.post(
        f"/qualification/review/applications/{application.pk}/",
        {"decision": "approve", "note": "Welcome."},
    )
    assert response.status_code == 302

    organisation = Organisation.objects.get(slug="mch")
    assert organisation.kind == Organisation.Kind.PARTNER
    assert organisation.locality == "Brunswick East"
    assert organisation.website == "https://mch.example.org"
    membership = Membership.objects.get(organisation=organisation)
    assert (membership.user, membership.role) == (world.rita, Membership.Role.PARTNER_ADMIN)
    assert AuditEvent.objects.filter(
        action="qualification.application.add_partner_admin", object_id=str(membership.pk)
    ).exists()
    assert organisation.financial_years.count() == 2
    assert QualificationRun.objects.filter(organisation=organisation).exists()

    login(client, world.rita)
    page = client.get(f"/apply/{application.pk}/").content.decode()
    assert "Approved" in page
    assert "you are its partner admin" in page
    assert client.get("/manage/mch/dossier/").status_code == 200


def test_approval_promotes_an_existing_member_to_partner_admin(world):
    application = apply_as(world, slug="fresh")
    organisation = Organisation.objects.create(
        name="Fresh", slug="fresh-existing", legal_form="cooperative", summary="."
    )
    Membership.objects.create(
        user=world.rita, organisation=organisation, role=Membership.Role.PARTNER_MEMBER
    )
    application.organisation = organisation
    application.save()
    approve_application(application=application, reviewer=world.sam)
    membership = Membership.objects.get(user=world.rita, organisation=organisation)
    assert membership.role == Membership.Role.PARTNER_ADMIN
    event = AuditEvent.objects.get(action="qualification.application.add_partner_admin")
    assert event.before["role"] == "partner_member"


def test_approval_never_hands_over_a_partner_that_took_the_short_name_since(world):
    application = apply_as(world, slug="fresh")
    Organisation.objects.create(name="Fresh", slug="fresh", legal_form="cooperative", summary=".")
    with pytest.raises(ValidationError, match="was taken by a partner after"):
        approve_application(application=application, reviewer=world.sam)
    application.refresh_from_db()
    assert application.state == Application.State.SUBMITTED
    assert not Membership.objects.filter(user=world.rita).exists()


def test_a_declined_application_shows_the_reason(client, world):
    application = apply_as(world)
    reject_application(
        application=application, reviewer=world.sam, note="Please register the co-op first."
    )
    login(client, world.rita)
    page = client.get(f"/apply/{application.pk}/").content.decode()
    assert "Declined" in page
    assert "Please register the co-op first." in page


def test_the_applicant_is_told_of_an_approval_with_where_to_go_next(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    application = apply_as(world)
    with django_capture_on_commit_callbacks(execute=True):
        approve_application(application=application, reviewer=world.sam, note="Welcome!")
    [message] = [m for m in mailoutbox if "now a partner" in m.subject]
    assert message.subject == "Merri Creek Hosting Co-operative is now a partner of the region"
    assert sorted(message.to) == sorted({"hello@mch.example.org", world.rita.email})
    assert "/manage/mch/dossier/" in message.body and "Welcome!" in message.body


def test_the_applicant_is_told_why_an_application_was_declined(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    application = apply_as(world)
    with django_capture_on_commit_callbacks(execute=True):
        reject_application(
            application=application, reviewer=world.sam, note="Please register the co-op first."
        )
    [message] = mailoutbox
    assert message.subject == "About Merri Creek Hosting Co-operative's application"
    assert "declined" in message.body and "Please register the co-op first." in message.body
    assert f"/apply/{application.pk}/" in message.body


def test_a_decided_application_cannot_be_decided_again(world, mailoutbox):
    application = apply_as(world)
    approve_application(application=application, reviewer=world.sam)
    with pytest.raises(ValidationError, match="already approved"):
        reject_application(application=application, reviewer=world.sam, note="Oops.")
    application.refresh_from_db()
    assert application.state == Application.State.APPROVED
    assert AuditEvent.objects.filter(action="qualification.application.reject").count() == 0
